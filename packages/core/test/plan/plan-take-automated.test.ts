import { describe, expect, it } from "vitest";
import type { Snapshot, TakeDecision } from "../../src/model/index.js";
import { planTake } from "../../src/plan/index.js";
import type { PlanTakeInput } from "../../src/plan/index.js";
import { formatTimestamp } from "../../src/naming/index.js";
import { sourcePolicyFromEnv } from "../../src/policy/index.js";
import {
  NOW,
  aCluster,
  aSnapshot,
  aSourcePolicy,
  aToolSnapshot,
  hoursAgo,
} from "../../src/testing/index.js";

const AUTOMATED = aSourcePolicy({ snapshotSource: "automated" });

/** An automated snapshot of `cluster` taken `hours` before NOW, as RDS names it. */
function anAutomated(hours: number, over: Partial<Snapshot> & { clusterId?: string } = {}) {
  const clusterId = over.clusterId ?? "prod-orders";
  const takenAt = hoursAgo(hours);
  const stamp = takenAt.toISOString().slice(0, 16).replace(/[T:]/g, "-");
  return aSnapshot({ takenAt, type: "automated", name: `rds:${clusterId}-${stamp}`, ...over });
}

/** A copy in progress into the region (someone's): it holds one of the 5 copy slots. */
function aCopyInFlight(i: number): Snapshot {
  return aSnapshot({
    name: `other-copy-${i}`,
    clusterId: "elsewhere",
    status: "copying",
    sourceArn: `arn:aws:rds:us-east-1:111111111111:cluster-snapshot:src-${i}`,
  });
}

function take(over: Partial<PlanTakeInput> = {}) {
  return planTake({
    clusters: [aCluster()],
    snapshots: [],
    automated: [],
    policy: AUTOMATED,
    now: NOW,
    ...over,
  });
}

function only(over: Partial<PlanTakeInput> = {}): TakeDecision {
  const decisions = take(over);
  expect(decisions).toHaveLength(1);
  expect(decisions[0]!.action).toBe("take");
  return decisions[0] as TakeDecision;
}

describe("planTake with SNAPSHOT_SOURCE=automated", () => {
  it("copies a due cluster's recent automated snapshot, under the usual name and tags", () => {
    const source = anAutomated(3);
    const d = only({ automated: [source] });
    expect(d).toMatchObject({
      action: "take",
      reason: "automated-recent",
      snapshot: "prod-orders-2026-11-25-01-02",
      copyFrom: source.id,
      tags: {
        CreatedBy: "Snapshot Tool for Aurora",
        CreatedOn: "2026-11-25-01-02",
        shareAndCopy: "YES",
      },
    });
    expect(d.facts).toMatchObject({
      automatedSnapshot: source.name,
      automatedAgeHours: 3,
      automatedMaxAgeHours: 24,
      copySlotsFree: 5,
      newestSnapshot: null,
    });
  });

  it("copies the newest available automated snapshot of the cluster, not an older one", () => {
    const older = anAutomated(20);
    const newer = anAutomated(2);
    const d = only({ automated: [older, newer] });
    expect(d.copyFrom).toBe(newer.id);
  });

  it("creates the snapshot when the cluster has no automated snapshot", () => {
    const d = only({ automated: [anAutomated(1, { clusterId: "another" })] });
    expect(d.reason).toBe("due");
    expect(d.copyFrom).toBeUndefined();
    expect(d.facts).toMatchObject({ automated: "none", automatedMaxAgeHours: 24 });
  });

  it("creates the snapshot when the newest automated one is AUTOMATED_MAX_AGE_HOURS old or older", () => {
    const policy = aSourcePolicy({ snapshotSource: "automated", automatedMaxAgeHours: 6 });
    const exactly = only({ policy, automated: [anAutomated(6)] });
    expect(exactly.copyFrom).toBeUndefined();
    expect(exactly.facts).toMatchObject({
      automated: "too-old",
      automatedAgeHours: 6,
      automatedMaxAgeHours: 6,
    });
    expect(only({ policy, automated: [anAutomated(5.9)] }).copyFrom).toBeDefined();
  });

  it("reads the age limit as the interval when AUTOMATED_MAX_AGE_HOURS is not set", () => {
    const policy = aSourcePolicy({ snapshotSource: "automated", intervalHours: 12 });
    expect(only({ policy, automated: [anAutomated(13)] }).facts).toMatchObject({
      automated: "too-old",
      automatedMaxAgeHours: 12,
    });
    expect(only({ policy, automated: [anAutomated(11)] }).reason).toBe("automated-recent");
  });

  it("creates the snapshot when the newest automated one is not available yet", () => {
    const creating = anAutomated(0.2, { status: "creating" });
    const d = only({ automated: [creating, anAutomated(30)] });
    expect(d.copyFrom).toBeUndefined();
    expect(d.facts).toMatchObject({
      automated: "not-available",
      automatedSnapshot: creating.name,
      automatedStatus: "creating",
    });
  });

  it("creates the snapshot while a newer automated one is being made, rather than copying an older available one", () => {
    const available = anAutomated(5);
    const creating = anAutomated(0.1, { status: "creating" });
    const d = only({ automated: [creating, available] });
    expect(d.reason).toBe("due");
    expect(d.copyFrom).toBeUndefined();
    expect(d.tags).not.toHaveProperty("SnapshotToolDataTime");
    expect(d.facts).toMatchObject({
      automated: "newer-in-progress",
      automatedSnapshot: creating.name,
      automatedStatus: "creating",
      olderAvailable: available.name,
      olderAgeHours: 5,
    });
  });

  it("counts a creating automated snapshot without a SnapshotCreateTime as being made now", () => {
    const creating = { ...anAutomated(0, { status: "creating" }), createTime: undefined };
    const d = only({ automated: [creating, anAutomated(5)] });
    expect(d.copyFrom).toBeUndefined();
    expect(d.facts).toMatchObject({ automated: "newer-in-progress" });
  });

  it("tags the copy with the automated snapshot's time (SnapshotToolDataTime), a created one not", () => {
    const source = anAutomated(20.5);
    const copy = only({ automated: [source] });
    expect(copy.tags).toEqual({
      CreatedBy: "Snapshot Tool for Aurora",
      CreatedOn: "2026-11-25-01-02",
      shareAndCopy: "YES",
      SnapshotToolDataTime: formatTimestamp(source.createTime!),
    });
    expect(copy.tags["SnapshotToolDataTime"]).toBe("2026-11-24-04-32");
    const created = only({ automated: [] });
    expect(Object.keys(created.tags).sort()).toEqual(["CreatedBy", "CreatedOn", "shareAndCopy"]);
  });

  it("copies the automated snapshot of a cluster whose id has capitals (RDS stores the snapshot's cluster id in lower case)", () => {
    const source = anAutomated(2, { clusterId: "prod-orders" });
    const decisions = take({
      clusters: [aCluster({ id: "Prod-Orders" })],
      automated: [source],
    }) as TakeDecision[];
    expect(decisions).toHaveLength(1);
    expect(decisions[0]).toMatchObject({
      cluster: "Prod-Orders",
      reason: "automated-recent",
      copyFrom: source.id,
    });
  });

  it("never treats a manual snapshot in the automated listing as automated", () => {
    const manual = aSnapshot({ takenAt: hoursAgo(1), clusterId: "prod-orders" });
    expect(only({ automated: [manual] }).facts).toMatchObject({ automated: "none" });
  });

  it("creates the snapshot when all 5 copy slots of the region are taken", () => {
    const inFlight = [0, 1, 2, 3, 4].map(aCopyInFlight);
    const d = only({ snapshots: inFlight, automated: [anAutomated(2)] });
    expect(d.reason).toBe("due");
    expect(d.copyFrom).toBeUndefined();
    expect(d.facts).toMatchObject({ automated: "no-copy-slot" });
  });

  it("starts no more copies than the slots left, and creates the rest (a backup is never skipped)", () => {
    const clusters = ["a", "b", "c", "d"].map((id) => aCluster({ id }));
    const automated = clusters.map((c) => anAutomated(2, { clusterId: c.id }));
    const inFlight = [0, 1, 2].map(aCopyInFlight);
    const decisions = take({ clusters, automated, snapshots: inFlight }) as TakeDecision[];
    expect(
      decisions.map((d) => [d.cluster, d.action, d.reason, d.facts["automated"] ?? null]),
    ).toEqual([
      ["a", "take", "automated-recent", null],
      ["b", "take", "automated-recent", null],
      ["c", "take", "due", "no-copy-slot"],
      ["d", "take", "due", "no-copy-slot"],
    ]);
    // Whatever order the clusters are listed in, the same clusters get the slots.
    const reversed = take({ clusters: [...clusters].reverse(), automated, snapshots: inFlight });
    expect(reversed).toEqual(decisions);
  });

  it("counts only unfinished copies against the slots", () => {
    const done = [0, 1, 2, 3, 4].map((i) => ({ ...aCopyInFlight(i), status: "available" }));
    expect(only({ snapshots: done, automated: [anAutomated(2)] }).copyFrom).toBeDefined();
  });

  it("keeps the interval guard first: a cluster that is not due copies nothing", () => {
    const d = take({
      snapshots: [aToolSnapshot({ takenAt: hoursAgo(3) })],
      automated: [anAutomated(1)],
    });
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({ action: "skip", reason: "not-due" });
  });

  it("keeps the cluster-state check: an unavailable due cluster is deferred, not copied", () => {
    const d = take({ clusters: [aCluster({ status: "stopped" })], automated: [anAutomated(1)] });
    expect(d[0]).toMatchObject({ action: "skip", reason: "cluster-unavailable" });
  });

  it("ignores automated snapshots at the default SNAPSHOT_SOURCE=create", () => {
    const d = only({ policy: aSourcePolicy(), automated: [anAutomated(1)] });
    expect(d.reason).toBe("due");
    expect(d.copyFrom).toBeUndefined();
    expect(Object.keys(d.facts).filter((k) => k.startsWith("automated"))).toEqual([]);
  });
});

describe("SNAPSHOT_SOURCE and AUTOMATED_MAX_AGE_HOURS", () => {
  it("default to create and to the interval", () => {
    const policy = sourcePolicyFromEnv({});
    expect(policy.snapshotSource ?? "create").toBe("create");
    expect(sourcePolicyFromEnv({ SNAPSHOT_SOURCE: "CREATE" }).snapshotSource).toBeUndefined();
    expect(policy.automatedMaxAgeHours).toBeUndefined();
  });

  it("read automated in any letter case, and the hours as a number", () => {
    const policy = sourcePolicyFromEnv({
      SNAPSHOT_SOURCE: "Automated",
      AUTOMATED_MAX_AGE_HOURS: "6",
    });
    expect(policy).toMatchObject({ snapshotSource: "automated", automatedMaxAgeHours: 6 });
  });

  it("take an empty AUTOMATED_MAX_AGE_HOURS (the template's default) as the interval", () => {
    expect(
      sourcePolicyFromEnv({ AUTOMATED_MAX_AGE_HOURS: "" }).automatedMaxAgeHours,
    ).toBeUndefined();
  });

  it("refuse an unknown source, naming the field, the value and the accepted values", () => {
    expect(() => sourcePolicyFromEnv({ SNAPSHOT_SOURCE: "backup" })).toThrow(
      expect.objectContaining({
        field: "SNAPSHOT_SOURCE",
        value: "backup",
        expected: "one of create, automated",
      }),
    );
  });

  it("refuse hours that are not a whole number from 1", () => {
    for (const bad of ["0", "1.5", "soon"]) {
      expect(() => sourcePolicyFromEnv({ AUTOMATED_MAX_AGE_HOURS: bad })).toThrow(
        expect.objectContaining({ field: "AUTOMATED_MAX_AGE_HOURS", value: bad }),
      );
    }
  });
});
