import { isToolCopy, UNSELECTED_REASONS, type Snapshot } from "../model/index.js";
import { matchesPattern } from "../policy/pattern.js";
import { planDestinationSteps, type DestinationStepInput } from "../steps/destination-steps.js";
import { planPruneStep, type SourceStepInput } from "../steps/source-steps.js";
import { isInProgress } from "./wait-rules.js";

/*
 * What `wait` follows when no snapshot is named: the tool's own snapshots still being created or
 * copied, read from the steps' own plans so that "the tool's" and "selected" mean what they mean
 * to the steps.
 */

/** Source side: snapshots prune's plan holds back only because they are not available yet. */
export async function sourceSnapshotsInProgress(input: SourceStepInput): Promise<Snapshot[]> {
  const plan = await planPruneStep(input);
  const waiting = new Set(
    plan.decisions
      .filter((d) => d.reason === "not-available")
      .map((d) => `${d.region}|${d.snapshot ?? ""}`),
  );
  return plan.snapshots.filter((s) => isInProgress(s) && waiting.has(`${s.region}|${s.name}`));
}

/**
 * Destination side: the tool's copies (local and in every destination region) still copying,
 * of snapshots the copy plan selects.
 */
export async function destinationSnapshotsInProgress(
  input: DestinationStepInput,
): Promise<Snapshot[]> {
  const { copy } = await planDestinationSteps(input);
  const left = new Set(
    copy.decisions
      .filter((d) => UNSELECTED_REASONS.has(d.reason))
      .map((d) => d.snapshot?.toLowerCase()),
  );
  return copy.snapshots.filter(
    (s) =>
      s.type === "manual" &&
      isToolCopy(s.tags) &&
      isInProgress(s) &&
      matchesPattern(input.policy.snapshotPattern, s.clusterId) &&
      !left.has(s.name.toLowerCase()),
  );
}
