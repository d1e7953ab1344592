import {
  STATUS_REASONS,
  destinationPolicyFrom,
  destinationStatus,
  sourcePolicyFrom,
  sourceStatus,
  statusMetrics,
  type StatusReport,
  type StepContext,
} from "@aurora-snapshot-tool/core";
import type { Context } from "aws-lambda";
import { toolSide, type HandlerEnv } from "./env.js";
import {
  awsStepContext,
  logFailure,
  startInvocation,
  type HandlerOptions,
  type Invocation,
} from "./invocation.js";
import type { ReportLogger } from "./report-log.js";

/**
 * The status function (Handler `index.handler`): reads the recovery status of TOOL_SIDE's policy
 * (`source`, the default, or `destination`) and returns the report. The event is not read.
 */
export type StatusHandler = (event: unknown, context?: Context) => Promise<StatusReport>;

/**
 * Wires core's sourceStatus / destinationStatus into a handler: the side's policy from the env (a
 * ConfigError is logged and rethrown before any AWS call), the status read under the Lambda
 * deadline, its metrics published as EMF lines (statusMetrics, per cluster unless
 * METRICS_PER_CLUSTER=FALSE), a summary at INFO and each place not protected at WARN with its
 * reasons. Unprotected places are not an error (the alarms on PlacesBeyondRpo say so); a
 * configuration or AWS error is.
 */
export function createStatusHandler(options: HandlerOptions = {}): StatusHandler {
  return async (_event, context) => {
    const invocation = startInvocation("status", options, context);
    const { logger } = invocation;
    try {
      invocation.checkLogLevel();
      const [report, policy] = await readStatus(invocation, options, context);
      invocation.publish(statusMetrics(report, policy.deploymentName, policy.metricsPerCluster));
      logStatus(logger, report);
      return report;
    } catch (error) {
      logFailure(logger, "status", error);
      throw error;
    }
  };
}

interface StatusPolicy {
  readonly deploymentName: string;
  readonly metricsPerCluster: boolean;
}

async function readStatus(
  invocation: Invocation,
  options: HandlerOptions,
  context: Context | undefined,
): Promise<[StatusReport, StatusPolicy]> {
  const env: HandlerEnv = invocation.env;
  const run = (): StepContext => awsStepContext(invocation, options, context);
  if (toolSide(env) === "source") {
    const policy = sourcePolicyFrom({ env });
    return [await sourceStatus({ ...run(), policy }), policy];
  }
  const policy = destinationPolicyFrom({ env });
  return [await destinationStatus({ ...run(), policy }), policy];
}

/** One summary line at INFO; each place not protected at WARN, its reasons spelled out. */
export function logStatus(logger: ReportLogger, report: StatusReport): void {
  for (const p of report.places) {
    if (p.state === "protected") continue;
    logger.warn(`${p.cluster} ${p.state} (${p.place}, ${p.region})`, {
      cluster: p.cluster,
      place: p.place,
      account: p.account,
      region: p.region,
      state: p.state,
      reasons: p.reasons,
      why: p.reasons.map((r) => STATUS_REASONS[r]),
      newest: p.newest,
      inFlight: p.inFlight,
      rpoHours: p.rpoHours,
    });
  }
  logger.info("status", {
    side: report.side,
    account: report.account,
    generatedAt: report.generatedAt,
    places: report.places.length,
    ...report.summary,
  });
}
