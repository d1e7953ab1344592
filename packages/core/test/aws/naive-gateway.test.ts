import {
  DescribeDBClusterSnapshotsCommand,
  ListTagsForResourceCommand,
  RDSClient,
} from "@aws-sdk/client-rds";
import type { DBClusterSnapshot } from "@aws-sdk/client-rds";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, afterEach, describe, expect, it } from "vitest";

import { NaiveTagGateway } from "../../bench/naive-gateway.js";
import { createClientFactory } from "../../src/aws/index.js";

const ACCOUNT = "111122223333";
const REGION = "eu-west-1";

const rdsMock = mockClient(RDSClient);

afterEach(() => {
  rdsMock.reset();
});

afterAll(() => {
  rdsMock.restore();
});

function aNaiveGateway(): NaiveTagGateway {
  const clients = createClientFactory({
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  return new NaiveTagGateway({ clients });
}

function aRawSnapshot(id: string, overrides: Partial<DBClusterSnapshot> = {}): DBClusterSnapshot {
  return {
    DBClusterSnapshotIdentifier: id,
    DBClusterSnapshotArn: `arn:aws:rds:${REGION}:${ACCOUNT}:cluster-snapshot:${id}`,
    DBClusterIdentifier: "prod-orders",
    Engine: "aurora-mysql",
    SnapshotType: "manual",
    Status: "available",
    // Deliberately different from what ListTagsForResource says: the baseline must ignore it.
    TagList: [{ Key: "from", Value: "TagList" }],
    ...overrides,
  };
}

describe("NaiveTagGateway (benchmark baseline)", () => {
  it("lists without a SnapshotType filter and asks ListTagsForResource once per listed snapshot", async () => {
    rdsMock.on(DescribeDBClusterSnapshotsCommand).resolves({
      DBClusterSnapshots: [
        aRawSnapshot("prod-orders-2026-11-23-01-00"),
        aRawSnapshot("prod-orders-2026-11-24-01-00"),
        aRawSnapshot("rds:prod-orders-2026-11-24-03-10", { SnapshotType: "automated" }),
      ],
    });
    rdsMock
      .on(ListTagsForResourceCommand)
      .resolves({ TagList: [{ Key: "CreatedBy", Value: "Snapshot Tool for Aurora" }] });

    const snapshots = await aNaiveGateway().listSnapshots(REGION, { type: "manual" });

    expect(rdsMock.commandCalls(DescribeDBClusterSnapshotsCommand)[0]?.args[0].input).toEqual({
      MaxRecords: 100,
    });
    const tagCalls = rdsMock.commandCalls(ListTagsForResourceCommand);
    expect(tagCalls.map((call) => call.args[0].input.ResourceName)).toEqual([
      `arn:aws:rds:${REGION}:${ACCOUNT}:cluster-snapshot:prod-orders-2026-11-23-01-00`,
      `arn:aws:rds:${REGION}:${ACCOUNT}:cluster-snapshot:prod-orders-2026-11-24-01-00`,
      `arn:aws:rds:${REGION}:${ACCOUNT}:cluster-snapshot:rds:prod-orders-2026-11-24-03-10`,
    ]);
    // The same answer as the efficient gateway: manual snapshots only, tagged.
    expect(snapshots.map((s) => s.id)).toEqual([
      "prod-orders-2026-11-23-01-00",
      "prod-orders-2026-11-24-01-00",
    ]);
    expect(snapshots[0]?.tags).toEqual({ CreatedBy: "Snapshot Tool for Aurora" });
  });

  it("lists snapshots shared in like the engine: another account's tags cannot be read", async () => {
    const arn = `arn:aws:rds:${REGION}:444455556666:cluster-snapshot:prod-orders-2026-11-24-01-00`;
    rdsMock.on(DescribeDBClusterSnapshotsCommand).resolves({
      DBClusterSnapshots: [aRawSnapshot(arn, { DBClusterSnapshotArn: arn })],
    });
    rdsMock.on(ListTagsForResourceCommand).resolves({ TagList: [] });

    const snapshots = await aNaiveGateway().listSnapshots(REGION, { type: "shared" });

    expect(rdsMock.commandCalls(DescribeDBClusterSnapshotsCommand)[0]?.args[0].input).toEqual({
      SnapshotType: "shared",
      IncludeShared: true,
      MaxRecords: 100,
    });
    expect(rdsMock.commandCalls(ListTagsForResourceCommand)).toHaveLength(0);
    expect(snapshots).toMatchObject([
      { type: "shared", name: "prod-orders-2026-11-24-01-00", tags: {} },
    ]);
  });

  it("keeps only the requested cluster's snapshots when a cluster id is given", async () => {
    rdsMock.on(DescribeDBClusterSnapshotsCommand).resolves({
      DBClusterSnapshots: [
        aRawSnapshot("prod-orders-2026-11-24-01-00"),
        aRawSnapshot("billing-2026-11-24-01-00", { DBClusterIdentifier: "billing" }),
      ],
    });
    rdsMock.on(ListTagsForResourceCommand).resolves({ TagList: [] });

    const snapshots = await aNaiveGateway().listSnapshots(REGION, {
      type: "manual",
      clusterId: "billing",
    });

    expect(snapshots.map((s) => s.id)).toEqual(["billing-2026-11-24-01-00"]);
    expect(rdsMock.commandCalls(ListTagsForResourceCommand)).toHaveLength(2);
  });
});
