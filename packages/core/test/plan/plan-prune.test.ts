import { describe, expect, it } from "vitest";
import type { Snapshot } from "../../src/model/index.js";
import { formatSnapshotName } from "../../src/naming/index.js";
import { planPrune, planPruneDest } from "../../src/plan/index.js";
import {
  NOW,
  aDestinationPolicy,
  aSnapshot,
  aSourcePolicy,
  aToolCopy,
  aToolSnapshot,
  daysAgo,
  regexPattern,
  toolTags,
} from "../../src/testing/index.js";

function prune(snapshots: Snapshot[], over = {}) {
  return planPrune({ snapshots, policy: aSourcePolicy({ minKeep: 0, ...over }), now: NOW });
}

function reasons(decisions: readonly { snapshot?: string; reason: string }[]) {
  return decisions.map((d) => [d.snapshot, d.reason]);
}

describe("planPrune", () => {
  it("deletes the tool's snapshot older than the retention period", () => {
    const s = aToolSnapshot({ takenAt: daysAgo(8) });
    expect(prune([s])).toEqual([
      {
        step: "prune",
        action: "delete",
        reason: "expired",
        cluster: "prod-orders",
        account: s.account,
        region: s.region,
        snapshot: s.name,
        snapshotArn: s.arn,
        facts: { time: "2026-11-17T01:02:00.000Z", ageDays: 8, retentionDays: 7 },
      },
    ]);
  });

  it("keeps a snapshot within the retention period, including one exactly at its end", () => {
    const decisions = prune([
      aToolSnapshot({ takenAt: daysAgo(6.9) }),
      aToolSnapshot({ takenAt: daysAgo(7) }),
    ]);
    expect(decisions.map((d) => d.reason)).toEqual(["within-retention", "within-retention"]);
  });

  it("never deletes a snapshot without the tool's CreatedBy tag", () => {
    const decisions = prune([
      aSnapshot({ takenAt: daysAgo(30) }),
      aSnapshot({
        takenAt: daysAgo(30),
        name: "copied",
        tags: { CopiedBy: "Snapshot Tool for Aurora" },
      }),
    ]);
    expect(decisions.map((d) => d.reason)).toEqual(["no-tool-tag", "no-tool-tag"]);
  });

  it("never deletes automated, AWS Backup or shared snapshots, even tagged", () => {
    const decisions = prune(
      (["automated", "awsbackup", "shared"] as const).map((type) =>
        aToolSnapshot({ takenAt: daysAgo(30), type, name: `prod-orders-${type}` }),
      ),
    );
    expect(decisions.map((d) => [d.reason, d.facts.type])).toEqual([
      ["not-manual", "automated"],
      ["not-manual", "awsbackup"],
      ["not-manual", "shared"],
    ]);
  });

  it("leaves snapshots of clusters outside the pattern alone", () => {
    const d = prune([aToolSnapshot({ takenAt: daysAgo(30) })], {
      clusterPattern: regexPattern("^users"),
    });
    expect(d.map((x) => x.reason)).toEqual(["pattern-mismatch"]);
  });

  it("never deletes a snapshot that is not available", () => {
    const decisions = prune(
      ["creating", "failed", "deleting"].map((status, i) =>
        aToolSnapshot({ takenAt: daysAgo(30 + i), status }),
      ),
    );
    // In name order: the oldest first.
    expect(decisions.map((d) => [d.reason, d.facts.status])).toEqual([
      ["not-available", "deleting"],
      ["not-available", "failed"],
      ["not-available", "creating"],
    ]);
  });

  it("never deletes a tool-tagged snapshot that is not named as this deployment names them", () => {
    const s = aSnapshot({
      name: "hand-made",
      createTime: undefined,
      tags: { CreatedBy: "Snapshot Tool for Aurora" },
    });
    expect(prune([s]).map((d) => d.reason)).toEqual(["not-owned"]);
  });

  it("reads the age from the name, not from SnapshotCreateTime", () => {
    const takenAt = daysAgo(2);
    const s = aSnapshot({ takenAt, createTime: daysAgo(40), tags: toolTags(takenAt) });
    expect(prune([s]).map((d) => d.reason)).toEqual(["within-retention"]);
  });

  it("keeps the newest snapshot of a cluster even when it is past retention", () => {
    const decisions = prune(
      [
        aToolSnapshot({ takenAt: daysAgo(20) }),
        aToolSnapshot({ takenAt: daysAgo(10) }),
        aToolSnapshot({ takenAt: daysAgo(30), clusterId: "prod-users" }),
      ],
      { minKeep: 1 },
    );
    expect(reasons(decisions)).toEqual([
      ["prod-orders-2026-11-05-01-02", "expired"],
      ["prod-orders-2026-11-15-01-02", "min-keep"],
      ["prod-users-2026-10-26-01-02", "min-keep"],
    ]);
    expect(decisions[1]!.facts).toMatchObject({ rank: 1, minKeep: 1 });
  });

  it("counts snapshots within retention towards minKeep", () => {
    const decisions = prune(
      [aToolSnapshot({ takenAt: daysAgo(1) }), aToolSnapshot({ takenAt: daysAgo(10) })],
      { minKeep: 1 },
    );
    expect(decisions.map((d) => d.reason)).toEqual(["expired", "within-retention"]);
  });

  it("does not let a snapshot that is not available take a minKeep place", () => {
    const decisions = prune(
      [
        aToolSnapshot({ takenAt: daysAgo(9), status: "failed" }),
        aToolSnapshot({ takenAt: daysAgo(10) }),
      ],
      { minKeep: 1 },
    );
    expect(decisions.map((d) => d.reason)).toEqual(["min-keep", "not-available"]);
  });

  it("with minKeep 0 applies the original rule and deletes everything past retention", () => {
    const decisions = prune([aToolSnapshot({ takenAt: daysAgo(10) })], { minKeep: 0 });
    expect(decisions.map((d) => d.action)).toEqual(["delete"]);
  });
});

describe("planPruneDest", () => {
  const policy = aDestinationPolicy({
    destinationRegions: ["eu-west-1", "eu-central-1"],
    minKeep: 0,
  });

  function pruneDest(snapshots: Snapshot[], over = {}) {
    return planPruneDest({ snapshots, policy: { ...policy, ...over }, now: NOW });
  }

  it("deletes the tool's copies older than the retention period", () => {
    const s = aToolCopy({ takenAt: daysAgo(8), region: "eu-west-1" });
    expect(pruneDest([s])).toMatchObject([
      { step: "prune-dest", action: "delete", reason: "expired", snapshotArn: s.arn },
    ]);
  });

  it("keeps copies within retention", () => {
    const s = aToolCopy({ takenAt: daysAgo(3), region: "eu-west-1" });
    expect(pruneDest([s]).map((d) => d.reason)).toEqual(["within-retention"]);
  });

  it("only deletes snapshots carrying CopiedBy", () => {
    const s = aToolSnapshot({ takenAt: daysAgo(30), region: "eu-west-1" });
    expect(pruneDest([s]).map((d) => d.reason)).toEqual(["no-tool-tag"]);
  });

  it("never deletes a copy that is not manual or not available", () => {
    const decisions = pruneDest([
      aToolCopy({ takenAt: daysAgo(30), region: "eu-west-1", type: "shared" }),
      aToolCopy({ takenAt: daysAgo(31), region: "eu-west-1", status: "copying" }),
    ]);
    expect(decisions.map((d) => d.reason)).toEqual(["not-available", "not-manual"]);
  });

  it("leaves intermediate copies to the copy step", () => {
    const s = aToolCopy({
      takenAt: daysAgo(30),
      region: "eu-west-1",
      tags: { SnapshotToolIntermediate: "YES" },
    });
    expect(pruneDest([s]).map((d) => d.reason)).toEqual(["intermediate-copy"]);
  });

  it("reads the destination's snapshot pattern", () => {
    const s = aToolCopy({ takenAt: daysAgo(30), region: "eu-west-1" });
    expect(pruneDest([s], { snapshotPattern: regexPattern("^users") })[0]!.reason).toBe(
      "pattern-mismatch",
    );
  });

  it("never deletes a copy that is not named as the tool names snapshots", () => {
    const s = aSnapshot({
      name: "hand-made",
      region: "eu-west-1",
      createTime: undefined,
      tags: { CopiedBy: "Snapshot Tool for Aurora" },
    });
    expect(pruneDest([s]).map((d) => d.reason)).toEqual(["not-owned"]);
  });

  it("ignores snapshots outside the destination regions", () => {
    expect(pruneDest([aToolCopy({ takenAt: daysAgo(30), region: "us-east-1" })])).toEqual([]);
  });

  it("keeps the newest copy of a cluster in each region", () => {
    const decisions = pruneDest(
      [
        aToolCopy({ takenAt: daysAgo(20), region: "eu-west-1" }),
        aToolCopy({ takenAt: daysAgo(10), region: "eu-west-1" }),
        aToolCopy({ takenAt: daysAgo(20), region: "eu-central-1" }),
      ],
      { minKeep: 1 },
    );
    expect(decisions.map((d) => [d.region, d.reason])).toEqual([
      ["eu-central-1", "min-keep"],
      ["eu-west-1", "expired"],
      ["eu-west-1", "min-keep"],
    ]);
  });
});

describe("planPruneDest, two source accounts with the same cluster id", () => {
  it("keeps MIN_KEEP copies for each source: one source's new copy does not let the other's last ones go", () => {
    const from = (account: string, days: number) =>
      aToolCopy({
        takenAt: daysAgo(days),
        region: "eu-west-1",
        name: formatSnapshotName("orders", daysAgo(days)),
        clusterId: "orders",
        tags: {
          SnapshotToolSourceArn: `arn:aws:rds:us-east-1:${account}:cluster-snapshot:orders-${days}`,
        },
      });
    // A's take stopped 19 days ago; B's runs daily. Retention 7, MIN_KEEP 1.
    const decisions = planPruneDest({
      now: NOW,
      policy: aDestinationPolicy({
        destinationRegions: ["eu-west-1"],
        retentionDays: 7,
        minKeep: 1,
      }),
      snapshots: [from("111111111111", 19), from("111111111111", 20), from("333333333333", 1)],
    });
    const deleted = decisions.filter((d) => d.action === "delete").map((d) => d.snapshot);
    expect(deleted).toEqual([formatSnapshotName("orders", daysAgo(20))]);
    expect(
      decisions.find((d) => d.snapshot === formatSnapshotName("orders", daysAgo(19)))?.reason,
    ).toBe("min-keep");
  });
});
