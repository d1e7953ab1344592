import {
  AddTagsToResourceCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  CreateDBInstanceCommand,
} from "@aws-sdk/client-rds";
import { describe, expect, it } from "vitest";

import { aSourcePolicy } from "../../src/testing/index.js";
import {
  VERIFICATION_TAG,
  VERIFIED_TAG,
  parseOutcomeTag,
  verifyRound,
  type VerifyPosition,
  type VerifyRoundResult,
} from "../../src/verify/index.js";
import type { EmulatedAccount } from "./emulator.js";
import {
  HOME,
  NOW,
  aCluster,
  aToolSnapshot,
  hoursBefore,
  snapshotsIn,
  tagsOf,
  useMotoServer,
} from "./emulator.js";

const moto = useMotoServer();
const DEPLOYMENT = "snapshot-tool-prod";
const policy = aSourcePolicy({ deploymentName: DEPLOYMENT });

/** Rounds as the state machine runs them; moto finishes every restore at once, so no waiting. */
async function run(
  a: EmulatedAccount,
  options: { position?: VerifyPosition; stopAfterRound?: number; start?: Date } = {},
): Promise<VerifyRoundResult> {
  let position = options.position;
  for (let i = 0; i < 30; i += 1) {
    const result = await verifyRound({
      gateway: a.gateway,
      side: "source",
      policy,
      region: HOME,
      now: new Date((options.start ?? NOW).getTime() + i * 60_000),
      pollSeconds: 0,
      ...(position && { position }),
    });
    position = result.position;
    if (!result.continue) return result;
    if (options.stopAfterRound !== undefined && result.position.round >= options.stopAfterRound)
      return result;
  }
  throw new Error("verify did not finish in 30 rounds");
}

async function clusters(a: EmulatedAccount) {
  const out = await a.rds().send(new DescribeDBClustersCommand({}));
  return (out.DBClusters ?? []).map((c) => ({
    id: c.DBClusterIdentifier ?? "",
    tags: Object.fromEntries((c.TagList ?? []).map((t) => [t.Key ?? "", t.Value ?? ""])),
    status: c.Status ?? "",
  }));
}

async function instanceIds(a: EmulatedAccount): Promise<string[]> {
  const out = await a.rds().send(new DescribeDBInstancesCommand({}));
  return (out.DBInstances ?? []).map((i) => i.DBInstanceIdentifier ?? "").sort();
}

async function seed(a: EmulatedAccount) {
  await aCluster(a.rds(), "orders");
  const arn = await aToolSnapshot(a.rds(), "orders", hoursBefore(2));
  // A decoy without the tag (with an instance), and another deployment's verification cluster.
  await aCluster(a.rds(), "decoy");
  await a.rds().send(
    new CreateDBInstanceCommand({
      DBInstanceIdentifier: "decoy-1",
      DBClusterIdentifier: "decoy",
      Engine: "aurora-postgresql",
      DBInstanceClass: "db.r6g.large",
    }),
  );
  await aCluster(a.rds(), "vfy-other-orders");
  const other = (await clusters(a)).find((c) => c.id === "vfy-other-orders");
  expect(other).toBeDefined();
  const otherArn = `arn:aws:rds:${HOME}:${a.id}:cluster:vfy-other-orders`;
  await a.rds().send(
    new AddTagsToResourceCommand({
      ResourceName: otherArn,
      Tags: [{ Key: VERIFICATION_TAG, Value: "another-deployment" }],
    }),
  );
  return arn;
}

describe("verify against moto", () => {
  it("restores the snapshot into a temporary cluster, passes, and leaves no verification cluster; decoys untouched", async () => {
    const a = moto.accountA();
    const arn = await seed(a);
    a.requests.clear();

    const final = await run(a);

    expect(final.results).toEqual([
      expect.objectContaining({ cluster: "orders", snapshotArn: arn, outcome: "passed" }),
    ]);
    expect(a.requests.count("RestoreDBClusterFromSnapshot")).toBe(1);
    expect(a.requests.count("CreateDBInstance")).toBe(1);
    expect(a.requests.count("DeleteDBInstance")).toBe(1);
    expect(a.requests.count("DeleteDBCluster")).toBe(1);
    const left = await clusters(a);
    expect(left.map((c) => c.id).sort()).toEqual(["decoy", "orders", "vfy-other-orders"]);
    expect(left.find((c) => c.id === "vfy-other-orders")?.tags[VERIFICATION_TAG]).toBe(
      "another-deployment",
    );
    expect(await instanceIds(a)).toEqual(["decoy-1"]);
    const snap = (await snapshotsIn(a.rds(), "manual")).find((s) => s.DBClusterSnapshotArn === arn);
    expect(parseOutcomeTag(tagsOf(snap)[VERIFIED_TAG])?.passed).toBe(true);
  });

  it("a run killed midway (position dropped after round 2) is cleaned up by the next run", async () => {
    const a = moto.accountA();
    await seed(a);

    const killed = await run(a, { stopAfterRound: 2 });
    expect(killed.continue).toBe(true);
    const leftover = killed.position.current?.clusterId;
    expect((await clusters(a)).map((c) => c.id)).toContain(leftover);

    // The next scheduled run, an hour later.
    const next = await run(a, { start: new Date(NOW.getTime() + 3_600_000) });

    expect(next.position.removed).toEqual([leftover]);
    expect(next.results.map((r) => r.outcome)).toEqual(["passed"]);
    const ids = (await clusters(a)).map((c) => c.id).sort();
    expect(ids).toEqual(["decoy", "orders", "vfy-other-orders"]);
    expect(await instanceIds(a)).toEqual(["decoy-1"]);
  });
});
