/**
 * The fleet fan-out benchmark (part of `pnpm bench`): a central account and 100 member accounts
 * (each with the member role, trusting the central account) x 3 regions x 50 clusters, 15,000
 * clusters in all, in the in-memory RDS. take, share and prune run through `runFleet` with
 * `simFleetClients` (one STS AssumeRole per target, then real SDK clients in the member account),
 * 40 targets at once.
 *
 * For every target and step the lower bound of API calls is computed from the seeded state alone
 * (describe pages of 100, plus the calls the due actions need), and the calls the in-memory RDS
 * logged for that target must equal it operation by operation; any difference, a target not
 * complete, or a wrong count of snapshots created, shared or deleted in any account (none in the
 * central one) throws.
 *
 * The in-memory RDS answers instantly, so wall time is modelled (see `targetTimeline`): each call
 * takes a fixed latency, and the targets are scheduled on 40 slots the way runFleet's workers take
 * them. The same call times feed RDS's documented token bucket per account and region.
 */
import { performance } from "node:perf_hooks";
import type { RunReport } from "../src/execute/report.js";
import { fleetPolicyFor, runFleet, type FleetReport } from "../src/fleet/run-fleet.js";
import type { FleetTarget } from "../src/fleet/targets-document.js";
import {
  TAG_CREATED_BY,
  TAG_CREATED_ON,
  TAG_SHARED_WITH,
  TAG_SHARE_AND_COPY,
  TOOL_NAME,
  sharedWithOf,
  type Step,
} from "../src/model/index.js";
import { formatSnapshotName, formatTimestamp } from "../src/naming/index.js";
import { InMemoryRds, simFleetClients } from "../src/testing/index.js";
import type { SimCall, SimSnapshotRecord } from "../src/testing/sim-types.js";

export const CENTRAL = "999999999999";
/** DEST_ACCOUNT: not one of the members, nor the central account. */
export const DEST = "222222222222";
const ROLE = "aurora-snapshot-tool-member";
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Daily runs at 01:00 UTC, as take's original schedule. */
const NOW = new Date("2026-06-01T01:00:00Z");
const INTERVAL_HOURS = 24;
const RETENTION_DAYS = 7;
/** MIN_KEEP's default. */
const MIN_KEEP = 1;
/** Seeded tool snapshots per cluster, days before now (at 00:00 UTC): 5 kept, 2 past retention. */
const KEPT_DAYS = [1, 2, 3, 4, 5];
const EXPIRED_DAYS = [10, 11];
/** DescribeDBClusters / DescribeDBClusterSnapshots MaxRecords (aws-gateway.ts PAGE_SIZE). */
const PAGE = 100;
/** Actions a step runs at once in one target: the executor's default, passed explicitly. */
const ACTIONS_AT_ONCE = 4;

/** RDS's documented throttle per account and region (RDS User Guide, rds-api-throttling). */
const RDS_BURST = 300;
const RDS_RATE_PER_S = 12;

export interface FleetBenchOptions {
  readonly accounts?: number;
  readonly regions?: readonly string[];
  readonly clustersPerRegion?: number;
  readonly maxConcurrency?: number;
  /** Modelled latency of one RDS call, ms. */
  readonly rdsLatencyMs?: number;
  /** Modelled latency of one STS AssumeRole, ms. */
  readonly stsLatencyMs?: number;
}

type OpCounts = Record<string, number>;

interface StepRow {
  readonly step: Step;
  readonly targets: number;
  readonly complete: number;
  readonly bound: OpCounts;
  readonly measured: OpCounts;
  /** Snapshots created, shared or deleted (the step's actions done). */
  readonly actions: number;
  readonly simWallMs: number;
  readonly simSequentialMs: number;
  /** The slowest single target, ms (no schedule can beat it). */
  readonly longestTargetMs: number;
  /** The highest count of RDS calls one account-region gets in any 1-second window. */
  readonly peakPerSecond: number;
  /** The lowest the token bucket of any account-region falls to (negative: throttled). */
  readonly minTokens: number;
  readonly realMs: number;
}

export interface FleetBenchResult {
  readonly accounts: number;
  readonly regions: readonly string[];
  readonly clustersPerRegion: number;
  readonly maxConcurrency: number;
  readonly rdsLatencyMs: number;
  readonly stsLatencyMs: number;
  readonly rows: readonly StepRow[];
  /** Token bucket of the three steps run back to back (take, share, prune with no gap). */
  readonly backToBackMinTokens: number;
  readonly seedMs: number;
  readonly totalRealMs: number;
}

const pages = (n: number): number => Math.max(1, Math.ceil(n / PAGE));
const sum = (counts: OpCounts): number => Object.values(counts).reduce((a, b) => a + b, 0);
const placeKey = (account: string, region: string): string => `${account}/${region}`;

function memberAccount(i: number): string {
  return `3${String(i + 1).padStart(11, "0")}`;
}

function roleArn(account: string): string {
  return `arn:aws:iam::${account}:role/${ROLE}`;
}

function seed(options: Required<FleetBenchOptions>): { sim: InMemoryRds; targets: FleetTarget[] } {
  const sim = new InMemoryRds({ now: NOW, manualSnapshotQuota: 1_000_000 });
  // The central account has a cluster of its own: nothing may happen to it.
  sim.addCluster({ account: CENTRAL, region: options.regions[0]!, id: "central-db" });
  const targets: FleetTarget[] = [];
  for (let a = 0; a < options.accounts; a++) {
    const account = memberAccount(a);
    sim.addRole({ account, name: ROLE, trustedAccounts: [CENTRAL] });
    for (const region of options.regions) {
      targets.push({ account, region, roleArn: roleArn(account) });
      for (let c = 0; c < options.clustersPerRegion; c++) {
        const id = `app-${String(c).padStart(2, "0")}`;
        sim.addCluster({ account, region, id, encrypted: false });
        for (const d of [...KEPT_DAYS, ...EXPIRED_DAYS]) {
          const at = new Date(NOW.getTime() - d * DAY - HOUR);
          sim.addSnapshot({
            account,
            region,
            id: formatSnapshotName(id, at),
            clusterId: id,
            createTime: at,
            sharedWith: [DEST],
            tags: {
              [TAG_CREATED_BY]: TOOL_NAME,
              [TAG_CREATED_ON]: formatTimestamp(at),
              [TAG_SHARE_AND_COPY]: "YES",
              [TAG_SHARED_WITH]: DEST,
            },
          });
        }
      }
    }
  }
  return { sim, targets };
}

/** The manual snapshots of every account-region, read once (the sim's listing scans them all). */
function manualByPlace(sim: InMemoryRds): Map<string, SimSnapshotRecord[]> {
  const by = new Map<string, SimSnapshotRecord[]>();
  for (const s of sim.snapshots({ type: "manual" })) {
    const key = placeKey(s.account, s.region);
    let list = by.get(key);
    if (list === undefined) by.set(key, (list = []));
    list.push(s);
  }
  return by;
}

const isTool = (s: SimSnapshotRecord): boolean => s.tags[TAG_CREATED_BY] === TOOL_NAME;

/**
 * The least calls a step can make at one target, from the state before it runs: the describe
 * pages (a pass over clusters for take, over the manual snapshots for all three) and one call per
 * change RDS needs (take: one CreateDBClusterSnapshot per due cluster; share: the share and its
 * marker tag per snapshot to share; prune: one delete per tool snapshot past retention that is not
 * among the newest MIN_KEEP of its cluster); AssumeRole once, as the central account. Also the
 * actions, for the counts checked afterwards.
 */
function lowerBound(
  step: Step,
  clusters: readonly string[],
  manual: readonly SimSnapshotRecord[],
  now: Date,
): { bound: OpCounts; actions: number } {
  const listing = pages(manual.length);
  if (step === "take") {
    const newest = new Map<string, number>();
    for (const s of manual.filter(isTool)) {
      newest.set(s.clusterId, Math.max(newest.get(s.clusterId) ?? 0, s.createTime.getTime()));
    }
    const due = clusters.filter(
      (c) => now.getTime() - (newest.get(c) ?? -Infinity) >= INTERVAL_HOURS * HOUR,
    ).length;
    return {
      bound: {
        AssumeRole: 1,
        DescribeDBClusters: pages(clusters.length),
        DescribeDBClusterSnapshots: listing,
        CreateDBClusterSnapshot: due,
      },
      actions: due,
    };
  }
  if (step === "share") {
    const toShare = manual.filter(
      (s) =>
        isTool(s) &&
        s.tags[TAG_SHARE_AND_COPY] === "YES" &&
        s.status === "available" &&
        !s.sharedWith.includes(DEST) &&
        !sharedWithOf(s.tags).includes(DEST),
    ).length;
    return {
      bound: {
        AssumeRole: 1,
        DescribeDBClusterSnapshots: listing,
        ModifyDBClusterSnapshotAttribute: toShare,
        AddTagsToResource: toShare,
      },
      actions: toShare,
    };
  }
  if (step === "prune") {
    const byCluster = new Map<string, number[]>();
    for (const s of manual.filter(isTool)) {
      const list = byCluster.get(s.clusterId) ?? [];
      list.push(s.createTime.getTime());
      byCluster.set(s.clusterId, list);
    }
    const cutoff = now.getTime() - RETENTION_DAYS * DAY;
    let expired = 0;
    for (const times of byCluster.values()) {
      expired += times
        .sort((a, b) => b - a)
        .slice(MIN_KEEP)
        .filter((t) => t < cutoff).length;
    }
    return {
      bound: {
        AssumeRole: 1,
        DescribeDBClusterSnapshots: listing,
        DeleteDBClusterSnapshot: expired,
      },
      actions: expired,
    };
  }
  throw new Error(`no bound for ${step}`);
}

const LISTINGS = new Set(["DescribeDBClusters", "DescribeDBClusterSnapshots"]);

/**
 * One target's calls in modelled time, ms from its start, RDS calls only (AssumeRole is STS's):
 * the AssumeRole, then the listings (take pages clusters and snapshots at once, Promise.all in
 * listSourceInventory; a paginator's pages follow one another), then the actions on
 * ACTIONS_AT_ONCE workers taking the next action as each finishes (the executor), an action's
 * calls one after another (share: the share, then its marker). Built from the calls measured for
 * the target, so it times what ran.
 */
function targetTimeline(
  measured: OpCounts,
  actions: number,
  rdsMs: number,
  stsMs: number,
): { durationMs: number; rdsCallTimes: number[] } {
  const times: number[] = [];
  let t = (measured["AssumeRole"] ?? 0) * stsMs;
  const lanes = [...LISTINGS].map((op) => measured[op] ?? 0);
  for (const n of lanes) for (let i = 0; i < n; i++) times.push(t + i * rdsMs);
  t += Math.max(0, ...lanes) * rdsMs;
  const changeCalls = Object.entries(measured)
    .filter(([op]) => op !== "AssumeRole" && !LISTINGS.has(op))
    .reduce((n, [, c]) => n + c, 0);
  const perAction = actions === 0 ? 0 : changeCalls / actions;
  if (!Number.isInteger(perAction)) {
    throw new Error(`${changeCalls} change calls for ${actions} actions: not a whole number each`);
  }
  const free = Array.from({ length: Math.min(ACTIONS_AT_ONCE, actions) }, () => t);
  let end = t;
  for (let a = 0; a < actions; a++) {
    const w = free.indexOf(Math.min(...free));
    for (let c = 0; c < perAction; c++) times.push(free[w]! + c * rdsMs);
    free[w] = free[w]! + perAction * rdsMs;
    end = Math.max(end, free[w]!);
  }
  return { durationMs: end, rdsCallTimes: times };
}

/** Targets in order on `slots` workers, each taking the next target when free (runFleet). */
function schedule(durations: readonly number[], slots: number): { starts: number[]; wall: number } {
  const free = Array.from({ length: Math.min(slots, durations.length) }, () => 0);
  const starts: number[] = [];
  let wall = 0;
  for (const d of durations) {
    const w = free.indexOf(Math.min(...free));
    starts.push(free[w]!);
    free[w] = free[w]! + d;
    wall = Math.max(wall, free[w]!);
  }
  return { starts, wall };
}

/** RDS's token bucket (RDS_BURST, refilled at RDS_RATE_PER_S) over sorted call times: its low. */
function bucketLow(sortedMs: readonly number[]): number {
  let tokens = RDS_BURST;
  let last = 0;
  let low = RDS_BURST;
  for (const t of sortedMs) {
    tokens = Math.min(RDS_BURST, tokens + ((t - last) / 1000) * RDS_RATE_PER_S) - 1;
    last = t;
    low = Math.min(low, tokens);
  }
  return low;
}

function peakPerSecond(sortedMs: readonly number[]): number {
  let peak = 0;
  let lo = 0;
  for (let hi = 0; hi < sortedMs.length; hi++) {
    while (sortedMs[hi]! - sortedMs[lo]! >= 1000) lo++;
    peak = Math.max(peak, hi - lo + 1);
  }
  return peak;
}

function addInto(into: OpCounts, from: OpCounts): void {
  for (const [op, n] of Object.entries(from)) if (n > 0) into[op] = (into[op] ?? 0) + n;
}

function differences(label: string, bound: OpCounts, measured: OpCounts): string[] {
  const ops = new Set([...Object.keys(bound), ...Object.keys(measured)]);
  return [...ops]
    .filter((op) => (bound[op] ?? 0) !== (measured[op] ?? 0))
    .map((op) => `${label} ${op}: measured ${measured[op] ?? 0}, bound ${bound[op] ?? 0}`);
}

/** Calls of each target by operation: its own account and region, and its AssumeRole. */
function callsByTarget(calls: readonly SimCall[], targets: readonly FleetTarget[]): OpCounts[] {
  const index = new Map(targets.map((t, i) => [placeKey(t.account, t.region), i]));
  const byRole = new Map(targets.map((t, i) => [placeKey(t.roleArn!, t.region), i]));
  const out = targets.map((): OpCounts => ({}));
  for (const call of calls) {
    const i =
      call.operation === "AssumeRole" && call.account === CENTRAL
        ? byRole.get(placeKey(String(call.input["RoleArn"]), call.region))
        : index.get(placeKey(call.account, call.region));
    if (i === undefined) {
      throw new Error(
        `a call outside every target: ${call.operation} as ${call.account}/${call.region}`,
      );
    }
    if (call.error !== undefined) {
      throw new Error(`${call.operation} at ${call.account}/${call.region} failed: ${call.error}`);
    }
    out[i]![call.operation] = (out[i]![call.operation] ?? 0) + 1;
  }
  return out;
}

export async function benchFleetFanOut(options: FleetBenchOptions = {}): Promise<FleetBenchResult> {
  const o: Required<FleetBenchOptions> = {
    accounts: options.accounts ?? 100,
    regions: options.regions ?? ["us-east-1", "eu-west-1", "ap-southeast-2"],
    clustersPerRegion: options.clustersPerRegion ?? 50,
    maxConcurrency: options.maxConcurrency ?? 40,
    rdsLatencyMs: options.rdsLatencyMs ?? 100,
    stsLatencyMs: options.stsLatencyMs ?? 100,
  };
  const t0 = performance.now();
  const { sim, targets } = seed(o);
  const seedMs = performance.now() - t0;
  const clusterIds = Array.from(
    { length: o.clustersPerRegion },
    (_, c) => `app-${String(c).padStart(2, "0")}`,
  );
  const layers = {
    env: {
      PATTERN: "ALL_CLUSTERS",
      INTERVAL: String(INTERVAL_HOURS),
      RETENTION_DAYS: String(RETENTION_DAYS),
      MIN_KEEP: String(MIN_KEEP),
      DEST_ACCOUNT: DEST,
    },
  };
  const clients = simFleetClients(sim, CENTRAL);
  const rows: StepRow[] = [];
  const problems: string[] = [];
  // Per account-region, the modelled RDS call times of the steps run back to back.
  const backToBack = new Map<string, number[]>();
  let stepOffset = 0;

  for (const step of ["take", "share", "prune"] as const) {
    if (step === "share") sim.advance({ minutes: 20 }); // today's snapshots are available by then
    const now = sim.now();
    const before = manualByPlace(sim);
    const expected = targets.map((t) =>
      lowerBound(step, clusterIds, before.get(placeKey(t.account, t.region)) ?? [], now),
    );

    sim.resetCalls();
    const r0 = performance.now();
    const report: FleetReport = await runFleet({
      step,
      targets,
      policyFor: fleetPolicyFor(step, layers),
      clients,
      maxConcurrency: o.maxConcurrency,
      clock: () => sim.now().getTime(),
      execute: { concurrency: ACTIONS_AT_ONCE },
    });
    const realMs = performance.now() - r0;

    const perTarget = callsByTarget(sim.calls, targets);
    const after = manualByPlace(sim);
    const bound: OpCounts = {};
    const measured: OpCounts = {};
    const durations: number[] = [];
    const timelines: number[][] = [];
    let actions = 0;
    report.results.forEach((result, i) => {
      const label = `${step} ${result.target.account}/${result.target.region}:`;
      const want = expected[i]!;
      addInto(bound, want.bound);
      addInto(measured, perTarget[i]!);
      problems.push(...differences(label, want.bound, perTarget[i]!));
      if (result.status !== "complete") {
        problems.push(`${label} ${result.status} ${result.error?.code ?? ""}`);
      }
      const done = (result.report as RunReport | undefined)?.done.length ?? 0;
      if (done !== want.actions)
        problems.push(`${label} ${done} actions done, ${want.actions} due`);
      actions += done;
      // What RDS holds afterwards, in this account-region.
      const key = placeKey(result.target.account, result.target.region);
      const was = before.get(key) ?? [];
      const is = after.get(key) ?? [];
      const change =
        step === "take"
          ? is.length - was.length
          : step === "prune"
            ? was.length - is.length
            : is.filter((s) => s.sharedWith.includes(DEST)).length -
              was.filter((s) => s.sharedWith.includes(DEST)).length;
      if (change !== want.actions) {
        problems.push(
          `${label} ${change} snapshots ${step === "take" ? "created" : step === "share" ? "shared" : "deleted"}, ${want.actions} expected`,
        );
      }
      const timeline = targetTimeline(perTarget[i]!, done, o.rdsLatencyMs, o.stsLatencyMs);
      durations.push(timeline.durationMs);
      timelines.push(timeline.rdsCallTimes);
    });
    const central = [...after.values()].flat().filter((s) => s.account === CENTRAL).length;
    if (central !== 0)
      problems.push(`${step}: the central account holds ${central} manual snapshots`);
    const centralRds = sim.calls.filter(
      (c) => c.account === CENTRAL && c.operation !== "AssumeRole",
    );
    if (centralRds.length > 0)
      problems.push(`${step}: ${centralRds.length} RDS calls as the central account`);

    const { starts, wall } = schedule(durations, o.maxConcurrency);
    // Per account-region (a target is one), its calls in fleet time: the bucket of this step alone,
    // and of the three steps back to back.
    let minTokens = RDS_BURST;
    let peak = 0;
    timelines.forEach((times, i) => {
      const abs = times.map((t) => starts[i]! + t).sort((a, b) => a - b);
      minTokens = Math.min(minTokens, bucketLow(abs));
      peak = Math.max(peak, peakPerSecond(abs));
      const key = placeKey(targets[i]!.account, targets[i]!.region);
      const list = backToBack.get(key) ?? [];
      list.push(...abs.map((t) => stepOffset + t));
      backToBack.set(key, list);
    });
    stepOffset += wall;
    rows.push({
      step,
      targets: report.counts.targets,
      complete: report.counts.complete,
      bound,
      measured,
      actions,
      simWallMs: wall,
      simSequentialMs: durations.reduce((a, b) => a + b, 0),
      longestTargetMs: Math.max(...durations),
      peakPerSecond: peak,
      minTokens,
      realMs,
    });
    process.stderr.write(`  fleet ${step}: ${realMs.toFixed(0)} ms\n`);
  }
  let backToBackMinTokens = RDS_BURST;
  for (const times of backToBack.values()) {
    backToBackMinTokens = Math.min(backToBackMinTokens, bucketLow(times.sort((a, b) => a - b)));
  }
  const result: FleetBenchResult = {
    accounts: o.accounts,
    regions: o.regions,
    clustersPerRegion: o.clustersPerRegion,
    maxConcurrency: o.maxConcurrency,
    rdsLatencyMs: o.rdsLatencyMs,
    stsLatencyMs: o.stsLatencyMs,
    rows,
    backToBackMinTokens,
    seedMs,
    totalRealMs: performance.now() - t0,
  };
  if (problems.length > 0) {
    printFleetSection(result);
    throw new Error(
      `fleet bench: ${problems.length} problem(s):\n  ${problems.slice(0, 20).join("\n  ")}${problems.length > 20 ? "\n  ..." : ""}`,
    );
  }
  return result;
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

export function printFleetSection(r: FleetBenchResult): void {
  const targets = r.accounts * r.regions.length;
  const clusters = targets * r.clustersPerRegion;
  console.log(
    `\nFleet fan-out: ${r.accounts} accounts x ${r.regions.length} regions x ${r.clustersPerRegion} clusters ` +
      `(${clusters.toLocaleString("en-US")} clusters, ${targets} targets), runFleet with simFleetClients, ` +
      `${r.maxConcurrency} targets at once (in-memory RDS, real SDK clients):\n`,
  );
  const header = [
    "step",
    "targets",
    "complete",
    "snapshots",
    "calls",
    "bound",
    "over",
    "AssumeRole",
    `sim wall @${r.maxConcurrency}`,
    "sequential",
    "real ms",
    "calls by operation (without AssumeRole)",
  ];
  const lines = r.rows.map((row) => {
    const measured = sum(row.measured);
    const bound = sum(row.bound);
    const assume = row.measured["AssumeRole"] ?? 0;
    return [
      row.step,
      String(row.targets),
      String(row.complete),
      `${row.actions} ${row.step === "take" ? "created" : row.step === "share" ? "shared" : "deleted"}`,
      String(measured - assume),
      String(bound - (row.bound["AssumeRole"] ?? 0)),
      measured === bound ? "0" : `${measured - bound > 0 ? "+" : ""}${measured - bound}`,
      String(assume),
      seconds(row.simWallMs),
      seconds(row.simSequentialMs),
      row.realMs.toFixed(0),
      Object.entries(row.measured)
        .filter(([op]) => op !== "AssumeRole")
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([op, n]) => `${op}=${n}`)
        .join(" "),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cols: string[]): string =>
    cols.map((c, i) => (i === cols.length - 1 ? c : c.padEnd(widths[i]!))).join("  ");
  console.log(fmt(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const l of lines) console.log(fmt(l));
  const over = r.rows.filter((row) => sum(row.measured) !== sum(row.bound));
  console.log(
    over.length === 0
      ? "\nfleet: every step's calls equal the sum of the per-target lower bounds, operation by operation and target by target; every target complete"
      : `\nfleet: calls DIFFER from the bound in ${over.length} steps`,
  );
  console.log(
    `bound per target: describe pages of ${PAGE} (take: clusters and manual snapshots; share, prune: manual snapshots) + ` +
      `take 1 CreateDBClusterSnapshot per due cluster, share 1 ModifyDBClusterSnapshotAttribute + 1 AddTagsToResource ` +
      `per snapshot to share, prune 1 DeleteDBClusterSnapshot per snapshot past retention; 1 STS AssumeRole (as ${CENTRAL}), counted apart`,
  );
  console.log(
    `simulated wall time (assumed: ${r.rdsLatencyMs} ms per RDS call, ${r.stsLatencyMs} ms per AssumeRole, no throttling): ` +
      `a target = AssumeRole, then its listings (take's two at once, pages in turn), then its actions ${ACTIONS_AT_ONCE} at once ` +
      `(an action's calls in turn); targets in order on ${r.maxConcurrency} slots as runFleet's workers take them; ` +
      `"sequential" = one target after another`,
  );
  for (const row of r.rows) {
    console.log(
      `  ${row.step.padEnd(5)} one target ${seconds(row.longestTargetMs)}; ${seconds(row.simWallMs)} at ${r.maxConcurrency} at once vs ${seconds(row.simSequentialMs)} sequential ` +
        `(${(row.simSequentialMs / row.simWallMs).toFixed(1)}x); per account-region at most ${row.peakPerSecond} RDS calls in any second, ` +
        `token bucket low ${row.minTokens.toFixed(0)} of ${RDS_BURST}`,
    );
  }
  const throttled = r.rows.some((row) => row.minTokens < 0) || r.backToBackMinTokens < 0;
  console.log(
    `RDS throttling (documented: ${RDS_BURST} burst, ${RDS_RATE_PER_S}/s sustained per account and region): ` +
      (throttled
        ? "EXCEEDED by some account-region under this model"
        : `no account-region exceeds it under this model: its peak is above ${RDS_RATE_PER_S}/s but lasts one target's run, ` +
          `inside the burst (the three steps back to back leave at least ${r.backToBackMinTokens.toFixed(0)} tokens); ` +
          `each target is its own account-region, so the ${r.maxConcurrency} at once never share a bucket`),
  );
  console.log(
    `real time: seeding ${r.seedMs.toFixed(0)} ms, whole fleet bench ${r.totalRealMs.toFixed(0)} ms`,
  );
}
