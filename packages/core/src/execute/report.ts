import type { ActionDecision, Decision, Reason, SkipDecision, Step } from "../model/index.js";

/**
 * Skips that are work the step wanted to do but could not do now: a due backup of a cluster that
 * is not `available`, a copy waiting for one of RDS's copy slots. They leave the step incomplete,
 * so the state machine's SnapshotToolException retry (and the CLI's exit code 3) bring it back.
 */
export const DEFERRED_REASONS: ReadonlySet<Reason> = new Set<Reason>([
  "cluster-unavailable",
  "copy-slots-full",
]);

/** What happened to one action. */
export interface Outcome {
  readonly decision: ActionDecision;
  readonly status: "done" | "failed" | "pending";
  /** Why a done action needed no change, or why an action is pending. */
  readonly note?: "already-exists" | "already-gone" | "deadline" | "retries-exhausted" | "dry-run";
  /** The AWS error code (SDK v3 modelled name) for a failed or retried-out action. */
  readonly errorCode?: string;
  readonly errorMessage?: string;
}

export interface RunReport {
  readonly step: Step;
  readonly dryRun: boolean;
  readonly startedAt: string;
  readonly finishedAt: string;
  /** Every decision the planner made, actions and skips, in plan order. */
  readonly decisions: readonly Decision[];
  readonly done: readonly Outcome[];
  readonly failed: readonly Outcome[];
  readonly pending: readonly Outcome[];
  readonly skipped: readonly SkipDecision[];
  /** The skips among `skipped` whose reason is in DEFERRED_REASONS. */
  readonly deferred: readonly SkipDecision[];
}

export interface ReportSummary {
  readonly done: number;
  readonly failed: number;
  readonly pending: number;
  readonly skipped: number;
  readonly deferred: number;
}

export function summarize(report: RunReport): ReportSummary {
  return {
    done: report.done.length,
    failed: report.failed.length,
    pending: report.pending.length,
    skipped: report.skipped.length,
    deferred: report.deferred.length,
  };
}

/** True when the step left nothing for a later run: no failure, nothing pending or deferred. */
export function isComplete(report: RunReport): boolean {
  return report.failed.length === 0 && report.pending.length === 0 && report.deferred.length === 0;
}

/**
 * The error a step ends with when work is left. Its `name` is fixed: the Step Functions state
 * machines (ours and the original's) retry `SnapshotToolException` on a 300 s interval.
 */
export class SnapshotToolException extends Error {
  override readonly name = "SnapshotToolException";
  readonly report: RunReport;

  constructor(report: RunReport) {
    const s = summarize(report);
    super(
      `${report.step}: ${s.failed} failed, ${s.pending} pending, ${s.deferred} deferred, ${s.done} done; ` +
        "a later run will pick up the rest",
    );
    this.report = report;
  }
}

/** Throws SnapshotToolException when the report has failed or pending work. */
export function assertComplete(report: RunReport): RunReport {
  if (!isComplete(report)) throw new SnapshotToolException(report);
  return report;
}
