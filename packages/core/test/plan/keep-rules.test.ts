import { afterEach, describe, expect, it } from "vitest";

import type { Decision, Snapshot } from "../../src/model/index.js";
import { planCopy, planPrune, planPruneDest } from "../../src/plan/index.js";
import {
  destinationPolicyFromEnv,
  destinationPolicyFromObject,
  sourcePolicyFromEnv,
  sourcePolicyFromObject,
} from "../../src/policy/index.js";
import {
  DEST_ACCOUNT,
  SOURCE_ACCOUNT,
  aDestinationPolicy,
  aSourcePolicy,
  aToolCopy,
  aToolSnapshot,
} from "../../src/testing/index.js";

const DAY_MS = 86_400_000;

/** One snapshot a day at 01:00 UTC, the newest on `last`, `count` days. */
function dailies(last: string, count: number, make = aToolSnapshot, over = {}): Snapshot[] {
  const end = new Date(`${last}T01:00:00Z`).getTime();
  return Array.from({ length: count }, (_, i) =>
    make({ takenAt: new Date(end - i * DAY_MS), ...over }),
  );
}

function kept(decisions: readonly Decision[]): Map<string, string> {
  return new Map(
    decisions
      .filter((d) => d.action === "skip")
      .map((d) => [String(d.snapshot).slice(-16, -6), d.reason]),
  );
}

describe("KEEP_DAILY, KEEP_WEEKLY, KEEP_MONTHLY, KEEP_YEARLY settings", () => {
  it("are read on both sides from env vars and config keys, 0 when unset", () => {
    expect(sourcePolicyFromEnv({ KEEP_DAILY: "7", KEEP_YEARLY: " 2 " })).toMatchObject({
      keepDaily: 7,
      keepWeekly: 0,
      keepMonthly: 0,
      keepYearly: 2,
    });
    expect(
      destinationPolicyFromEnv({ DEST_REGION: "eu-west-1", KEEP_WEEKLY: "4", KEEP_MONTHLY: "12" }),
    ).toMatchObject({ keepDaily: 0, keepWeekly: 4, keepMonthly: 12, keepYearly: 0 });
    expect(sourcePolicyFromObject({ keepMonthly: 3 })).toMatchObject({ keepMonthly: 3 });
    expect(
      destinationPolicyFromObject({ destinationRegions: "eu-west-1", keepDaily: "1" }),
    ).toMatchObject({ keepDaily: 1 });
  });

  it.each([
    ["KEEP_DAILY", "-1"],
    ["KEEP_WEEKLY", "two"],
    ["KEEP_MONTHLY", "1.5"],
    ["KEEP_YEARLY", "3661"],
  ])("refuse %s=%s, naming the field, the value and the accepted range", (env, value) => {
    expect(() => sourcePolicyFromEnv({ [env]: value })).toThrow(
      new RegExp(`${env}.*${value.replace(".", "\\.")}.*an integer from 0 to 3660`),
    );
    expect(() => destinationPolicyFromEnv({ DEST_REGION: "eu-west-1", [env]: value })).toThrow(
      new RegExp(env),
    );
  });
});

describe("calendar retention in prune", () => {
  it("leaves 20 of a year of dailies with 7 daily, 4 weekly, 12 monthly and 2 yearly (the README's example)", () => {
    const year = dailies("2026-12-02", 365);
    const now = new Date("2026-12-02T12:00:00Z");
    const policy = aSourcePolicy({
      retentionDays: 1,
      minKeep: 1,
      keepDaily: 7,
      keepWeekly: 4,
      keepMonthly: 12,
      keepYearly: 2,
    });
    const decisions = planPrune({ snapshots: year, policy, now });
    expect(decisions.filter((d) => d.action === "delete")).toHaveLength(345);
    expect(Object.fromEntries(kept(decisions))).toEqual({
      "2026-12-02": "within-retention",
      "2026-12-01": "keep-daily",
      "2026-11-30": "keep-daily",
      "2026-11-29": "keep-daily",
      "2026-11-28": "keep-daily",
      "2026-11-27": "keep-daily",
      "2026-11-26": "keep-daily",
      "2026-11-22": "keep-weekly",
      "2026-11-15": "keep-weekly",
      "2026-10-31": "keep-monthly",
      "2026-09-30": "keep-monthly",
      "2026-08-31": "keep-monthly",
      "2026-07-31": "keep-monthly",
      "2026-06-30": "keep-monthly",
      "2026-05-31": "keep-monthly",
      "2026-04-30": "keep-monthly",
      "2026-03-31": "keep-monthly",
      "2026-02-28": "keep-monthly",
      "2026-01-31": "keep-monthly",
      "2025-12-31": "keep-yearly",
    });
  });

  it("names every rule that keeps a snapshot, the finest first", () => {
    const decisions = planPrune({
      snapshots: dailies("2026-11-29", 10),
      policy: aSourcePolicy({
        retentionDays: 1,
        minKeep: 0,
        keepWeekly: 2,
        keepMonthly: 1,
        keepYearly: 1,
      }),
      now: new Date("2026-12-02T12:00:00Z"),
    });
    const newest = decisions.find((d) => String(d.snapshot).includes("2026-11-29"));
    expect(newest).toMatchObject({
      reason: "keep-weekly",
      facts: {
        period: "2026-W48",
        keptBy: "keep-weekly 2026-W48, keep-monthly 2026-11, keep-yearly 2026",
      },
    });
  });

  it("counts ISO weeks across the new year: 31 December 2026 and 1 January 2027 are both in 2026-W53", () => {
    const snapshots = ["2026-12-31", "2027-01-01", "2027-01-04"].map((day) =>
      aToolSnapshot({ takenAt: new Date(`${day}T01:00:00Z`) }),
    );
    const decisions = planPrune({
      snapshots,
      policy: aSourcePolicy({ retentionDays: 1, minKeep: 0, keepWeekly: 2 }),
      now: new Date("2027-01-10T00:00:00Z"),
    });
    expect(Object.fromEntries(kept(decisions))).toEqual({
      "2027-01-04": "keep-weekly",
      "2027-01-01": "keep-weekly",
    });
    expect(decisions.find((d) => d.action === "delete")?.snapshot).toContain("2026-12-31");
  });

  it("lets a gap in backups keep older periods instead: only periods holding a snapshot count", () => {
    const snapshots = ["2026-01-15", "2026-03-15", "2026-03-20", "2026-08-01"].map((day) =>
      aToolSnapshot({ takenAt: new Date(`${day}T01:00:00Z`) }),
    );
    const decisions = planPrune({
      snapshots,
      policy: aSourcePolicy({ retentionDays: 1, minKeep: 0, keepMonthly: 3 }),
      now: new Date("2026-12-02T00:00:00Z"),
    });
    expect([...kept(decisions).keys()].sort()).toEqual(["2026-01-15", "2026-03-20", "2026-08-01"]);
  });

  describe("periods are UTC days, weeks, months and years whatever the host's time zone", () => {
    const zone = process.env["TZ"];
    afterEach(() => {
      if (zone === undefined) delete process.env["TZ"];
      else process.env["TZ"] = zone;
    });

    it.each(["Asia/Tokyo", "America/Los_Angeles", "UTC"])("in %s", (tz) => {
      process.env["TZ"] = tz;
      // 23:30 UTC on 30 June is already 1 July in Tokyo; 00:30 UTC on 1 July is still 30 June in Los Angeles.
      const snapshots = [
        "2026-06-30T22:00:00Z",
        "2026-06-30T23:30:00Z",
        "2026-07-01T00:30:00Z",
      ].map((t) => aToolSnapshot({ takenAt: new Date(t) }));
      const decisions = planPrune({
        snapshots,
        policy: aSourcePolicy({ retentionDays: 1, minKeep: 0, keepMonthly: 2 }),
        now: new Date("2026-12-02T00:00:00Z"),
      });
      expect(decisions.map((d) => [String(d.snapshot).slice(-16), d.action])).toEqual([
        ["2026-06-30-22-00", "delete"],
        ["2026-06-30-23-30", "skip"],
        ["2026-07-01-00-30", "skip"],
      ]);
    });
  });

  it("applies the destination's own rules in prune-dest, per region", () => {
    const copies = [
      ...dailies("2026-11-30", 60, aToolCopy, { region: "eu-west-1" }),
      ...dailies("2026-11-30", 60, aToolCopy, { region: "us-west-2" }),
    ];
    const decisions = planPruneDest({
      snapshots: copies,
      policy: aDestinationPolicy({
        destinationRegions: ["eu-west-1", "us-west-2"],
        retentionDays: 1,
        minKeep: 0,
        keepMonthly: 2,
      }),
      now: new Date("2026-12-02T00:00:00Z"),
    });
    for (const region of ["eu-west-1", "us-west-2"]) {
      const left = decisions
        .filter((d) => d.region === region && d.action === "skip")
        .map((d) => [String(d.snapshot).slice(-16, -6), d.reason]);
      expect(left).toEqual([
        ["2026-10-31", "keep-monthly"],
        ["2026-11-30", "keep-monthly"],
      ]);
    }
  });
});

describe("calendar retention in copy", () => {
  const LOCAL = "us-east-1";
  const now = new Date("2026-12-02T12:00:00Z");
  /** What the source shares: its own calendar rules kept month-ends besides a week of dailies. */
  const shared = [
    ...dailies("2026-12-02", 7),
    ...["2026-11-25", "2026-10-31", "2026-10-15", "2026-09-30"].map((day) =>
      aToolSnapshot({ takenAt: new Date(`${day}T01:00:00Z`) }),
    ),
  ].map((s) => ({ ...s, type: "shared" as const, account: SOURCE_ACCOUNT, region: LOCAL }));

  function copied(own: Snapshot[], keepMonthly: number): Map<string, string> {
    const decisions = planCopy({
      account: DEST_ACCOUNT,
      localRegion: LOCAL,
      shared,
      own,
      now,
      policy: aDestinationPolicy({
        destinationRegions: [LOCAL],
        retentionDays: 2,
        keepMonthly,
        maxCopiesInFlight: 5,
      }),
    });
    return new Map(
      decisions.map((d) => [String(d.snapshot).slice(-16, -6), `${d.action} ${d.reason}`]),
    );
  }

  it("copies a snapshot past the destination's retention that its calendar rules would keep, and no other", () => {
    const d = copied([], 3);
    // Within retention (2 days): 12-02, 12-01, 11-30 (exactly two days and 11 hours is past it).
    expect(d.get("2026-12-02")).toBe("copy not-copied");
    expect(d.get("2026-12-01")).toBe("copy not-copied");
    // The newest of November and of October: KEEP_MONTHLY=3 keeps them once copied.
    expect(d.get("2026-11-30")).toMatch(/not-copied|copy-slots-full/);
    expect(d.get("2026-10-31")).toMatch(/not-copied|copy-slots-full/);
    // December's and November's other days, October's older one and September (a fourth month) are not.
    for (const day of ["2026-11-29", "2026-11-26", "2026-11-25", "2026-10-15", "2026-09-30"]) {
      expect(d.get(day)).toBe("skip outside-retention");
    }
  });

  it("reads the copies already made: a newer copy in a month means its older snapshots are not copied", () => {
    const october = shared.find((s) => s.name.includes("2026-10-31"))!;
    const existing = aToolCopy({
      takenAt: new Date("2026-10-31T01:00:00Z"),
      region: LOCAL,
      tags: { SnapshotToolSourceArn: october.arn },
    });
    const d = copied([existing], 4);
    expect(d.get("2026-10-31")).toBe("skip already-copied");
    expect(d.get("2026-10-15")).toBe("skip outside-retention");
    expect(d.get("2026-09-30")).toMatch(/not-copied|copy-slots-full/);
  });

  it("names the destination's rules in an outside-retention skip", () => {
    const decisions = planCopy({
      account: DEST_ACCOUNT,
      localRegion: LOCAL,
      shared,
      own: [],
      now,
      policy: aDestinationPolicy({
        destinationRegions: [LOCAL],
        retentionDays: 2,
        keepDaily: 1,
        keepMonthly: 3,
      }),
    });
    const skipped = decisions.find((d) => d.reason === "outside-retention");
    expect(skipped?.facts["keepRules"]).toBe("KEEP_DAILY=1 KEEP_MONTHLY=3");
  });

  it("with no calendar rules, copies only within retention as before", () => {
    const d = copied([], 0);
    expect(d.get("2026-11-30")).toBe("skip outside-retention");
    expect(d.get("2026-10-31")).toBe("skip outside-retention");
  });
});

describe("calendar retention and the original tool's copies (no SnapshotToolSourceArn tag)", () => {
  const now = new Date("2026-02-01T12:00:00Z");
  const from = (account: string) => ({
    SnapshotToolSourceArn: `arn:aws:rds:eu-west-1:${account}:cluster-snapshot:x`,
  });
  function copies(first: string, count: number, tags: Record<string, string>) {
    return dailies(first, count, aToolCopy, { region: "eu-west-1", tags });
  }
  const policy = aDestinationPolicy({
    destinationRegions: ["eu-west-1"],
    retentionDays: 1,
    minKeep: 0,
    keepDaily: 3,
  });

  it("go with the copies of the one source account there is, so the rules move on past them", () => {
    const legacy = copies("2026-01-10", 10, {});
    const tagged = copies("2026-01-20", 10, from(SOURCE_ACCOUNT));
    const decisions = planPruneDest({ snapshots: [...legacy, ...tagged], policy, now });
    expect([...kept(decisions).keys()].sort()).toEqual(["2026-01-18", "2026-01-19", "2026-01-20"]);
  });

  it("go by retention and MIN_KEEP alone when two source accounts have copies of the cluster", () => {
    const legacy = copies("2026-01-10", 10, {});
    const a = copies("2026-01-20", 5, from(SOURCE_ACCOUNT));
    const b = copies("2026-01-20", 5, from("333333333333")).map((s) => ({
      ...s,
      name: `b-${s.name}`,
      arn: `${s.arn}-b`,
    }));
    const decisions = planPruneDest({ snapshots: [...legacy, ...a, ...b], policy, now });
    const legacyKept = decisions.filter(
      (d) => d.action === "skip" && legacy.some((s) => s.name === d.snapshot),
    );
    expect(legacyKept).toEqual([]);
  });

  it("alone, are one group of their own as before", () => {
    const decisions = planPruneDest({ snapshots: copies("2026-01-10", 10, {}), policy, now });
    expect([...kept(decisions).keys()].sort()).toEqual(["2026-01-08", "2026-01-09", "2026-01-10"]);
  });
});

describe("calendar retention and an intermediate whose shared snapshot is gone", () => {
  it("still copies it onward when the destination's rules keep it past retention", () => {
    const LOCAL = "us-east-1";
    const REMOTE = "eu-west-1";
    const taken = new Date("2026-10-31T01:00:00Z");
    const shared = aToolSnapshot({ takenAt: taken, account: SOURCE_ACCOUNT, region: LOCAL });
    const intermediate = aToolCopy({
      takenAt: taken,
      region: LOCAL,
      tags: { SnapshotToolIntermediate: "YES", SnapshotToolSourceArn: shared.arn },
    });
    const plan = (keepMonthly: number) =>
      planCopy({
        account: DEST_ACCOUNT,
        localRegion: LOCAL,
        shared: [],
        own: [intermediate],
        now: new Date("2026-12-02T12:00:00Z"),
        policy: aDestinationPolicy({
          destinationRegions: [REMOTE],
          retentionDays: 7,
          keepMonthly,
          copyMode: "two-step",
        }),
      }).map((d) => `${d.region} ${d.action} ${d.reason}`);
    expect(plan(3)).toContain(`${REMOTE} copy not-copied`);
    expect(plan(0)).not.toContain(`${REMOTE} copy not-copied`);
  });
});
