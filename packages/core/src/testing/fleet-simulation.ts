import { AwsGateway } from "../aws/aws-gateway.js";
import { createClientFactory } from "../aws/client-factory.js";
import type { Gateway } from "../execute/gateway.js";
import { isComplete, type RunReport } from "../execute/report.js";
import type { Step } from "../model/index.js";
import type { DestinationPolicy, SourcePolicy } from "../policy/types.js";
import { STEPS, STEP_CATALOGUE, bindStep } from "../steps/catalogue.js";
import type { StepContext } from "../steps/context.js";
import type { InMemoryRds } from "./in-memory-rds.js";

/**
 * How often each step runs, in minutes. The defaults are the original tool's schedules: take daily
 * at 01:00 UTC (`cron(0 1 * * ? *)`), share every 10 minutes, prune hourly, copy every 30 minutes,
 * prune-dest hourly.
 */
export interface FleetCadence {
  readonly takeAtMinuteOfDay: number;
  readonly shareEveryMinutes: number;
  readonly pruneEveryMinutes: number;
  readonly copyEveryMinutes: number;
  readonly pruneDestEveryMinutes: number;
}

export const ORIGINAL_CADENCE: FleetCadence = {
  takeAtMinuteOfDay: 60,
  shareEveryMinutes: 10,
  pruneEveryMinutes: 60,
  copyEveryMinutes: 30,
  pruneDestEveryMinutes: 60,
};

export interface FleetSide<P> {
  readonly account: string;
  /** Where the functions run (AWS_REGION); a policy's regionOverride takes precedence. */
  readonly region: string;
  readonly policy: P;
}

export interface FleetSimulationOptions {
  readonly sim: InMemoryRds;
  readonly source: FleetSide<SourcePolicy>;
  /** Omit for a source-only fleet. */
  readonly destination?: FleetSide<DestinationPolicy>;
  readonly days: number;
  readonly cadence?: Partial<FleetCadence>;
  /** Steps that never run (an outage, or a feature switched off). */
  readonly disabled?: readonly Step[];
  /** Passed to every step; retries default to 1-5 ms waits so simulated throttling costs no real time. */
  readonly execute?: StepContext["execute"];
  /** Passed to every step as its deadline (with `execute.clock`, a test can cut runs short). */
  readonly deadline?: number;
  /**
   * Re-run a step that ended with work left on the next tick, as the state machines retry
   * SnapshotToolException (default true, with the original attempt counts).
   */
  readonly retryIncomplete?: boolean;
  /** Called after every step run with the run's start time (its `now`), e.g. to print progress. */
  readonly onReport?: (report: RunReport, at: Date) => void;
}

/** What changed in one simulated UTC day, counted from the step reports. */
export interface FleetDay {
  readonly day: string;
  readonly taken: string[];
  readonly shared: string[];
  readonly copied: string[];
  readonly pruned: string[];
  readonly prunedDest: string[];
  readonly intermediateRemoved: string[];
  /** Actions that failed or were left pending (a later run picks them up). */
  failed: number;
  pending: number;
}

const TICK_MINUTES = 10;

/** SnapshotToolException retry attempts of the original state machines (ORIGINAL-CONTRACT.md). */
export const STATE_MACHINE_RETRIES: Readonly<Record<Step, number>> = {
  take: 20,
  share: 3,
  prune: 7,
  copy: 5,
  "prune-dest": 3,
};

/** A gateway for one simulated account, going through real SDK clients and the in-memory transport. */
export function simulatedGateway(sim: InMemoryRds, account: string): Gateway {
  return new AwsGateway({
    clients: createClientFactory({
      credentials: { accessKeyId: "simulated", secretAccessKey: "simulated" },
      plugins: (region) => [sim.plugin(account, region)],
      retryStrategy: sim.retryStrategy(),
    }),
  });
}

/**
 * Runs the real engine steps on their schedules against the in-memory RDS for `days` simulated
 * days, one 10-minute tick at a time, and returns what happened each day. Used by the engine tests,
 * the demo and the benchmark, so all three exercise the same code path as the Lambda functions.
 */
export async function simulateFleet(options: FleetSimulationOptions): Promise<FleetDay[]> {
  const { sim, source, destination } = options;
  const cadence = { ...ORIGINAL_CADENCE, ...options.cadence };
  const disabled = new Set(options.disabled ?? []);
  const sourceGateway = simulatedGateway(sim, source.account);
  const destGateway = destination ? simulatedGateway(sim, destination.account) : undefined;
  const execute: StepContext["execute"] = {
    retry: { minTimeoutMs: 1, maxTimeoutMs: 5 },
    ...options.execute,
  };

  const days: FleetDay[] = [];
  const ticks = Math.round((options.days * 24 * 60) / TICK_MINUTES);
  let today: FleetDay | undefined;
  const retriesLeft = new Map<Step, number>();

  const start = sim.now().getTime();
  for (let t = 0; t < ticks; t++) {
    // The schedules fire on the tick; the clock may be a little past it, as the SDK's retries and
    // back-off of earlier runs cost simulated time.
    const tick = new Date(start + t * TICK_MINUTES * 60_000);
    if (sim.now().getTime() < tick.getTime()) sim.setNow(tick);
    const dayKey = tick.toISOString().slice(0, 10);
    if (today?.day !== dayKey) {
      today = emptyDay(dayKey);
      days.push(today);
    }
    const minuteOfDay = tick.getUTCHours() * 60 + tick.getUTCMinutes();
    const every = (n: number): boolean => minuteOfDay % n === 0;
    const due = new Set<Step>([...retriesLeft.keys()]);
    if (minuteOfDay === cadence.takeAtMinuteOfDay) due.add("take");
    if (every(cadence.shareEveryMinutes)) due.add("share");
    if (every(cadence.pruneEveryMinutes)) due.add("prune");
    if (destination && every(cadence.copyEveryMinutes)) due.add("copy");
    if (destination && every(cadence.pruneDestEveryMinutes)) due.add("prune-dest");

    // Each run starts at the simulated time it is started, past what earlier runs in this tick
    // cost (back-off, follow-up waits): prune and prune-dest compare it with AWS's Date header.
    const context = (gateway: Gateway, region: string, now: Date): StepContext => ({
      gateway,
      region,
      now,
      execute,
      ...(options.deadline !== undefined && { deadline: options.deadline }),
    });
    const targets = {
      source: { policy: source.policy, gateway: sourceGateway, region: source.region },
      destination:
        destination && destGateway
          ? { policy: destination.policy, gateway: destGateway, region: destination.region }
          : undefined,
    };
    for (const step of STEPS) {
      const target = targets[STEP_CATALOGUE[step].side];
      if (!due.has(step) || disabled.has(step) || target === undefined) continue;
      const now = sim.now();
      const report = await bindStep(step, target.policy).run(
        context(target.gateway, target.region, now),
      );
      record(today, report);
      options.onReport?.(report, now);
      const left = retriesLeft.get(step) ?? STATE_MACHINE_RETRIES[step];
      if ((options.retryIncomplete ?? true) && !isComplete(report) && left > 0) {
        retriesLeft.set(step, left - 1);
      } else {
        retriesLeft.delete(step);
      }
    }
  }
  sim.setNow(new Date(Math.max(sim.now().getTime(), start + ticks * TICK_MINUTES * 60_000)));
  return days;
}

function emptyDay(day: string): FleetDay {
  return {
    day,
    taken: [],
    shared: [],
    copied: [],
    pruned: [],
    prunedDest: [],
    intermediateRemoved: [],
    failed: 0,
    pending: 0,
  };
}

function record(day: FleetDay, report: RunReport): void {
  day.failed += report.failed.length;
  day.pending += report.pending.length;
  for (const { decision: d } of report.done) {
    const label = `${d.snapshot}@${d.region}`;
    if (d.action === "take") day.taken.push(label);
    else if (d.action === "share") day.shared.push(label);
    else if (d.action === "copy") day.copied.push(label);
    else if (d.step === "prune") day.pruned.push(label);
    else if (d.step === "prune-dest") day.prunedDest.push(label);
    else day.intermediateRemoved.push(label);
  }
}
