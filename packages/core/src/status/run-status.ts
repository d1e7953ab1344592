import { readWithRetry, runTime } from "../steps/context.js";
import { planDestinationSteps, type DestinationStepInput } from "../steps/destination-steps.js";
import { planSourceSteps, type SourceStepInput } from "../steps/source-steps.js";
import { destinationStatusFrom, sourceStatusFrom } from "./plan-status.js";
import type { StatusReport } from "./types.js";

/**
 * The source side's recovery status: one listing pass (the same as `list`), the plans the steps
 * would make now, and the pure status rules over them. Changes nothing.
 */
export async function sourceStatus(input: SourceStepInput): Promise<StatusReport> {
  const [plans, account] = await Promise.all([
    planSourceSteps(input),
    readWithRetry(input, () => input.gateway.accountId()),
  ]);
  return sourceStatusFrom({ ...plans, policy: input.policy, now: runTime(input), account });
}

/** The destination side's recovery status in every target region. Changes nothing. */
export async function destinationStatus(input: DestinationStepInput): Promise<StatusReport> {
  const [plans, account] = await Promise.all([
    planDestinationSteps(input),
    readWithRetry(input, () => input.gateway.accountId()),
  ]);
  return destinationStatusFrom({ ...plans, policy: input.policy, now: runTime(input), account });
}
