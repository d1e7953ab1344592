import fc from "fast-check";
import { describe, expect, it } from "vitest";

import type { Snapshot } from "../../src/model/index.js";
import { formatSnapshotName } from "../../src/naming/index.js";
import { planPrune, planPruneDest } from "../../src/plan/index.js";
import {
  aDestinationPolicy,
  aSnapshot,
  aSourcePolicy,
  aToolCopy,
  aToolSnapshot,
} from "../../src/testing/index.js";
import { oracleKept, type OracleRules } from "./keep-oracle.js";

type History = typeof historyArb extends fc.Arbitrary<infer T> ? T : never;

const MINUTE_MS = 60_000;
const DAY_MINUTES = 24 * 60;

const rulesArb: fc.Arbitrary<OracleRules> = fc.record({
  retentionDays: fc.integer({ min: 0, max: 10 }),
  minKeep: fc.integer({ min: 0, max: 3 }),
  keepDaily: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 10 })),
  keepWeekly: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 6 })),
  keepMonthly: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 14 })),
  keepYearly: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 3 })),
});

/** What can make a snapshot other than an owned, available one the rules act on. */
const kindArb = fc.oneof(
  { arbitrary: fc.constant("owned" as const), weight: 8 },
  {
    arbitrary: fc.constantFrom("untagged", "creating", "prefixed", "automated" as const),
    weight: 1,
  },
);

/**
 * A history: per cluster, snapshots at irregular times over three years (bursts, gaps, several a
 * day, a few across ISO-week and year boundaries), minute precision as names have it.
 */
const historyArb = fc.record({
  now: fc.date({
    min: new Date("2025-01-01T00:00:00Z"),
    max: new Date("2029-12-31T00:00:00Z"),
    noInvalidDate: true,
  }),
  rules: rulesArb,
  snapshots: fc.array(
    fc.record({
      cluster: fc.constantFrom("alpha", "beta"),
      ageMinutes: fc.oneof(
        fc.integer({ min: 0, max: 14 * DAY_MINUTES }),
        fc.integer({ min: 0, max: 120 * DAY_MINUTES }),
        fc.integer({ min: 0, max: 3 * 365 * DAY_MINUTES }),
      ),
      kind: kindArb,
      /** Minutes after its stamp RDS says it was created: a copy may report its own time. */
      createdLater: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 3 * DAY_MINUTES })),
    }),
    { maxLength: 60 },
  ),
});

function build(history: History, side: "source" | "dest"): Snapshot[] {
  const now: Date = history.now;
  const seen = new Set<string>();
  const out: Snapshot[] = [];
  for (const h of history.snapshots) {
    const minute = Math.floor(now.getTime() / MINUTE_MS) * MINUTE_MS;
    const takenAt = new Date(minute - h.ageMinutes * MINUTE_MS);
    const name = formatSnapshotName(
      h.cluster,
      takenAt,
      h.kind === "prefixed" ? "other" : undefined,
    );
    if (seen.has(name)) continue;
    seen.add(name);
    const make = side === "source" ? aToolSnapshot : aToolCopy;
    const created = Math.min(takenAt.getTime() + h.createdLater * MINUTE_MS, minute);
    const base = { clusterId: h.cluster, name, takenAt, createTime: new Date(created) };
    if (h.kind === "untagged") out.push(aSnapshot({ ...base, tags: {} }));
    else if (h.kind === "creating") out.push(make({ ...base, status: "creating" }));
    else if (h.kind === "automated") out.push(make({ ...base, type: "automated" }));
    else out.push(make(base));
  }
  return out;
}

/** The time in a name's `-YYYY-MM-DD-HH-MM` tail, read here apart from the code under test. */
function stampOf(name: string): Date {
  const m = /(\d{4})-(\d{2})-(\d{2})-(\d{2})-(\d{2})$/.exec(name)!;
  return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!));
}

/** The snapshots the rules act on: owned (prefixed ones are another deployment's at the source), available, manual. */
function actedOn(snapshots: readonly Snapshot[], side: "source" | "dest"): Snapshot[] {
  return snapshots.filter(
    (s) =>
      s.status === "available" &&
      s.type === "manual" &&
      Object.keys(s.tags).length > 0 &&
      (side === "dest" || !s.name.startsWith("other-")),
  );
}

function expectedDeletions(
  snapshots: readonly Snapshot[],
  rules: OracleRules,
  now: Date,
  side: "source" | "dest",
) {
  const expected = new Set<string>();
  for (const cluster of ["alpha", "beta"]) {
    const candidates = actedOn(snapshots, side).filter((s) => s.clusterId === cluster);
    const kept = oracleKept(
      candidates.map((s) => ({ name: s.name, time: s.createTime!, stamp: stampOf(s.name) })),
      rules,
      now,
    );
    for (const s of candidates) if (!kept.has(s.name)) expected.add(s.name);
  }
  return expected;
}

function runPrune(side: "source" | "dest", snapshots: Snapshot[], rules: OracleRules, now: Date) {
  return side === "source"
    ? planPrune({ snapshots, policy: aSourcePolicy(rules), now })
    : planPruneDest({
        snapshots,
        policy: aDestinationPolicy({ ...rules, destinationRegions: ["us-east-1"] }),
        now,
      });
}

describe.each(["source", "dest"] as const)("calendar retention at the %s", (side) => {
  it("deletes exactly what the definition leaves unkept, and a second run deletes nothing", () => {
    fc.assert(
      fc.property(historyArb, (history) => {
        const snapshots = build(history, side).map((s) =>
          side === "dest" ? { ...s, region: "us-east-1" } : s,
        );
        const decisions = runPrune(side, snapshots, history.rules, history.now);
        const deleted = new Set(
          decisions.filter((d) => d.action === "delete").map((d) => d.snapshot),
        );
        expect(deleted).toEqual(expectedDeletions(snapshots, history.rules, history.now, side));

        // Only owned, available, manual snapshots are ever deleted.
        const actable = new Set(actedOn(snapshots, side).map((s) => s.name));
        for (const name of deleted) expect(actable.has(name!)).toBe(true);

        // The newest MIN_KEEP of each cluster stay.
        for (const cluster of ["alpha", "beta"]) {
          const newest = actedOn(snapshots, side)
            .filter((s) => s.clusterId === cluster)
            .sort((a, b) => b.createTime!.getTime() - a.createTime!.getTime())
            .slice(0, history.rules.minKeep);
          for (const s of newest) expect(deleted.has(s.name)).toBe(false);
        }

        const left = snapshots.filter((s) => !deleted.has(s.name));
        const again = runPrune(side, left, history.rules, history.now);
        expect(again.filter((d) => d.action === "delete")).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it("names the rule that keeps a snapshot past retention", () => {
    fc.assert(
      fc.property(historyArb, (history) => {
        const snapshots = build(history, side).map((s) =>
          side === "dest" ? { ...s, region: "us-east-1" } : s,
        );
        const only = { ...history.rules, retentionDays: 0, minKeep: 0 };
        const decisions = runPrune(side, snapshots, only, history.now);
        const keptByRule = decisions.filter((d) => d.reason.startsWith("keep-"));
        // Each rule keeps at most its count of snapshots per cluster.
        for (const [reason, n] of [
          ["keep-daily", only.keepDaily],
          ["keep-weekly", only.keepWeekly],
          ["keep-monthly", only.keepMonthly],
          ["keep-yearly", only.keepYearly],
        ] as const) {
          for (const cluster of ["alpha", "beta"]) {
            const facts = decisions
              .filter((d) => d.cluster === cluster && typeof d.facts?.keptBy === "string")
              .filter((d) =>
                String(d.facts.keptBy)
                  .split(", ")
                  .some((k) => k.startsWith(`${reason} `)),
              );
            expect(facts.length).toBeLessThanOrEqual(n);
          }
        }
        // The kept ones are exactly the oracle's (no retention, no MIN_KEEP).
        const expectedKept = new Set<string>();
        for (const cluster of ["alpha", "beta"]) {
          const candidates = actedOn(snapshots, side).filter((s) => s.clusterId === cluster);
          const kept = oracleKept(
            candidates.map((s) => ({ name: s.name, time: s.createTime!, stamp: stampOf(s.name) })),
            only,
            history.now,
          );
          for (const name of kept) expectedKept.add(name);
        }
        // within-retention with 0 days keeps a snapshot taken this very minute; count it as kept.
        const within = decisions
          .filter((d) => d.reason === "within-retention")
          .map((d) => d.snapshot);
        expect(new Set([...keptByRule.map((d) => d.snapshot), ...within])).toEqual(expectedKept);
      }),
      { numRuns: 200 },
    );
  });
});
