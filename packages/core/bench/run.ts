/**
 * `pnpm bench`: API calls and wall time per step against the in-memory RDS, for fleets of 10, 100
 * and 1,000 clusters with 14 days of daily snapshots, next to the lower bound (describe pages +
 * the calls the actions themselves need) and next to a naive variant that lists tags per snapshot
 * the way the original tool does. Then plan time for 1,000 clusters x 100 snapshots.
 *
 * Then the fleet fan-out (bench/fleet.ts): 100 accounts x 3 regions x 50 clusters through runFleet,
 * calls against the sum of the per-target lower bounds, and the simulated wall time 40 at once.
 *
 * Options: --sizes 10,100,1000   --plan-only   --no-plan   --no-fleet   --fleet-only
 */
import { performance } from "node:perf_hooks";
import { AwsGateway, createClientFactory } from "../src/aws/index.js";
import { NaiveTagGateway } from "./naive-gateway.js";
import { benchFleetFanOut, printFleetSection } from "./fleet.js";
import { snapshotFromRds } from "../src/aws/aws-gateway.js";
import type { Gateway } from "../src/execute/gateway.js";
import type { RunReport } from "../src/execute/report.js";
import {
  TAG_COPIED_BY,
  TAG_CREATED_BY,
  TAG_CREATED_ON,
  TAG_SHARED_WITH,
  TAG_SHARE_AND_COPY,
  TOOL_NAME,
  type Snapshot,
} from "../src/model/index.js";
import { formatSnapshotName, formatTimestamp } from "../src/naming/index.js";
import { planCopy, planPrune, planPruneDest, planShare, planTake } from "../src/plan/index.js";
import { destinationPolicyFromObject, sourcePolicyFromObject } from "../src/policy/index.js";
import { runCopy, runPrune, runPruneDest, runShare, runTake } from "../src/steps/index.js";
import { InMemoryRds } from "../src/testing/index.js";

const A = "111111111111";
const B = "222222222222";
const REGION = "us-east-1";
const DR = "us-west-2";
const DAYS = 14;
const DAY = 24 * 3600 * 1000;

const args = process.argv.slice(2);
const sizes = (
  args[args.indexOf("--sizes") + 1] && args.includes("--sizes")
    ? args[args.indexOf("--sizes") + 1]!
    : "10,100,1000"
)
  .split(",")
  .map(Number);

const pages = (n: number): number => Math.max(1, Math.ceil(n / 100));

interface Row {
  clusters: number;
  variant: string;
  step: string;
  run: string;
  calls: number;
  bound: number;
  byOp: string;
  ms: number;
}

function gatewayFor(sim: InMemoryRds, account: string, naive: boolean): Gateway {
  const clients = createClientFactory({
    credentials: { accessKeyId: "bench", secretAccessKey: "bench" },
    plugins: (region) => [sim.plugin(account, region)],
    retryStrategy: sim.retryStrategy(),
  });
  return naive ? new NaiveTagGateway({ clients }) : new AwsGateway({ clients });
}

/**
 * C clusters in account A, each with DAYS+1 daily tool snapshots (the oldest past the 14-day
 * retention), all shared with B and copied to B's DR region, plus one automated snapshot each.
 */
function seed(clusters: number, now: Date): InMemoryRds {
  const sim = new InMemoryRds({
    now,
    manualSnapshotQuota: 1_000_000,
    copiesInFlightLimit: 5,
  });
  for (let c = 0; c < clusters; c++) {
    const id = `db-${String(c).padStart(4, "0")}`;
    sim.addCluster({ account: A, region: REGION, id, engine: "aurora-postgresql" });
    sim.addSnapshot({
      account: A,
      region: REGION,
      id: `rds:${id}-auto`,
      clusterId: id,
      type: "automated",
      createTime: new Date(now.getTime() - DAY),
    });
    for (let d = 1; d <= DAYS + 1; d++) {
      const at = new Date(now.getTime() - d * DAY);
      const name = formatSnapshotName(id, at);
      sim.addSnapshot({
        account: A,
        region: REGION,
        id: name,
        clusterId: id,
        createTime: at,
        sharedWith: [B],
        tags: {
          [TAG_CREATED_BY]: TOOL_NAME,
          [TAG_CREATED_ON]: formatTimestamp(at),
          [TAG_SHARE_AND_COPY]: "YES",
          [TAG_SHARED_WITH]: B,
        },
      });
      sim.addSnapshot({
        account: B,
        region: DR,
        id: name,
        clusterId: id,
        createTime: at,
        tags: { [TAG_COPIED_BY]: TOOL_NAME, [TAG_CREATED_ON]: formatTimestamp(at) },
      });
    }
  }
  return sim;
}

function countManual(sim: InMemoryRds, account: string, region: string): number {
  return sim.snapshots({ account, region }).filter((s) => s.type !== "automated").length;
}

function countSharedWith(sim: InMemoryRds, account: string, region: string): number {
  return sim.snapshots({ region }).filter((s) => s.sharedWith.includes(account)).length;
}

/** Calls an action needs at the least: a share also records itself with one tag call. */
function actionCalls(report: RunReport): number {
  return report.done.reduce((n, o) => n + (o.decision.action === "share" ? 2 : 1), 0);
}

async function benchFleet(clusters: number, naive: boolean, rows: Row[]): Promise<void> {
  const start = new Date("2026-03-15T01:00:00Z");
  const sim = seed(clusters, start);
  const source = {
    gateway: gatewayFor(sim, A, naive),
    region: REGION,
    execute: { retry: { minTimeoutMs: 1, maxTimeoutMs: 5 } },
  };
  const dest = { gateway: gatewayFor(sim, B, naive), region: REGION, execute: source.execute };
  const sourcePolicy = sourcePolicyFromObject({ destinationAccount: B, retentionDays: DAYS });
  const destPolicy = destinationPolicyFromObject({
    destinationRegions: [DR],
    retentionDays: DAYS,
    crossAccount: true,
  });
  const variant = naive ? "naive (tags per snapshot)" : "engine";

  const measure = async (
    step: string,
    runLabel: string,
    bound: number | ((r: RunReport) => number),
    fn: () => Promise<RunReport>,
  ): Promise<void> => {
    sim.resetCalls();
    const t0 = performance.now();
    const report = await fn();
    const ms = performance.now() - t0;
    const counts = sim.callCounts();
    const calls = Object.values(counts).reduce((a, b) => a + b, 0);
    const byOp = Object.entries(counts)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([op, n]) => `${op}=${n}`)
      .join(" ");
    rows.push({
      clusters,
      variant,
      step,
      run: runLabel,
      calls,
      bound: typeof bound === "number" ? bound : bound(report),
      byOp,
      ms,
    });
  };

  // 01:00, a daily run: every cluster is due, the oldest snapshot of each is past retention.
  const sourceManual = countManual(sim, A, REGION);
  await measure(
    "take",
    "daily",
    (r) => pages(clusters) + pages(sourceManual) + actionCalls(r),
    () => runTake({ ...source, policy: sourcePolicy, now: sim.now() }),
  );
  sim.advance({ minutes: 20 });
  const afterTake = countManual(sim, A, REGION);
  await measure(
    "share",
    "daily",
    (r) => pages(afterTake) + actionCalls(r),
    () => runShare({ ...source, policy: sourcePolicy, now: sim.now() }),
  );
  await measure(
    "prune",
    "daily",
    (r) => pages(afterTake) + actionCalls(r),
    () => runPrune({ ...source, policy: sourcePolicy, now: sim.now() }),
  );
  const shared = countSharedWith(sim, B, REGION);
  const local = countManual(sim, B, REGION);
  const remote = countManual(sim, B, DR);
  // copy: one STS identity call, the shared pass, the local and DR passes, then the actions
  await measure(
    "copy",
    "daily",
    (r) => 1 + pages(shared) + pages(local) + pages(remote) + actionCalls(r),
    () => runCopy({ ...dest, policy: destPolicy, now: sim.now() }),
  );
  const remoteNow = countManual(sim, B, DR);
  await measure(
    "prune-dest",
    "daily",
    (r) => pages(remoteNow) + actionCalls(r),
    () => runPruneDest({ ...dest, policy: destPolicy, now: sim.now() }),
  );

  // 12:00 the same day: nothing is due; the cost of the schedules that fire all day long.
  sim.advance({ hours: 11 });
  const m = countManual(sim, A, REGION);
  await measure("take", "no-op", pages(clusters) + pages(m), () =>
    runTake({ ...source, policy: sourcePolicy, now: sim.now() }),
  );
  await measure("share", "no-op", pages(m), () =>
    runShare({ ...source, policy: sourcePolicy, now: sim.now() }),
  );
  await measure("prune", "no-op", pages(m), () =>
    runPrune({ ...source, policy: sourcePolicy, now: sim.now() }),
  );
  const rd = countManual(sim, B, DR);
  await measure("prune-dest", "no-op", pages(rd), () =>
    runPruneDest({ ...dest, policy: destPolicy, now: sim.now() }),
  );
}

function printFleetTable(rows: Row[]): void {
  const header = [
    "clusters",
    "variant",
    "step",
    "run",
    "calls",
    "bound",
    "over",
    "ms",
    "calls by operation",
  ];
  const lines = rows.map((r) => [
    String(r.clusters),
    r.variant,
    r.step,
    r.run,
    String(r.calls),
    String(r.bound),
    r.calls > r.bound ? `+${r.calls - r.bound}` : "0",
    r.ms.toFixed(0),
    r.byOp,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cols: string[]): string =>
    cols.map((c, i) => (i === cols.length - 1 ? c : c.padEnd(widths[i]!))).join("  ");
  console.log(fmt(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const l of lines) console.log(fmt(l));
}

function planBench(): void {
  const clusters = 1000;
  const perCluster = 100;
  const now = new Date("2026-06-01T12:00:00Z");
  // Built the way the gateway builds them (snapshotFromRds over DescribeDBClusterSnapshots
  // records), so the planners see the object shapes they see in production.
  const raw = (
    account: string,
    region: string,
    id: string,
    cluster: string,
    at: Date,
    type: string,
    tags: Record<string, string>,
  ): Snapshot =>
    snapshotFromRds(
      {
        DBClusterSnapshotIdentifier: id,
        DBClusterSnapshotArn: `arn:aws:rds:${region}:${account}:cluster-snapshot:${id.slice(id.lastIndexOf(":") + 1)}`,
        DBClusterIdentifier: cluster,
        Engine: "aurora-postgresql",
        SnapshotType: type,
        Status: "available",
        SnapshotCreateTime: at,
        StorageEncrypted: false,
        TagList: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
      },
      region,
    );
  const snapshots: Snapshot[] = [];
  const shared: Snapshot[] = [];
  const dest: Snapshot[] = [];
  for (let c = 0; c < clusters; c++) {
    const id = `db-${String(c).padStart(4, "0")}`;
    for (let d = 0; d < perCluster; d++) {
      const at = new Date(now.getTime() - (d + 1) * DAY);
      const name = formatSnapshotName(id, at);
      snapshots.push(
        raw(A, REGION, name, id, at, "manual", {
          [TAG_CREATED_BY]: TOOL_NAME,
          [TAG_SHARE_AND_COPY]: "YES",
          [TAG_SHARED_WITH]: B,
        }),
      );
      shared.push(
        raw(A, REGION, `arn:aws:rds:${REGION}:${A}:cluster-snapshot:${name}`, id, at, "shared", {}),
      );
      dest.push(raw(B, DR, name, id, at, "manual", { [TAG_COPIED_BY]: TOOL_NAME }));
    }
  }
  const clustersList = Array.from({ length: clusters }, (_, c) => ({
    id: `db-${String(c).padStart(4, "0")}`,
    arn: `arn:aws:rds:${REGION}:${A}:cluster:db-${c}`,
    engine: "aurora-postgresql",
    status: "available",
    encrypted: false,
    tags: {},
    account: A,
    region: REGION,
  }));
  const sp = sourcePolicyFromObject({ destinationAccount: B, retentionDays: 30 });
  const dp = destinationPolicyFromObject({ destinationRegions: [DR], retentionDays: 30 });

  const time = (label: string, fn: () => unknown[]): void => {
    fn(); // warm up
    const runs = 5;
    let best = Infinity;
    let n = 0;
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      n = fn().length;
      best = Math.min(best, performance.now() - t0);
    }
    console.log(
      `${label.padEnd(46)} ${best.toFixed(0).padStart(6)} ms  (${n} decisions, best of ${runs})`,
    );
  };
  console.log(
    `\nPlan time, ${clusters} clusters x ${perCluster} snapshots (${snapshots.length} snapshots), one core:`,
  );
  time("planTake", () => planTake({ clusters: clustersList, snapshots, policy: sp, now }));
  time("planShare", () => planShare({ snapshots, keys: new Map(), policy: sp, now }));
  time("planPrune", () => planPrune({ snapshots, policy: sp, now }));
  time("planCopy (cross-account, 100k shared + 100k copies)", () =>
    planCopy({ account: B, localRegion: REGION, shared, own: dest, policy: dp, now }),
  );
  time("planPruneDest", () => planPruneDest({ snapshots: dest, policy: dp, now }));
}

async function main(): Promise<void> {
  if (args.includes("--fleet-only")) {
    printFleetSection(await benchFleetFanOut());
    return;
  }
  if (!args.includes("--plan-only")) {
    const rows: Row[] = [];
    for (const size of sizes) {
      for (const naive of [false, true]) {
        const t0 = performance.now();
        await benchFleet(size, naive, rows);
        process.stderr.write(
          `  ${size} clusters, ${naive ? "naive" : "engine"}: ${(performance.now() - t0).toFixed(0)} ms\n`,
        );
      }
    }
    console.log(
      `API calls per step, ${DAYS} days of daily snapshots (in-memory RDS, real SDK clients):\n`,
    );
    printFleetTable(rows);
    const over = rows.filter((r) => r.variant === "engine" && r.calls > r.bound);
    console.log(
      over.length === 0
        ? "\nengine: every step at the lower bound"
        : `\nengine OVER the bound in ${over.length} rows`,
    );
    if (over.length > 0) process.exitCode = 1;
    // Throws (a non-zero exit) when the calls differ from the bound or a target is not complete.
    if (!args.includes("--no-fleet")) printFleetSection(await benchFleetFanOut());
  }
  if (!args.includes("--no-plan")) planBench();
}

await main();
