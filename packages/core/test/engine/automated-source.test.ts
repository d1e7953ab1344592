import { describe, expect, it } from "vitest";
import { formatSnapshotName } from "../../src/naming/index.js";
import { sourcePolicyFromObject } from "../../src/policy/index.js";
import type { SourcePolicyInput } from "../../src/policy/index.js";
import { runShare, runTake } from "../../src/steps/index.js";
import { InMemoryRds, simulatedGateway } from "../../src/testing/index.js";

/*
 * take with SNAPSHOT_SOURCE=automated in the in-memory RDS: a same-region copy of the automated
 * snapshot, under the tool's name and tags, and a created snapshot where no copy can be made.
 */

const SOURCE = "111111111111";
const DEST = "222222222222";
const HOME = "us-east-1";
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
});
