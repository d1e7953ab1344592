import {
  AwsActionError,
  AwsGateway,
  ConfigError,
  SnapshotToolException,
  createClientFactory,
  lambdaDeadline,
  summarize,
  type ClientFactory,
  type MetricDatum,
  type StepContext,
} from "@aurora-snapshot-tool/core";
import type { Context } from "aws-lambda";
import { bundledEnvDefaults, runRegion, withEnvDefaults, type HandlerEnv } from "./env.js";
import { DEFAULT_LOG_LEVEL, parseLogLevel, type HandlerLogLevel } from "./log-level.js";
import { invocationLogger, type ToolFunction } from "./logger.js";
import { publishMetrics } from "./metrics.js";
import type { ReportLogger } from "./report-log.js";

/** What every handler reads and talks to; every default is what a deployed function uses. */
export interface HandlerOptions {
  /** The function's environment (default: process.env, read at each invocation). */
  readonly env?: HandlerEnv;
  /** SDK clients per region (default: the SDK's default credential chain). */
  readonly clients?: ClientFactory;
  /** Epoch ms now (default Date.now): the run's time and the base of its deadline. */
  readonly clock?: () => number;
  /** Where the logs go (default: Powertools Logger JSON lines at LOG_LEVEL). */
  readonly logger?: (level: HandlerLogLevel, fn: ToolFunction, context?: Context) => ReportLogger;
  /** Where the CloudWatch EMF lines go (default: stdout, as Powertools Metrics writes them). */
  readonly writeMetrics?: (line: string) => void;
}

/** One invocation's environment, clock, logger and metrics, set up before anything can fail. */
export interface Invocation {
  /** The function's environment with the zip's defaults filled in. */
  readonly env: HandlerEnv;
  readonly clock: () => number;
  readonly startedAt: number;
  readonly logger: ReportLogger;
  /** Throws the LOG_LEVEL's ConfigError, if it had one (the logger then runs at the default). */
  checkLogLevel(): void;
  /** Publishes metrics as EMF lines; never throws (a failure is logged at WARN). */
  publish(data: readonly MetricDatum[]): void;
}

export function startInvocation(
  fn: ToolFunction,
  options: HandlerOptions,
  context?: Context,
): Invocation {
  const clock = options.clock ?? Date.now;
  const startedAt = clock();
  const env = withEnvDefaults(options.env ?? process.env, bundledEnvDefaults());
  const [level, levelError] = readLogLevel(env);
  const logger = options.logger?.(level, fn, context) ?? invocationLogger(level, fn, env, context);
  return {
    env,
    clock,
    startedAt,
    logger,
    checkLogLevel: () => {
      if (levelError) throw levelError;
    },
    publish: (data) =>
      publishMetrics(data, {
        env,
        logger,
        ...(options.writeMetrics !== undefined && { write: options.writeMetrics }),
      }),
  };
}

/**
 * What a core run needs from Lambda: a gateway over the clients in the function's region, the
 * invocation's time and clock, and a deadline from the context's remaining time.
 */
export function awsStepContext(
  invocation: Invocation,
  options: HandlerOptions,
  context?: Context,
): StepContext & { readonly deadline?: number } {
  const region = runRegion(invocation.env);
  const clients = options.clients ?? createClientFactory();
  const deadline = lambdaDeadline(context, invocation.startedAt);
  return {
    gateway: new AwsGateway({ clients, homeRegion: region }),
    region,
    now: new Date(invocation.startedAt),
    execute: { clock: invocation.clock },
    ...(deadline !== undefined && { deadline }),
  };
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

/** The error a handler is about to throw, at ERROR, with what names its cause. */
export function logFailure(logger: ReportLogger, fn: ToolFunction, error: unknown): void {
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
    logger.error(`${fn} failed`, {
      ...(error instanceof AwsActionError && {
        errorCode: error.code,
        operation: error.operation,
      }),
      error,
    });
  }
}
