import {
  AwsActionError,
  AwsGateway,
  ConfigError,
  SnapshotToolException,
  assertComplete,
  createClientFactory,
  destinationPolicyFromEnv,
  sourcePolicyFromEnv,
  summarize,
  type DestinationPolicy,
  type ReportSummary,
  type RunReport,
  type SourcePolicy,
  type Step,
  type StepContext,
} from "@aurora-snapshot-tool/core";
import type { Logger } from "@aws-lambda-powertools/logger";
import type { Context } from "aws-lambda";
import { deadlineFor } from "./deadline.js";
import { bundledEnvDefaults, runRegion, withEnvDefaults, type HandlerEnv } from "./env.js";
import { DEFAULT_LOG_LEVEL, parseLogLevel, type HandlerLogLevel } from "./log-level.js";
import { invocationLogger } from "./logger.js";
import { logReport } from "./report-log.js";

/** What a handler returns when the step left nothing for a later run. */
export interface HandlerResult extends ReportSummary {
  readonly step: Step;
  readonly startedAt: string;
  readonly finishedAt: string;
}

/**
 * A Lambda handler (Handler `index.handler`). The event is not read: the schedule only says "run
 * now", and all configuration comes from the function's environment, as in the original tool.
 */
export type StepHandler = (event: unknown, context?: Context) => Promise<HandlerResult>;

/** A core step function: runTake, runShare, runPrune, runCopy or runPruneDest. */
export type StepRunner<P> = (input: StepContext & { readonly policy: P }) => Promise<RunReport>;

/**
 * Wires one core step into a handler: env -> policy (a ConfigError is logged naming the field and
 * rethrown before any AWS call), gateway over the SDK's default credentials, the step under a
 * deadline taken from the Lambda context, the report logged, and SnapshotToolException when work
 * is left (the state machines retry that name on their long interval).
 */
export function createStepHandler<P>(
  step: Step,
  readPolicy: (env: HandlerEnv) => P,
  run: StepRunner<P>,
): StepHandler {
  return async (_event, context) => {
    const startedAt = Date.now();
    const env = withEnvDefaults(process.env, bundledEnvDefaults());
    const [level, levelError] = readLogLevel(env);
    const logger = invocationLogger(level, step, env, context);
    try {
      if (levelError) throw levelError;
      const policy = readPolicy(env);
      const region = runRegion(env);
      const gateway = new AwsGateway({ clients: createClientFactory(), homeRegion: region });
      const deadline = deadlineFor(context, startedAt);
      const report = await run({
        gateway,
        policy,
        region,
        now: new Date(startedAt),
        ...(deadline !== undefined && { execute: { deadline } }),
      });
      logReport(logger, report);
      assertComplete(report);
      return {
        step,
        ...summarize(report),
        startedAt: report.startedAt,
        finishedAt: report.finishedAt,
      };
    } catch (error) {
      logFailure(logger, step, error);
      throw error;
    }
  };
}

export function sourceStepHandler(step: Step, run: StepRunner<SourcePolicy>): StepHandler {
  return createStepHandler(step, sourcePolicyFromEnv, run);
}

export function destinationStepHandler(
  step: Step,
  run: StepRunner<DestinationPolicy>,
): StepHandler {
  return createStepHandler(step, destinationPolicyFromEnv, run);
}

/** A bad LOG_LEVEL is still reported, at the default level, before the handler gives up. */
function readLogLevel(env: HandlerEnv): [HandlerLogLevel, ConfigError | undefined] {
  try {
    return [parseLogLevel(env["LOG_LEVEL"]), undefined];
  } catch (error) {
    if (error instanceof ConfigError) return [DEFAULT_LOG_LEVEL, error];
    throw error;
  }
}

function logFailure(logger: Logger, step: Step, error: unknown): void {
  if (error instanceof ConfigError) {
    logger.error("configuration rejected", {
      errorName: error.name,
      field: error.field,
      value: error.value,
      expected: error.expected,
    });
  } else if (error instanceof SnapshotToolException) {
    logger.error(error.message, { errorName: error.name, ...summarize(error.report) });
  } else {
    logger.error(`${step} failed`, {
      ...(error instanceof AwsActionError && {
        errorCode: error.code,
        operation: error.operation,
      }),
      error,
    });
  }
}
