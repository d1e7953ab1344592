import { describe, expect, it } from "vitest";
import type { TakeDecision } from "../../src/model/index.js";
import { planTake } from "../../src/plan/index.js";
import type { PlanTakeInput } from "../../src/plan/index.js";
import {
  NOW,
  aCluster,
  aSnapshot,
  aSourcePolicy,
  aToolSnapshot,
  hoursAgo,
  regexPattern,
} from "../../src/testing/index.js";

function take(over: Partial<PlanTakeInput> = {}) {
  return planTake({
    clusters: [aCluster()],
    snapshots: [],
    policy: aSourcePolicy(),
    now: NOW,
    ...over,
  });
}

function only(over: Partial<PlanTakeInput> = {}) {
  const decisions = take(over);
  expect(decisions).toHaveLength(1);
  return decisions[0]!;
}

describe("planTake", () => {
  describe("when a snapshot is due", () => {
    it("takes one of a cluster that has no tool snapshot yet", () => {
      const d = only() as TakeDecision;
      expect(d).toMatchObject({
        step: "take",
        action: "take",
        reason: "due",
        cluster: "prod-orders",
        account: "111111111111",
        region: "us-east-1",
        snapshot: "prod-orders-2026-11-25-01-02",
      });
      expect(d.facts).toMatchObject({ newestSnapshot: null, intervalHours: 24 });
    });

    it("tags the snapshot as the original tool does", () => {
      const d = only() as TakeDecision;
      expect(d.tags).toEqual({
        CreatedBy: "Snapshot Tool for Aurora",
        CreatedOn: "2026-11-25-01-02",
        shareAndCopy: "YES",
      });
    });

    it("names the snapshot with the configured prefix", () => {
      const d = only({ policy: aSourcePolicy({ snapshotNamePrefix: "Nightly" }) });
      expect(d.snapshot).toBe("nightly-prod-orders-2026-11-25-01-02");
    });

    it("takes one when the newest tool snapshot is at least the interval old", () => {
      const d = only({ snapshots: [aToolSnapshot({ takenAt: hoursAgo(30) })] });
      expect(d.reason).toBe("due");
      expect(d.facts).toMatchObject({ hoursSince: 30, intervalHours: 24 });
    });

    it("truncates the newest snapshot's time to the hour, so a schedule running a few minutes early is still due", () => {
      // Yesterday's run took its snapshot at 01:05, today's runs at 01:02: only 23h57m apart.
      const yesterday = new Date("2026-11-24T01:05:00Z");
      const d = only({
        snapshots: [aToolSnapshot({ takenAt: yesterday })],
        now: new Date("2026-11-25T01:02:00Z"),
        policy: aSourcePolicy({ intervalHours: 24 }),
      });
      expect(d.reason).toBe("due");
      expect(d.facts).toMatchObject({
        newestTime: "2026-11-24T01:05:00.000Z",
        comparedFrom: "2026-11-24T01:00:00.000Z",
        hoursSince: 24,
      });
    });

    it("ignores snapshots that are not the tool's, failed, or of another cluster", () => {
      const d = only({
        snapshots: [
          aSnapshot({ takenAt: hoursAgo(1) }),
          aToolSnapshot({ takenAt: hoursAgo(2), status: "failed", name: "prod-orders-x-1" }),
          aToolSnapshot({ takenAt: hoursAgo(3), clusterId: "prod-users" }),
        ],
      });
      expect(d.reason).toBe("due");
    });
  });

  describe("not-due", () => {
    it("skips a cluster whose newest tool snapshot is younger than the interval", () => {
      const d = only({ snapshots: [aToolSnapshot({ takenAt: hoursAgo(5) })] });
      expect(d).toMatchObject({ action: "skip", reason: "not-due" });
      expect(d.facts).toMatchObject({
        newestSnapshot: "prod-orders-2026-11-24-20-02",
        newestTime: "2026-11-24T20:02:00.000Z",
        hoursSince: 5,
      });
    });

    it("counts a snapshot that is still being created", () => {
      const d = only({
        snapshots: [aToolSnapshot({ takenAt: hoursAgo(0.1), status: "creating" })],
      });
      expect(d.reason).toBe("not-due");
    });

    it("matches the snapshot's cluster id case-insensitively", () => {
      const d = only({
        clusters: [aCluster({ id: "Prod-Orders" })],
        snapshots: [aToolSnapshot({ takenAt: hoursAgo(2), clusterId: "prod-orders" })],
      });
      expect(d.reason).toBe("not-due");
    });

    it("uses the newest of several snapshots", () => {
      const d = only({
        snapshots: [
          aToolSnapshot({ takenAt: hoursAgo(50) }),
          aToolSnapshot({ takenAt: hoursAgo(3) }),
          aToolSnapshot({ takenAt: hoursAgo(27) }),
        ],
      });
      expect(d.reason).toBe("not-due");
    });

    it("skips when a snapshot with the same identifier exists already (same run minute)", () => {
      const d = only({
        policy: aSourcePolicy({ intervalHours: 0 }),
        snapshots: [aToolSnapshot({ takenAt: NOW })],
      });
      expect(d).toMatchObject({ reason: "not-due", snapshot: "prod-orders-2026-11-25-01-02" });
      expect(d.facts).toMatchObject({ existingSnapshot: "prod-orders-2026-11-25-01-02" });
    });

    it("says not-due rather than cluster-unavailable for a stopped cluster that is not due", () => {
      const d = only({
        clusters: [aCluster({ status: "stopped" })],
        snapshots: [aToolSnapshot({ takenAt: hoursAgo(2) })],
      });
      expect(d.reason).toBe("not-due");
    });
  });

  it("skips neptune, docdb and Multi-AZ DB clusters as not-aurora", () => {
    const decisions = take({
      clusters: ["neptune", "docdb", "mysql", "postgres"].map((engine) =>
        aCluster({ id: `c-${engine}`, engine }),
      ),
    });
    expect(decisions.map((d) => [d.reason, d.facts.engine])).toEqual([
      ["not-aurora", "docdb"],
      ["not-aurora", "mysql"],
      ["not-aurora", "neptune"],
      ["not-aurora", "postgres"],
    ]);
  });

  it("takes aurora, aurora-mysql and aurora-postgresql clusters", () => {
    const decisions = take({
      clusters: ["aurora", "aurora-mysql", "aurora-postgresql"].map((engine) =>
        aCluster({ id: `c-${engine}`, engine }),
      ),
    });
    expect(decisions.map((d) => d.reason)).toEqual(["due", "due", "due"]);
  });

  it("skips a cluster whose id does not match the pattern", () => {
    const d = only({ policy: aSourcePolicy({ clusterPattern: regexPattern("^staging-") }) });
    expect(d).toMatchObject({ reason: "pattern-mismatch", facts: { pattern: "^staging-" } });
  });

  it("skips a cluster that lacks a tag every include selector requires", () => {
    const policy = aSourcePolicy({
      includeTags: [
        { key: "backup", value: "yes" },
        { key: "env", value: "prod" },
      ],
    });
    const d = only({ policy, clusters: [aCluster({ tags: { backup: "yes", env: "dev" } })] });
    expect(d).toMatchObject({ reason: "tag-not-included", facts: { requiredTag: "env=prod" } });
    expect(
      only({ policy, clusters: [aCluster({ tags: { backup: "yes", env: "prod" } })] }).reason,
    ).toBe("due");
  });

  it("skips a cluster carrying a tag an exclude selector names", () => {
    const d = only({
      policy: aSourcePolicy({ excludeTags: [{ key: "backup", value: "no" }] }),
      clusters: [aCluster({ tags: { backup: "no" } })],
    });
    expect(d).toMatchObject({ reason: "tag-excluded", facts: { excludedTag: "backup=no" } });
  });

  it("skips a due cluster that is not available, naming its state", () => {
    const d = only({ clusters: [aCluster({ status: "stopped" })] });
    expect(d).toMatchObject({ reason: "cluster-unavailable", facts: { clusterStatus: "stopped" } });
  });

  it("skips when the identifier would be longer than 63 characters", () => {
    const id = "a".repeat(47); // 47 + 17 = 64
    const d = only({ clusters: [aCluster({ id })] });
    expect(d).toMatchObject({ reason: "identifier-too-long", facts: { length: 64 } });
  });

  it("skips when the prefix makes the identifier invalid", () => {
    const d = only({ policy: aSourcePolicy({ snapshotNamePrefix: "nightly_" }) });
    expect(d).toMatchObject({ reason: "identifier-invalid" });
    expect(d.facts.identifier).toBe("nightly_-prod-orders-2026-11-25-01-02");
  });

  it("returns one decision per cluster, sorted by cluster id", () => {
    const decisions = take({
      clusters: [aCluster({ id: "zeta" }), aCluster({ id: "alpha" }), aCluster({ id: "mid" })],
    });
    expect(decisions.map((d) => d.cluster)).toEqual(["alpha", "mid", "zeta"]);
  });
});

describe("planTake, found in review", () => {
  it("reads the interval from the name: a SnapshotCreateTime seconds into the next hour does not skip tomorrow", () => {
    // Named 01:59 yesterday; RDS stamped 02:00:04. Today's run at 01:59:30 is 24 h past the hour
    // of the name, but only 23 h 59 min past the hour of RDS's time.
    const now = new Date("2026-11-26T01:59:30Z");
    const snapshot = aToolSnapshot({
      takenAt: new Date("2026-11-25T01:59:00Z"),
      createTime: new Date("2026-11-25T02:00:04Z"),
    });
    expect(only({ now, snapshots: [snapshot] }).reason).toBe("due");
  });

  it("a snapshot of another cluster holding this backup's identifier is blocked, not not-due", () => {
    // Cluster `orders` under prefix `monthly` and a cluster `monthly-orders` without one.
    const other = aToolSnapshot({
      clusterId: "monthly-orders",
      name: "monthly-orders-2026-11-25-01-02",
      takenAt: NOW,
    });
    const d = only({
      clusters: [aCluster({ id: "orders" })],
      snapshots: [other],
      policy: aSourcePolicy({ snapshotNamePrefix: "monthly" }),
    });
    expect(d).toMatchObject({ action: "skip", reason: "snapshot-name-taken" });
    expect(d.facts.takenBy).toBe("monthly-orders");
  });
});

describe("planTake and verify's temporary clusters", () => {
  it("never snapshots a cluster restored by verify, whatever the pattern, and says why", () => {
    const now = new Date("2026-06-10T12:00:00Z");
    const decisions = planTake({
      clusters: [
        aCluster({ id: "orders" }),
        aCluster({ id: "vfy-1a2b3c-orders-x", tags: { SnapshotToolVerification: "dr-stack" } }),
      ],
      snapshots: [],
      policy: aSourcePolicy(),
      now,
    });
    expect(decisions.map((d) => [d.cluster, d.action, d.reason])).toEqual([
      ["orders", "take", "due"],
      ["vfy-1a2b3c-orders-x", "skip", "verification-cluster"],
    ]);
  });
});
