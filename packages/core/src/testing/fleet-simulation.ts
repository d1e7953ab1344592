import { AwsGateway } from "../aws/aws-gateway.js";
import { createClientFactory } from "../aws/client-factory.js";
import type { Gateway } from "../execute/gateway.js";
import { isComplete, type RunReport } from "../execute/report.js";
import type { Step } from "../model/index.js";
import type { DestinationPolicy, SourcePolicy } from "../policy/types.js";
import { STEPS, STEP_CATALOGUE, bindStep, type StepRunContext } from "../steps/catalogue.js";
import { LAMBDA_SAFETY_MARGIN_MS, type StepContext } from "../steps/context.js";
import { copyLoopFails, copyLoopState, type CopyLoopState } from "../steps/copy-loop.js";
import { SNAPSHOTS_SHARED } from "../steps/source-steps.js";
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
  /** How long to simulate (the schedules tick every 10 minutes of it); see also `stopWhen`. */
  readonly days: number;
  readonly cadence?: Partial<FleetCadence>;
  /** Steps that never run (an outage, or a feature switched off). */
  readonly disabled?: readonly Step[];
  /** Passed to every step; retries default to 1-5 ms waits so simulated throttling costs no real time. */
  readonly execute?: StepContext["execute"];
  /**
   * Passed to every step as its deadline (with `execute.clock`, a test can cut runs short). For a
   * deadline per run, as Lambda gives one, use `lambdaTimeoutSeconds`.
   */
  readonly deadline?: number;
  /**
   * Each run is a Lambda invocation with this timeout: its deadline is its start plus the timeout
   * minus LAMBDA_SAFETY_MARGIN_MS on the simulated clock (which becomes `execute.clock` unless one
   * is given), and a copy run outside the copy loop follows its copies every COPY_POLL_SECONDS
   * until that deadline, as the function started by the original 30-minute schedule does. Default:
   * no deadline, so a copy run makes one round.
   */
  readonly lambdaTimeoutSeconds?: number;
  /**
   * Run copy as the destination's copy state machine does (default false: the copy function on
   * its schedule). The schedule (or an event) starts a loop when none runs, and does nothing while
   * one runs; each round is one copy run (no follow-up inside it), and while copyLoopState says
   * continue the next round runs COPY_POLL_SECONDS of simulated time later, with the regions
   * earlier rounds found refusing a single-step copy (CopyLoopState.singleStepRefused). A round that
   * copyLoopFails is retried COPY_LOOP_RETRY_SECONDS later, STATE_MACHINE_RETRIES.copy times, then
   * the loop ends (the execution failed) and the next schedule starts a new one.
   */
  readonly copyLoop?: boolean;
  /**
   * Event-driven starts, on top of the schedules (default false). When a manual snapshot becomes
   * available at the source (RDS-EVENT-0075 in the in-memory RDS's `rdsEvents`), share runs at
   * that moment; when share puts "Snapshots Shared" on the source policy's destinationEventBus
   * (the in-memory RDS's `events`), copy starts at once: the copy loop when `copyLoop` (unless one
   * runs), else one copy run. Events seen at the same moment start one run, as a second execution
   * of the same step at the same instant would find nothing left to do.
   */
  readonly events?: boolean;
  /**
   * Re-run a step that ended with work left on the next tick, as the state machines retry
   * SnapshotToolException (default true, with the original attempt counts). Copy in the copy loop
   * is retried by the loop instead (see `copyLoop`).
   */
  readonly retryIncomplete?: boolean;
  /** Called after every step run with the run's start time (its `now`), e.g. to print progress. */
  readonly onReport?: (report: RunReport, at: Date) => void;
  /** Called after every round of the copy loop with its verdict and the round's start time. */
  readonly onCopyLoop?: (state: CopyLoopState, at: Date) => void;
  /**
   * Called after every simulated event (a schedule tick, a loop round, a run started by an event,
   * a wake-up) with the simulated time, to look at the in-memory RDS between runs. Return a later
   * time to be called again by then (a wake-up), or undefined.
   */
  readonly observe?: (now: Date) => Date | undefined;
  /**
   * Checked after every simulated event: true ends the simulation there, before `days` are over
   * (the clock is left where it is).
   */
  readonly stopWhen?: (now: Date) => boolean;
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
  /** Copy runs (each round of a copy loop is one). */
  copyRuns: number;
  /** Copy loops started (`copyLoop`). */
  copyLoops: number;
  /** Runs started by an event (`events`): shares on RDS-EVENT-0075, copies on "Snapshots Shared". */
  eventRuns: number;
}

const TICK_MINUTES = 10;
const MINUTE_MS = 60_000;

/** SnapshotToolException retry attempts of the original state machines (ORIGINAL-CONTRACT.md). */
export const STATE_MACHINE_RETRIES: Readonly<Record<Step, number>> = {
  take: 20,
  share: 3,
  prune: 7,
  copy: 5,
  "prune-dest": 3,
};

/** The copy state machine's retry interval for SnapshotToolException (templates/dest.yaml). */
export const COPY_LOOP_RETRY_SECONDS = 300;

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
 * Runs the real engine steps against the in-memory RDS for `days` simulated days and returns what
 * happened each day. Used by the engine tests, the demo and the benchmarks, so all of them exercise
 * the same code path as the Lambda functions.
 *
 * A discrete-event simulation: a queue of (time, what) items, taken in time order (ties in the
 * order they were queued): the schedule ticks every 10 minutes (each tick runs the steps due then,
 * in catalogue order, as before), rounds of the copy loop, runs started by events, and wake-ups
 * (when a snapshot being taken becomes available, or when `observe` asks). The clock only moves
 * forward: a run costs simulated time (the SDK's back-off, a copy run's follow-up), and an item
 * whose time has passed meanwhile runs at once, at the current time.
 */
export async function simulateFleet(options: FleetSimulationOptions): Promise<FleetDay[]> {
  return new FleetRun(options).run();
}

type Item =
  | { readonly kind: "tick"; readonly tick: number }
  /** Share started by RDS-EVENT-0075. */
  | { readonly kind: "share-event" }
  /** Copy started by a "Snapshots Shared" event. */
  | { readonly kind: "copy-event" }
  | { readonly kind: "loop-round" }
  /** Nothing runs; the events are looked at and `observe` is called. */
  | { readonly kind: "wake" };

interface Queued {
  readonly at: number;
  readonly seq: number;
  readonly item: Item;
}

/** A binary min-heap of items by (time, order queued). */
class EventQueue {
  private readonly heap: Queued[] = [];
  private seq = 0;

  get size(): number {
    return this.heap.length;
  }

  push(at: number, item: Item): void {
    const h = this.heap;
    h.push({ at, seq: (this.seq += 1), item });
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(h[i] as Queued, h[parent] as Queued)) break;
      [h[i], h[parent]] = [h[parent] as Queued, h[i] as Queued];
      i = parent;
    }
  }

  pop(): Queued | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (top === undefined || last === undefined || h.length === 0) return top;
    h[0] = last;
    for (let i = 0; ;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && before(h[l] as Queued, h[m] as Queued)) m = l;
      if (r < h.length && before(h[r] as Queued, h[m] as Queued)) m = r;
      if (m === i) break;
      [h[i], h[m]] = [h[m] as Queued, h[i] as Queued];
      i = m;
    }
    return top;
  }
}

function before(a: Queued, b: Queued): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

interface Target {
  readonly policy: SourcePolicy | DestinationPolicy;
  readonly gateway: Gateway;
  readonly region: string;
}

/** A running copy loop (one execution of the copy state machine). */
interface CopyLoop {
  readonly startedAt: Date;
  /** Rounds that finished without failing (the round number the machine passes on). */
  rounds: number;
  /** SnapshotToolException retries of the current round. */
  retries: number;
  /** Regions that refused a single-step copy in earlier rounds, passed on as the machine does. */
  singleStepRefused: readonly string[];
}

class FleetRun {
  private readonly sim: InMemoryRds;
  private readonly cadence: FleetCadence;
  private readonly disabled: ReadonlySet<Step>;
  private readonly execute: StepContext["execute"];
  private readonly targets: Readonly<Record<"source" | "destination", Target | undefined>>;
  private readonly queue = new EventQueue();
  private readonly days: FleetDay[] = [];
  private today: FleetDay | undefined;
  private readonly retriesLeft = new Map<Step, number>();
  private loop: CopyLoop | undefined;
  /** The region the source's snapshots are taken in. */
  private readonly sourceRegion: string;
  /** Ready times of snapshots being taken at the source, to look for RDS-EVENT-0075 then. */
  private readonly creating: number[] = [];
  private rdsSeen = { at: Number.NEGATIVE_INFINITY, seq: 0 };
  private busSeen = { at: Number.NEGATIVE_INFINITY, seq: 0 };
  private shareQueued = false;
  private copyQueued = false;
  private wakeAt: number | undefined;

  constructor(private readonly options: FleetSimulationOptions) {
    const { sim, source, destination } = options;
    this.sim = sim;
    this.cadence = { ...ORIGINAL_CADENCE, ...options.cadence };
    this.disabled = new Set(options.disabled ?? []);
    this.execute = {
      retry: { minTimeoutMs: 1, maxTimeoutMs: 5 },
      ...(options.lambdaTimeoutSeconds !== undefined && { clock: () => sim.now().getTime() }),
      ...options.execute,
    };
    this.targets = {
      source: {
        policy: source.policy,
        gateway: simulatedGateway(sim, source.account),
        region: source.region,
      },
      destination: destination && {
        policy: destination.policy,
        gateway: simulatedGateway(sim, destination.account),
        region: destination.region,
      },
    };
    this.sourceRegion = source.policy.regionOverride ?? source.region;
  }

  async run(): Promise<FleetDay[]> {
    const { sim, options } = this;
    const start = sim.now().getTime();
    const ticks = Math.round((options.days * 24 * 60) / TICK_MINUTES);
    const end = start + ticks * TICK_MINUTES * MINUTE_MS;
    if (ticks > 0) this.queue.push(start, { kind: "tick", tick: 0 });
    if (options.events) {
      for (const s of sim.snapshots({ account: options.source.account, region: this.sourceRegion }))
        if (s.status === "creating" && s.readyAt) this.watchCreating(s.readyAt.getTime());
    }
    let stopped = false;
    for (let q = this.queue.pop(); q !== undefined; q = this.queue.pop()) {
      if (q.at >= end) break;
      // An item fires at its time; the clock may be a little past it, as the SDK's retries and
      // back-off of earlier runs, or a copy run's follow-up, cost simulated time.
      if (sim.now().getTime() < q.at) sim.setNow(new Date(q.at));
      this.enterDay(q.at);
      await this.handle(q, start);
      this.lookAtEvents();
      this.callObserver();
      if (options.stopWhen?.(sim.now())) {
        stopped = true;
        break;
      }
    }
    if (!stopped) sim.setNow(new Date(Math.max(sim.now().getTime(), end)));
    return this.days;
  }

  private async handle(q: Queued, start: number): Promise<void> {
    const item = q.item;
    const ticks = Math.round((this.options.days * 24 * 60) / TICK_MINUTES);
    switch (item.kind) {
      case "tick": {
        if (item.tick + 1 < ticks) {
          this.queue.push(start + (item.tick + 1) * TICK_MINUTES * MINUTE_MS, {
            kind: "tick",
            tick: item.tick + 1,
          });
        }
        await this.runTick(new Date(q.at));
        return;
      }
      case "share-event":
        this.shareQueued = false;
        if (!this.runnable("share")) return;
        this.day.eventRuns += 1;
        this.noteOutcome("share", await this.runStep("share"));
        return;
      case "copy-event":
        this.copyQueued = false;
        if (!this.runnable("copy")) return;
        this.day.eventRuns += 1;
        if (this.options.copyLoop) await this.startLoop();
        else this.noteOutcome("copy", await this.runStep("copy"));
        return;
      case "loop-round":
        await this.loopRound();
        return;
      case "wake":
        if (this.wakeAt === q.at) this.wakeAt = undefined;
        return;
    }
  }

  private async runTick(tick: Date): Promise<void> {
    const { cadence } = this;
    const minuteOfDay = tick.getUTCHours() * 60 + tick.getUTCMinutes();
    const every = (n: number): boolean => minuteOfDay % n === 0;
    const hasDestination = this.targets.destination !== undefined;
    const due = new Set<Step>([...this.retriesLeft.keys()]);
    if (minuteOfDay === cadence.takeAtMinuteOfDay) due.add("take");
    if (every(cadence.shareEveryMinutes)) due.add("share");
    if (every(cadence.pruneEveryMinutes)) due.add("prune");
    if (hasDestination && every(cadence.copyEveryMinutes)) due.add("copy");
    if (hasDestination && every(cadence.pruneDestEveryMinutes)) due.add("prune-dest");
    for (const step of STEPS) {
      if (!due.has(step) || !this.runnable(step)) continue;
      if (step === "copy" && this.options.copyLoop) {
        await this.startLoop();
        continue;
      }
      this.noteOutcome(step, await this.runStep(step));
    }
  }

  private runnable(step: Step): boolean {
    return !this.disabled.has(step) && this.targets[STEP_CATALOGUE[step].side] !== undefined;
  }

  /**
   * Runs one step now. Each run starts at the simulated time it is started, past what earlier runs
   * cost (back-off, follow-up waits): prune and prune-dest compare it with AWS's Date header.
   */
  private async runStep(step: Step, inLoop?: CopyLoop): Promise<RunReport> {
    const { sim, options } = this;
    const target = this.targets[STEP_CATALOGUE[step].side] as Target;
    const now = sim.now();
    const deadline =
      options.lambdaTimeoutSeconds !== undefined
        ? now.getTime() + Math.max(0, options.lambdaTimeoutSeconds * 1000 - LAMBDA_SAFETY_MARGIN_MS)
        : options.deadline;
    const context: StepRunContext = {
      gateway: target.gateway,
      region: target.region,
      now,
      execute: this.execute,
      ...(deadline !== undefined && { deadline }),
      // The function run by a schedule follows its copies until its deadline; a loop round
      // leaves that to the loop, and starts with the regions earlier rounds found refusing a
      // single-step copy.
      ...(step === "copy" &&
        inLoop === undefined &&
        options.lambdaTimeoutSeconds !== undefined && {
          followUp: { sleep: async (ms: number) => void sim.advance(ms) },
        }),
      ...(inLoop !== undefined &&
        inLoop.singleStepRefused.length > 0 && { singleStepRefused: inLoop.singleStepRefused }),
    };
    const report = await bindStep(step, target.policy).run(context);
    record(this.day, report);
    if (step === "copy") this.day.copyRuns += 1;
    options.onReport?.(report, now);
    if (options.events && step === "take") this.watchTaken(report);
    if (options.events && step === "share") this.lookAtBus();
    return report;
  }

  /** The state machines' retry of a run that left work, approximated by the next tick. */
  private noteOutcome(step: Step, report: RunReport): void {
    const left = this.retriesLeft.get(step) ?? STATE_MACHINE_RETRIES[step];
    if ((this.options.retryIncomplete ?? true) && !isComplete(report) && left > 0) {
      this.retriesLeft.set(step, left - 1);
    } else {
      this.retriesLeft.delete(step);
    }
  }

  /** Starts the copy loop and runs its first round, unless a loop is running. */
  private async startLoop(): Promise<void> {
    if (this.loop !== undefined) return;
    this.loop = { startedAt: this.sim.now(), rounds: 0, retries: 0, singleStepRefused: [] };
    this.day.copyLoops += 1;
    await this.loopRound();
  }

  private async loopRound(): Promise<void> {
    const loop = this.loop;
    const destination = this.options.destination;
    if (loop === undefined || destination === undefined) return;
    const at = this.sim.now();
    const report = await this.runStep("copy", loop);
    const state = copyLoopState(report, destination.policy, {
      round: loop.rounds + 1,
      startedAt: loop.startedAt,
      now: this.sim.now(),
    });
    this.options.onCopyLoop?.(state, at);
    const now = this.sim.now().getTime();
    if (copyLoopFails(report, state)) {
      if (loop.retries < STATE_MACHINE_RETRIES.copy) {
        loop.retries += 1;
        this.queue.push(now + COPY_LOOP_RETRY_SECONDS * 1000, { kind: "loop-round" });
      } else {
        this.loop = undefined;
      }
      return;
    }
    loop.retries = 0;
    loop.rounds = state.round;
    loop.singleStepRefused = state.singleStepRefused;
    if (state.continue) this.queue.push(now + state.pollSeconds * 1000, { kind: "loop-round" });
    else this.loop = undefined;
  }

  /** When the snapshots a take run started become available, look for RDS's events. */
  private watchTaken(report: RunReport): void {
    for (const { decision: d } of report.done) {
      if (d.action !== "take") continue;
      const snap = this.sim.snapshot({ account: d.account, region: d.region, id: d.snapshot });
      if (snap?.status === "creating" && snap.readyAt) this.watchCreating(snap.readyAt.getTime());
    }
  }

  private watchCreating(readyAt: number): void {
    if (!this.creating.includes(readyAt)) {
      this.creating.push(readyAt);
      this.queue.push(readyAt, { kind: "wake" });
    }
  }

  private lookAtEvents(): void {
    if (!this.options.events || this.creating.length === 0) return;
    const now = this.sim.now().getTime();
    if (!this.creating.some((t) => t <= now)) return;
    for (let i = this.creating.length - 1; i >= 0; i -= 1)
      if ((this.creating[i] as number) <= now) this.creating.splice(i, 1);
    const fresh = this.sim.rdsEvents(this.rdsSeen.at - 1).filter((e) => e.seq > this.rdsSeen.seq);
    for (const e of fresh) {
      this.rdsSeen = {
        at: Math.max(this.rdsSeen.at, e.at.getTime()),
        seq: Math.max(this.rdsSeen.seq, e.seq),
      };
    }
    const created = fresh.some(
      (e) =>
        e.eventId === "RDS-EVENT-0075" &&
        e.account === this.options.source.account &&
        e.region === this.sourceRegion,
    );
    if (created && !this.shareQueued) {
      this.shareQueued = true;
      this.queue.push(now, { kind: "share-event" });
    }
  }

  /** After a share run: a "Snapshots Shared" event on the destination's bus starts the copy. */
  private lookAtBus(): void {
    const busArn = this.options.source.policy.destinationEventBus;
    if (busArn === undefined || this.targets.destination === undefined) return;
    const fresh = this.sim
      .events({ busArn, detailType: SNAPSHOTS_SHARED, sinceMs: this.busSeen.at - 1 })
      .filter((e) => e.seq > this.busSeen.seq);
    if (fresh.length === 0) return;
    for (const e of fresh) {
      this.busSeen = {
        at: Math.max(this.busSeen.at, e.at.getTime()),
        seq: Math.max(this.busSeen.seq, e.seq),
      };
    }
    if (!this.copyQueued) {
      this.copyQueued = true;
      this.queue.push(this.sim.now().getTime(), { kind: "copy-event" });
    }
  }

  private callObserver(): void {
    const observe = this.options.observe;
    if (observe === undefined) return;
    const now = this.sim.now();
    const next = observe(now)?.getTime();
    if (next === undefined || !(next > now.getTime())) return;
    if (this.wakeAt !== undefined && this.wakeAt <= next) return;
    this.wakeAt = next;
    this.queue.push(next, { kind: "wake" });
  }

  private enterDay(at: number): void {
    const key = new Date(at).toISOString().slice(0, 10);
    if (this.today?.day !== key) {
      this.today = emptyDay(key);
      this.days.push(this.today);
    }
  }

  private get day(): FleetDay {
    return this.today as FleetDay;
  }
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
    copyRuns: 0,
    copyLoops: 0,
    eventRuns: 0,
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
