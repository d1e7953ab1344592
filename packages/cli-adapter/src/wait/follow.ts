import { AwsActionError, type Gateway, type Snapshot } from "@aurora-snapshot-tool/core";
import { outcomeOf, percentOf, type WaitOutcome } from "@aurora-snapshot-tool/core/inventory";

/** One snapshot to follow: where to ask about it, and under which identifier or ARN. */
export interface WaitTarget {
  readonly region: string;
  readonly ref: string;
  readonly name: string;
}

export interface WaitState {
  readonly target: WaitTarget;
  readonly snapshot: Snapshot | undefined;
  readonly outcome: WaitOutcome;
  readonly percent: number;
}

export interface FollowOptions {
  readonly gateway: Gateway;
  readonly targets: readonly WaitTarget[];
  readonly timeoutMs: number;
  readonly pollMs: number;
  readonly now: () => Date;
  readonly sleep: (ms: number) => Promise<void>;
  /** Called after every round of polling with the state of every target. */
  readonly onRound: (states: readonly WaitState[]) => void;
  /** Called when a poll failed transiently (the target stays pending). */
  readonly onTransientError?: (target: WaitTarget, error: AwsActionError) => void;
}

async function poll(options: FollowOptions, state: WaitState): Promise<WaitState> {
  try {
    const snapshot = await options.gateway.describeSnapshot(state.target.region, state.target.ref);
    return {
      target: state.target,
      snapshot,
      outcome: outcomeOf(snapshot),
      percent: percentOf(snapshot),
    };
  } catch (error) {
    // Throttling or a network blip says nothing about the snapshot: ask again next round.
    if (error instanceof AwsActionError && error.retryable) {
      options.onTransientError?.(state.target, error);
      return state;
    }
    throw error;
  }
}

/**
 * Polls every target until it is available or failed, or until the timeout. Targets still
 * creating or copying at the timeout stay `pending`.
 */
export async function follow(
  options: FollowOptions,
  initial?: ReadonlyMap<string, Snapshot>,
): Promise<WaitState[]> {
  const deadline = options.now().getTime() + options.timeoutMs;
  let states: WaitState[] = options.targets.map((target) => {
    const snapshot = initial?.get(target.ref);
    return {
      target,
      snapshot,
      outcome: snapshot === undefined ? "pending" : outcomeOf(snapshot),
      percent: percentOf(snapshot),
    };
  });
  // What the caller already read counts as the first look: no second call for the same answer.
  let fresh = new Set(initial?.keys() ?? []);
  for (;;) {
    const seen = fresh;
    states = await Promise.all(
      states.map((s) =>
        s.outcome === "pending" && !seen.has(s.target.ref) ? poll(options, s) : Promise.resolve(s),
      ),
    );
    fresh = new Set();
    options.onRound(states);
    if (states.every((s) => s.outcome !== "pending")) return states;
    if (options.now().getTime() + options.pollMs > deadline) return states;
    await options.sleep(options.pollMs);
  }
}
