import type { Decision, Plan } from "../../src/index.js";
import { describe, expect, it } from "vitest";

import { destinationInventory, sourceInventory } from "../../src/inventory/inventory.js";
import { aCluster, aSnapshot, aToolSnapshot } from "../../src/testing/index.js";

const NOW = new Date("2026-11-25T10:00:00Z");
const ACCOUNT = "123456789012";
const at = { account: ACCOUNT, region: "us-east-1", facts: {} } as const;

function plan(decisions: Decision[], extra: Partial<Plan> = {}): Plan {
  return { decisions, region: "us-east-1", snapshots: [], ...extra };
}

describe("sourceInventory", () => {
  const cluster = aCluster({ id: "prod-a", account: ACCOUNT });
  const other = aCluster({ id: "test-a", account: ACCOUNT });
  const mine = aToolSnapshot({
    name: "prod-a-2026-11-24-10-00",
    clusterId: "prod-a",
    takenAt: new Date("2026-11-24T10:00:00Z"),
    account: ACCOUNT,
  });
  const byHand = aSnapshot({
    name: "by-hand",
    clusterId: "prod-a",
    takenAt: new Date("2026-11-23T10:00:00Z"),
    account: ACCOUNT,
    tags: {},
  });
  const input = {
    take: plan(
      [
        { ...at, step: "take", action: "skip", reason: "not-due", cluster: "prod-a" },
        { ...at, step: "take", action: "skip", reason: "pattern-mismatch", cluster: "test-a" },
      ],
      { clusters: [cluster, other], snapshots: [mine, byHand] },
    ),
    prune: plan(
      [
        {
          ...at,
          step: "prune",
          action: "skip",
          reason: "within-retention",
          cluster: "prod-a",
          snapshot: mine.name,
        },
        {
          ...at,
          step: "prune",
          action: "skip",
          reason: "no-tool-tag",
          cluster: "prod-a",
          snapshot: "by-hand",
        },
      ],
      { snapshots: [mine, byHand] },
    ),
    now: NOW,
  };

  it("joins each tool snapshot with the decisions about it, with its age and tool tags", () => {
    const rows = sourceInventory({ ...input, all: false });
    expect(rows.map((r) => [r.kind, r.cluster, r.snapshot])).toEqual([
      ["cluster", "prod-a", null],
      ["snapshot", "prod-a", "prod-a-2026-11-24-10-00"],
    ]);
    expect(rows[1]).toMatchObject({
      ageHours: 24,
      toolTags: { CreatedBy: "Snapshot Tool for Aurora", shareAndCopy: "YES" },
      next: [{ step: "prune", action: "skip", reason: "within-retention", region: "us-east-1" }],
    });
  });

  it("shows unselected clusters and foreign snapshots only with --all", () => {
    const rows = sourceInventory({ ...input, all: true });
    expect(rows.map((r) => r.snapshot ?? r.cluster)).toEqual([
      "prod-a",
      "prod-a-2026-11-24-10-00",
      "by-hand",
      "test-a",
    ]);
  });
});

describe("destinationInventory", () => {
  it("puts copy decisions on the shared source and prune-dest decisions on the copies", () => {
    const shared = aSnapshot({
      id: "arn:aws:rds:us-east-1:111111111111:cluster-snapshot:prod-a-2026-11-24-10-00",
      name: "prod-a-2026-11-24-10-00",
      arn: "arn:aws:rds:us-east-1:111111111111:cluster-snapshot:prod-a-2026-11-24-10-00",
      clusterId: "prod-a",
      type: "shared",
      account: "111111111111",
      tags: {},
    });
    const copy = aSnapshot({
      name: "prod-a-2026-11-20-10-00",
      clusterId: "prod-a",
      account: ACCOUNT,
      region: "eu-west-1",
      tags: { CopiedBy: "Snapshot Tool for Aurora" },
    });
    const rows = destinationInventory({
      copy: plan(
        [
          {
            ...at,
            step: "copy",
            action: "skip",
            reason: "copy-in-progress",
            cluster: "prod-a",
            snapshot: "prod-a-2026-11-24-10-00",
            region: "eu-west-1",
          },
        ],
        { snapshots: [shared, copy] },
      ),
      pruneDest: plan(
        [
          {
            ...at,
            step: "prune-dest",
            action: "skip",
            reason: "min-keep",
            cluster: "prod-a",
            snapshot: copy.name,
            region: "eu-west-1",
          },
        ],
        { snapshots: [copy] },
      ),
      crossAccount: true,
      now: NOW,
      all: false,
    });
    expect(rows.map((r) => [r.account, r.region, r.snapshot, r.next.map((n) => n.reason)])).toEqual(
      [
        ["111111111111", "us-east-1", "prod-a-2026-11-24-10-00", ["copy-in-progress"]],
        ["123456789012", "eu-west-1", "prod-a-2026-11-20-10-00", ["min-keep"]],
      ],
    );
  });
});
