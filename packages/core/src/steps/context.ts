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
  readonly execute?: Omit<ExecuteOptions, "dryRun">;
}

export function runTime(ctx: StepContext): Date {
  return ctx.now ?? new Date((ctx.execute?.clock ?? Date.now)());
}

export function executeOptions(ctx: StepContext): ExecuteOptions {
  return { ...ctx.execute, dryRun: ctx.dryRun ?? false };
}

/** Reads (listings, DescribeKey, the account id) get the same retry as actions: one throttled page must not abort the run. */
export function readWithRetry<T>(ctx: StepContext, fn: () => Promise<T>): Promise<T> {
  const deadline = ctx.execute?.deadline;
  const budget = deadline === undefined ? undefined : deadline - (ctx.execute?.clock ?? Date.now)();
  return withRetry(fn, ctx.execute?.retry, budget);
}

/** The cluster id a pattern names literally (`^name$`), so the listing can be narrowed server-side. */
export function literalClusterId(source: string): string | undefined {
  const m = /^\^([A-Za-z][A-Za-z0-9-]*)\$$/.exec(source);
  return m?.[1];
}
