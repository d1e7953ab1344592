import { describe, expect, it } from "vitest";

import { sourcePolicyFromObject } from "../../src/policy/index.js";
import type { SourcePolicyInput } from "../../src/policy/index.js";
import { runPrune, runShare, runTake } from "../../src/steps/index.js";
import type { EmulatedAccount } from "./emulator.js";
import {
  ACCOUNT_B,
  FAST,
  HOME,
  NOW,
  aCluster,
  aSnapshot,
  aToolSnapshot,
  daysBefore,
  hoursAfter,
  manualIds,
  nameOf,
  restoreAccounts,
  snapshotsIn,
  tagsOf,
  useMotoServer,
  TOOL,
} from "./emulator.js";

const moto = useMotoServer();

function source(account: EmulatedAccount, policy: SourcePolicyInput = {}, now = NOW) {
  return {
    gateway: account.gateway,
    policy: sourcePolicyFromObject(policy),
    region: HOME,
    now,
    execute: FAST,
  };
}

describe("take against moto", () => {
  it("snapshots every Aurora cluster under the original's name with the three tool tags", async () => {
    const a = moto.accountA();
    await aCluster(a.rds(), "orders", { engine: "aurora-postgresql" });
    await aCluster(a.rds(), "ledger", { engine: "aurora-mysql" });

    const report = await runTake(source(a));

    expect(report.failed).toEqual([]);
    expect(report.done.map((o) => o.decision.snapshot).sort()).toEqual([
      "ledger-2026-03-01-12-00",
      "orders-2026-03-01-12-00",
    ]);
    const manual = await snapshotsIn(a.rds(), "manual");
    expect(manual.map((s) => s.DBClusterSnapshotIdentifier).sort()).toEqual([
      "ledger-2026-03-01-12-00",
      "orders-2026-03-01-12-00",
    ]);
    for (const s of manual) {
      expect(tagsOf(s)).toEqual({
        CreatedBy: TOOL,
        CreatedOn: "2026-03-01-12-00",
        shareAndCopy: "YES",
      });
    }
  });

  it("takes nothing on a second run within the interval", async () => {
    const a = moto.accountA();
    await aCluster(a.rds(), "orders");
    await runTake(source(a));
    a.requests.clear();

    const again = await runTake(source(a, {}, hoursAfter(1)));

    expect(again.done).toEqual([]);
    expect(again.skipped.map((d) => [d.cluster, d.reason])).toEqual([["orders", "not-due"]]);
    expect(a.requests.count("CreateDBClusterSnapshot")).toBe(0);
    expect(await manualIds(a.rds())).toEqual(["orders-2026-03-01-12-00"]);
  });

  it("takes the next one when the schedule fires minutes early, comparing from the hour", async () => {
    const a = moto.accountA();
    await aCluster(a.rds(), "orders");
    const first = new Date("2026-03-01T01:05:00Z");
    // moto's clock (the Date header and SnapshotCreateTime) follows the run's.
    await moto.setClock(first);
    await runTake(source(a, {}, first));

    // 23 h 57 min after the last one, but 24 h after the hour it was taken in.
    const then = new Date("2026-03-02T01:02:00Z");
    await moto.setClock(then);
    const next = await runTake(source(a, {}, then));

    expect(next.done.map((o) => o.decision.snapshot)).toEqual(["orders-2026-03-02-01-02"]);
    expect(await manualIds(a.rds())).toEqual([
      "orders-2026-03-01-01-05",
      "orders-2026-03-02-01-02",
    ]);
  });

  it("skips a neptune and a Multi-AZ (mysql) cluster as not-aurora, and a non-matching one as pattern-mismatch", async () => {
    // moto 5.2.1 refuses to create docdb clusters, so neptune and mysql stand for the non-Aurora
    // engines DescribeDBClusters also returns.
    const a = moto.accountA();
    await aCluster(a.rds(), "orders", { engine: "aurora-mysql" });
    await aCluster(a.rds(), "orders-graph", { engine: "neptune" });
    await aCluster(a.rds(), "orders-multiaz", { engine: "mysql" });
    await aCluster(a.rds(), "scratch", { engine: "aurora-postgresql" });

    const report = await runTake(source(a, { clusterPattern: "^orders" }));

    expect(report.done.map((o) => o.decision.cluster)).toEqual(["orders"]);
    expect(Object.fromEntries(report.skipped.map((d) => [d.cluster, [d.reason, d.facts]]))).toEqual(
      {
        "orders-graph": ["not-aurora", { engine: "neptune" }],
        "orders-multiaz": ["not-aurora", { engine: "mysql" }],
        scratch: ["pattern-mismatch", { pattern: "^orders" }],
      },
    );
    expect(await manualIds(a.rds())).toEqual(["orders-2026-03-01-12-00"]);
  });
});

describe("share against moto", () => {
  it("adds the destination account to the restore attribute and tags the snapshot as shared", async () => {
    const a = moto.accountA();
    await aCluster(a.rds(), "orders");
    const taken = nameOf("orders", NOW);
    await aToolSnapshot(a.rds(), "orders", NOW);
    await aSnapshot(a.rds(), "orders", "orders-before-upgrade");

    const report = await runShare(source(a, { destinationAccount: ACCOUNT_B }));

    expect(report.failed).toEqual([]);
    expect(report.done.map((o) => o.decision.snapshot)).toEqual([taken]);
    expect(report.skipped.map((d) => [d.snapshot, d.reason])).toEqual([
      ["orders-before-upgrade", "no-tool-tag"],
    ]);
    expect(await restoreAccounts(a.rds(), taken)).toEqual([ACCOUNT_B]);
    expect(await restoreAccounts(a.rds(), "orders-before-upgrade")).toEqual([]);
    const [shared] = (await snapshotsIn(a.rds(), "manual")).filter(
      (s) => s.DBClusterSnapshotIdentifier === taken,
    );
    expect(tagsOf(shared)).toMatchObject({ SnapshotToolSharedWith: ACCOUNT_B });
  });

  it("makes the snapshot visible in the destination account as shared in, not as its own", async () => {
    const a = moto.accountA();
    const b = moto.accountB();
    await aCluster(a.rds(), "orders");
    const arn = await aToolSnapshot(a.rds(), "orders", NOW);

    await runShare(source(a, { destinationAccount: ACCOUNT_B }));

    // moto 5.2.1 reports SnapshotType "manual" for it (AWS says "shared"); what matters here is
    // that it turns up in B's shared pass, owned by A, and not among B's own snapshots.
    const sharedIn = await b.gateway.listSnapshots(HOME, { type: "shared" });
    expect(sharedIn.map((s) => [s.arn, s.type, s.account])).toEqual([[arn, "shared", a.id]]);
    expect(await b.gateway.listSnapshots(HOME, { type: "manual" })).toEqual([]);
  });

  it("share with two destination accounts shares with both", async () => {
    const a = moto.accountA();
    const ACCOUNT_C = "333333333333";
    await aCluster(a.rds(), "orders");
    const taken = nameOf("orders", NOW);
    const arn = await aToolSnapshot(a.rds(), "orders", NOW);

    const report = await runShare(source(a, { destinationAccount: `${ACCOUNT_B},${ACCOUNT_C}` }));

    expect(report.failed).toEqual([]);
    expect(
      report.done.map((o) => o.decision.action === "share" && o.decision.shareWith).sort(),
    ).toEqual([ACCOUNT_B, ACCOUNT_C]);
    // DescribeDBClusterSnapshotAttributes: both in `restore`, whatever order the shares ran in.
    expect((await restoreAccounts(a.rds(), taken)).sort()).toEqual([ACCOUNT_B, ACCOUNT_C]);
    const [shared] = (await snapshotsIn(a.rds(), "manual")).filter(
      (s) => s.DBClusterSnapshotIdentifier === taken,
    );
    expect(tagsOf(shared)).toMatchObject({
      SnapshotToolSharedWith: `${ACCOUNT_B} ${ACCOUNT_C}`,
    });
    for (const destination of [moto.accountB(), moto.accountAs(ACCOUNT_C)]) {
      const sharedIn = await destination.gateway.listSnapshots(HOME, { type: "shared" });
      expect(sharedIn.map((s) => [s.arn, s.type, s.account])).toEqual([[arn, "shared", a.id]]);
    }

    a.requests.clear();
    const again = await runShare(
      source(a, { destinationAccount: `${ACCOUNT_C},${ACCOUNT_B}` }, hoursAfter(0.2)),
    );
    expect(again.done).toEqual([]);
    expect(again.skipped.map((d) => d.reason)).toEqual(["already-shared"]);
    expect(a.requests.operations).toEqual(["DescribeDBClusterSnapshots"]);
  });

  it("sends nothing but the listing on a second run", async () => {
    const a = moto.accountA();
    await aCluster(a.rds(), "orders");
    await aToolSnapshot(a.rds(), "orders", NOW);
    const policy = { destinationAccount: ACCOUNT_B };
    await runShare(source(a, policy));
    a.requests.clear();

    const again = await runShare(source(a, policy, hoursAfter(0.2)));

    expect(again.done).toEqual([]);
    expect(again.skipped.map((d) => d.reason)).toEqual(["already-shared"]);
    expect(a.requests.operations).toEqual(["DescribeDBClusterSnapshots"]);
  });
});

describe("prune against moto", () => {
  it("deletes only the tool's snapshots past retention and keeps each cluster's newest", async () => {
    const a = moto.accountA();
    await aCluster(a.rds(), "orders");
    await aCluster(a.rds(), "billing");
    for (const days of [10, 9, 2]) await aToolSnapshot(a.rds(), "orders", daysBefore(days));
    // billing's backups stopped 9 days ago: minKeep (default 1) keeps its last one.
    for (const days of [10, 9]) await aToolSnapshot(a.rds(), "billing", daysBefore(days));
    // Named like the tool's and far past retention, but untagged: never the tool's to delete.
    const untagged = nameOf("orders", daysBefore(30));
    await aSnapshot(a.rds(), "orders", untagged);
    const automated = await snapshotsIn(a.rds(), "automated");

    const report = await runPrune(source(a, { retentionDays: 7 }));

    expect(report.failed).toEqual([]);
    expect(report.done.map((o) => o.decision.snapshot).sort()).toEqual([
      nameOf("billing", daysBefore(10)),
      nameOf("orders", daysBefore(10)),
      nameOf("orders", daysBefore(9)),
    ]);
    expect(Object.fromEntries(report.skipped.map((d) => [d.snapshot, d.reason]))).toEqual({
      [nameOf("billing", daysBefore(9))]: "min-keep",
      [nameOf("orders", daysBefore(2))]: "within-retention",
      [untagged]: "no-tool-tag",
    });
    expect(await manualIds(a.rds())).toEqual(
      [nameOf("billing", daysBefore(9)), nameOf("orders", daysBefore(2)), untagged].sort(),
    );
    expect(automated).toHaveLength(2);
    expect(await snapshotsIn(a.rds(), "automated")).toEqual(automated);
  });
});
