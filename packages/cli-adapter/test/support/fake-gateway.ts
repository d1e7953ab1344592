import type {
  Cluster,
  CopySnapshotInput,
  CreateSnapshotInput,
  Gateway,
  KeyInfo,
  Snapshot,
} from "@aurora-snapshot-tool/core";

import { aSnapshot } from "@aurora-snapshot-tool/core/testing";

/** The account the fake gateway acts in; the builders' default is another, so pass this one. */
export const ACCOUNT = "123456789012";

export interface FakeGateway extends Gateway {
  /** Every method called, in order. */
  readonly calls: string[];
  /** Snapshots as they are now; describeSnapshot answers from here. */
  readonly snapshots: Snapshot[];
}

/** A Gateway over plain arrays: enough for in-process runs of the CLI. */
export function fakeGateway(
  init: { clusters?: Cluster[]; snapshots?: Snapshot[]; keys?: Record<string, KeyInfo> } = {},
): FakeGateway {
  const calls: string[] = [];
  const snapshots = [...(init.snapshots ?? [])];
  const clusters = init.clusters ?? [];
  return {
    calls,
    snapshots,
    async accountId() {
      calls.push("accountId");
      return ACCOUNT;
    },
    async listClusters(region) {
      calls.push("listClusters");
      return clusters.filter((c) => c.region === region);
    },
    async listSnapshots(region, query) {
      calls.push("listSnapshots");
      return snapshots.filter(
        (s) =>
          s.region === region &&
          (query.type === "shared" ? s.type === "shared" : s.type === "manual"),
      );
    },
    async describeSnapshot(region, id) {
      calls.push("describeSnapshot");
      return snapshots.find((s) => s.region === region && (s.id === id || s.arn === id));
    },
    async describeKey(_region, ref) {
      calls.push("describeKey");
      return init.keys?.[ref];
    },
    async createSnapshot(input: CreateSnapshotInput) {
      calls.push("createSnapshot");
      const s = aSnapshot({
        name: input.snapshotId,
        clusterId: input.clusterId,
        account: ACCOUNT,
        region: input.region,
        tags: input.tags,
      });
      snapshots.push(s);
      return s;
    },
    async shareSnapshot() {
      calls.push("shareSnapshot");
    },
    async addTags() {
      calls.push("addTags");
    },
    async copySnapshot(input: CopySnapshotInput) {
      calls.push("copySnapshot");
      return aSnapshot({
        name: input.targetId,
        clusterId: "x",
        account: ACCOUNT,
        region: input.targetRegion,
        tags: input.tags,
      });
    },
    async deleteSnapshot() {
      calls.push("deleteSnapshot");
    },
  };
}

/** A gateway that records and refuses every call: proves a command made none. */
export function refusingGateway(): { gateway: Gateway; calls: string[] } {
  const calls: string[] = [];
  const gateway = new Proxy({} as Gateway, {
    get: (_target, prop) => () => {
      calls.push(String(prop));
      return Promise.reject(new Error(`unexpected AWS call: ${String(prop)}`));
    },
  });
  return { gateway, calls };
}
