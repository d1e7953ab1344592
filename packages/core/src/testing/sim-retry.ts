/*
 * The SDK's standard retry strategy, on the simulated clock. With the in-memory RDS answering
 * below the SDK's retry layer, a throttled call is retried by the SDK as on AWS; this strategy
 * makes those retries and their back-off cost simulated time instead of real sleeps, so a test of
 * a throttled fleet takes seconds and still sees every attempt and every delay.
 *
 * It follows `StandardRetryStrategy` of the installed SDK, @smithy/core 3.41.0
 * (dist-cjs/submodules/retry/index.js, the `Retry.v2026` rules that client-rds 3.1169.0 gets from
 * `resolveRetryConfig`): at most `maxAttempts` attempts (DEFAULT_MAX_ATTEMPTS, 3), only THROTTLING
 * and TRANSIENT errors retried (`isRetryableError`; SERVER_ERROR and CLIENT_ERROR are not), and
 * `DefaultRetryBackoffStrategy`'s full jitter, floor(random * min(base * 2^retries, 20 s)), from
 * a `Retry.delay()` base of 50 ms, or `Retry.throttlingDelay()` 1 s for throttling, capped at
 * MAXIMUM_RETRY_DELAY (20 s). (DEFAULT_RETRY_DELAY_BASE 100 ms and THROTTLING_RETRY_DELAY_BASE
 * 500 ms, in the same file, are only used by DeprecatedStandardRetryStrategy, the pre-SRA one.)
 * Left out: the retry-token bucket (500 tokens, 14 per retry, 5 per throttling retry), which only
 * matters under sustained failures that a test sets up on purpose, and the Retry-After hint, which
 * the simulator never sends.
 */

/** The parts of a retry token the SDK's retry middleware reads. */
interface SimRetryToken {
  getRetryCount(): number;
  getRetryDelay(): number;
}

/** What the SDK's retry middleware says about an error (RetryErrorInfo). */
interface SimRetryErrorInfo {
  readonly errorType: "TRANSIENT" | "THROTTLING" | "SERVER_ERROR" | "CLIENT_ERROR";
}

/** Retry.delay() */
const BASE_DELAY_MS = 50;
/** Retry.throttlingDelay() */
const THROTTLING_BASE_DELAY_MS = 1_000;
/** MAXIMUM_RETRY_DELAY */
const MAX_DELAY_MS = 20_000;
/** StandardRetryStrategy.isRetryableError */
const RETRYABLE: ReadonlySet<SimRetryErrorInfo["errorType"]> = new Set(["THROTTLING", "TRANSIENT"]);

function token(count: number): SimRetryToken {
  return { getRetryCount: () => count, getRetryDelay: () => 0 };
}

export interface SimulatedRetryOptions {
  /** Attempts per call, the first included. Default 3, as the SDK's. */
  readonly maxAttempts?: number;
  /** Seed of the jitter, so the same run waits the same. Default 1. */
  readonly seed?: number;
}

/** An SDK v3 `retryStrategy` whose waits advance `advance` (the simulated clock) by the back-off. */
export class SimulatedRetryStrategy {
  readonly mode = "standard";
  private readonly maxAttempts: number;
  private state: number;
  /** Every back-off the SDK would have slept, in ms, in order. */
  readonly waits: number[] = [];

  constructor(
    private readonly advance: (ms: number) => void,
    options: SimulatedRetryOptions = {},
  ) {
    this.maxAttempts = options.maxAttempts ?? 3;
    this.state = options.seed ?? 1;
  }

  acquireInitialRetryToken(): Promise<SimRetryToken> {
    return Promise.resolve(token(0));
  }

  refreshRetryTokenForRetry(
    previous: SimRetryToken,
    errorInfo: SimRetryErrorInfo,
  ): Promise<SimRetryToken> {
    const count = previous.getRetryCount();
    if (!RETRYABLE.has(errorInfo.errorType) || count + 1 >= this.maxAttempts) {
      return Promise.reject(new Error("No retry token available"));
    }
    const base = errorInfo.errorType === "THROTTLING" ? THROTTLING_BASE_DELAY_MS : BASE_DELAY_MS;
    const wait = Math.floor(this.random() * Math.min(MAX_DELAY_MS, base * 2 ** count));
    this.waits.push(wait);
    this.advance(wait);
    return Promise.resolve(token(count + 1));
  }

  recordSuccess(): void {}

  /** xorshift32 in [0, 1). */
  private random(): number {
    let x = this.state >>> 0 || 1;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state / 4_294_967_296;
  }
}
