/** A failed AWS call, with the modelled error name SDK v3 reports (e.g. `SnapshotQuotaExceededFault`). */
export class AwsActionError extends Error {
  override readonly name = "AwsActionError";
  readonly code: string;
  readonly retryable: boolean;
  readonly operation: string;
  /**
   * The request got no HTTP answer at all (refused, name not resolved, connect timed out, reset).
   * The SDK has already retried it; the tool does not retry it again, so a dead endpoint is
   * reported in seconds rather than after minutes of stacked backoff.
   */
  readonly connection: boolean;

  constructor(options: {
    code: string;
    message: string;
    retryable: boolean;
    operation: string;
    connection?: boolean;
    cause?: unknown;
  }) {
    super(`${options.operation}: ${options.code}: ${options.message}`, { cause: options.cause });
    this.code = options.code;
    this.retryable = options.retryable;
    this.operation = options.operation;
    this.connection = options.connection ?? false;
  }
}
