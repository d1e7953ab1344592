import type { Snapshot } from "../model/index.js";

/*
 * What `wait` considers finished. Pure rules over the Snapshot model, which a Step Functions
 * "wait for copies" state could share.
 */

/**
 * States a snapshot never leaves for `available`: the SDK's own waiter treats these as terminal
 * failures (AWS-FACTS: Copying).
 */
export const FAILED_STATES: ReadonlySet<string> = new Set([
  "failed",
  "deleting",
  "deleted",
  "incompatible-restore",
  "incompatible-parameters",
]);

export type WaitOutcome = "done" | "failed" | "pending";

/** `undefined`: RDS no longer knows the snapshot (deleted, or a cancelled copy). */
export function outcomeOf(snapshot: Snapshot | undefined): WaitOutcome {
  if (snapshot === undefined) return "failed";
  if (snapshot.status === "available") return "done";
  return FAILED_STATES.has(snapshot.status) ? "failed" : "pending";
}

/** Snapshots worth following: neither finished nor failed. */
export function isInProgress(snapshot: Snapshot): boolean {
  return outcomeOf(snapshot) === "pending";
}

/** PercentProgress as RDS reports it; an available snapshot is complete whatever it says. */
export function percentOf(snapshot: Snapshot | undefined): number {
  if (snapshot === undefined) return 0;
  if (snapshot.status === "available") return 100;
  const p = snapshot.percentProgress ?? 0;
  return Math.max(0, Math.min(100, Math.round(p)));
}
