/** A failed AWS call, with the modelled error name SDK v3 reports (e.g. `SnapshotQuotaExceededFault`). */
export class AwsActionError extends Error {
  override readonly name = "AwsActionError";
  readonly code: string;
  readonly retryable: boolean;
  readonly operation: string;

  constructor(options: {
    code: string;
    message: string;
    retryable: boolean;
    operation: string;
    cause?: unknown;
  }) {
    super(`${options.operation}: ${options.code}: ${options.message}`, { cause: options.cause });
    this.code = options.code;
    this.retryable = options.retryable;
    this.operation = options.operation;
  }
}
