import {
  REMEDIES,
  blockedLine,
  summarize,
  type Outcome,
  type RunReport,
} from "@aurora-snapshot-tool/core";

/** The part of a logger the report needs: Powertools' Logger, or one a test records with. */
export interface ReportLogger {
  debug(message: string, fields: Record<string, unknown>): void;
  info(message: string, fields: Record<string, unknown>): void;
  warn(message: string, fields: Record<string, unknown>): void;
  error(message: string, fields: Record<string, unknown>): void;
}

/**
 * Writes a step's report as JSON lines: every decision at DEBUG (skips included, so the log answers
 * why nothing happened to a cluster), each finished action at INFO (at WARN when take created a
 * snapshot because the copy of an automated snapshot failed), each pending action at WARN,
 * each failed one at ERROR, each blocked skip (a selected cluster or snapshot the tool cannot
 * protect as configured) at WARN with its fix, then one summary line at INFO. The level names the severity, so the
 * default level (ERROR) shows failures only, like the original tool.
 */
export function logReport(logger: ReportLogger, report: RunReport): void {
  for (const decision of report.decisions) {
    logger.debug("decision", { action: decision.action, reason: decision.reason, decision });
  }
  for (const outcome of report.done) {
    // take created the snapshot because the copy of the automated snapshot failed: the backup is
    // there, but the copy's error (a missing grant, a key) needs a look.
    if (outcome.decision.facts["automated"] === "copy-failed") {
      logger.warn("action done after the copy of the automated snapshot failed", {
        ...outcomeFields(outcome),
        copyErrorCode: outcome.decision.facts["copyErrorCode"],
        copyErrorMessage: outcome.decision.facts["copyErrorMessage"],
      });
    } else {
      logger.info("action done", outcomeFields(outcome));
    }
  }
  for (const outcome of report.pending) logger.warn("action pending", outcomeFields(outcome));
  for (const outcome of report.failed) logger.error("action failed", outcomeFields(outcome));
  for (const d of report.blocked) {
    logger.warn(blockedLine(d), {
      reason: d.reason,
      cluster: d.cluster,
      snapshot: d.snapshot,
      fix: REMEDIES[d.reason],
      decision: d,
    });
  }
  logger.info(`${report.step} finished`, {
    ...summarize(report),
    regions: report.regions,
    dryRun: report.dryRun,
    startedAt: report.startedAt,
    finishedAt: report.finishedAt,
  });
}

function outcomeFields(outcome: Outcome): Record<string, unknown> {
  const { decision } = outcome;
  return {
    action: decision.action,
    reason: decision.reason,
    snapshot: decision.snapshot,
    ...(outcome.note !== undefined && { note: outcome.note }),
    ...(outcome.errorCode !== undefined && { errorCode: outcome.errorCode }),
    ...(outcome.errorMessage !== undefined && { errorMessage: outcome.errorMessage }),
    decision,
  };
}
