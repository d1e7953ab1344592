import { describe, expect, it } from "vitest";
import { isComplete, type RunReport } from "../../src/execute/index.js";
import {
  TAG_COPIED_BY,
  TAG_CREATED_BY,
  TAG_SHARE_AND_COPY,
  TAG_SOURCE_ARN,
  TOOL_NAME,
} from "../../src/model/index.js";
import { formatSnapshotName } from "../../src/naming/index.js";
import { destinationPolicyFromObject, sourcePolicyFromObject } from "../../src/policy/index.js";
import { runCopy, runPrune, runPruneDest, runShare, runTake } from "../../src/steps/index.js";
import { InMemoryRds, simulatedGateway } from "../../src/testing/index.js";

/*
 * The scenarios of "No backup lost or silently skipped", each run through the real steps against
 * the in-memory RDS: every one of them deleted a backup, or never made one, before the fix.
 */

const A = "111111111111";
const DEST = "222222222222";
const STRANGER = "999999999999";
const HOME = "us-east-1";
const DR = "us-west-2";
const DAY = 86_400_000;
const HOUR = 3_600_000;
const FAST = { retry: { minTimeoutMs: 1, maxTimeoutMs: 2 } };
const TOOL_TAGS = { [TAG_CREATED_BY]: TOOL_NAME, [TAG_SHARE_AND_COPY]: "YES" };

function world(now = new Date("2026-06-15T12:00:00Z")): InMemoryRds {
  const sim = new InMemoryRds({ now });
  sim.addCluster({ account: A, region: HOME, id: "orders" });
  return sim;
}

/** A tool snapshot of `orders` taken `daysAgo` days before the clock, RDS's time agreeing. */
function taken(sim: InMemoryRds, daysAgo: number, prefix?: string, clusterId = "orders"): string {
  const at = new Date(sim.now().getTime() - daysAgo * DAY);
  const id = formatSnapshotName(clusterId, at, prefix);
  sim.addSnapshot({ account: A, region: HOME, id, clusterId, createTime: at, tags: TOOL_TAGS });
  return id;
}

/** A tool-tagged snapshot whose name says 2099: made up, or made by a clock far ahead. */
function stampedIn2099(sim: InMemoryRds): void {
  sim.addSnapshot({
    account: A,
    region: HOME,
    id: "orders-2099-01-01-00-00",
    clusterId: "orders",
    tags: TOOL_TAGS,
  });
}

function source(sim: InMemoryRds, settings: Record<string, unknown> = {}, now = sim.now()) {
  return {
    gateway: simulatedGateway(sim, A),
    region: HOME,
    now,
    policy: sourcePolicyFromObject({ retentionDays: 7, minKeep: 1, ...settings }),
    execute: FAST,
  };
}

function ids(sim: InMemoryRds, account = A, region = HOME): string[] {
  return sim
    .snapshots({ account, region, type: "manual" })
    .map((s) => s.id)
    .sort();
}

function reasons(report: RunReport): Record<string, string> {
  return Object.fromEntries(report.skipped.map((d) => [d.snapshot ?? d.cluster, d.reason]));
}

describe("a name's timestamp never beats RDS's own time", () => {
  it("a snapshot named 2099 neither stops take nor holds the MIN_KEEP place in prune", async () => {
    const sim = world();
    const nine = taken(sim, 9);
    const ten = taken(sim, 10);
    stampedIn2099(sim);

    const take = await runTake(source(sim));
    expect(take.done.map((o) => o.decision.action)).toEqual(["take"]);

    sim.advance({ hours: 1 });
    const prune = await runPrune(source(sim, { minKeep: 2 }));
    // The new snapshot and the 9-day one hold the two MIN_KEEP places; the 10-day one goes.
    expect(prune.done.map((o) => o.decision.snapshot)).toEqual([ten]);
    expect(reasons(prune)).toMatchObject({
      "orders-2099-01-01-00-00": "future-timestamp",
      [nine]: "min-keep",
    });
    expect(ids(sim)).toContain("orders-2099-01-01-00-00");
    // The future-dated snapshot is a gap an operator must look at: the run is not complete.
    expect(prune.blocked.map((d) => d.reason)).toEqual(["future-timestamp"]);
    expect(isComplete(prune)).toBe(false);
  });

  it("with MIN_KEEP 1 and only old snapshots, the 2099 one does not take the place of the newest real one", async () => {
    const sim = world();
    const nine = taken(sim, 9);
    const ten = taken(sim, 10);
    stampedIn2099(sim);
    const prune = await runPrune(source(sim));
    expect(prune.done.map((o) => o.decision.snapshot)).toEqual([ten]);
    expect(reasons(prune)[nine]).toBe("min-keep");
  });

  it("a host clock 6 days fast deletes nothing and ends incomplete with clock-skew; take goes on", async () => {
    const sim = world();
    const kept = [2, 3, 4].map((d) => taken(sim, d));
    const fast = new Date(sim.now().getTime() + 6 * DAY);

    const prune = await runPrune(source(sim, {}, fast));
    expect(prune.done).toEqual([]);
    expect(ids(sim)).toEqual(kept.sort());
    expect(prune.blocked.map((d) => d.reason)).toEqual(["clock-skew", "clock-skew"]);
    expect(prune.blocked[0]?.facts.clockSkewSeconds).toBe(-6 * 86_400);
    expect(isComplete(prune)).toBe(false);

    const take = await runTake(source(sim, {}, fast));
    expect(take.done.map((o) => o.decision.action)).toEqual(["take"]);
  });

  it("a clock within 5 minutes of AWS's deletes as usual", async () => {
    const sim = world();
    const old = taken(sim, 20);
    taken(sim, 1);
    const prune = await runPrune(source(sim, {}, new Date(sim.now().getTime() + 4 * 60_000)));
    expect(prune.done.map((o) => o.decision.snapshot)).toEqual([old]);
  });

  it("the younger of the name's time and SnapshotCreateTime decides the age", async () => {
    const sim = world();
    // Named 30 days ago by a clock that was behind, but RDS made it 2 days ago.
    const at = new Date(sim.now().getTime() - 30 * DAY);
    const id = formatSnapshotName("orders", at);
    sim.addSnapshot({
      account: A,
      region: HOME,
      id,
      clusterId: "orders",
      createTime: new Date(sim.now().getTime() - 2 * DAY),
      tags: TOOL_TAGS,
    });
    const prune = await runPrune(source(sim, { minKeep: 0 }));
    expect(prune.done).toEqual([]);
    expect(reasons(prune)[id]).toBe("within-retention");
  });
});

describe("deployments never touch each other's snapshots", () => {
  // 1,600 step runs through the SDK clients: seconds, not milliseconds, on a shared machine.
  it(
    "a daily (no prefix, 7 days) and a monthly (prefix monthly, 365 days) deployment over 400 days",
    { timeout: 120_000 },
    async () => {
      const sim = world(new Date("2026-01-01T01:00:00Z"));
      const daily = { retentionDays: 7, minKeep: 2, intervalHours: 24 };
      const monthly = {
        retentionDays: 365,
        minKeep: 2,
        intervalHours: 24 * 30,
        snapshotNamePrefix: "monthly",
      };
      const deletedBy: Record<string, string[]> = { daily: [], monthly: [] };
      let monthlyTakes = 0;
      let dailyTakes = 0;
      for (let day = 0; day < 400; day += 1) {
        for (const [name, settings] of [
          ["daily", daily],
          ["monthly", monthly],
        ] as const) {
          const take = await runTake(source(sim, settings));
          const took = take.done.filter((o) => o.decision.action === "take").length;
          if (name === "daily") dailyTakes += took;
          else monthlyTakes += took;
          sim.advance({ minutes: 30 });
          const prune = await runPrune(source(sim, settings));
          expect(isComplete(prune)).toBe(true);
          deletedBy[name]!.push(...prune.done.map((o) => o.decision.snapshot));
        }
        sim.advance({ minutes: 24 * 60 - 60 });
      }

      // Each deployment took on its own schedule, unaffected by the other's snapshots.
      expect(dailyTakes).toBe(400);
      expect(monthlyTakes).toBe(Math.ceil(400 / 30));
      // Each deleted only its own.
      expect(deletedBy.daily!.every((id) => /^orders-\d{4}/.test(id))).toBe(true);
      expect(deletedBy.monthly!.every((id) => id.startsWith("monthly-orders-"))).toBe(true);
      expect(deletedBy.daily!.length).toBeGreaterThan(380);
      // Everything the monthly deployment took within its 365 days is still there.
      const left = ids(sim);
      const monthlyLeft = left.filter((id) => id.startsWith("monthly-"));
      // Taken on days 0, 30, ..., 390; at day 399 those of days 60..390 are within 365 days.
      expect(monthlyLeft.length).toBe(12);
      expect(left.filter((id) => !id.startsWith("monthly-")).length).toBeLessThanOrEqual(8);
    },
  );
});

describe("a stranger cannot steer the destination", () => {
  const tomorrow = new Date("2026-06-16T00:00:00Z");

  function destination(sim: InMemoryRds, settings: Record<string, unknown> = {}) {
    return {
      gateway: simulatedGateway(sim, DEST),
      region: HOME,
      now: sim.now(),
      policy: destinationPolicyFromObject({
        destinationRegions: [HOME],
        retentionDays: 7,
        minKeep: 1,
        ...settings,
      }),
      execute: FAST,
    };
  }

  function strangerShares(sim: InMemoryRds, id: string): void {
    if (!sim.clusters({ account: STRANGER, region: HOME }).length)
      sim.addCluster({ account: STRANGER, region: HOME, id: "orders" });
    sim.addSnapshot({
      account: STRANGER,
      region: HOME,
      id,
      clusterId: "orders",
      sharedWith: [DEST],
      tags: TOOL_TAGS,
    });
  }

  it("with SOURCE_ACCOUNTS unset, a share named like the next backup makes that backup fail loudly, never already-copied", async () => {
    const sim = world(new Date("2026-06-15T23:30:00Z"));
    const name = formatSnapshotName("orders", tomorrow);
    strangerShares(sim, name);
    await runCopy(destination(sim));
    sim.advance({ hours: 1 });
    // The real backup lands under the same name and is shared.
    sim.addSnapshot({
      account: A,
      region: HOME,
      id: name,
      clusterId: "orders",
      sharedWith: [DEST],
      tags: TOOL_TAGS,
    });

    const copy = await runCopy({ ...destination(sim), now: sim.now() });
    const realArn = `arn:aws:rds:${HOME}:${A}:cluster-snapshot:${name}`;
    const real = copy.decisions.filter((d) => d.facts.source === realArn);
    expect(real.map((d) => d.reason)).toEqual(["copy-name-taken"]);
    expect(copy.blocked.length).toBeGreaterThan(0);
    expect(isComplete(copy)).toBe(false);
  });

  it("with SOURCE_ACCOUNTS set, the stranger's share is never copied and the real one is", async () => {
    const sim = world(new Date("2026-06-15T23:30:00Z"));
    const name = formatSnapshotName("orders", tomorrow);
    strangerShares(sim, name);
    sim.advance({ hours: 1 });
    sim.addSnapshot({
      account: A,
      region: HOME,
      id: name,
      clusterId: "orders",
      sharedWith: [DEST],
      tags: TOOL_TAGS,
    });
    const copy = await runCopy(destination(sim, { sourceAccounts: [A] }));
    expect(copy.done.map((o) => o.decision.action)).toEqual(["copy"]);
    const made = sim.snapshots({ account: DEST, region: HOME, type: "manual" });
    expect(made.map((s) => s.tags[TAG_SOURCE_ARN])).toEqual([
      `arn:aws:rds:${HOME}:${A}:cluster-snapshot:${name}`,
    ]);
    expect(reasons(copy)[name]).toBe("source-account-not-allowed");
    expect(isComplete(copy)).toBe(true);
  });

  it("future-dated shares take no copy slot: the real backups are copied", async () => {
    const sim = world();
    for (let i = 0; i < 6; i += 1) strangerShares(sim, `orders-2099-01-0${i + 1}-00-00`);
    const real = taken(sim, 0.5);
    sim.snapshot({ account: A, region: HOME, id: real });
    await runShare({ ...source(sim, { destinationAccount: DEST }) });
    const copy = await runCopy(destination(sim, { maxCopiesInFlight: 5 }));
    expect(copy.done.map((o) => o.decision.snapshot)).toEqual([real]);
    expect(copy.blocked.map((d) => d.reason)).toEqual(Array(6).fill("future-timestamp"));
  });

  it("in prune-dest, a future-dated foreign copy holds no MIN_KEEP place and is never deleted", async () => {
    const sim = world();
    const copyOf = (account: string, daysAgo: number | Date) => {
      const at = daysAgo instanceof Date ? daysAgo : new Date(sim.now().getTime() - daysAgo * DAY);
      const id = formatSnapshotName("orders", at);
      sim.addSnapshot({
        account: DEST,
        region: DR,
        id,
        clusterId: "orders",
        createTime: daysAgo instanceof Date ? sim.now() : at,
        tags: {
          [TAG_COPIED_BY]: TOOL_NAME,
          [TAG_SOURCE_ARN]: `arn:aws:rds:${HOME}:${account}:cluster-snapshot:${id}`,
        },
      });
      return id;
    };
    const foreign = copyOf(STRANGER, new Date("2099-01-01T00:00:00Z"));
    const nine = copyOf(A, 9);
    const ten = copyOf(A, 10);
    for (const sourceAccounts of [[], [A]]) {
      const report = await runPruneDest({
        ...destination(sim, { destinationRegions: [DR], sourceAccounts }),
        now: sim.now(),
        dryRun: true,
      });
      expect(report.pending.map((o) => o.decision.snapshot)).toEqual([ten]);
      expect(reasons(report)[nine]).toBe("min-keep");
      expect(reasons(report)[foreign]).toBe(
        sourceAccounts.length ? "source-account-not-allowed" : "future-timestamp",
      );
    }
  });
});

describe("gaps fail loudly", () => {
  it("a selected cluster whose snapshot name would be too long leaves take incomplete", async () => {
    const sim = new InMemoryRds({ now: new Date("2026-06-15T12:00:00Z") });
    const long = "a".repeat(50);
    sim.addCluster({ account: A, region: HOME, id: long });
    const take = await runTake(source(sim));
    expect(take.blocked.map((d) => [d.cluster, d.reason])).toEqual([[long, "identifier-too-long"]]);
    expect(isComplete(take)).toBe(false);
  });

  it("a cluster left out by the pattern is not a gap", async () => {
    const sim = new InMemoryRds({ now: new Date("2026-06-15T12:00:00Z") });
    sim.addCluster({ account: A, region: HOME, id: "a".repeat(50) });
    const take = await runTake(source(sim, { clusterPattern: "^orders$" }));
    expect(take.blocked).toEqual([]);
    expect(isComplete(take)).toBe(true);
  });

  it("an encrypted snapshot with no key for the target region leaves copy incomplete", async () => {
    const sim = world();
    const key = sim.addKey({ account: A, region: HOME, usableBy: [DEST] });
    const at = new Date(sim.now().getTime() - HOUR);
    const id = formatSnapshotName("orders", at);
    sim.addSnapshot({
      account: A,
      region: HOME,
      id,
      clusterId: "orders",
      encrypted: true,
      kmsKeyId: key,
      createTime: at,
      sharedWith: [DEST],
      tags: TOOL_TAGS,
    });
    const copy = await runCopy({
      gateway: simulatedGateway(sim, DEST),
      region: HOME,
      now: sim.now(),
      policy: destinationPolicyFromObject({ destinationRegions: [DR], sourceAccounts: [A] }),
      execute: FAST,
    });
    expect(copy.blocked.map((d) => d.reason)).toContain("kms-key-required");
    expect(isComplete(copy)).toBe(false);
  });
});
