export { bundledEnvDefaults, runRegion, withEnvDefaults } from "./env.js";
export type { HandlerEnv } from "./env.js";
export { DEFAULT_LOG_LEVEL, LOG_LEVEL_EXPECTED, parseLogLevel } from "./log-level.js";
export type { HandlerLogLevel } from "./log-level.js";
export { SERVICE_NAME, invocationLogger } from "./logger.js";
export { logReport } from "./report-log.js";
export type { ReportLogger } from "./report-log.js";
export { createStepHandler } from "./step-handler.js";
export type { HandlerResult, StepHandler, StepHandlerOptions } from "./step-handler.js";
