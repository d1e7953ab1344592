/*
 * The SDK's standard retry strategy, on the simulated clock. With the in-memory RDS answering
 * below the SDK's retry layer, a throttled call is retried by the SDK as on AWS; this strategy
 * makes those retries and their back-off cost simulated time instead of real sleeps, so a test of
 * a throttled fleet takes seconds and still sees every attempt and every delay.
 *
 * It follows the standard mode's rules (smithy util-retry): at most `maxAttempts` attempts (3 by
 * default), client errors never retried, an exponential back-off with full jitter from a 100 ms
 * base (500 ms for throttling), capped at 20 s. The retry-token bucket is left out: it only
 * matters under sustained failures that a test sets up on purpose.
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

const BASE_DELAY_MS = 100;
const THROTTLING_BASE_DELAY_MS = 500;
const MAX_DELAY_MS = 20_000;

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
    if (errorInfo.errorType === "CLIENT_ERROR" || count + 1 >= this.maxAttempts) {
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
