import type {
  Cluster,
  CopySnapshotInput,
  CreateSnapshotInput,
  Gateway,
  KeyInfo,
  Snapshot,
} from "@aurora-snapshot-tool/core";

export const ACCOUNT = "123456789012";

export function aCluster(over: Partial<Cluster> & { id: string }): Cluster {
  const region = over.region ?? "us-east-1";
  return {
    arn: `arn:aws:rds:${region}:${ACCOUNT}:cluster:${over.id}`,
    engine: "aurora-mysql",
    status: "available",
    encrypted: false,
    tags: {},
    account: ACCOUNT,
    region,
    ...over,
  };
}

export function aSnapshot(over: Partial<Snapshot> & { id: string; clusterId: string }): Snapshot {
  const region = over.region ?? "us-east-1";
  return {
    name: over.id,
    arn: `arn:aws:rds:${region}:${ACCOUNT}:cluster-snapshot:${over.id}`,
    engine: "aurora-mysql",
    type: "manual",
    status: "available",
    encrypted: false,
    tags: { CreatedBy: "Snapshot Tool for Aurora", shareAndCopy: "YES" },
    account: ACCOUNT,
    region,
    ...over,
  };
}

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
        id: input.snapshotId,
        clusterId: input.clusterId,
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
      return aSnapshot({ id: input.targetId, clusterId: "x", region: input.targetRegion });
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
