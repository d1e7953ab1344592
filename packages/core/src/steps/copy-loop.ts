import type { CopyBacklog, CopyBacklogCounts, RunReport } from "../execute/report.js";
import type { Decision, Reason, Snapshot } from "../model/index.js";
import { isUnfinishedCopy } from "../plan/plan-copy.js";
import { isRegionName } from "../policy/fields.js";
import type { DestinationPolicy } from "../policy/types.js";

/*
 * The copy loop: run the copy step, and while copies it cares about are in flight or wait for one
 * of RDS's copy slots, wait COPY_POLL_SECONDS and run it again. A freed slot is then reused within
 * one poll instead of at the next 30-minute schedule. Three drivers share this verdict: the copy
 * state machine (one Lambda invocation per round, a Wait state between), the Lambda run by the
 * original state machine (rounds inside one invocation until its deadline) and `copy --follow`.
 */

/**
 * At most this many rounds in one loop. A Step Functions standard execution keeps at most 25,000
 * history events; one round of the copy state machine (task, choice, wait, the pass that counts
 * rounds) writes 11, and each retried Lambda attempt 3 more, so 1,500 rounds (16,500 events) leave
 * room for some 2,800 retries.
 */
export const COPY_LOOP_MAX_ROUNDS = 1_500;

/**
 * At most this long in one loop. The schedule starts the next loop 30 minutes later at most, so the
 * bound costs nothing but keeps a stuck copy from holding an execution open for days.
 */
export const COPY_LOOP_MAX_MS = 12 * 3600 * 1000;

/** Why the loop goes on or stops. */
export type CopyLoopReason =
  | "copies-in-flight"
  | "waiting-for-slots"
  | "nothing-to-follow"
  | "follow-off"
  | "max-rounds"
  | "max-duration";

export interface CopyLoopState {
  /** Run the copy step again after `pollSeconds`. */
  readonly continue: boolean;
  readonly reason: CopyLoopReason;
  readonly pollSeconds: number;
  /** The round just finished, counted from 1. */
  readonly round: number;
  /** The copies this deployment's copy step follows: started or in flight, and waiting for a slot. */
  readonly following: number;
  readonly inFlight: number;
  readonly waiting: number;
  readonly oldestWaitingMinutes: number | null;
  /** Regions that refused a single-step copy so far: the next round starts with them in two steps. */
  readonly singleStepRefused: readonly string[];
}

/** Decisions that mean a copy of the tool is in flight, or wanted and waiting. */
const FOLLOWED_SKIPS: ReadonlySet<Reason> = new Set<Reason>([
  "copy-in-progress",
  "copy-slots-full",
  "intermediate-waiting",
]);

/** How many of a copy run's results the loop keeps following: copies started, in flight or waiting. */
export function followedCopies(report: RunReport): number {
  const started = report.done.filter((o) => o.decision.action === "copy").length;
  const pending = report.pending.length;
  const skips = report.skipped.filter(
    (d) =>
      FOLLOWED_SKIPS.has(d.reason) &&
      // An intermediate whose onward copy cannot finish (missing, failed) is not waited for.
      (d.reason !== "intermediate-waiting" || d.facts["following"] === true),
  ).length;
  return started + pending + skips;
}

export interface CopyLoopPosition {
  /** The round just finished, counted from 1. */
  readonly round: number;
  /** When the loop started (its first round). */
  readonly startedAt: Date;
  readonly now: Date;
}

/**
 * Whether the loop runs the copy step again, from the report of the round just finished (its last
 * round only: what is still in flight or waiting now). It stops when there is nothing left to
 * follow, when COPY_POLL_SECONDS is 0, or at COPY_LOOP_MAX_ROUNDS / COPY_LOOP_MAX_MS; the schedule
 * (30 minutes) and the share events start the next loop.
 */
export function copyLoopState(
  report: RunReport,
  policy: Pick<DestinationPolicy, "copyPollSeconds">,
  at: CopyLoopPosition,
): CopyLoopState {
  const following = followedCopies(report);
  const backlog = report.backlog;
  const base = {
    pollSeconds: policy.copyPollSeconds,
    round: at.round,
    following,
    inFlight: backlog?.inFlight ?? 0,
    waiting: backlog?.waiting ?? 0,
    oldestWaitingMinutes: backlog?.oldestWaitingMinutes ?? null,
    singleStepRefused: report.singleStepRefused ?? [],
  };
  const stop = (reason: CopyLoopReason): CopyLoopState => ({ ...base, continue: false, reason });
  if (following === 0) return stop("nothing-to-follow");
  if (policy.copyPollSeconds <= 0) return stop("follow-off");
  if (at.round >= COPY_LOOP_MAX_ROUNDS) return stop("max-rounds");
  const elapsed = at.now.getTime() - at.startedAt.getTime();
  if (elapsed + policy.copyPollSeconds * 1000 > COPY_LOOP_MAX_MS) return stop("max-duration");
  return {
    ...base,
    continue: true,
    reason: base.waiting > 0 ? "waiting-for-slots" : "copies-in-flight",
  };
}

/**
 * The backlog after a copy round: unfinished copies per region (as listed, plus the ones the round
 * started), and the copies the plan could not give a slot (copy-slots-full), with the age of the
 * oldest one waiting.
 */
export function copyBacklog(
  regions: readonly string[],
  own: readonly Snapshot[],
  report: Pick<RunReport, "done" | "skipped">,
  now: Date,
): CopyBacklog {
  const counts = new Map<string, { inFlight: number; waiting: number; oldest: number | null }>();
  const at = (region: string) => {
    let c = counts.get(region);
    if (!c) counts.set(region, (c = { inFlight: 0, waiting: 0, oldest: null }));
    return c;
  };
  for (const r of regions) at(r);
  for (const s of own) if (isUnfinishedCopy(s)) at(s.region).inFlight += 1;
  for (const o of report.done)
    if (o.decision.action === "copy") at(o.decision.region).inFlight += 1;
  for (const d of report.skipped) {
    // Once per snapshot and region it waits for: an onward copy held up by its local copy's wait
    // (waitingFor: "local copy") is that same wait.
    if (d.reason !== "copy-slots-full" || d.facts["waitingFor"] === "local copy") continue;
    const c = at(d.region);
    c.waiting += 1;
    const minutes = waitingMinutes(d, now);
    if (minutes !== null) c.oldest = Math.max(c.oldest ?? 0, minutes);
  }
  const byRegion: Record<string, CopyBacklogCounts> = {};
  let inFlight = 0;
  let waiting = 0;
  let oldest: number | null = null;
  for (const [region, c] of [...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    byRegion[region] = { inFlight: c.inFlight, waiting: c.waiting, oldestWaitingMinutes: c.oldest };
    inFlight += c.inFlight;
    waiting += c.waiting;
    if (c.oldest !== null) oldest = Math.max(oldest ?? 0, c.oldest);
  }
  return { inFlight, waiting, oldestWaitingMinutes: oldest, byRegion };
}

/** Minutes since the snapshot a copy-slots-full decision waits for was taken (its `time` fact). */
function waitingMinutes(d: Decision, now: Date): number | null {
  const time = d.facts["time"];
  if (typeof time !== "string") return null;
  const ms = now.getTime() - Date.parse(time);
  return Number.isFinite(ms) ? Math.max(0, Math.round(ms / 60_000)) : null;
}

/**
 * Where a copy run stands in a loop driven from outside (the copy state machine passes
 * `{"copyLoop": {"round": N, "startedAt": ISO}}`, the round counted from 1); undefined for any
 * other event (a schedule, a direct invocation), which runs the copy step as before. A missing or
 * malformed start counts from now (the round bound still ends the loop); a malformed round is 1.
 */
export function copyLoopPositionOf(
  event: unknown,
  now: Date,
): (Omit<CopyLoopPosition, "now"> & { readonly singleStepRefused: readonly string[] }) | undefined {
  if (typeof event !== "object" || event === null) return undefined;
  const loop = (event as { copyLoop?: unknown }).copyLoop;
  if (typeof loop !== "object" || loop === null) return undefined;
  const { round, startedAt, singleStepRefused } = loop as {
    round?: unknown;
    startedAt?: unknown;
    singleStepRefused?: unknown;
  };
  const n = typeof round === "number" ? round : typeof round === "string" ? Number(round) : NaN;
  const started = typeof startedAt === "string" ? new Date(startedAt) : undefined;
  const refused = Array.isArray(singleStepRefused)
    ? singleStepRefused.filter((r): r is string => typeof r === "string" && isRegionName(r))
    : [];
  return {
    round: Number.isInteger(n) && n >= 1 ? n : 1,
    startedAt: started && Number.isFinite(started.getTime()) ? started : now,
    singleStepRefused: [...new Set(refused)],
  };
}

/**
 * Whether a round of a loop driven from outside ends in failure: a failed action always (the
 * state machine retries SnapshotToolException, then fails and the alarm fires); blocked work
 * when the loop stops (it will not go away by running again). A backlog waiting for slots, copies
 * in flight and actions left pending at the deadline are not failures: the loop comes back for them.
 */
export function copyLoopFails(report: RunReport, state: CopyLoopState): boolean {
  return report.failed.length > 0 || (!state.continue && report.blocked.length > 0);
}
