import { ConfigError } from "@aurora-snapshot-tool/core";

/** Exit codes: a script can tell "fix your input" (2) from "run again later" (3). */
export const EXIT = Object.freeze({
  /** Everything done, or nothing to do; a dry run that could plan. */
  ok: 0,
  /** Anything unexpected (an AWS error that is not transient, a bug). */
  unexpected: 1,
  /** Invalid input or configuration: nothing was changed and no AWS call was made. */
  invalidInput: 2,
  /** Some work is pending or failed; running the same command again is safe. */
  pending: 3,
});

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/**
 * Input rejected before any AWS call. `field` is the name the user gave the value under: a flag
 * (`--retention-days`), an env var (`RETENTION_DAYS`) or a config key (`source.retentionDays`).
 */
export class InvalidInputError extends Error {
  override readonly name = "InvalidInputError";
  readonly field: string;
  readonly value: unknown;
  readonly expected: string;
  /** Where the value came from when the field name alone does not say (the config file's path). */
  readonly origin: string | undefined;

  constructor(
    field: string,
    value: unknown,
    expected: string,
    origin?: string,
    /** Appended to the message: how else the value can be given. */
    hint?: string,
  ) {
    const where = origin === undefined ? field : `${field} (in ${origin})`;
    const what = value === undefined ? "not set" : `invalid value ${JSON.stringify(value)}`;
    super(`${where}: ${what}; expected ${expected}${hint === undefined ? "" : ` (${hint})`}`);
    this.field = field;
    this.value = value;
    this.expected = expected;
    this.origin = origin;
  }

  static from(error: ConfigError, field = error.field, origin?: string): InvalidInputError {
    return new InvalidInputError(field, error.value, error.expected, origin);
  }
}

export function isInvalidInput(error: unknown): error is InvalidInputError | ConfigError {
  return error instanceof InvalidInputError || error instanceof ConfigError;
}
