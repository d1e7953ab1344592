import { describe, expect, it } from "vitest";
import type { CopyLoopState } from "../../src/steps/index.js";
import {
  CopyDurations,
  DESIGNS,
  DR_REGIONS,
  copyInvariants,
  copyMetrics,
  runCopyFleet,
} from "../../bench/copy-fleet.js";

/*
 * The copy loop and the event-driven starts of the fleet simulation, and the 30-day invariants of
 * the new design. Everything is measured from the in-memory RDS (bench/copy-fleet.ts's CopyWatch:
 * its call log, snapshot states and RDS events), not from the reports of the code under test.
 */

const DR = DR_REGIONS[0];
const MINUTE = 60_000;

describe("the fleet simulation's copy loop and events", { timeout: 60_000 }, () => {
  it("shares on RDS-EVENT-0075 and starts the copy loop on Snapshots Shared, at once", async () => {
    const runs: string[] = [];
    const run = await runCopyFleet({
      clusters: 3,
      regions: [DR],
      design: DESIGNS["loop-single-step"],
      durations: new CopyDurations(1, 10, 60),
      days: 1,
      once: true,
      onReport: (report, at) => {
        const n = report.done.length;
        if (n > 0) runs.push(`${at.toISOString().slice(11, 16)} ${report.step} ${n}`);
      },
    });
    // The share ran at 01:07, not at the 01:10 schedule; the copy right after it.
    expect(runs).toEqual(["01:00 take 3", "01:07 share 3", "01:07 copy 3"]);
    const m = copyMetrics(run.watch);
    expect(m.snapshots).toBe(3);
    expect(m.missing).toBe(0);
    // Available at 01:07 (taken at 01:00, 7 minutes creating, between two share schedules):
    // shared and copied the same instant.
    const available = [...run.watch.source.values()].map((s) => new Date(s.availableAt));
    expect(available.map((d) => d.toISOString().slice(11, 16))).toEqual([
      "01:07",
      "01:07",
      "01:07",
    ]);
    expect(m.p99StartMinutes).toBe(0);
    // one share started by the events, one copy started by the share's event
    expect(run.days[0]?.eventRuns).toBe(2);
  });

  it("runs one loop at a time, its rounds COPY_POLL_SECONDS apart, while schedules fire", async () => {
    // 12 copies of 20 minutes through 5 slots: three waves from 01:07, the loop runs until ~02:12
    // while the 30-minute schedule fires at 01:30 and 02:00.
    const rounds: { at: number; state: CopyLoopState }[] = [];
    const run = await runCopyFleet({
      clusters: 12,
      regions: [DR],
      design: DESIGNS["loop-single-step"],
      durations: new CopyDurations(1, 20, 20),
      days: 1,
      once: true,
      onCopyLoop: (state, at) => rounds.push({ at: at.getTime(), state }),
    });
    expect(copyMetrics(run.watch).missing).toBe(0);
    const busy = rounds.filter((r) => r.state.following > 0);
    const first = busy[0] as (typeof busy)[number];
    expect(new Date(first.at).toISOString().slice(11, 19)).toBe("01:07:00");
    // One loop from 01:07 to the end: round numbers count up, 30 s apart, and the last one stops.
    const after = rounds.filter((r) => r.at >= first.at);
    const loop = after.slice(0, after.findIndex((r) => !r.state.continue) + 1);
    loop.forEach((r, i) => expect(r.state.round).toBe(i + 1));
    for (let i = 1; i < loop.length; i += 1) {
      expect(
        (loop[i] as (typeof loop)[number]).at - (loop[i - 1] as (typeof loop)[number]).at,
      ).toBe(30_000);
    }
    expect(loop.at(-1)?.state).toMatchObject({ continue: false, reason: "nothing-to-follow" });
    // Three waves of 21 slot-minutes: done by 01:07 + 3 x 21 min + one poll per wave.
    expect(loop.at(-1)!.at - first.at).toBeLessThanOrEqual((63 + 2) * MINUTE);
    // The schedule fired at 01:30, 02:00 (and 02:30) while that loop ran, and started no other.
    expect(new Date(loop.at(-1)!.at).toISOString().slice(11, 16) >= "02:00").toBe(true);
    expect(run.watch.maxInFlight.get(DR)).toBe(5);
  });

  it("counts a copy RDS refuses for its in-flight limit as a broken invariant", async () => {
    // RDS admits 4 copies at once here while the engine plans 5: the 5th is refused with
    // SnapshotQuotaExceededFault, and the slot-limit check must say so.
    const run = await runCopyFleet({
      clusters: 10,
      regions: [DR],
      design: DESIGNS["loop-single-step"],
      durations: new CopyDurations(1, 10, 20),
      days: 1,
      once: true,
      rdsCopySlots: 4,
    });
    const [slots] = copyInvariants(run, 7);
    expect(slots?.pass).toBe(false);
    expect(run.watch.refusals.get("SnapshotQuotaExceededFault")).toBeGreaterThan(0);
    expect(run.days.reduce((n, d) => n + d.failed, 0)).toBeGreaterThan(0);
  });
});

/*
 * 30 days, daily snapshots, the loop and events on, COPY_MODE auto, one DR region. Copy durations
 * of 5-20 minutes (+ RDS's 1 minute pending): a day's demand is N x 13.5 / 5 slot-minutes, 54
 * minutes at 20 clusters (810 at 300), far inside a day, so every snapshot must reach DR the day it
 * is taken, while each day's copies still queue for the 5 slots (4 waves a day).
 *
 * The full 300-cluster version runs from the benchmark (`pnpm bench:copy --days 30`: every round
 * of the loop lists and plans the whole fleet, and a day has about 1,700 rounds, so it takes the
 * better part of an hour here). This one: 20 clusters (FLEET_COPY_CLUSTERS overrides), 3 days of
 * retention so the listings every round reads stay small, share on its schedule hourly instead of
 * every 10 minutes (RDS-EVENT-0075 starts it anyway). The two-step fallback (RDS refusing the
 * one-call copy) runs at 8 clusters: each of its rounds is two planning passes (the refused probe,
 * then the plan in two steps), and its copies go through two stages.
 */
const CLUSTERS = Number(process.env["FLEET_COPY_CLUSTERS"] ?? 20);
const RETENTION = 3;

describe("30 days of the copy loop", { timeout: 600_000 }, () => {
  it.each([
    ["RDS takes the one-call copy", CLUSTERS, true],
    ["RDS refuses it: auto falls back to two steps", Math.ceil(CLUSTERS / 2.5), false],
  ] as const)(
    "keeps the slot limit, duplicates nothing, leaves no intermediate and copies everything (%s, %i clusters)",
    async (_label, clusters, allowSingleStep) => {
      const run = await runCopyFleet({
        clusters,
        regions: [DR],
        design: DESIGNS["loop-auto"],
        durations: new CopyDurations(7, 5, 20),
        days: 30,
        allowSingleStep,
        sourceRetentionDays: RETENTION,
        destinationRetentionDays: RETENTION,
        cadence: { shareEveryMinutes: 60 },
      });
      const invariants = copyInvariants(run, RETENTION);
      for (const inv of invariants) expect(inv.pass, `${inv.name}: ${inv.detail}`).toBe(true);
      // the slots were full at times (in two steps, the local ones at least)
      expect(Math.max(...run.watch.maxInFlight.values())).toBe(5);
      // every day's snapshots were copied (30 takes), and two-step made intermediates
      expect(run.watch.source.size).toBe(clusters * 30);
      const intermediates = run.watch.copies.filter((c) => c.intermediate).length;
      expect(intermediates).toBe(allowSingleStep ? 0 : clusters * 30);
    },
  );
});
