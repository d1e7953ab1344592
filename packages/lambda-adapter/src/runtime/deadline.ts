/**
 * Time kept back from the Lambda timeout: no new action starts in it, so the handler still has
 * time to log its report and throw SnapshotToolException before Lambda stops it. An invocation
 * that times out fails with Lambda's own timeout error instead: the state machines retry that on
 * the short generic interval, and the report of what was done is lost.
 */
export const SAFETY_MARGIN_MS = 20_000;

/** The part of the Lambda context the deadline needs. */
export interface RemainingTime {
  getRemainingTimeInMillis(): number;
}

/**
 * Epoch ms after which the step starts no new action: now + the time Lambda leaves - the margin,
 * never earlier than now. Undefined (no deadline) when the context cannot tell the time left, as
 * when a handler is called outside Lambda.
 */
export function deadlineFor(
  context: Partial<RemainingTime> | undefined,
  now: number = Date.now(),
  marginMs: number = SAFETY_MARGIN_MS,
): number | undefined {
  const remaining = context?.getRemainingTimeInMillis?.();
  if (typeof remaining !== "number" || !Number.isFinite(remaining)) return undefined;
  return now + Math.max(0, remaining - marginMs);
}
