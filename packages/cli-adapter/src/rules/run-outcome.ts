import type { Decision, Outcome, RunReport } from "@aurora-snapshot-tool/core";

/* How a run report reads for a person or a script. The report's deferred skips are reported as
 * pending: running the step again later will do them. */

export type DecisionStatus = "done" | "failed" | "pending" | "skipped";

export interface DecisionResult {
  readonly decision: Decision;
  readonly status: DecisionStatus;
  /** Core's note (already-exists, dry-run, ...) or `deferred` for a deferred skip. */
  readonly note?: string;
  readonly errorCode?: string;
  readonly errorMessage?: string;
}

export interface ResultSummary {
  readonly done: number;
  readonly failed: number;
  readonly pending: number;
  readonly skipped: number;
}

/** Every decision of the report in plan order, each with what became of it. */
export function decisionResults(report: RunReport): DecisionResult[] {
  const outcomes = new Map<Decision, Outcome>();
  for (const o of [...report.done, ...report.failed, ...report.pending]) {
    outcomes.set(o.decision, o);
  }
  const deferred = new Set<Decision>(report.deferred);
  return report.decisions.map((decision) => {
    const outcome = outcomes.get(decision);
    if (outcome !== undefined) {
      return {
        decision,
        status: outcome.status,
        ...(outcome.note !== undefined && { note: outcome.note }),
        ...(outcome.errorCode !== undefined && { errorCode: outcome.errorCode }),
        ...(outcome.errorMessage !== undefined && { errorMessage: outcome.errorMessage }),
      };
    }
    if (deferred.has(decision)) {
      return { decision, status: "pending", note: "deferred" };
    }
    return { decision, status: "skipped" };
  });
}

export function summarizeResults(results: readonly DecisionResult[]): ResultSummary {
  const count = (status: DecisionStatus): number =>
    results.filter((r) => r.status === status).length;
  return {
    done: count("done"),
    failed: count("failed"),
    pending: count("pending"),
    skipped: count("skipped"),
  };
}

/**
 * 0 when nothing is left to do, 3 when something failed or is pending. A dry run changes nothing
 * and only reports a plan, so it exits 0 whenever it could plan.
 */
export function exitCodeOf(summary: ResultSummary, dryRun: boolean): 0 | 3 {
  if (dryRun) return 0;
  return summary.failed > 0 || summary.pending > 0 ? 3 : 0;
}
