import type { ExecuteOptions } from "../execute/executor.js";
import type { Gateway } from "../execute/gateway.js";
import { withRetry } from "../execute/retry.js";

/** What every step needs besides its policy. Adapters fill it; nothing here reads the environment. */
export interface StepContext {
  readonly gateway: Gateway;
  /** The region the tool runs in; a policy's regionOverride takes precedence for the clusters. */
  readonly region: string;
  /** The run's start time (default: now). Names and ages are computed from it. */
  readonly now?: Date;
  /** Plan only: list and plan, report every action pending with note `dry-run`, change nothing. */
  readonly dryRun?: boolean;
  /**
   * Epoch ms after which the step starts no new action, and a copy run stops following its
   * copies; what is left is reported pending. The one way to give a step a time limit (a Lambda
   * adapter computes it with lambdaDeadline).
   */
  readonly deadline?: number;
  /**
   * Once aborted, the step starts no new action (the rest are reported pending, note `aborted`)
   * and a copy run stops following its copies. For schedulers that cancel a job rather than give
   * it a time limit; both may be given.
   */
  readonly signal?: AbortSignal;
  readonly execute?: Omit<
    ExecuteOptions,
    "dryRun" | "deadline" | "signal" | "precheck" | "regions"
  >;
}

/**
 * Time kept back from a Lambda's timeout: no new action starts in it, so the handler still has
 * time to log its report and throw SnapshotToolException before Lambda stops it. An invocation
 * that times out fails with Lambda's own timeout error instead: the state machines retry that on
 * the short generic interval, and the report of what was done is lost.
 */
export const LAMBDA_SAFETY_MARGIN_MS = 20_000;

/** The part of a Lambda context the deadline needs. */
export interface RemainingTime {
  getRemainingTimeInMillis(): number;
}

/**
 * The deadline for a step run inside Lambda: now + the time Lambda leaves - the margin, never
 * earlier than now. Undefined (no deadline) when the context cannot tell the time left, as when
 * a handler is called outside Lambda.
 */
export function lambdaDeadline(
  context: Partial<RemainingTime> | undefined,
  now: number = Date.now(),
  marginMs: number = LAMBDA_SAFETY_MARGIN_MS,
): number | undefined {
  const remaining = context?.getRemainingTimeInMillis?.();
  if (typeof remaining !== "number" || !Number.isFinite(remaining)) return undefined;
  return now + Math.max(0, remaining - marginMs);
}

export function clockOf(ctx: StepContext): () => number {
  return ctx.execute?.clock ?? Date.now;
}

export function runTime(ctx: StepContext): Date {
  return ctx.now ?? new Date((ctx.execute?.clock ?? Date.now)());
}

export function executeOptions(ctx: StepContext, regions?: readonly string[]): ExecuteOptions {
  return {
    ...ctx.execute,
    dryRun: ctx.dryRun ?? false,
    ...(ctx.deadline !== undefined && { deadline: ctx.deadline }),
    ...(ctx.signal !== undefined && { signal: ctx.signal }),
    ...(regions !== undefined && { regions }),
  };
}

/** Reads (listings, DescribeKey, the account id) get the same retry as actions: one throttled page must not abort the run. */
export function readWithRetry<T>(ctx: StepContext, fn: () => Promise<T>): Promise<T> {
  const budget = ctx.deadline === undefined ? undefined : ctx.deadline - clockOf(ctx)();
  return withRetry(fn, ctx.execute?.retry, budget);
}

/** The cluster id a pattern names literally (`^name$`), so the listing can be narrowed server-side. */
export function literalClusterId(source: string): string | undefined {
  const m = /^\^([A-Za-z][A-Za-z0-9-]*)\$$/.exec(source);
  return m?.[1];
}

/** The run's clock and this process's wall clock, read together when a step starts. */
export interface ClockMark {
  readonly wallMs: number;
  readonly runMs: number;
}

export function markClock(ctx: StepContext): ClockMark {
  return { wallMs: Date.now(), runMs: runTime(ctx).getTime() };
}

/**
 * How far AWS's clock is ahead of the run's (negative: behind), from the Date header of the latest
 * response the gateway saw; null when it saw none. The gateway notes each response's arrival on the
 * wall clock, so the time spent listing does not count as skew, and a run planned at a simulated
 * time is compared with the simulation's own clock.
 */
export function clockSkewMs(ctx: StepContext, mark: ClockMark): number | null {
  const reading = ctx.gateway.serverClock?.();
  if (!reading) return null;
  return reading.serverMs - reading.receivedAtMs - (mark.runMs - mark.wallMs);
}
