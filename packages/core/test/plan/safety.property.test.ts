import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Decision, KeyInfo, Snapshot } from "../../src/model/index.js";
import { TAG_INTERMEDIATE, isToolCopy, isToolSnapshot } from "../../src/model/index.js";
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
  sourceInventoryArb,
} from "./arbitraries.js";
import { aKey } from "../../src/testing/index.js";

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

/**
 * Safety rule 2: nothing within retention is deleted, and at least `minKeep` candidates of the same
 * cluster that are at least as new as a deleted one survive.
 */
function expectRetentionAndMinKeep(
  snapshots: readonly Snapshot[],
  deleted: readonly Snapshot[],
  isCandidate: (s: Snapshot) => boolean,
  retentionDays: number,
  minKeep: number,
  now: Date,
): void {
  const gone = new Set(deleted);
  for (const d of deleted) {
    const time = snapshotTime(d);
    expect(time).toBeDefined();
    expect(now.getTime() - time!.getTime()).toBeGreaterThan(retentionDays * DAY_MS);
    const newerSurvivors = snapshots.filter((s) => {
      const t = snapshotTime(s);
      return (
        !gone.has(s) &&
        isCandidate(s) &&
        groupKey(s) === groupKey(d) &&
        t !== undefined &&
        t.getTime() >= time!.getTime()
      );
    });
    expect(newerSurvivors.length).toBeGreaterThanOrEqual(minKeep);
  }
}

const sourceCandidate = (s: Snapshot) =>
  s.type === "manual" && s.status === "available" && isToolSnapshot(s.tags);
const destCandidate = (s: Snapshot) =>
  s.type === "manual" &&
  s.status === "available" &&
  isToolCopy(s.tags) &&
  s.tags[TAG_INTERMEDIATE] !== "YES";

describe("planPrune safety", () => {
  it("only ever deletes available manual snapshots carrying CreatedBy (rule 1)", () => {
    fc.assert(
      fc.property(sourceInventoryArb, ({ snapshots, policy, now }) => {
        const input = byArn(snapshots);
        for (const d of planPrune({ snapshots, policy, now }).filter(
          (x) => x.action === "delete",
        )) {
          const s = input.get(arnOf(d))!;
          expect(s).toBeDefined();
          expect(sourceCandidate(s)).toBe(true);
        }
      }),
      runs,
    );
  });

  it("never deletes within retention nor the newest minKeep of a cluster (rule 2)", () => {
    fc.assert(
      fc.property(sourceInventoryArb, ({ snapshots, policy, now }) => {
        const input = byArn(snapshots);
        const deleted = planPrune({ snapshots, policy, now })
          .filter((x) => x.action === "delete")
          .map((d) => input.get(arnOf(d))!);
        expectRetentionAndMinKeep(
          snapshots,
          deleted,
          sourceCandidate,
          policy.retentionDays,
          policy.minKeep,
          now,
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

describe("planPruneDest safety", () => {
  it("only ever deletes available manual non-intermediate copies carrying CopiedBy in a destination region (rule 1)", () => {
    fc.assert(
      fc.property(destInventoryArb, ({ snapshots, policy, now }) => {
        const input = byArn(snapshots);
        const deletes = planPruneDest({ snapshots, policy, now }).filter(
          (x) => x.action === "delete",
        );
        for (const d of deletes) {
          const s = input.get(arnOf(d))!;
          expect(destCandidate(s)).toBe(true);
          expect(policy.destinationRegions).toContain(s.region);
        }
      }),
      runs,
    );
  });

  it("never deletes within retention nor the newest minKeep of a cluster in a region (rule 2)", () => {
    fc.assert(
      fc.property(destInventoryArb, ({ snapshots, policy, now }) => {
        const input = byArn(snapshots);
        const deleted = planPruneDest({ snapshots, policy, now })
          .filter((x) => x.action === "delete")
          .map((d) => input.get(arnOf(d))!);
        expectRetentionAndMinKeep(
          snapshots,
          deleted,
          destCandidate,
          policy.retentionDays,
          policy.minKeep,
          now,
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

  it("only shares available manual tool snapshots, and only with the configured 12-digit account (rule 3)", () => {
    fc.assert(
      fc.property(sourceInventoryArb, ({ snapshots, policy, now }) => {
        const input = byArn(snapshots);
        for (const d of planShare({ snapshots, keys, policy, now })) {
          if (d.action !== "share") continue;
          expect(d.shareWith).toBe(policy.destinationAccount);
          expect(d.shareWith).toMatch(/^\d{12}$/);
          const s = input.get(d.snapshotArn)!;
          expect(sourceCandidate(s)).toBe(true);
          expect(s.tags.shareAndCopy).toBe("YES");
          expect(s.kmsKeyId).not.toBe("aws-managed");
        }
      }),
      runs,
    );
  });

  it("refuses any destination account that is not 12 digits", () => {
    const notAnAccount = fc
      .oneof(fc.constantFrom("all", "ALL", " 111111111111"), fc.string({ maxLength: 14 }))
      .filter((a) => !/^\d{12}$/.test(a));
    fc.assert(
      fc.property(sourceInventoryArb, notAnAccount, ({ snapshots, policy, now }, account) => {
        expect(() =>
          planShare({ snapshots, keys, policy: { ...policy, destinationAccount: account }, now }),
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
