import pRetry, { AbortError } from "p-retry";
import { AwsActionError } from "./errors.js";

/** How hard to retry throttling and 5xx errors before leaving the work for the next run. */
export interface RetryOptions {
  /** Attempts after the first (default 8). */
  readonly retries?: number;
  /** First wait in ms (default 500, like the SDK's throttling base); doubled each time, jittered. */
  readonly minTimeoutMs?: number;
  /** Longest single wait in ms (default 20 000, the SDK's cap). */
  readonly maxTimeoutMs?: number;
  /** Give up after this long in ms, whatever the attempts left (default 120 000). */
  readonly maxRetryTimeMs?: number;
  /**
   * Whether a connection failure (no HTTP answer) is retried here too, after the SDK's own quick
   * attempts (default true: a scheduled run rides out a DNS or NAT blip of a few seconds). The CLI
   * turns it off, so that a wrong or dead endpoint is reported within seconds.
   */
  readonly retryConnectionErrors?: boolean;
}

export const DEFAULT_RETRY: Required<RetryOptions> = {
  retries: 8,
  minTimeoutMs: 500,
  maxTimeoutMs: 20_000,
  maxRetryTimeMs: 120_000,
  retryConnectionErrors: true,
};

/**
 * Whether this layer retries: throttling and 5xx answers yes; a connection failure only when
 * `retryConnectionErrors` (see RetryOptions).
 */
export function isRetryable(error: unknown, retryConnectionErrors = true): boolean {
  return (
    error instanceof AwsActionError &&
    error.retryable &&
    (retryConnectionErrors || !error.connection)
  );
}

/**
 * Runs `fn`, retrying only errors the gateway marked retryable, with jittered exponential backoff.
 * Terminal errors are rethrown at once. `budgetMs` caps the total retry time (a Lambda deadline).
 */
export async function withRetry<T>(
  fn: () => Promise<T>,
  options: RetryOptions = {},
  budgetMs?: number,
): Promise<T> {
  const o = { ...DEFAULT_RETRY, ...options };
  const maxRetryTime = Math.max(0, Math.min(o.maxRetryTimeMs, budgetMs ?? Infinity));
  return pRetry(
    async () => {
      try {
        return await fn();
      } catch (error) {
        if (isRetryable(error, o.retryConnectionErrors)) throw error;
        throw new AbortError(error instanceof Error ? error : new Error(String(error)));
      }
    },
    {
      retries: o.retries,
      minTimeout: o.minTimeoutMs,
      maxTimeout: o.maxTimeoutMs,
      maxRetryTime,
      randomize: true,
      // Not unref'd: a caller with nothing else on the event loop (a CLI) must not exit mid-wait.
    },
  );
}
