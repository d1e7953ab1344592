import {
  assertComplete,
  bindStepFrom,
  createClientFactory,
  copyLoopFails,
  copyLoopPositionOf,
  copyLoopState,
  failedRunMetrics,
  lambdaDeadline,
  runMetrics,
  runStep,
  SnapshotToolException,
  summarize,
  type CopyLoopState,
  type DestinationPolicy,
  type ReportSummary,
  type RunReport,
  type Step,
} from "@aurora-snapshot-tool/core";
import type { Context } from "aws-lambda";
import { deploymentNameOf } from "./env.js";
import { runRegion } from "./env.js";
import { logFailure, startInvocation, type HandlerOptions } from "./invocation.js";
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

/** What a step handler reads and talks to; every default is what a deployed function uses. */
export interface StepHandlerOptions extends HandlerOptions {
  /**
   * How copy waits between two looks at its copies (default a real timer). Give one with an
   * injected clock, so that waiting moves that clock.
   */
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * Wires one core step into a handler: env -> policy through core's step catalogue (a ConfigError is
 * logged naming the variable and rethrown before any AWS call), a gateway over the clients, the step
 * under a deadline taken from the Lambda context (copy keeps following its copies until it), the
 * report's metrics published as EMF lines (core's runMetrics; failedRunMetrics for a run that
 * ended without a report), the report logged, and SnapshotToolException when work is left (the
 * state machines retry that name on their long interval). In the copy state machine's loop (`copyLoop` in the event) copy runs one
 * round and throws only when core's copyLoopFails says the round failed: copies in flight or
 * waiting for a slot are the loop's to come back for.
 */
export function createStepHandler(step: Step, options: StepHandlerOptions = {}): StepHandler {
  return async (event, context) => {
    const invocation = startInvocation(step, options, context);
    const { clock, startedAt, logger } = invocation;
    // Until the policy is read (a ConfigError), the failed run's metrics name DEPLOYMENT_NAME as given.
    let deployment = deploymentNameOf(invocation.env);
    let published = false;
    try {
      invocation.checkLogLevel();
      const bound = bindStepFrom(step, { env: invocation.env });
      deployment = bound.policy.deploymentName;
      for (const warning of bound.warnings) logger.warn(warning, { step });
      const deadline = lambdaDeadline(context, startedAt);
      // The copy state machine drives the loop itself (a Wait state between rounds): one round
      // per invocation, and no follow-up inside it.
      const loop = step === "copy" ? copyLoopPositionOf(event, new Date(startedAt)) : undefined;
      // Through core's orchestration port, in the function's own account and region.
      const report = await runStep({
        step,
        target: { region: runRegion(invocation.env) },
        policy: bound.policy,
        clients: options.clients ?? createClientFactory(),
        clock,
        ...(deadline !== undefined && { deadline }),
        ...(deadline !== undefined &&
          loop === undefined && {
            followUp: options.sleep === undefined ? {} : { sleep: options.sleep },
          }),
        // The regions the rounds before refused a single-step copy (COPY_MODE auto): two steps
        // there from the start, without asking RDS again.
        ...(loop !== undefined && { singleStepRefused: loop.singleStepRefused }),
      });
      // Out before anything can throw: an incomplete run's RunsFailed is what its alarm watches.
      invocation.publish(runMetrics(step, report, deployment));
      published = true;
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
      if (!published) invocation.publish(failedRunMetrics(step, deployment));
      logFailure(logger, step, error);
      throw error;
    }
  };
}

/** What the run adapted to (a region refusing single-step copies, ...), once each, at WARN. */
function logNotices(logger: ReportLogger, step: Step, report: RunReport): void {
  for (const notice of new Set(report.notices ?? [])) logger.warn(notice, { step });
}
