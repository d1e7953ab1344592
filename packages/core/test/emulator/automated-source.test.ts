/**
 * SNAPSHOT_SOURCE=automated against moto_server. moto gives every cluster an automated snapshot
 * when it is created (`rds:CLUSTER-YYYY-MM-DD-HH-MM`, stamped with moto's clock, here NOW), and
 * the extension sets its SnapshotCreateTime, so no hook is needed to make one.
 */
import { describe, expect, it } from "vitest";
import { setMotoSnapshotTime } from "@aurora-snapshot-tool/test-support";

import { sourcePolicyFromObject } from "../../src/policy/index.js";
import type { SourcePolicyInput } from "../../src/policy/index.js";
import { runTake } from "../../src/steps/index.js";
import type { EmulatedAccount } from "./emulator.js";
import {
  FAST,
  HOME,
  NOW,
  aCluster,
  hoursBefore,
  snapshotsIn,
  tagsOf,
  useMotoServer,
  TOOL,
} from "./emulator.js";

const moto = useMotoServer();

function source(account: EmulatedAccount, policy: SourcePolicyInput = {}) {
  return {
    gateway: account.gateway,
    policy: sourcePolicyFromObject(policy),
    region: HOME,
    now: NOW,
    execute: FAST,
  };
}

async function automatedOf(account: EmulatedAccount, clusterId: string) {
  const automated = await snapshotsIn(account.rds(), "automated");
  const mine = automated.filter((s) => s.DBClusterIdentifier === clusterId);
  expect(mine).toHaveLength(1);
  return mine[0]!;
}

describe("take with SNAPSHOT_SOURCE=automated against moto", () => {
  it("makes a manual copy of the recent automated snapshot, named and tagged as a taken one, with no CreateDBClusterSnapshot call", async () => {
    const a = moto.accountA();
    await aCluster(a.rds(), "orders");
    const automated = await automatedOf(a, "orders");
    await setMotoSnapshotTime(moto.endpoint, {
      arn: automated.DBClusterSnapshotArn!,
      time: hoursBefore(3),
    });

    const report = await runTake(source(a, { snapshotSource: "automated" }));

    expect(report.failed).toEqual([]);
    expect(report.done.map((o) => [o.decision.snapshot, o.decision.reason])).toEqual([
      ["orders-2026-03-01-12-00", "automated-recent"],
    ]);
    expect(a.requests.count("CreateDBClusterSnapshot")).toBe(0);
    expect(a.requests.count("CopyDBClusterSnapshot")).toBe(1);
    const manual = await snapshotsIn(a.rds(), "manual");
    expect(
      manual.map((s) => [s.DBClusterSnapshotIdentifier, s.SnapshotType, s.DBClusterIdentifier]),
    ).toEqual([["orders-2026-03-01-12-00", "manual", "orders"]]);
    expect(tagsOf(manual[0])).toEqual({
      CreatedBy: TOOL,
      CreatedOn: "2026-03-01-12-00",
      shareAndCopy: "YES",
      // the automated snapshot's time: the copy's data is that old
      SnapshotToolDataTime: "2026-03-01-09-00",
    });
  });

  it("creates the snapshot as before when the automated one is older than AUTOMATED_MAX_AGE_HOURS", async () => {
    const a = moto.accountA();
    await aCluster(a.rds(), "orders");
    const automated = await automatedOf(a, "orders");
    await setMotoSnapshotTime(moto.endpoint, {
      arn: automated.DBClusterSnapshotArn!,
      time: hoursBefore(7),
    });

    const report = await runTake(
      source(a, { snapshotSource: "automated", automatedMaxAgeHours: 6 }),
    );

    expect(report.done.map((o) => [o.decision.reason, o.decision.facts["automated"]])).toEqual([
      ["due", "too-old"],
    ]);
    expect(a.requests.count("CreateDBClusterSnapshot")).toBe(1);
    expect(a.requests.count("CopyDBClusterSnapshot")).toBe(0);
  });

  it("lists no automated snapshots at the default SNAPSHOT_SOURCE=create", async () => {
    const a = moto.accountA();
    await aCluster(a.rds(), "orders");

    const report = await runTake(source(a));

    expect(report.done.map((o) => o.decision.reason)).toEqual(["due"]);
    expect(a.requests.count("DescribeDBClusterSnapshots")).toBe(1);
    expect(a.requests.count("CopyDBClusterSnapshot")).toBe(0);
  });
});
