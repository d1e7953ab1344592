export {
  bundledEnvDefaults,
  deploymentNameOf,
  runRegion,
  toolSide,
  withEnvDefaults,
} from "./env.js";
export type { HandlerEnv } from "./env.js";
export { DEFAULT_LOG_LEVEL, LOG_LEVEL_EXPECTED, parseLogLevel } from "./log-level.js";
export type { HandlerLogLevel } from "./log-level.js";
export { awsStepContext, logFailure, startInvocation } from "./invocation.js";
export type { HandlerOptions, Invocation } from "./invocation.js";
export { SERVICE_NAME, invocationLogger } from "./logger.js";
export type { ToolFunction } from "./logger.js";
export { EMF_MAX_METRICS_PER_LINE, publishMetrics } from "./metrics.js";
export type { PublishMetricsOptions } from "./metrics.js";
export { logReport } from "./report-log.js";
export type { ReportLogger } from "./report-log.js";
export { createStepHandler } from "./step-handler.js";
export type { HandlerResult, StepHandler, StepHandlerOptions } from "./step-handler.js";
export { createStatusHandler, logStatus } from "./status-handler.js";
export type { StatusHandler } from "./status-handler.js";
export { createVerifyHandler } from "./verify-handler.js";
export type { VerifyHandler, VerifyHandlerResult } from "./verify-handler.js";
export {
  TargetUnreachable,
  createFleetReportHandler,
  createFleetStepHandler,
  createFleetTargetsHandler,
} from "./fleet-handlers.js";
export type { FleetHandlerOptions } from "./fleet-handlers.js";
