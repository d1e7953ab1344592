import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Decision, KeyInfo, Snapshot } from "../../src/model/index.js";
import {
  TAG_INTERMEDIATE,
  TAG_SOURCE_ARN,
  isToolCopy,
  isToolSnapshot,
  parseArn,
} from "../../src/model/index.js";
import { parseSnapshotTime, parseTimestamp } from "../../src/naming/index.js";
import {
  planCopy,
  planPrune,
  planPruneDest,
  planShare,
  planTake,
  snapshotTime,
} from "../../src/plan/index.js";
import {
  clusterInventoryArb,
  copyInventoryArb,
  destInventoryArb,
  nowArb,
  sourceInventoryArb,
} from "./arbitraries.js";
import {
  aDestinationPolicy,
  aKey,
  aSourcePolicy,
  aToolCopy,
  aToolSnapshot,
} from "../../src/testing/index.js";

const runs = { numRuns: 1000 };
const DAY_MS = 86_400_000;

function byArn(snapshots: readonly Snapshot[]): Map<string, Snapshot> {
  return new Map(snapshots.map((s) => [s.arn, s]));
}

function arnOf(d: Decision): string {
  expect(d.action).toBe("delete");
  return (d as Extract<Decision, { action: "delete" }>).snapshotArn;
}

function groupKey(s: Snapshot): string {
  return `${s.account}\n${s.region}\n${s.clusterId.toLowerCase()}`;
}

/** Every time anyone stamped on the snapshot: its name's, its CreatedOn tag's, RDS's. */
function clocksOf(s: Snapshot): Date[] {
  return [
    parseSnapshotTime(s.name, s.clusterId),
    s.tags["CreatedOn"] === undefined ? undefined : parseTimestamp(s.tags["CreatedOn"]),
    s.createTime,
  ].filter((t): t is Date => t !== undefined && !Number.isNaN(t.getTime()));
}

/** The deployment's exact name: `[PREFIX-]CLUSTER-YYYY-MM-DD-HH-MM`, written out independently. */
function isNamedBy(s: Snapshot, prefix: string | undefined | "any"): boolean {
  const m = /^(.*?)-?(\d{4}-\d{2}-\d{2}-\d{2}-\d{2})$/.exec(s.name.toLowerCase());
  if (!m || !parseTimestamp(m[2]!)) return false;
  const base = m[1]!;
  const cluster = s.clusterId.toLowerCase();
  if (prefix === "any") return base === cluster || base.endsWith(`-${cluster}`);
  return base === (prefix === undefined ? cluster : `${prefix}-${cluster}`);
}

const HOUR_MS = 3_600_000;

/**
 * Safety rule 2, by every clock: a deleted snapshot is past retention by its name's time and by
 * RDS's, stamped no later than an hour ahead, and at least `minKeep` owned candidates of the same
 * cluster at least as new survive. Nothing is deleted when the clock check failed.
 */
function expectRetentionAndMinKeep(
  snapshots: readonly Snapshot[],
  deleted: readonly Snapshot[],
  isCandidate: (s: Snapshot) => boolean,
  retentionDays: number,
  minKeep: number,
  now: Date,
  clockSkewMs: number | null | undefined,
): void {
  if (clockSkewMs === null || (clockSkewMs !== undefined && Math.abs(clockSkewMs) > 300_000)) {
    expect(deleted).toEqual([]);
  }
  const gone = new Set(deleted);
  for (const d of deleted) {
    const clocks = clocksOf(d);
    expect(clocks.length).toBeGreaterThan(0);
    for (const t of clocks) {
      expect(now.getTime() - t.getTime()).toBeGreaterThan(retentionDays * DAY_MS);
    }
    const time = snapshotTime(d)!;
    const newerSurvivors = snapshots.filter((s) => {
      const t = snapshotTime(s);
      const stamp = parseSnapshotTime(s.name, s.clusterId);
      return (
        !gone.has(s) &&
        isCandidate(s) &&
        groupKey(s) === groupKey(d) &&
        t !== undefined &&
        t.getTime() >= time.getTime() &&
        (stamp === undefined || stamp.getTime() - now.getTime() <= HOUR_MS)
      );
    });
    expect(newerSurvivors.length).toBeGreaterThanOrEqual(minKeep);
  }
}

const sourceCandidate = (prefix: string | undefined) => (s: Snapshot) =>
  s.type === "manual" && s.status === "available" && isToolSnapshot(s.tags) && isNamedBy(s, prefix);

/** A copy from an account outside a set SOURCE_ACCOUNTS is never ours to delete or count. */
const destCandidate = (sources: readonly string[]) => (s: Snapshot) => {
  const from = s.tags[TAG_SOURCE_ARN];
  const allowed =
    sources.length === 0 || from === undefined || sources.includes(parseArn(from)?.account ?? "");
  return (
    s.type === "manual" &&
    s.status === "available" &&
    isToolCopy(s.tags) &&
    isNamedBy(s, "any") &&
    allowed &&
    s.tags[TAG_INTERMEDIATE] !== "YES"
  );
};

describe("planPrune safety", () => {
  it("only ever deletes available manual snapshots this deployment owns: CreatedBy and its exact name (rule 1)", () => {
    fc.assert(
      fc.property(sourceInventoryArb, (inventory) => {
        const input = byArn(inventory.snapshots);
        for (const d of planPrune(inventory).filter((x) => x.action === "delete")) {
          const s = input.get(arnOf(d))!;
          expect(s).toBeDefined();
          expect(sourceCandidate(inventory.policy.snapshotNamePrefix)(s)).toBe(true);
        }
      }),
      runs,
    );
  });

  it("never deletes within retention nor the newest minKeep of a cluster (rule 2)", () => {
    fc.assert(
      fc.property(sourceInventoryArb, (inventory) => {
        const { snapshots, policy, now } = inventory;
        const input = byArn(snapshots);
        const deleted = planPrune(inventory)
          .filter((x) => x.action === "delete")
          .map((d) => input.get(arnOf(d))!);
        expectRetentionAndMinKeep(
          snapshots,
          deleted,
          sourceCandidate(policy.snapshotNamePrefix),
          policy.retentionDays,
          policy.minKeep,
          now,
          inventory.clockSkewMs,
        );
      }),
      runs,
    );
  });

  it("gives every snapshot exactly one decision", () => {
    fc.assert(
      fc.property(sourceInventoryArb, ({ snapshots, policy, now }) => {
        const decisions = planPrune({ snapshots, policy, now });
        expect(decisions).toHaveLength(snapshots.length);
      }),
      runs,
    );
  });
});

describe("a stamp in the future never holds a MIN_KEEP place", () => {
  // The general inventories rarely put a future stamp, old snapshots and MIN_KEEP in one cluster;
  // this one always does.
  const groupArb = fc.record({
    now: nowArb,
    oldDays: fc.uniqueArray(fc.integer({ min: 8, max: 60 }), { minLength: 1, maxLength: 5 }),
    futureDays: fc.uniqueArray(fc.integer({ min: 1, max: 4000 }), { minLength: 1, maxLength: 3 }),
    minKeep: fc.integer({ min: 1, max: 3 }),
    createTime: fc.constantFrom("same", "now"),
  });

  it("the newest minKeep real snapshots survive whatever is stamped ahead, at both sides", () => {
    fc.assert(
      fc.property(groupArb, ({ now, oldDays, futureDays, minKeep, createTime }) => {
        const at = (days: number) => new Date(now.getTime() - days * DAY_MS);
        const build = (days: number, copy: boolean) => {
          const spec = {
            takenAt: at(days),
            region: "eu-west-1",
            ...(createTime === "now" && days < 0 ? { createTime: now } : {}),
          };
          return copy ? aToolCopy(spec) : aToolSnapshot(spec);
        };
        for (const copy of [false, true]) {
          const real = oldDays.map((d) => build(d, copy));
          const future = futureDays.map((d) => build(-d, copy));
          const snapshots = [...real, ...future];
          const decisions = copy
            ? planPruneDest({
                snapshots,
                policy: aDestinationPolicy({
                  destinationRegions: ["eu-west-1"],
                  retentionDays: 7,
                  minKeep,
                }),
                now,
              })
            : planPrune({ snapshots, policy: aSourcePolicy({ retentionDays: 7, minKeep }), now });
          const deleted = new Set(
            decisions.filter((d) => d.action === "delete").map((d) => d.snapshot),
          );
          const newestReal = [...oldDays].sort((a, b) => a - b).slice(0, minKeep);
          for (const d of newestReal) expect(deleted.has(build(d, copy).name)).toBe(false);
          for (const f of future) expect(deleted.has(f.name)).toBe(false);
          expect(deleted.size).toBe(Math.max(0, oldDays.length - minKeep));
        }
      }),
      runs,
    );
  });
});

describe("planPruneDest safety", () => {
  it("only ever deletes available manual non-intermediate copies carrying CopiedBy in a destination region (rule 1)", () => {
    fc.assert(
      fc.property(destInventoryArb, (inventory) => {
        const { snapshots, policy } = inventory;
        const input = byArn(snapshots);
        const deletes = planPruneDest(inventory).filter((x) => x.action === "delete");
        for (const d of deletes) {
          const s = input.get(arnOf(d))!;
          expect(destCandidate(policy.sourceAccounts)(s)).toBe(true);
          expect(policy.destinationRegions).toContain(s.region);
        }
      }),
      runs,
    );
  });

  it("never deletes within retention nor the newest minKeep of a cluster in a region (rule 2)", () => {
    fc.assert(
      fc.property(destInventoryArb, (inventory) => {
        const { snapshots, policy, now } = inventory;
        const input = byArn(snapshots);
        const deleted = planPruneDest(inventory)
          .filter((x) => x.action === "delete")
          .map((d) => input.get(arnOf(d))!);
        expectRetentionAndMinKeep(
          snapshots,
          deleted,
          destCandidate(policy.sourceAccounts),
          policy.retentionDays,
          policy.minKeep,
          now,
          inventory.clockSkewMs,
        );
      }),
      runs,
    );
  });
});

describe("planShare safety", () => {
  const keys = new Map<string, KeyInfo>([
    ["aws-managed", aKey({ manager: "AWS" })],
    ["customer", aKey({ manager: "CUSTOMER" })],
  ]);

  it("only shares available manual tool snapshots, and only with the configured 12-digit accounts (rule 3)", () => {
    fc.assert(
      fc.property(sourceInventoryArb, ({ snapshots, policy, now }) => {
        const input = byArn(snapshots);
        for (const d of planShare({ snapshots, keys, policy, now })) {
          if (d.action !== "share") continue;
          expect(policy.destinationAccounts).toContain(d.shareWith);
          expect(d.shareWith).toMatch(/^\d{12}$/);
          const s = input.get(d.snapshotArn)!;
          expect(sourceCandidate(policy.snapshotNamePrefix)(s)).toBe(true);
          expect(s.tags.shareAndCopy).toBe("YES");
          expect(s.kmsKeyId).not.toBe("aws-managed");
        }
      }),
      runs,
    );
  });

  it("refuses any destination account that is not 12 digits, alone or among good ones", () => {
    const notAnAccount = fc
      .oneof(fc.constantFrom("all", "ALL", " 111111111111"), fc.string({ maxLength: 14 }))
      .filter((a) => !/^\d{12}$/.test(a));
    fc.assert(
      fc.property(sourceInventoryArb, notAnAccount, ({ snapshots, policy, now }, account) => {
        expect(() =>
          planShare({
            snapshots,
            keys,
            policy: { ...policy, destinationAccounts: [...policy.destinationAccounts, account] },
            now,
          }),
        ).toThrow();
      }),
      runs,
    );
  });
});

describe("planCopy safety", () => {
  it("deletes only available intermediate tool copies in the local region whose onward copies are all available (rules 1 and 4)", () => {
    fc.assert(
      fc.property(copyInventoryArb, (input) => {
        const own = byArn(input.own);
        const deletes = planCopy(input).filter((d) => d.action === "delete");
        for (const d of deletes) {
          const s = own.get(arnOf(d))!;
          expect(s).toBeDefined();
          expect(s.region).toBe(input.localRegion);
          expect(s.type).toBe("manual");
          expect(s.status).toBe("available");
          expect(isToolCopy(s.tags)).toBe(true);
          expect(s.tags[TAG_INTERMEDIATE]).toBe("YES");
          for (const r of input.policy.destinationRegions) {
            if (r === input.localRegion) continue;
            const onward = input.own.find(
              (o) => o.region === r && o.name.toLowerCase() === s.name.toLowerCase(),
            );
            expect(onward?.status).toBe("available");
          }
        }
      }),
      runs,
    );
  });

  it("never plans two copies with the same target, nor over an existing snapshot", () => {
    fc.assert(
      fc.property(copyInventoryArb, (input) => {
        const existing = new Set(input.own.map((s) => `${s.region} ${s.name.toLowerCase()}`));
        const targets = planCopy(input)
          .filter((d) => d.action === "copy")
          .map((d) => `${d.region} ${d.snapshot.toLowerCase()}`);
        expect(new Set(targets).size).toBe(targets.length);
        for (const t of targets) expect(existing.has(t)).toBe(false);
      }),
      runs,
    );
  });

  it("never plans more copies into a region than it has free slots", () => {
    fc.assert(
      fc.property(copyInventoryArb, (input) => {
        const copies = planCopy(input).filter((d) => d.action === "copy");
        const regions = new Set(copies.map((d) => d.region));
        for (const r of regions) {
          const busy = input.own.filter((s) => s.region === r && s.status === "copying").length;
          const planned = copies.filter((d) => d.region === r).length;
          expect(planned).toBeLessThanOrEqual(Math.max(0, input.policy.maxCopiesInFlight - busy));
        }
      }),
      runs,
    );
  });

  it("copies only into a destination region or the local region, encrypted copies always with a key", () => {
    fc.assert(
      fc.property(copyInventoryArb, (input) => {
        for (const d of planCopy(input)) {
          if (d.action !== "copy") continue;
          expect(d.account).toBe(input.account);
          if (d.intermediate) expect(d.region).toBe(input.localRegion);
          else expect(input.policy.destinationRegions).toContain(d.region);
          // AWS requires a key for an encrypted copy and refuses one for an unencrypted one.
          if (d.facts.encrypted) expect(d.kmsKeyId).toBeDefined();
          else expect(d).not.toHaveProperty("kmsKeyId");
        }
      }),
      runs,
    );
  });
});

describe("planCopy never lets a foreign or future-dated share stand in for a backup", () => {
  it("copies only snapshots of allowed accounts, never one stamped more than an hour ahead", () => {
    fc.assert(
      fc.property(copyInventoryArb, (input) => {
        const shared = byArn(input.shared);
        const own = byArn(input.own);
        for (const d of planCopy(input)) {
          if (d.action !== "copy") continue;
          const s = shared.get(d.sourceArn) ?? own.get(d.sourceArn);
          expect(s).toBeDefined();
          const origin = d.tags[TAG_SOURCE_ARN]!;
          expect(origin).toBeDefined();
          const from = parseArn(origin)!.account;
          if (input.policy.crossAccount && input.policy.sourceAccounts.length > 0) {
            expect(input.policy.sourceAccounts).toContain(from);
          }
          const stamp = parseSnapshotTime(d.snapshot, d.cluster);
          if (stamp) expect(stamp.getTime() - input.now.getTime()).toBeLessThanOrEqual(HOUR_MS);
        }
      }),
      runs,
    );
  });

  it("says already-copied only of a copy whose source tag names the snapshot, or a legacy tool copy of its cluster", () => {
    fc.assert(
      fc.property(copyInventoryArb, (input) => {
        const byArnAll = byArn([...input.shared, ...input.own]);
        for (const d of planCopy(input)) {
          if (d.reason !== "already-copied" || d.facts.existing === undefined) continue;
          const existing = input.own.find((o) => o.arn === d.facts.existing)!;
          expect(existing).toBeDefined();
          const tag = existing.tags[TAG_SOURCE_ARN];
          if (tag !== undefined) expect(tag).toBe(d.facts.source);
          else {
            expect(isToolCopy(existing.tags)).toBe(true);
            const source = byArnAll.get(String(d.facts.source));
            expect(source).toBeDefined();
            expect(existing.clusterId.toLowerCase()).toBe(source!.clusterId.toLowerCase());
          }
        }
      }),
      runs,
    );
  });
});

describe("planners are deterministic", () => {
  function rotate<T>(items: readonly T[], by: number): T[] {
    if (items.length === 0) return [];
    const k = by % items.length;
    return [...items.slice(k), ...items.slice(0, k)].reverse();
  }

  it("planTake gives the same plan for the same inventory in any order", () => {
    fc.assert(
      fc.property(clusterInventoryArb, fc.nat(), (input, k) => {
        const once = planTake(input);
        expect(planTake(input)).toEqual(once);
        const shuffled = {
          ...input,
          clusters: rotate(input.clusters, k),
          snapshots: rotate(input.snapshots, k),
        };
        expect(planTake(shuffled)).toEqual(once);
      }),
      runs,
    );
  });

  it("planTake takes at most one snapshot per cluster, only of available Aurora clusters", () => {
    fc.assert(
      fc.property(clusterInventoryArb, (input) => {
        const takes = planTake(input).filter((d) => d.action === "take");
        expect(new Set(takes.map((d) => d.cluster)).size).toBe(takes.length);
        for (const d of takes) {
          const c = input.clusters.find((x) => x.id === d.cluster)!;
          expect(c.status).toBe("available");
          expect(["aurora", "aurora-mysql", "aurora-postgresql"]).toContain(c.engine);
        }
      }),
      runs,
    );
  });

  it("planShare, planPrune and planPruneDest give the same plan for the same inventory in any order", () => {
    const keys = new Map<string, KeyInfo>([["aws-managed", aKey({ manager: "AWS" })]]);
    fc.assert(
      fc.property(sourceInventoryArb, destInventoryArb, fc.nat(), (src, dst, k) => {
        const srcShuffled = { ...src, snapshots: rotate(src.snapshots, k) };
        const dstShuffled = { ...dst, snapshots: rotate(dst.snapshots, k) };
        expect(planShare({ ...srcShuffled, keys })).toEqual(planShare({ ...src, keys }));
        expect(planPrune(srcShuffled)).toEqual(planPrune(src));
        expect(planPruneDest(dstShuffled)).toEqual(planPruneDest(dst));
      }),
      runs,
    );
  });

  it("planCopy gives the same plan for the same inventory in any order", () => {
    fc.assert(
      fc.property(copyInventoryArb, fc.nat(), (input, k) => {
        const once = planCopy(input);
        expect(planCopy(input)).toEqual(once);
        const shuffled = { ...input, shared: rotate(input.shared, k), own: rotate(input.own, k) };
        expect(planCopy(shuffled)).toEqual(once);
      }),
      runs,
    );
  });
});
