/**
 * The fleet behind `pnpm bench:copy` and the 30-day copy test: a cross-account fleet in the
 * in-memory RDS (source account A, destination account B), the copy designs compared, copy
 * durations drawn per snapshot, and a watcher that measures what happened from the in-memory
 * RDS itself (its call log, its snapshot states and the events RDS emitted), never from the
 * reports of the code under test.
 */
import { TAG_INTERMEDIATE } from "../src/model/index.js";
import { destinationPolicyFromObject, sourcePolicyFromObject } from "../src/policy/index.js";
import type { CopyMode } from "../src/policy/types.js";
import {
  InMemoryRds,
  simulateFleet,
  type FleetCadence,
  type FleetDay,
  type FleetSimulationOptions,
  type SimCopyRequest,
} from "../src/testing/index.js";

export const A = "111111111111";
export const B = "222222222222";
/** Where the clusters are and where B's snapshots are shared in (B's local region). */
export const HOME = "us-east-1";
export const DR_REGIONS = ["us-west-2", "eu-west-1", "ap-southeast-2"] as const;
export const START = new Date("2026-05-01T00:00:00Z");
/** RDS's copies in progress per account and destination region (and the engine's default). */
export const SLOTS = 5;
const MINUTE = 60_000;

// ---------------------------------------------------------------- designs

export type DesignName = "schedule-30min" | "loop-single-step" | "loop-two-step" | "loop-auto";

export interface Design {
  readonly name: DesignName;
  readonly copyMode: CopyMode;
  /** The copy state machine's loop (else the function on its schedule). */
  readonly copyLoop: boolean;
  /** RDS-EVENT-0075 starts share; "Snapshots Shared" on the destination's bus starts copy. */
  readonly events: boolean;
  readonly copyPollSeconds: number;
  readonly cadence: Partial<FleetCadence>;
  /** Retry an incomplete run on the next tick (the state machines' SnapshotToolException retry). */
  readonly retryIncomplete: boolean;
}

/** Every function's timeout in the templates; a run's deadline is it minus the 20 s margin. */
export const LAMBDA_TIMEOUT_SECONDS = 300;

export const DESIGNS: Readonly<Record<DesignName, Design>> = {
  // The original: copy every 30 minutes in two steps, each run following its copies until its
  // deadline (300 s - 20 s); share every 10 minutes; no events. No SnapshotToolException retry
  // between the schedules: the issue's measured baseline ("starts at most 5 copies per region per
  // 30 minutes"). With the retry (5 x 300 s) the old copy would run about every 5 minutes.
  "schedule-30min": {
    name: "schedule-30min",
    copyMode: "two-step",
    copyLoop: false,
    events: false,
    copyPollSeconds: 30,
    cadence: { shareEveryMinutes: 10, copyEveryMinutes: 30 },
    retryIncomplete: false,
  },
  "loop-single-step": {
    name: "loop-single-step",
    copyMode: "single-step",
    copyLoop: true,
    events: true,
    copyPollSeconds: 30,
    cadence: { shareEveryMinutes: 10, copyEveryMinutes: 30 },
    retryIncomplete: true,
  },
  "loop-two-step": {
    name: "loop-two-step",
    copyMode: "two-step",
    copyLoop: true,
    events: true,
    copyPollSeconds: 30,
    cadence: { shareEveryMinutes: 10, copyEveryMinutes: 30 },
    retryIncomplete: true,
  },
  "loop-auto": {
    name: "loop-auto",
    copyMode: "auto",
    copyLoop: true,
    events: true,
    copyPollSeconds: 30,
    cadence: { shareEveryMinutes: 10, copyEveryMinutes: 30 },
    retryIncomplete: true,
  },
};

// ---------------------------------------------------------------- copy durations

/** 32-bit FNV-1a, then murmur3's finalizer: a well-spread hash of a string into [0, 1). */
function hash01(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 4_294_967_296;
}

export type CopyStage = "local" | "dr";

/**
 * Copy durations in minutes, uniform on [min, max] to the second, drawn per (snapshot, stage,
 * region) from a seeded hash: the copy of a snapshot within its region (the intermediate of a
 * two-step copy) and its copy into each DR region (single-step, or the second step) each get their
 * own draw, the same for every design; a single-step copy into a region takes as long as the
 * second step into it.
 *
 * Not seededCopyMinutes: that draws the next number of one PRNG per CopyDBClusterSnapshot call,
 * so a snapshot's duration would depend on the order the design happens to ask for copies, and
 * the designs would not be timed on the same fleet.
 */
export class CopyDurations {
  constructor(
    readonly seed: number,
    readonly min: number,
    readonly max: number,
  ) {}

  /**
   * `region`: where the copy is made (HOME for the local stage). To the second: with whole minutes
   * every copy would end on the 30-second poll grid and no round would ever wait for one.
   */
  minutes(snapshot: string, stage: CopyStage, region: string): number {
    const u = hash01(`${this.seed}|${snapshot.toLowerCase()}|${stage}|${region}`);
    return this.min + Math.round(u * (this.max - this.min) * 60) / 60;
  }

  /**
   * For InMemoryRdsOptions.copyDuration. SimCopyRequest does not say the target region, so the
   * simulator's `request` is wrapped to note the region of the call being answered (the duration is
   * asked for synchronously inside it).
   */
  attach(sim: InMemoryRds, targetRegion: { region: string | undefined }): void {
    const request = sim.request.bind(sim);
    sim.request = (place, operation, input) => {
      targetRegion.region = place.region;
      try {
        return request(place, operation, input);
      } finally {
        targetRegion.region = undefined;
      }
    };
  }

  forSim(targetRegion: { region: string | undefined }): (copy: SimCopyRequest) => number {
    return (copy) => {
      const name = copy.sourceArn.slice(copy.sourceArn.lastIndexOf(":") + 1);
      const region = targetRegion.region;
      if (region === undefined) throw new Error("copy duration asked for outside a request");
      return this.minutes(name, copy.crossRegion ? "dr" : "local", region);
    };
  }
}

// ---------------------------------------------------------------- the fleet

export interface CopyFleetOptions {
  readonly clusters: number;
  /** DR regions (B keeps its copies there); B's local region is HOME. */
  readonly regions: readonly string[];
  readonly design: Design;
  readonly durations: CopyDurations;
  /** Horizon of the simulation (it stops earlier once `until` says so). */
  readonly days: number;
  /** RDS's queue delay of a new copy (InMemoryRdsOptions.copyStartMinutes, default 1). */
  readonly copyStartMinutes?: number;
  /**
   * How long a snapshot stays `creating` (default 7 minutes: taken at 01:00, available at 01:07,
   * off the 10-minute share schedule, so with events on it is RDS-EVENT-0075 that starts share).
   */
  readonly createMinutes?: number;
  /** Copies RDS accepts in flight per region (default 5; lower it to see a refusal caught). */
  readonly rdsCopySlots?: number;
  /** Whether RDS takes a shared snapshot into another region in one call (default true). */
  readonly allowSingleStep?: boolean;
  /** Take one snapshot per cluster at 01:00 on the first day only (the bench), or daily. */
  readonly once?: boolean;
  readonly sourceRetentionDays?: number;
  readonly destinationRetentionDays?: number;
  /** Stop when this says so (checked after every simulated event). */
  readonly until?: (watch: CopyWatch, now: Date) => boolean;
  readonly onDay?: (day: FleetDay) => void;
  /** Passed on to simulateFleet. */
  readonly onCopyLoop?: FleetSimulationOptions["onCopyLoop"];
  readonly onReport?: FleetSimulationOptions["onReport"];
  /** Called once the fleet is seeded, before the simulation, with the simulator and the watcher. */
  readonly onStart?: (sim: InMemoryRds, watch: CopyWatch) => void;
  /** Overrides the design's schedules. */
  readonly cadence?: Partial<FleetCadence>;
}

export interface CopyFleetRun {
  readonly sim: InMemoryRds;
  readonly watch: CopyWatch;
  readonly days: FleetDay[];
  /** Wall time of the simulation, ms. */
  readonly wallMs: number;
}

const clusterId = (i: number): string => `db-${String(i).padStart(4, "0")}`;

export async function runCopyFleet(options: CopyFleetOptions): Promise<CopyFleetRun> {
  const { design } = options;
  const copyStartMinutes = options.copyStartMinutes ?? 1;
  const target: { region: string | undefined } = { region: undefined };
  const sim = new InMemoryRds({
    now: START,
    // 300 clusters x a week of daily snapshots is past AWS's default 100 manual snapshots per
    // region: a fleet this size runs with a raised quota.
    manualSnapshotQuota: 1_000_000,
    copiesInFlightLimit: options.rdsCopySlots ?? SLOTS,
    copyStartMinutes,
    createMinutes: options.createMinutes ?? 7,
    copyDuration: options.durations.forSim(target),
    allowSharedCrossRegionCopy: options.allowSingleStep ?? true,
  });
  options.durations.attach(sim, target);
  for (let i = 0; i < options.clusters; i += 1) {
    sim.addCluster({ account: A, region: HOME, id: clusterId(i), engine: "aurora-postgresql" });
  }
  const bus = sim.addEventBus({
    account: B,
    region: HOME,
    name: "aurora-snapshot-tool",
    allowAccounts: [A],
  });
  const sourceRetention = options.sourceRetentionDays ?? 7;
  const destRetention = options.destinationRetentionDays ?? sourceRetention;
  const sourcePolicy = sourcePolicyFromObject({
    destinationAccount: B,
    retentionDays: sourceRetention,
    // One day's snapshots: the next take comes after the horizon.
    intervalHours: options.once ? 24 * 365 : 24,
    ...(design.events && { destinationEventBus: bus }),
  });
  const destPolicy = destinationPolicyFromObject({
    destinationRegions: [...options.regions],
    retentionDays: destRetention,
    crossAccount: true,
    sourceAccounts: [A],
    copyMode: design.copyMode,
    copyPollSeconds: design.copyPollSeconds,
  });
  const watch = new CopyWatch(sim, {
    localRegion: HOME,
    drRegions: options.regions,
    copyStartMinutes,
  });
  options.onStart?.(sim, watch);
  const t0 = performance.now();
  const days = await simulateFleet({
    sim,
    days: options.days,
    cadence: { ...design.cadence, ...options.cadence },
    source: { account: A, region: HOME, policy: sourcePolicy },
    destination: { account: B, region: HOME, policy: destPolicy },
    lambdaTimeoutSeconds: LAMBDA_TIMEOUT_SECONDS,
    copyLoop: design.copyLoop,
    events: design.events,
    retryIncomplete: design.retryIncomplete,
    observe: (now) => watch.observe(now),
    ...(options.onCopyLoop !== undefined && { onCopyLoop: options.onCopyLoop }),
    ...(options.onReport !== undefined && { onReport: options.onReport }),
    ...(options.until !== undefined && {
      stopWhen: (now: Date) =>
        (options.until as NonNullable<CopyFleetOptions["until"]>)(watch, now),
    }),
  });
  watch.observe(sim.now());
  watch.scan(sim.now());
  for (const d of days) options.onDay?.(d);
  return { sim, watch, days, wallMs: performance.now() - t0 };
}

// ---------------------------------------------------------------- watching the in-memory RDS

/** One CopyDBClusterSnapshot that RDS accepted, followed through its states. */
export interface WatchedCopy {
  readonly region: string;
  /** The copy's identifier: the tool names every copy after its source snapshot. */
  readonly id: string;
  readonly requestedAt: number;
  /** When it became available (its readyAt, seen while copying), failed, or disappeared. */
  end?: number;
  readyAt?: number;
  status: "pending" | "copying" | "available" | "failed" | "gone";
  /** Whether `end` is exact: the copy was seen copying (with its readyAt) before it was available. */
  exact: boolean;
  readonly intermediate: boolean;
  /** When an intermediate (or any copy) was deleted (DeleteDBClusterSnapshot accepted). */
  deletedAt?: number;
}

export interface WatchOptions {
  readonly localRegion: string;
  readonly drRegions: readonly string[];
  readonly copyStartMinutes: number;
}

/**
 * Follows B's copies from the in-memory RDS alone. Each observation (after every simulated event)
 * reads the new entries of the call log (copies accepted or refused, deletions; then clears it, so
 * a 30-day run keeps no large log), the states of the copies still in flight, and the
 * cluster-snapshot events RDS emitted; it asks for a wake-up when a pending copy should have
 * started, so every copy's readyAt is seen and its end is exact. Every hour of simulated time it
 * also counts the in-flight copies of a full listing, to check the tracking.
 */
export class CopyWatch {
  /** Source snapshots by id: when RDS said they were available (RDS-EVENT-0075), and their time. */
  readonly source = new Map<string, { availableAt: number; createTime: number }>();
  readonly copies: WatchedCopy[] = [];
  /** Copies RDS accepted, by region|id: more than one is a duplicate. */
  readonly requests = new Map<string, number>();
  /** CopyDBClusterSnapshot calls RDS refused, by error. */
  readonly refusals = new Map<string, number>();
  /** Most copies in flight seen at once, per region (tracked copies, at every observation). */
  readonly maxInFlight = new Map<string, number>();
  /** The same from full listings (hourly and at the end). */
  readonly maxInFlightListed = new Map<string, number>();
  /** Listings whose in-flight count disagreed with the tracking. */
  mismatches = 0;
  observations = 0;
  /** The latest observation's time. */
  lastObservedAt = Number.NEGATIVE_INFINITY;
  private readonly live = new Set<WatchedCopy>();
  /** Intermediates not deleted yet (seen from DeleteDBClusterSnapshot calls). */
  private readonly intermediates = new Set<WatchedCopy>();
  /** The latest copy by region|id. */
  private readonly latest = new Map<string, WatchedCopy>();
  private rdsSeen = { at: Number.NEGATIVE_INFINITY, seq: 0 };
  private creating = 0;
  private nextScan = Number.NEGATIVE_INFINITY;
  /** DR copies available, per region. */
  private readonly drDone = new Map<string, Set<string>>();

  constructor(
    private readonly sim: InMemoryRds,
    readonly options: WatchOptions,
  ) {
    for (const r of options.drRegions) this.drDone.set(r, new Set());
  }

  observe(now: Date): Date | undefined {
    this.observations += 1;
    const t = now.getTime();
    this.lastObservedAt = Math.max(this.lastObservedAt, t);
    this.readCalls();
    if (this.creating > 0) this.readRdsEvents();
    let wake: number | undefined;
    const inFlight = new Map<string, number>();
    for (const c of this.live) {
      this.update(c, t);
      if (c.status === "pending" || c.status === "copying") {
        inFlight.set(c.region, (inFlight.get(c.region) ?? 0) + 1);
      }
      if (c.status === "pending") {
        const startAt = c.requestedAt + this.options.copyStartMinutes * MINUTE;
        const next = startAt > t ? startAt : t + MINUTE;
        wake = wake === undefined ? next : Math.min(wake, next);
      }
    }
    for (const [region, n] of inFlight) {
      this.maxInFlight.set(region, Math.max(this.maxInFlight.get(region) ?? 0, n));
    }
    if (t >= this.nextScan) {
      this.scan(now, inFlight);
      this.nextScan = t + 60 * MINUTE;
    }
    return wake === undefined ? undefined : new Date(wake);
  }

  /** Counts in-flight copies per region from a full listing of B's snapshots. */
  scan(now: Date, tracked?: ReadonlyMap<string, number>): void {
    const listed = new Map<string, number>();
    for (const s of this.sim.snapshots({ account: B })) {
      if (s.sourceArn !== undefined && (s.status === "pending" || s.status === "copying"))
        listed.set(s.region, (listed.get(s.region) ?? 0) + 1);
    }
    for (const [region, n] of listed) {
      this.maxInFlightListed.set(region, Math.max(this.maxInFlightListed.get(region) ?? 0, n));
    }
    if (tracked !== undefined) {
      const regions = new Set([...listed.keys(), ...tracked.keys()]);
      for (const r of regions)
        if ((listed.get(r) ?? 0) !== (tracked.get(r) ?? 0)) this.mismatches++;
    }
    void now;
  }

  private readCalls(): void {
    const calls = this.sim.calls;
    if (calls.length === 0) return;
    for (const c of calls) {
      if (c.operation === "CreateDBClusterSnapshot" && c.account === A && !c.error) {
        this.creating += 1;
      }
      if (c.operation === "DeleteDBClusterSnapshot" && c.account === B && !c.error) {
        const id = String(c.input["DBClusterSnapshotIdentifier"]).toLowerCase();
        const copy = this.latest.get(`${c.region}|${id}`);
        if (copy !== undefined) {
          copy.deletedAt = c.at.getTime();
          if (copy.status !== "available") {
            // deleted before it was available: cancelled
            copy.end ??= c.at.getTime();
            copy.status = "gone";
          }
          this.live.delete(copy);
          this.intermediates.delete(copy);
        }
        continue;
      }
      if (c.operation !== "CopyDBClusterSnapshot" || c.account !== B) continue;
      if (c.error !== undefined) {
        this.refusals.set(c.error, (this.refusals.get(c.error) ?? 0) + 1);
        continue;
      }
      const id = String(c.input["TargetDBClusterSnapshotIdentifier"]).toLowerCase();
      const tags = (c.input["Tags"] ?? []) as { Key?: string; Value?: string }[];
      const intermediate = tags.some((tag) => tag.Key === TAG_INTERMEDIATE && tag.Value === "YES");
      const key = `${c.region}|${id}`;
      this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
      const copy: WatchedCopy = {
        region: c.region,
        id,
        requestedAt: c.at.getTime(),
        status: "pending",
        exact: false,
        intermediate,
      };
      this.copies.push(copy);
      this.latest.set(key, copy);
      this.live.add(copy);
      if (intermediate) this.intermediates.add(copy);
    }
    this.sim.resetCalls();
  }

  private readRdsEvents(): void {
    const fresh = this.sim.rdsEvents(this.rdsSeen.at - 1).filter((e) => e.seq > this.rdsSeen.seq);
    for (const e of fresh) {
      this.rdsSeen = {
        at: Math.max(this.rdsSeen.at, e.at.getTime()),
        seq: Math.max(this.rdsSeen.seq, e.seq),
      };
      if (e.eventId !== "RDS-EVENT-0075" || e.account !== A) continue;
      this.creating = Math.max(0, this.creating - 1);
      const snap = this.sim.snapshot({ account: A, region: e.region, id: e.sourceIdentifier });
      this.source.set(e.sourceIdentifier, {
        availableAt: e.at.getTime(),
        createTime: snap?.createTime.getTime() ?? e.at.getTime(),
      });
    }
  }

  private update(c: WatchedCopy, t: number): void {
    const s = this.sim.snapshot({ account: B, region: c.region, id: c.id });
    if (s === undefined) {
      c.end ??= t;
      c.deletedAt = t;
      c.status = "gone";
      this.live.delete(c);
      return;
    }
    if (s.status === "copying") {
      c.status = "copying";
      if (s.readyAt) c.readyAt = s.readyAt.getTime();
      return;
    }
    if (s.status === "available") {
      c.status = "available";
      c.exact = c.readyAt !== undefined;
      c.end = c.readyAt ?? t;
      this.live.delete(c);
      if (!c.intermediate && this.drDone.has(c.region)) this.drDone.get(c.region)?.add(c.id);
      return;
    }
    if (s.status !== "pending") {
      c.status = "failed";
      c.end = t;
      this.live.delete(c);
    }
  }

  // ---------------------------------------------------------------- what the run came to

  /** Source snapshots with a DR copy available in every DR region. */
  doneInEveryRegion(): number {
    let n = 0;
    for (const id of this.source.keys())
      if (this.options.drRegions.every((r) => this.drDone.get(r)?.has(id))) n += 1;
    return n;
  }

  /** Copies RDS accepted but not finished, and intermediates not yet deleted. */
  get inFlight(): number {
    return this.live.size;
  }

  get intermediatesLeft(): number {
    return this.intermediates.size;
  }

  /** (region, snapshot) pairs RDS accepted more than one copy of. */
  duplicates(): string[] {
    return [...this.requests].filter(([, n]) => n > 1).map(([k]) => k);
  }
}

// ---------------------------------------------------------------- metrics

export interface CopyMetrics {
  readonly snapshots: number;
  readonly regions: number;
  readonly drainMinutes: number;
  readonly slotUtilization: number;
  readonly p50SafeMinutes: number;
  readonly p99SafeMinutes: number;
  /** To the first copy into a DR region accepted by RDS. */
  readonly p99StartMinutes: number;
  /** To the first copy of any kind (two-step: the intermediate) accepted by RDS. */
  readonly p99FirstCopyMinutes: number;
  /**
   * The same for the local region's slots and the intermediates (two-step): while some snapshot
   * waits for its local copy; null without intermediates.
   */
  readonly localSlotUtilization: number | null;
  /** Snapshots not in every DR region when the run ended. */
  readonly missing: number;
  /** Copies whose end was not seen exactly (seen available without having been seen copying). */
  readonly inexact: number;
}

/** Nearest-rank percentile of a list (p in 0..100). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] as number;
}

type Interval = readonly [number, number];

function merge(intervals: Interval[]): Interval[] {
  const sorted = intervals.filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0]);
  const out: [number, number][] = [];
  for (const [a, b] of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && a <= last[1]) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

function overlap(span: Interval, union: readonly Interval[]): number {
  let n = 0;
  for (const [a, b] of union) n += Math.max(0, Math.min(b, span[1]) - Math.max(a, span[0]));
  return n;
}

/**
 * The benchmark's figures from what the watcher saw.
 *
 * - Safe: from a snapshot's RDS-EVENT-0075 at the source to its copy available in every DR
 *   region (the latest of them). Start: to the first copy into a DR region that RDS accepted.
 * - drain: from the first source snapshot available to the last DR copy available.
 * - slotUtilization: per DR region, the backlog is the union over snapshots of [available at the
 *   source, its copy into the region accepted): the time some snapshot could have had a copy
 *   there and had none. Busy slot-minutes are the minutes copies into the region count against
 *   RDS's limit (accepted, pending or copying, until available) within that union; the fraction
 *   is their sum over the DR regions / (5 x the sum of the union lengths).
 */
export function copyMetrics(watch: CopyWatch): CopyMetrics {
  const { drRegions } = watch.options;
  const safe: number[] = [];
  const start: number[] = [];
  const first: number[] = [];
  let missing = 0;
  let lastDone = Number.NEGATIVE_INFINITY;
  let firstAvailable = Number.POSITIVE_INFINITY;
  const byRegion = new Map<string, Map<string, WatchedCopy>>();
  const firstCopy = new Map<string, number>();
  for (const c of watch.copies) {
    firstCopy.set(c.id, Math.min(firstCopy.get(c.id) ?? Infinity, c.requestedAt));
    if (c.intermediate || !drRegions.includes(c.region)) continue;
    let m = byRegion.get(c.region);
    if (!m) byRegion.set(c.region, (m = new Map()));
    if (!m.has(c.id)) m.set(c.id, c);
  }
  const backlog = new Map<string, Interval[]>(drRegions.map((r) => [r, []]));
  for (const [id, { availableAt }] of watch.source) {
    firstAvailable = Math.min(firstAvailable, availableAt);
    let done = Number.NEGATIVE_INFINITY;
    let startedAt = Number.POSITIVE_INFINITY;
    let complete = true;
    for (const r of drRegions) {
      const c = byRegion.get(r)?.get(id);
      backlog.get(r)?.push([availableAt, c?.requestedAt ?? Number.POSITIVE_INFINITY]);
      if (c?.status !== "available" || c.end === undefined) {
        complete = false;
        continue;
      }
      done = Math.max(done, c.end);
      startedAt = Math.min(startedAt, c.requestedAt);
    }
    if (!complete) {
      missing += 1;
      continue;
    }
    lastDone = Math.max(lastDone, done);
    safe.push((done - availableAt) / MINUTE);
    start.push((startedAt - availableAt) / MINUTE);
    first.push(((firstCopy.get(id) ?? startedAt) - availableAt) / MINUTE);
  }
  let busy = 0;
  let capacity = 0;
  for (const r of drRegions) {
    const end = missing === 0 && Number.isFinite(lastDone) ? lastDone : watch.lastObservedAt;
    const union = merge((backlog.get(r) ?? []).map(([a, b]) => [a, Math.min(b, end)] as const));
    capacity += SLOTS * union.reduce((n, [a, b]) => n + (b - a), 0);
    for (const c of watch.copies) {
      if (c.region !== r || c.intermediate) continue;
      busy += overlap([c.requestedAt, c.end ?? end], union);
    }
  }
  // The local stage: the backlog is [available, intermediate asked for) per snapshot.
  const localFirst = new Map<string, WatchedCopy>();
  for (const c of watch.copies)
    if (c.intermediate && !localFirst.has(c.id)) localFirst.set(c.id, c);
  let localUtilization: number | null = null;
  if (localFirst.size > 0) {
    const end = watch.lastObservedAt;
    const union = merge(
      [...watch.source].map(([id, { availableAt }]) => [
        availableAt,
        Math.min(localFirst.get(id)?.requestedAt ?? end, end),
      ]),
    );
    const cap = SLOTS * union.reduce((n, [a, b]) => n + (b - a), 0);
    let used = 0;
    for (const c of watch.copies)
      if (c.intermediate) used += overlap([c.requestedAt, c.end ?? end], union);
    localUtilization = cap > 0 ? Math.round((used / cap) * 1000) / 1000 : 1;
  }
  const round2 = (n: number): number => Math.round(n * 100) / 100;
  return {
    localSlotUtilization: localUtilization,
    snapshots: watch.source.size,
    regions: drRegions.length,
    drainMinutes: round2((lastDone - firstAvailable) / MINUTE),
    slotUtilization: capacity > 0 ? Math.round((busy / capacity) * 1000) / 1000 : 1,
    p50SafeMinutes: round2(percentile(safe, 50)),
    p99SafeMinutes: round2(percentile(safe, 99)),
    p99StartMinutes: round2(percentile(start, 99)),
    p99FirstCopyMinutes: round2(percentile(first, 99)),
    missing,
    inexact: watch.copies.filter((c) => c.status === "available" && !c.exact).length,
  };
}

// ---------------------------------------------------------------- lower bounds

export interface CopyBound {
  readonly minutes: number;
  /** Which term of the bound is the largest, for the table. */
  readonly term: string;
}

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);
const smallest = (xs: readonly number[], k: number): number[] =>
  [...xs].sort((a, b) => a - b).slice(0, k);

/**
 * The least drain time any scheduler could reach, from the drawn durations (minutes). Every copy
 * holds one of RDS's 5 slots of its target region from the moment RDS accepts it until it is
 * available: `copyStartMinutes` queued as `pending` (the in-memory RDS counts pending copies
 * against the limit, as AWS does, and starts a copy that long after it is asked for) plus its
 * duration d. So a copy's slot time is o = s + d, and the bounds below are in slot time; the
 * drain is counted from the first snapshot available at the source (all of them are at once: one
 * take at 01:00), so share and event latency are part of what is measured, not of the bound.
 *
 * single-step, per DR region: the region's 5 slots must hold sum(o) slot-minutes, and the longest
 * copy runs o_max on one slot: max(sum(o) / 5, max(o)). The bound is the max over the DR regions
 * (each has its own slots and its own draws).
 *
 * two-step, per DR region R: a two-stage flow shop with 5 parallel slots per stage: stage 1 the
 * local copy (a_i = s + d_local_i, HOME's 5 slots, shared by every DR region), stage 2 the copy
 * into R (b_i = s + d_dr_i), which cannot be asked for before snapshot i's local copy is
 * available. Three valid lower bounds, the largest taken:
 *   1. stage 1 plus the shortest tails: HOME's slots hold sum(a) slot-minutes; a slot's last local
 *      copy ends no earlier than its busy time, and that snapshot still needs its stage 2 (at
 *      least min b) after it. Summed over the 5 slots, whose last copies are distinct snapshots:
 *      5 x drain >= sum(a) + (sum of the 5 smallest b), so drain >= (sum(a) + sum5min(b)) / 5.
 *   2. stage 2 after the shortest heads, the mirror image: a slot of R starts its first copy no
 *      earlier than that snapshot's a, and the 5 first copies are distinct snapshots, so
 *      drain >= (sum5min(a) + sum(b)) / 5.
 *   3. one snapshot through both stages: drain >= max(a_i + b_i).
 * (With fewer than 5 snapshots the "5 smallest" are all of them; a slot with nothing to do adds a
 * whole drain >= any a or b to the left side, so the bounds hold.) The two-step bound is the max
 * of these over the DR regions.
 */
export function copyBound(
  mode: "single-step" | "two-step",
  snapshots: readonly string[],
  durations: CopyDurations,
  copyStartMinutes: number,
  drRegions: readonly string[],
  localRegion: string = HOME,
): CopyBound {
  const s = copyStartMinutes;
  const a = snapshots.map((id) => s + durations.minutes(id, "local", localRegion));
  const perRegion = drRegions.map((region) => {
    const b = snapshots.map((id) => s + durations.minutes(id, "dr", region));
    const terms: [string, number][] =
      mode === "single-step"
        ? [
            ["sum/5", sum(b) / SLOTS],
            ["max", Math.max(...b)],
          ]
        : [
            ["stage1+tails", (sum(a) + sum(smallest(b, SLOTS))) / SLOTS],
            ["heads+stage2", (sum(smallest(a, SLOTS)) + sum(b)) / SLOTS],
            ["max(a+b)", Math.max(...a.map((x, i) => x + (b[i] as number)))],
          ];
    const top = best(terms);
    return { minutes: top.minutes, term: `${top.term} ${region}` };
  });
  return perRegion.reduce((x, y) => (y.minutes > x.minutes ? y : x));
}

function best(terms: [string, number][]): CopyBound {
  let top = terms[0] as [string, number];
  for (const t of terms) if (t[1] > top[1]) top = t;
  return { minutes: Math.round(top[1] * 100) / 100, term: top[0] };
}

// ---------------------------------------------------------------- invariants of a long run

export interface Invariant {
  readonly name: string;
  readonly pass: boolean;
  readonly detail: string;
}

/**
 * What a long simulation must keep, checked against the in-memory RDS: the 5-slot limit (copies
 * in flight per region at every observation and in hourly listings, and no copy RDS refused: a
 * 6th would be refused with SnapshotQuotaExceededFault and counted here, and the run's failed
 * actions with it), no duplicate copy, no intermediate left, and every source snapshot younger
 * than the destination retention available in every DR region at the end.
 */
export function copyInvariants(run: CopyFleetRun, destinationRetentionDays: number): Invariant[] {
  const { sim, watch, days } = run;
  const now = sim.now().getTime();
  const { drRegions, localRegion } = watch.options;
  const failed = days.reduce((n, d) => n + d.failed, 0);
  const fmt = (m: ReadonlyMap<string, number>): string =>
    [...m].map(([r, n]) => `${r}=${n}`).join(" ") || "none";
  const over = [...watch.maxInFlight.values(), ...watch.maxInFlightListed.values()].filter(
    (n) => n > SLOTS,
  );
  // RDS's answer to a copy past its in-flight limit (the in-memory RDS's copiesInFlightLimit).
  const refused = watch.refusals.get("SnapshotQuotaExceededFault") ?? 0;
  // COPY_MODE auto's probe of the one-call copy where RDS does not take it is expected.
  const otherRefusals = [...watch.refusals]
    .filter(([e]) => e !== "SnapshotQuotaExceededFault" && e !== "InvalidParameterCombination")
    .reduce((n, [, k]) => n + k, 0);
  const duplicates = watch.duplicates();
  const leftover = sim
    .snapshots({ account: B, region: localRegion })
    .filter((s) => s.type === "manual" && s.tags[TAG_INTERMEDIATE] === "YES");
  const retentionMs = destinationRetentionDays * 24 * 3600 * 1000;
  const young = [...watch.source].filter(([, s]) => now - s.createTime < retentionMs);
  const missing: string[] = [];
  for (const [id] of young) {
    for (const r of drRegions) {
      if (sim.snapshot({ account: B, region: r, id })?.status !== "available") {
        missing.push(`${id}@${r}`);
      }
    }
  }
  const intermediates = watch.copies.filter((c) => c.intermediate).length;
  return [
    {
      name: `at most ${SLOTS} copies in flight per region, none refused`,
      pass: over.length === 0 && refused === 0 && failed === 0 && watch.mismatches === 0,
      detail:
        `max seen ${fmt(watch.maxInFlight)}; max listed ${fmt(watch.maxInFlightListed)}; ` +
        `refused for the limit ${refused}; failed actions ${failed}; ` +
        `tracking mismatches ${watch.mismatches}; observations ${watch.observations}`,
    },
    {
      name: "no other copy refused (auto's refused one-call probe aside)",
      pass: otherRefusals === 0,
      detail: `refused ${fmt(watch.refusals)}`,
    },
    {
      name: "no copy duplicated (one copy per source snapshot and region)",
      pass: duplicates.length === 0,
      detail: `${watch.requests.size} copies accepted, duplicates: ${duplicates.slice(0, 5).join(", ") || "none"}`,
    },
    {
      name: "no intermediate left behind",
      pass: leftover.length === 0 && watch.intermediatesLeft === 0,
      detail: `${intermediates} intermediates made, ${leftover.length} left: ${leftover
        .slice(0, 5)
        .map((s) => s.id)
        .join(", ")}`,
    },
    {
      name: `every source snapshot younger than ${destinationRetentionDays} days available in DR`,
      pass: missing.length === 0 && young.length > 0,
      detail: `${young.length} snapshots x ${drRegions.length} regions, missing ${missing.length}: ${missing.slice(0, 5).join(", ")}`,
    },
  ];
}
