import type { ActionDecision, Decision, SkipDecision, Step } from "../model/index.js";

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
}

export interface ReportSummary {
  readonly done: number;
  readonly failed: number;
  readonly pending: number;
  readonly skipped: number;
}

export function summarize(report: RunReport): ReportSummary {
  return {
    done: report.done.length,
    failed: report.failed.length,
    pending: report.pending.length,
    skipped: report.skipped.length,
  };
}

/** True when the step left nothing for a later run: no failure and nothing pending. */
export function isComplete(report: RunReport): boolean {
  return report.failed.length === 0 && report.pending.length === 0;
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
      `${report.step}: ${s.failed} failed, ${s.pending} pending, ${s.done} done; a later run will pick up the rest`,
    );
    this.report = report;
  }
}

/** Throws SnapshotToolException when the report has failed or pending work. */
export function assertComplete(report: RunReport): RunReport {
  if (!isComplete(report)) throw new SnapshotToolException(report);
  return report;
}
