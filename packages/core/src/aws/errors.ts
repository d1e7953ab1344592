import { AwsActionError } from "../execute/errors.js";

/**
 * Error names that mean "slow down". RDS answers `Throttling` ("Rate exceeded") and sometimes
 * `ThrottlingException`; the rest are the names the SDK's own retry strategy treats as throttling.
 */
const THROTTLING_NAMES = new Set([
  "Throttling",
  "ThrottlingException",
  "ThrottledException",
  "RequestLimitExceeded",
  "TooManyRequestsException",
  "RequestThrottled",
  "RequestThrottledException",
  "ProvisionedThroughputExceededException",
  "SlowDown",
  "BandwidthLimitExceeded",
]);

/** Failures below the API: a request that never got an answer may well succeed later. */
const NETWORK_NAMES = new Set(["TimeoutError", "RequestTimeout", "RequestTimeoutException"]);
const NETWORK_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EAI_AGAIN",
]);

/** No HTTP answer came back: the endpoint refused, was not found or never answered the connect. */
const CONNECTION_CODES = new Set([...NETWORK_CODES, "ENOTFOUND", "EHOSTUNREACH", "ENETUNREACH"]);

/** Where a request that got no answer was going; set by the client factory's middleware. */
export const REQUEST_TARGET = Symbol.for("aurora-snapshot-tool.requestTarget");

export interface RequestTarget {
  readonly endpoint: string;
  readonly region: string;
}

interface SdkErrorShape {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: unknown };
  $response?: unknown;
  [REQUEST_TARGET]?: RequestTarget;
}

function shapeOf(error: unknown): SdkErrorShape {
  return typeof error === "object" && error !== null ? (error as SdkErrorShape) : {};
}

function errorCode(shape: SdkErrorShape): string {
  const name = typeof shape.name === "string" ? shape.name : "";
  // Node's socket errors are plain `Error`s whose telling part is `code` (ECONNRESET and the like).
  if ((name === "" || name === "Error") && typeof shape.code === "string") return shape.code;
  return name === "" ? "UnknownError" : name;
}

/**
 * Whether a failed call is worth repeating: throttling, a 5xx answer, or a network failure. Anything
 * else (quota, KMS access, invalid state, not found) fails the same way on every attempt.
 */
export function isRetryableAwsError(error: unknown): boolean {
  if (error instanceof AwsActionError) return error.retryable;
  const shape = shapeOf(error);
  const name = typeof shape.name === "string" ? shape.name : "";
  if (THROTTLING_NAMES.has(name) || NETWORK_NAMES.has(name)) return true;
  // The SDK sets `$retryable` on errors the service models as retryable.
  if (shape.$retryable !== undefined && shape.$retryable !== null && shape.$retryable !== false) {
    return true;
  }
  const status = shape.$metadata?.httpStatusCode;
  if (typeof status === "number" && status >= 500) return true;
  if (typeof shape.code === "string" && NETWORK_CODES.has(shape.code)) return true;
  return typeof shape.message === "string" && /socket hang up/i.test(shape.message);
}

/** A failure below HTTP: no status code came back, and the error is a socket or timeout error. */
export function isConnectionError(error: unknown): boolean {
  const shape = shapeOf(error);
  if (typeof shape.$metadata?.httpStatusCode === "number") return false;
  const name = typeof shape.name === "string" ? shape.name : "";
  if (typeof shape.code === "string" && CONNECTION_CODES.has(shape.code)) return true;
  if (name === "TimeoutError") return true;
  return typeof shape.message === "string" && /socket hang up/i.test(shape.message);
}

/**
 * Wraps whatever an SDK call threw into an `AwsActionError` that carries the modelled error name
 * (SDK v3 reports `SnapshotQuotaExceededFault`, not the wire code `SnapshotQuotaExceeded`).
 */
export function toAwsActionError(error: unknown, operation: string): AwsActionError {
  if (error instanceof AwsActionError) return error;
  const shape = shapeOf(error);
  const message =
    typeof shape.message === "string" && shape.message !== "" ? shape.message : String(error);
  const connection = isConnectionError(error);
  const target = shape[REQUEST_TARGET];
  // "connect ECONNREFUSED 127.0.0.1:5000" names neither the endpoint as configured nor the region.
  const where =
    connection && target !== undefined
      ? ` (endpoint ${target.endpoint}, region ${target.region})`
      : "";
  return new AwsActionError({
    code: errorCode(shape),
    message: message + where,
    retryable: isRetryableAwsError(error),
    operation,
    connection,
    cause: error,
  });
}
