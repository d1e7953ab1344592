import {
  VerifyFailedError,
  destinationPolicyFrom,
  sourcePolicyFrom,
  verifyCounts,
  verifyMetrics,
  verifyPositionOf,
  verifyRound,
  verifyRunFailed,
  type VerifyPosition,
  type VerifyResult,
} from "@aurora-snapshot-tool/core";
import type { Context } from "aws-lambda";
import { toolSide } from "./env.js";
import { awsStepContext, logFailure, startInvocation, type HandlerOptions } from "./invocation.js";

/** What one invocation returns: the state machine passes `verify` back after `waitSeconds`. */
export interface VerifyHandlerResult {
  readonly verify: VerifyPosition;
  readonly continue: boolean;
  readonly waitSeconds: number;
  readonly results: readonly VerifyResult[];
}

export type VerifyHandler = (event: unknown, context?: Context) => Promise<VerifyHandlerResult>;

/**
 * One round of restore verification (core's verifyRound) for TOOL_SIDE (`source`, the default, or
 * `destination`). The event `{"verify": <position>}` continues a run; anything else starts one.
 * At the end of a run it publishes the verify metrics, logs each result, and throws a
 * SnapshotToolException when any verification failed, so the alarm fires.
 */
export function createVerifyHandler(options: HandlerOptions = {}): VerifyHandler {
  return async (event, context) => {
    const invocation = startInvocation("verify", options, context);
    const { logger } = invocation;
    try {
      invocation.checkLogLevel();
      const env = invocation.env;
      const run = awsStepContext(invocation, options, context);
      const position = verifyPositionOf(event);
      const common = {
        gateway: run.gateway,
        region: run.region,
        now: run.now ?? new Date(invocation.startedAt),
        ...(position !== undefined && { position }),
      };
      const side = toolSide(env);
      // The policy is parsed before the first AWS call: a bad one changes nothing.
      const input =
        side === "source"
          ? { ...common, side, policy: sourcePolicyFrom({ env }) }
          : { ...common, side, policy: destinationPolicyFrom({ env }) };
      const policy = input.policy;
      const round = await verifyRound(input);
      for (const action of round.actions) logger.info(action, { round: round.position.round });
      if (!round.continue) {
        const { succeeded, failed } = verifyCounts(round.results);
        invocation.publish(verifyMetrics(side, policy.deploymentName, succeeded, failed));
        for (const r of round.results) {
          const line = `${r.cluster} ${r.outcome}`;
          if (r.outcome === "passed") logger.info(line, { ...r });
          else logger.warn(line, { ...r });
        }
        for (const p of round.position.problems) logger.warn(p, { side });
        logger.info("verify", {
          side,
          region: round.position.region,
          reason: round.reason,
          succeeded,
          failed,
          removed: round.position.removed,
        });
        if (verifyRunFailed(round)) throw new VerifyFailedError(round.position);
      }
      return {
        verify: round.position,
        continue: round.continue,
        waitSeconds: round.waitSeconds,
        results: round.results,
      };
    } catch (error) {
      logFailure(logger, "verify", error);
      throw error;
    }
  };
}
