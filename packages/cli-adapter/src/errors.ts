/** Exit codes: a script can tell "fix your input" (2) from "run again later" (3). */
export const EXIT = Object.freeze({
  /** Everything done, or nothing to do; a dry run that could plan. */
  ok: 0,
  /** Anything unexpected (an AWS error that is not transient, a bug). */
  unexpected: 1,
  /** Invalid input or configuration: nothing was changed and no AWS call was made. */
  invalidInput: 2,
  /**
   * Some work is pending, deferred, failed or blocked (a selected cluster or snapshot cannot be
   * protected as configured); running the same command again is safe.
   */
  pending: 3,
});

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
