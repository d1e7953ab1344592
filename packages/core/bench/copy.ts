/**
 * `pnpm bench:copy`: how fast one day's snapshots of a cross-account fleet get into the DR regions,
 * by copy design, in the in-memory RDS with simulated time, next to the least time RDS's 5 copy
 * slots allow.
 *
 * The fleet: N clusters in account A (us-east-1), each snapshotted once by the take step at 01:00
 * (available at 01:07, when RDS emits RDS-EVENT-0075: off the 10-minute share schedule); B copies
 * them into 1 or 2 DR regions. Copy durations are drawn per snapshot, stage and region, uniform on
 * 10-60 minutes to the second (CopyDurations in copy-fleet.ts), and RDS queues each new copy
 * `pending` for 1 minute (copyStartMinutes) before it runs. The engine, the SDK clients and the
 * gateway are the production ones; only the transport and the clock are simulated.
 *
 * Designs:
 *   schedule-30min    the original: copy every 30 minutes, two steps, each run following its
 *                     copies until its deadline (300 s Lambda timeout - 20 s); share every 10 min
 *   loop-single-step  the copy state machine's loop (COPY_POLL_SECONDS 30), COPY_MODE single-step,
 *                     share on RDS-EVENT-0075, copy started by the "Snapshots Shared" event
 *   loop-two-step     the same loop and events, COPY_MODE two-step
 *
 * For each design and region count: the fleet under backlog and a light-load row (3 snapshots, the
 * slots free). Each row prints one JSON line
 *   {"bench":"copy","design":...,"snapshots":N,"regions":R,"drainMinutes":..,"boundMinutes":..,
 *    "ratio":..,"slotUtilization":..,"p50SafeMinutes":..,"p99SafeMinutes":..,"p99StartMinutes":..}
 * (definitions in copy-fleet.ts: copyMetrics and copyBound) and the targets beside the table:
 * ratio <= 1.1 and slotUtilization >= 0.95 for the loop under backlog, p99StartMinutes <= 1 under
 * light load. The table adds the local region's slot use (two-step), the time to the first copy of
 * any kind, and the runs. A benchmark, not a test: nothing is asserted.
 *
 * `--days 30` runs the 30-day invariants at fleet size instead (COPY_MODE auto, one DR region,
 * copies of 5-20 minutes, daily snapshots), printing each invariant as PASS or FAIL.
 *
 * Options: --clusters 300  --regions 1,2  --seed 1  --designs schedule-30min,loop-single-step,loop-two-step
 *          --light 3 (0: no light-load rows)  --jobs 2 (rows simulated at once, one process each;
 *          default: the number of cores, at most 2)  --days 30  --no-single-step (with --days: RDS
 *          refuses the one-call copy, so auto falls back to two steps)
 *
 * Where the time goes: a loop round at 300 clusters costs about 20 ms of CPU (planCopy and the
 * name and ARN parsing under it, about a third; the SDK clients' middleware and SigV4 signing,
 * about a quarter; the in-memory RDS building each listed page and the gateway reading it, and
 * GC, most of the rest), and a 36-hour drain polled every 30 s is over 4,000 rounds: about 1.5
 * minutes per row, 7 minutes of CPU for the default run. Rows run in separate processes, `--jobs`
 * at a time. `--days 30` at 300 clusters is about 1,700 rounds a simulated day over a week of
 * retained snapshots: the better part of an hour.
 */
import { spawn } from "node:child_process";
import { availableParallelism } from "node:os";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import {
  CopyDurations,
  DESIGNS,
  DR_REGIONS,
  copyBound,
  copyInvariants,
  copyMetrics,
  runCopyFleet,
  type CopyMetrics,
  type CopyWatch,
  type DesignName,
} from "./copy-fleet.js";

const args = process.argv.slice(2);
const arg = (name: string, fallback: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? (args[i + 1] as string) : fallback;
};
const clusters = Number(arg("clusters", "300"));
const regionCounts = arg("regions", "1,2").split(",").map(Number);
const seed = Number(arg("seed", "1"));
const light = Number(arg("light", "3"));
const designs = arg("designs", "schedule-30min,loop-single-step,loop-two-step").split(
  ",",
) as DesignName[];
const longDays = args.includes("--days") ? Number(arg("days", "30")) : undefined;
const jobs = Math.max(1, Number(arg("jobs", String(Math.min(2, availableParallelism())))));
/** Internal: `--row design,snapshots,regions,load` simulates one row and prints it as JSON. */
const oneRow = args.includes("--row") ? arg("row", "") : undefined;
const ROW_MARK = "@@row ";

for (const d of designs) {
  if (!(d in DESIGNS))
    throw new Error(`unknown design ${d}; one of ${Object.keys(DESIGNS).join(", ")}`);
}
for (const r of regionCounts) {
  if (!(r >= 1 && r <= DR_REGIONS.length))
    throw new Error(`--regions takes 1 to ${DR_REGIONS.length}`);
}

const COPY_START_MINUTES = 1;
/** Long enough for the old design to drain 300 snapshots; the run stops once everything is copied. */
const HORIZON_DAYS = 7;

interface Row {
  readonly design: DesignName;
  readonly load: "backlog" | "light";
  readonly metrics: CopyMetrics;
  readonly bound: { minutes: number; term: string };
  /** The bound without RDS's pending minute: the pure max(sum(d)/5, max d) (or its two-step form). */
  readonly boundNoQueue: number;
  readonly copyRuns: number;
  readonly loops: number;
  readonly eventRuns: number;
  readonly failed: number;
  readonly wallMs: number;
  readonly observations: number;
}

async function benchRow(
  design: DesignName,
  n: number,
  regions: number,
  load: Row["load"],
): Promise<Row> {
  const durations = new CopyDurations(seed, 10, 60);
  const drRegions = DR_REGIONS.slice(0, regions);
  const run = await runCopyFleet({
    clusters: n,
    regions: drRegions,
    design: DESIGNS[design],
    durations,
    days: HORIZON_DAYS,
    copyStartMinutes: COPY_START_MINUTES,
    once: true,
    until: (watch) =>
      watch.source.size === n &&
      watch.inFlight === 0 &&
      watch.intermediatesLeft === 0 &&
      watch.doneInEveryRegion() === n,
  });
  const metrics = copyMetrics(run.watch);
  const mode = DESIGNS[design].copyMode === "single-step" ? "single-step" : "two-step";
  const ids = [...run.watch.source.keys()];
  return {
    design,
    load,
    metrics,
    bound: copyBound(mode, ids, durations, COPY_START_MINUTES, drRegions),
    boundNoQueue: copyBound(mode, ids, durations, 0, drRegions).minutes,
    copyRuns: run.days.reduce((a, d) => a + d.copyRuns, 0),
    loops: run.days.reduce((a, d) => a + d.copyLoops, 0),
    eventRuns: run.days.reduce((a, d) => a + d.eventRuns, 0),
    failed: run.days.reduce((a, d) => a + d.failed, 0),
    wallMs: run.wallMs,
    observations: run.watch.observations,
  };
}

const ratioOf = (r: Row): number =>
  Math.round((r.metrics.drainMinutes / r.bound.minutes) * 1000) / 1000;

function targets(r: Row): string {
  const mark = (ok: boolean): string => (ok ? "PASS" : "FAIL");
  if (r.load === "light") return `p99Start<=1 ${mark(r.metrics.p99StartMinutes <= 1)}`;
  return (
    `ratio<=1.1 ${mark(ratioOf(r) <= 1.1)}, ` +
    `util>=0.95 ${mark(r.metrics.slotUtilization >= 0.95)}`
  );
}

function printTable(rows: readonly Row[]): void {
  const header = [
    "design",
    "load",
    "snaps",
    "regions",
    "drain min",
    "bound min (term)",
    "ratio",
    "slot util",
    "local util",
    "p50 safe",
    "p99 safe",
    "p99 start",
    "p99 1st copy",
    "copy runs",
    "loops",
    "event runs",
    "failed",
    "wall s",
    "targets",
  ];
  const lines = rows.map((r) => [
    r.design,
    r.load,
    String(r.metrics.snapshots),
    String(r.metrics.regions),
    r.metrics.drainMinutes.toFixed(1),
    `${r.bound.minutes.toFixed(1)} (${r.bound.term})`,
    ratioOf(r).toFixed(3),
    r.metrics.slotUtilization.toFixed(3),
    r.metrics.localSlotUtilization === null ? "-" : r.metrics.localSlotUtilization.toFixed(3),
    r.metrics.p50SafeMinutes.toFixed(1),
    r.metrics.p99SafeMinutes.toFixed(1),
    r.metrics.p99StartMinutes.toFixed(2),
    r.metrics.p99FirstCopyMinutes.toFixed(2),
    String(r.copyRuns),
    String(r.loops),
    String(r.eventRuns),
    String(r.failed),
    (r.wallMs / 1000).toFixed(1),
    r.design === "schedule-30min" ? `(baseline) ${targets(r)}` : targets(r),
  ]);
  const widths = header.map((h, i) =>
    Math.max(h.length, ...lines.map((l) => (l[i] as string).length)),
  );
  const fmt = (cols: string[]): string =>
    cols.map((c, i) => (i === cols.length - 1 ? c : c.padEnd(widths[i] as number))).join("  ");
  console.log(fmt(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const l of lines) console.log(fmt(l));
}

function jsonLine(r: Row): string {
  const m = r.metrics;
  return JSON.stringify({
    bench: "copy",
    design: r.design,
    snapshots: m.snapshots,
    regions: m.regions,
    drainMinutes: m.drainMinutes,
    boundMinutes: r.bound.minutes,
    ratio: ratioOf(r),
    slotUtilization: m.slotUtilization,
    p50SafeMinutes: m.p50SafeMinutes,
    p99SafeMinutes: m.p99SafeMinutes,
    p99StartMinutes: m.p99StartMinutes,
  });
}

async function benchDesigns(): Promise<void> {
  const t0 = performance.now();
  const specs: RowSpec[] = [];
  for (const regions of regionCounts) {
    for (const design of designs) {
      specs.push({ design, n: clusters, regions, load: "backlog" });
      if (light > 0) specs.push({ design, n: light, regions, load: "light" });
    }
  }
  const rows = await runRows(specs);
  console.log(
    `Copy designs, ${clusters} clusters (one snapshot each, taken at 01:00, available 01:07), ` +
      `copies of 10-60 min (seed ${seed}) + RDS's ${COPY_START_MINUTES} min pending, ` +
      `${5} copy slots per region (in-memory RDS, real SDK clients, simulated time):\n`,
  );
  printTable(rows);
  console.log(
    "\nsafe: available at the source -> available in every DR region; start: -> first copy into a DR" +
      " region accepted by RDS; 1st copy: -> first copy of any kind (two-step: the intermediate)." +
      "\nbound: least drain RDS's slots allow, in slot time (1 min pending + duration per copy;" +
      " copy-fleet.ts copyBound); without the pending minute: " +
      rows
        .map((r) => `${r.design}/${r.metrics.regions}/${r.metrics.snapshots}=${r.boundNoQueue}`)
        .join(" ") +
      `\ntargets (loop designs): ratio <= 1.1 and slot utilization >= 0.95 under backlog; p99 start <= 1 min under light load.` +
      ` Total wall time ${((performance.now() - t0) / 1000).toFixed(0)} s.\n`,
  );
  for (const r of rows) console.log(jsonLine(r));
}

async function benchLong(days: number): Promise<void> {
  const retention = 7;
  const durations = new CopyDurations(seed, 5, 20);
  const singleStep = !args.includes("--no-single-step");
  const t0 = performance.now();
  let lastDay = "";
  let watch: CopyWatch | undefined;
  let failed = 0;
  const run = await runCopyFleet({
    clusters,
    regions: DR_REGIONS.slice(0, 1),
    design: DESIGNS["loop-auto"],
    durations,
    days,
    allowSingleStep: singleStep,
    sourceRetentionDays: retention,
    destinationRetentionDays: retention,
    onStart: (_sim, w) => (watch = w),
    onReport: (report, at) => {
      failed += report.failed.length;
      const day = at.toISOString().slice(0, 10);
      if (day === lastDay || watch === undefined) return;
      lastDay = day;
      // So far, so that a run cut short still says what it saw.
      const wallS = ((performance.now() - t0) / 1000).toFixed(0);
      const max = Math.max(0, ...watch.maxInFlight.values());
      const refused = watch.refusals.get("SnapshotQuotaExceededFault") ?? 0;
      process.stderr.write(
        `  ${day} 00:00 (simulated) after ${wallS} s: ${watch.source.size} taken, ` +
          `${watch.doneInEveryRegion()} in DR, max in flight ${max}, refused ${refused}, ` +
          `duplicates ${watch.duplicates().length}, failed ${failed}, ` +
          `intermediates open ${watch.intermediatesLeft}\n`,
      );
    },
    onDay: (d) => {
      if (d.failed > 0) process.stderr.write(`  ${d.day}: ${d.failed} failed\n`);
    },
  });
  const wall = (performance.now() - t0) / 1000;
  const invariants = copyInvariants(run, retention);
  const m = copyMetrics(run.watch);
  console.log(
    `${days} days, ${clusters} clusters, daily snapshots, COPY_MODE auto (RDS ${singleStep ? "takes" : "refuses"}` +
      ` the one-call copy), 1 DR region, copies of 5-20 min (seed ${seed}), loop + events; ` +
      `${wall.toFixed(0)} s wall, ${run.days.reduce((a, d) => a + d.copyRuns, 0)} copy runs, ` +
      `${run.watch.observations} observations\n`,
  );
  for (const inv of invariants)
    console.log(`${inv.pass ? "PASS" : "FAIL"}  ${inv.name}\n      ${inv.detail}`);
  console.log(
    `\np50 safe ${m.p50SafeMinutes} min, p99 safe ${m.p99SafeMinutes} min, p99 start ${m.p99StartMinutes} min over ${m.snapshots} snapshots`,
  );
  if (invariants.some((i) => !i.pass)) process.exitCode = 1;
}

interface RowSpec {
  readonly design: DesignName;
  readonly n: number;
  readonly regions: number;
  readonly load: Row["load"];
}

function progress(spec: RowSpec, row: Row): void {
  process.stderr.write(
    `  ${spec.design} ${spec.n} snapshots x ${spec.regions} region(s): ${(row.wallMs / 1000).toFixed(1)} s, ` +
      `${row.copyRuns} copy runs, ${row.observations} observations` +
      (row.metrics.missing > 0 ? `, ${row.metrics.missing} NOT COPIED` : "") +
      (row.metrics.inexact > 0 ? `, ${row.metrics.inexact} copy ends not seen exactly` : "") +
      "\n",
  );
}

/** Simulates the rows, `jobs` at a time in child processes (in this one with --jobs 1). */
async function runRows(specs: readonly RowSpec[]): Promise<Row[]> {
  const rows: (Row | undefined)[] = specs.map(() => undefined);
  if (jobs <= 1) {
    for (const [i, spec] of specs.entries()) {
      const row = await benchRow(spec.design, spec.n, spec.regions, spec.load);
      progress(spec, row);
      rows[i] = row;
    }
    return rows as Row[];
  }
  // The big rows first, so the small ones fill in at the end.
  const order = [...specs.keys()].sort((a, b) => (specs[b] as RowSpec).n - (specs[a] as RowSpec).n);
  const script = fileURLToPath(import.meta.url);
  const passOn = ["--seed", String(seed)];
  const runOne = (i: number): Promise<void> =>
    new Promise((resolve, reject) => {
      const spec = specs[i] as RowSpec;
      const child = spawn(
        process.execPath,
        [
          ...process.execArgv,
          script,
          ...passOn,
          "--row",
          `${spec.design},${spec.n},${spec.regions},${spec.load}`,
        ],
        { stdio: ["ignore", "pipe", "inherit"] },
      );
      let out = "";
      child.stdout.setEncoding("utf8");
      child.stdout.on("data", (chunk: string) => (out += chunk));
      child.on("error", reject);
      child.on("close", (code) => {
        const line = out.split("\n").find((l) => l.startsWith(ROW_MARK));
        if (code !== 0 || line === undefined) {
          reject(new Error(`row ${spec.design}/${spec.n}/${spec.regions} exited ${code}: ${out}`));
          return;
        }
        const row = JSON.parse(line.slice(ROW_MARK.length)) as Row;
        progress(spec, row);
        rows[i] = row;
        resolve();
      });
    });
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < order.length) await runOne(order[next++] as number);
  };
  await Promise.all(Array.from({ length: Math.min(jobs, order.length) }, worker));
  return rows as Row[];
}

if (oneRow !== undefined) {
  const [design, n, regions, load] = oneRow.split(",");
  const row = await benchRow(design as DesignName, Number(n), Number(regions), load as Row["load"]);
  process.stdout.write(`${ROW_MARK}${JSON.stringify(row)}\n`);
} else if (longDays !== undefined) await benchLong(longDays);
else await benchDesigns();
