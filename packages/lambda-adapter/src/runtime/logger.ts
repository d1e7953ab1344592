import { Logger } from "@aws-lambda-powertools/logger";
import type { Step } from "@aurora-snapshot-tool/core";
import type { Context } from "aws-lambda";
import type { HandlerEnv } from "./env.js";
import type { HandlerLogLevel } from "./log-level.js";

/** What a function runs: a step, or the status and verify functions (the logs' `step` key). */
export type ToolFunction =
  Step | "status" | "verify" | "fleet-targets" | "fleet-step" | "fleet-report";

/** The `service` key of every log line unless POWERTOOLS_SERVICE_NAME says otherwise. */
export const SERVICE_NAME = "aurora-snapshot-tool";

/*
 * One Logger per execution environment, as Powertools intends: its `cold_start` key is only true
 * for the first invocation an instance serves. Level and keys are set again on every invocation.
 */
let shared: Logger | undefined;

/**
 * The logger for one invocation: JSON lines on stdout at `level` (Lambda's Advanced Logging
 * Controls, AWS_LAMBDA_LOG_LEVEL, take precedence when set), carrying the Lambda context and the
 * step (or function). `context` is optional so the handlers can be called outside Lambda.
 */
export function invocationLogger(
  level: HandlerLogLevel,
  step: ToolFunction,
  env: HandlerEnv,
  context?: Partial<Context>,
): Logger {
  if (shared === undefined) {
    shared = new Logger({
      logLevel: level,
      ...(env["POWERTOOLS_SERVICE_NAME"] ? {} : { serviceName: SERVICE_NAME }),
    });
  } else {
    shared.setLogLevel(level);
  }
  shared.resetKeys();
  if (context) shared.addContext(context as Context);
  shared.appendKeys({ step });
  return shared;
}
