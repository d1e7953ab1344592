import {
  AwsActionError,
  AwsGateway,
  ConfigError,
  SnapshotToolException,
  assertComplete,
  bindStepFrom,
  copyLoopFails,
  copyLoopPositionOf,
  copyLoopState,
  createClientFactory,
  lambdaDeadline,
  summarize,
  type ClientFactory,
  type CopyLoopState,
  type DestinationPolicy,
  type ReportSummary,
  type RunReport,
  type Step,
} from "@aurora-snapshot-tool/core";
import type { Context } from "aws-lambda";
import { bundledEnvDefaults, runRegion, withEnvDefaults, type HandlerEnv } from "./env.js";
import { DEFAULT_LOG_LEVEL, parseLogLevel, type HandlerLogLevel } from "./log-level.js";
import { invocationLogger } from "./logger.js";
import { logReport, type ReportLogger } from "./report-log.js";

/** What a handler returns when the step left nothing for a later run. */
export interface HandlerResult extends ReportSummary {
  readonly step: Step;
  readonly startedAt: string;
  readonly finishedAt: string;
  /**
   * Copy only, when the event carried `copyLoop` (the copy state machine's loop): whether the
   * state machine runs the copy again, after how many seconds, and what it follows.
   */
  readonly copyLoop?: CopyLoopState;
}

/**
 * A Lambda handler (Handler `index.handler`). All configuration comes from the function's
 * environment, as in the original tool, and the event is not read, with one exception: the copy
 * function given `{"copyLoop": {"round": N, "startedAt": ISO, "singleStepRefused": [regions]}}` by
 * the copy state machine runs one round of its loop and returns the loop's verdict (see
 * `HandlerResult.copyLoop`), which carries the refused regions on to the next round.
 */
export type StepHandler = (event: unknown, context?: Context) => Promise<HandlerResult>;

/** What a handler reads and talks to; every default is what a deployed function uses. */
export interface StepHandlerOptions {
  /** The function's environment (default: process.env, read at each invocation). */
  readonly env?: HandlerEnv;
  /** SDK clients per region (default: the SDK's default credential chain). */
  readonly clients?: ClientFactory;
  /** Epoch ms now (default Date.now): the run's time and the base of its deadline. */
  readonly clock?: () => number;
  /**
   * How copy waits between two looks at its copies (default a real timer). Give one with an
   * injected clock, so that waiting moves that clock.
   */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Where the report goes (default: Powertools Logger JSON lines at LOG_LEVEL). */
  readonly logger?: (level: HandlerLogLevel, step: Step, context?: Context) => ReportLogger;
}

/**
 * Wires one core step into a handler: env -> policy through core's step catalogue (a ConfigError is
 * logged naming the variable and rethrown before any AWS call), a gateway over the clients, the step
 * under a deadline taken from the Lambda context (copy keeps following its copies until it), the
 * report logged, and SnapshotToolException when work is left (the state machines retry that name
 * on their long interval). In the copy state machine's loop (`copyLoop` in the event) copy runs one
 * round and throws only when core's copyLoopFails says the round failed: copies in flight or
 * waiting for a slot are the loop's to come back for.
 */
export function createStepHandler(step: Step, options: StepHandlerOptions = {}): StepHandler {
  return async (event, context) => {
    const clock = options.clock ?? Date.now;
    const startedAt = clock();
    const env = withEnvDefaults(options.env ?? process.env, bundledEnvDefaults());
    const [level, levelError] = readLogLevel(env);
    const logger =
      options.logger?.(level, step, context) ?? invocationLogger(level, step, env, context);
    try {
      if (levelError) throw levelError;
      const bound = bindStepFrom(step, { env });
      for (const warning of bound.warnings) logger.warn(warning, { step });
      const region = runRegion(env);
      const clients = options.clients ?? createClientFactory();
      const deadline = lambdaDeadline(context, startedAt);
      // The copy state machine drives the loop itself (a Wait state between rounds): one round
      // per invocation, and no follow-up inside it.
      const loop = step === "copy" ? copyLoopPositionOf(event, new Date(startedAt)) : undefined;
      const report = await bound.run({
        gateway: new AwsGateway({ clients, homeRegion: region }),
        region,
        now: new Date(startedAt),
        execute: { clock },
        ...(deadline !== undefined && { deadline }),
        ...(deadline !== undefined &&
          loop === undefined && {
            followUp: options.sleep === undefined ? {} : { sleep: options.sleep },
          }),
        // The regions the rounds before refused a single-step copy (COPY_MODE auto): two steps
        // there from the start, without asking RDS again.
        ...(loop !== undefined && { singleStepRefused: loop.singleStepRefused }),
      });
      logReport(logger, report);
      logNotices(logger, step, report);
      const result = {
        step,
        ...summarize(report),
        startedAt: report.startedAt,
        finishedAt: report.finishedAt,
      };
      if (loop === undefined) {
        assertComplete(report);
        return result;
      }
      const state = copyLoopState(report, bound.policy as DestinationPolicy, {
        ...loop,
        now: new Date(clock()),
      });
      logger.info("copy loop", { step, ...state });
      if (copyLoopFails(report, state)) throw new SnapshotToolException(report);
      return { ...result, copyLoop: state };
    } catch (error) {
      logFailure(logger, step, error);
      throw error;
    }
  };
}

/** What the run adapted to (a region refusing single-step copies, ...), once each, at WARN. */
function logNotices(logger: ReportLogger, step: Step, report: RunReport): void {
  for (const notice of new Set(report.notices ?? [])) logger.warn(notice, { step });
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

function logFailure(logger: ReportLogger, step: Step, error: unknown): void {
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
