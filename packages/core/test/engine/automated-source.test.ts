import { describe, expect, it } from "vitest";
import { formatSnapshotName } from "../../src/naming/index.js";
import { destinationPolicyFromObject, sourcePolicyFromObject } from "../../src/policy/index.js";
import type { SourcePolicyInput } from "../../src/policy/index.js";
import { destinationStatus, sourceStatus } from "../../src/status/index.js";
import { runCopy, runShare, runTake } from "../../src/steps/index.js";
import { InMemoryRds, simulatedGateway } from "../../src/testing/index.js";

/*
 * take with SNAPSHOT_SOURCE=automated in the in-memory RDS: a same-region copy of the automated
 * snapshot, under the tool's name and tags, and a created snapshot where no copy can be made.
 */

const SOURCE = "111111111111";
const DEST = "222222222222";
const HOME = "us-east-1";
const DR = "us-west-2";
const NOW = new Date("2026-06-15T12:00:00Z");
const TOOL_TAGS = {
  CreatedBy: "Snapshot Tool for Aurora",
  CreatedOn: "2026-06-15-12-00",
  shareAndCopy: "YES",
};

function hoursBefore(hours: number): Date {
  return new Date(NOW.getTime() - hours * 3_600_000);
}

function setUp(options: ConstructorParameters<typeof InMemoryRds>[0] = {}) {
  const sim = new InMemoryRds({ now: NOW, ...options });
  const run = (policy: SourcePolicyInput = {}) =>
    runTake({
      gateway: simulatedGateway(sim, SOURCE),
      region: HOME,
      now: sim.now(),
      policy: sourcePolicyFromObject({ snapshotSource: "automated", ...policy }),
      execute: { retry: { minTimeoutMs: 1, maxTimeoutMs: 2 } },
    });
  return { sim, run };
}

describe("take with SNAPSHOT_SOURCE=automated (in-memory RDS)", () => {
  it("copies the recent automated snapshot into a tool-named, tool-tagged manual one, without CreateDBClusterSnapshot", async () => {
    const { sim, run } = setUp();
    const key = sim.addKey({ account: SOURCE, region: HOME, alias: "orders" });
    sim.addCluster({ account: SOURCE, region: HOME, id: "orders", kmsKeyId: key });
    const automated = sim.addAutomatedSnapshot({
      account: SOURCE,
      region: HOME,
      clusterId: "orders",
      createTime: hoursBefore(4),
    });

    const report = await run();

    expect(report.failed).toEqual([]);
    expect(report.done.map((o) => [o.decision.snapshot, o.decision.reason])).toEqual([
      ["orders-2026-06-15-12-00", "automated-recent"],
    ]);
    expect(sim.callCounts()["CreateDBClusterSnapshot"]).toBeUndefined();
    expect(sim.callCounts()["CopyDBClusterSnapshot"]).toBe(1);
    const copy = sim.snapshot({ account: SOURCE, region: HOME, id: "orders-2026-06-15-12-00" });
    expect(copy).toMatchObject({
      type: "manual",
      clusterId: "orders",
      sourceArn: automated.arn,
      encrypted: true,
      // same region, same account, no KmsKeyId: the copy keeps the automated snapshot's key
      kmsKeyId: key,
      tags: TOOL_TAGS,
    });
    // The automated snapshot is RDS's and stays as it was.
    expect(sim.snapshot({ account: SOURCE, region: HOME, id: automated.id })).toMatchObject({
      type: "automated",
      status: "available",
      tags: {},
    });
  });

  it("shares the copy once RDS has finished it, as it would a created snapshot", async () => {
    const { sim, run } = setUp({ copyMinutes: 20 });
    sim.addCluster({ account: SOURCE, region: HOME, id: "orders" });
    sim.addAutomatedSnapshot({
      account: SOURCE,
      region: HOME,
      clusterId: "orders",
      createTime: hoursBefore(2),
    });
    await run();
    const share = () =>
      runShare({
        gateway: simulatedGateway(sim, SOURCE),
        region: HOME,
        now: sim.now(),
        policy: sourcePolicyFromObject({ destinationAccount: DEST }),
        execute: { retry: { minTimeoutMs: 1, maxTimeoutMs: 2 } },
      });
    expect((await share()).done).toEqual([]);

    sim.advance({ minutes: 30 });
    const shared = await share();
    expect(shared.done.map((o) => o.decision.snapshot)).toEqual(["orders-2026-06-15-12-00"]);
  });

  it("creates the snapshot while the newest automated one is still being made", async () => {
    const { sim, run } = setUp();
    sim.addCluster({ account: SOURCE, region: HOME, id: "orders" });
    sim.addAutomatedSnapshot({
      account: SOURCE,
      region: HOME,
      clusterId: "orders",
      status: "creating",
    });

    const report = await run();

    expect(report.done.map((o) => [o.decision.reason, o.decision.facts["automated"]])).toEqual([
      ["due", "not-available"],
    ]);
    expect(sim.callCounts()["CopyDBClusterSnapshot"]).toBeUndefined();
    expect(
      sim.snapshot({ account: SOURCE, region: HOME, id: "orders-2026-06-15-12-00" }),
    ).toMatchObject({
      type: "manual",
      status: "creating",
      tags: TOOL_TAGS,
    });
  });

  it("copies for as many clusters as there are free copy slots and creates the rest, with no refused copy", async () => {
    const { sim, run } = setUp({ copyMinutes: 60 });
    // Three copies someone else started are still running in the region: two slots are left.
    sim.addCluster({ account: SOURCE, region: HOME, id: "other" });
    for (const h of [1, 2, 3]) {
      const at = hoursBefore(h + 10);
      const id = formatSnapshotName("other", at);
      sim.addSnapshot({ account: SOURCE, region: HOME, id, clusterId: "other", createTime: at });
      const copy = `${id}-copy`;
      sim.addSnapshot({
        account: SOURCE,
        region: HOME,
        id: copy,
        clusterId: "other",
        status: "copying",
        sourceArn: `arn:aws:rds:${HOME}:${SOURCE}:cluster-snapshot:${id}`,
      });
    }
    for (const id of ["a", "b", "c", "d"]) {
      sim.addCluster({ account: SOURCE, region: HOME, id });
      sim.addAutomatedSnapshot({
        account: SOURCE,
        region: HOME,
        clusterId: id,
        createTime: hoursBefore(3),
      });
    }

    const report = await run({ clusterPattern: "^[a-d]$" });

    expect(report.failed).toEqual([]);
    expect(report.done.map((o) => [o.decision.cluster, o.decision.reason]).sort()).toEqual([
      ["a", "automated-recent"],
      ["b", "automated-recent"],
      ["c", "due"],
      ["d", "due"],
    ]);
    expect(sim.callCounts()["CopyDBClusterSnapshot"]).toBe(2);
    expect(sim.callCounts()["CreateDBClusterSnapshot"]).toBe(2);
    expect(sim.calls.filter((c) => c.error !== undefined)).toEqual([]);
  });

  it("takes nothing on a second run within the interval: the copy's name resets the interval", async () => {
    const { sim, run } = setUp();
    sim.addCluster({ account: SOURCE, region: HOME, id: "orders" });
    sim.addAutomatedSnapshot({
      account: SOURCE,
      region: HOME,
      clusterId: "orders",
      createTime: hoursBefore(20),
    });
    await run();
    sim.advance({ hours: 2 });
    sim.resetCalls();

    const again = await run();

    expect(again.done).toEqual([]);
    expect(again.skipped.map((d) => d.reason)).toEqual(["not-due"]);
    expect(sim.callCounts()["CopyDBClusterSnapshot"]).toBeUndefined();
  });

  it("creates the snapshot while RDS is making a newer automated one, rather than copying the older available one", async () => {
    const { sim, run } = setUp();
    sim.addCluster({ account: SOURCE, region: HOME, id: "orders" });
    sim.addAutomatedSnapshot({
      account: SOURCE,
      region: HOME,
      clusterId: "orders",
      createTime: hoursBefore(5),
    });
    sim.addAutomatedSnapshot({
      account: SOURCE,
      region: HOME,
      clusterId: "orders",
      createTime: hoursBefore(0.1),
      status: "creating",
    });

    const report = await run();

    expect(report.done.map((o) => [o.decision.reason, o.decision.facts["automated"]])).toEqual([
      ["due", "newer-in-progress"],
    ]);
    expect(sim.callCounts()["CopyDBClusterSnapshot"]).toBeUndefined();
    expect(sim.callCounts()["CreateDBClusterSnapshot"]).toBe(1);
  });

  it("counts the region's copies in flight against the slots also with a literal PATTERN naming one cluster", async () => {
    const { sim, run } = setUp({ copyMinutes: 60 });
    // Five copies of another cluster are running in the region: no slot is left.
    sim.addCluster({ account: SOURCE, region: HOME, id: "other" });
    for (const h of [1, 2, 3, 4, 5]) {
      const at = hoursBefore(h + 10);
      const id = formatSnapshotName("other", at);
      sim.addSnapshot({ account: SOURCE, region: HOME, id, clusterId: "other", createTime: at });
      sim.addSnapshot({
        account: SOURCE,
        region: HOME,
        id: `${id}-copy`,
        clusterId: "other",
        status: "copying",
        sourceArn: `arn:aws:rds:${HOME}:${SOURCE}:cluster-snapshot:${id}`,
      });
    }
    sim.addCluster({ account: SOURCE, region: HOME, id: "orders" });
    sim.addAutomatedSnapshot({
      account: SOURCE,
      region: HOME,
      clusterId: "orders",
      createTime: hoursBefore(3),
    });

    const report = await run({ clusterPattern: "^orders$" });

    expect(report.failed).toEqual([]);
    expect(report.done.map((o) => [o.decision.cluster, o.decision.reason])).toEqual([
      ["orders", "due"],
    ]);
    expect(report.done[0]?.decision.facts).toMatchObject({ automated: "no-copy-slot" });
    expect(sim.callCounts()["CopyDBClusterSnapshot"]).toBeUndefined();
    expect(sim.calls.filter((c) => c.error !== undefined)).toEqual([]);
  });

  it("copies the automated snapshot of a cluster listed with capitals (RDS keeps the snapshot's cluster id in lower case)", async () => {
    const sim = new InMemoryRds({ now: NOW });
    sim.addCluster({ account: SOURCE, region: HOME, id: "orders" });
    const automated = sim.addAutomatedSnapshot({
      account: SOURCE,
      region: HOME,
      clusterId: "orders",
      createTime: hoursBefore(3),
    });
    // The cluster as a caller may spell it: RDS compares cluster ids without regard to case.
    const gateway = simulatedGateway(sim, SOURCE);
    const capitalized = new Proxy(gateway, {
      get(target, prop, receiver) {
        if (prop === "listClusters") {
          return async (region: string) =>
            (await target.listClusters(region)).map((c) => ({ ...c, id: "Orders" }));
        }
        const value: unknown = Reflect.get(target, prop, receiver);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });

    const report = await runTake({
      gateway: capitalized,
      region: HOME,
      now: sim.now(),
      // A literal pattern: the listings are narrowed to the cluster id as PATTERN spells it.
      policy: sourcePolicyFromObject({ snapshotSource: "automated", clusterPattern: "^Orders$" }),
      execute: { retry: { minTimeoutMs: 1, maxTimeoutMs: 2 } },
    });

    expect(report.failed).toEqual([]);
    expect(
      report.done.map((o) => [
        o.decision.cluster,
        o.decision.reason,
        o.decision.action === "take" ? o.decision.copyFrom : undefined,
      ]),
    ).toEqual([["Orders", "automated-recent", automated.id]]);
    expect(sim.callCounts()["CreateDBClusterSnapshot"]).toBeUndefined();
  });
});

describe("take's copy of an automated snapshot falls back to a created snapshot (in-memory RDS)", () => {
  for (const error of [
    "AccessDenied",
    "DBClusterSnapshotNotFoundFault",
    "KMSKeyNotAccessibleFault",
  ]) {
    it(`creates the backup in the same run when the copy fails with ${error}, and says why`, async () => {
      const { sim, run } = setUp();
      sim.addCluster({ account: SOURCE, region: HOME, id: "orders" });
      const automated = sim.addAutomatedSnapshot({
        account: SOURCE,
        region: HOME,
        clusterId: "orders",
        createTime: hoursBefore(4),
      });
      sim.failOn({ operation: "CopyDBClusterSnapshot", error });

      const report = await run();

      expect(report.failed).toEqual([]);
      expect(report.pending).toEqual([]);
      expect(report.done).toHaveLength(1);
      const { decision } = report.done[0]!;
      expect(decision).toMatchObject({ action: "take", reason: "due", tags: TOOL_TAGS });
      expect(decision).not.toHaveProperty("copyFrom");
      expect(decision.facts).toMatchObject({
        automated: "copy-failed",
        copyFrom: automated.id,
        copyErrorCode: error,
      });
      expect(sim.callCounts()["CopyDBClusterSnapshot"]).toBe(1);
      expect(sim.callCounts()["CreateDBClusterSnapshot"]).toBe(1);
      // A created snapshot holds the data of now: no SnapshotToolDataTime on it.
      expect(
        sim.snapshot({ account: SOURCE, region: HOME, id: "orders-2026-06-15-12-00" }),
      ).toMatchObject({ type: "manual", tags: TOOL_TAGS });
    });
  }

  it("does not fall back when the snapshot quota refuses the copy: a created snapshot would be refused too", async () => {
    const { sim, run } = setUp();
    sim.addCluster({ account: SOURCE, region: HOME, id: "orders" });
    sim.addAutomatedSnapshot({
      account: SOURCE,
      region: HOME,
      clusterId: "orders",
      createTime: hoursBefore(4),
    });
    sim.failOn({ operation: "CopyDBClusterSnapshot", error: "SnapshotQuotaExceededFault" });

    const report = await run();

    expect(report.failed.map((o) => o.errorCode)).toEqual(["SnapshotQuotaExceededFault"]);
    expect(sim.callCounts()["CreateDBClusterSnapshot"]).toBeUndefined();
  });

  it("retries a throttled copy and copies, without creating", async () => {
    const { sim, run } = setUp();
    sim.addCluster({ account: SOURCE, region: HOME, id: "orders" });
    sim.addAutomatedSnapshot({
      account: SOURCE,
      region: HOME,
      clusterId: "orders",
      createTime: hoursBefore(4),
    });
    sim.failOn({ operation: "CopyDBClusterSnapshot", error: "Throttling", times: 1 });

    const report = await run();

    expect(report.done.map((o) => o.decision.reason)).toEqual(["automated-recent"]);
    expect(sim.callCounts()["CreateDBClusterSnapshot"]).toBeUndefined();
  });
});

describe("status reads the age of a copied automated snapshot's data (copyCreateTime: copy)", () => {
  it("reports the data's age at the source and in DR, not the copy's", async () => {
    const { sim, run } = setUp({ copyCreateTime: "copy", copyMinutes: 20 });
    sim.addCluster({ account: SOURCE, region: HOME, id: "orders" });
    const automated = sim.addAutomatedSnapshot({
      account: SOURCE,
      region: HOME,
      clusterId: "orders",
      createTime: hoursBefore(20),
    });
    const id = "orders-2026-06-15-12-00";

    const take = await run();
    expect(take.done.map((o) => o.decision.reason)).toEqual(["automated-recent"]);
    const copy = sim.snapshot({ account: SOURCE, region: HOME, id });
    // RDS gave the copy its own time; the tag keeps the data's.
    expect(copy?.createTime).toEqual(NOW);
    expect(copy?.tags).toMatchObject({ SnapshotToolDataTime: "2026-06-14-16-00" });

    // The destination, in the same account, copies it to another region.
    sim.advance({ hours: 1 });
    const destination = () => ({
      gateway: simulatedGateway(sim, SOURCE),
      region: HOME,
      now: sim.now(),
      policy: destinationPolicyFromObject({ crossAccount: false, destinationRegions: [DR] }),
      execute: { retry: { minTimeoutMs: 1, maxTimeoutMs: 2 } },
    });
    const copied = await runCopy(destination());
    expect(copied.done.map((o) => [o.decision.snapshot, o.decision.region])).toEqual([[id, DR]]);
    expect(sim.snapshot({ account: SOURCE, region: DR, id })?.tags).toMatchObject({
      SnapshotToolDataTime: "2026-06-14-16-00",
    });

    // 23 hours after take: the backup is 23 hours old by its name, 43 by its data.
    sim.advance({ hours: 22 });
    const source = await sourceStatus({
      gateway: simulatedGateway(sim, SOURCE),
      region: HOME,
      now: sim.now(),
      policy: sourcePolicyFromObject({ snapshotSource: "automated" }),
    });
    const here = source.places.find((p) => p.cluster === "orders" && p.place === "source");
    expect(here?.newest).toMatchObject({
      snapshot: id,
      time: automated.createTime.toISOString(),
      ageMinutes: 43 * 60,
    });
    expect(here?.state).not.toBe("protected");
    expect(here?.reasons).toContain("stale");

    const dr = await destinationStatus(destination());
    const there = dr.places.find((p) => p.cluster === "orders" && p.place === "dr");
    expect(there?.region).toBe(DR);
    expect(there?.newest).toMatchObject({
      time: automated.createTime.toISOString(),
      ageMinutes: 43 * 60,
    });
    expect(there?.state).not.toBe("protected");
  });
});
