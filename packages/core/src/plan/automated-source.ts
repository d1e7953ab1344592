import type { Facts, Snapshot } from "../model/index.js";
import { MAX_COPIES_IN_FLIGHT } from "../policy/destination-policy.js";
import { isUnfinishedCopy } from "./plan-copy.js";
import { FUTURE_TOLERANCE_MS, hoursBetween, roundTenth } from "./snapshot-time.js";

/*
 * SNAPSHOT_SOURCE=automated: which due clusters take copies an automated snapshot of, instead of
 * creating a snapshot. Pure: the listings and the run's time in, a choice with its facts out.
 */

/** Why a due cluster gets a created snapshot rather than a copy of an automated one. */
export type AutomatedFallback =
  "none" | "too-old" | "not-available" | "newer-in-progress" | "no-copy-slot";

export type AutomatedChoice =
  | {
      readonly kind: "copy";
      readonly source: Snapshot;
      /** The source's SnapshotCreateTime: how old the copy's data is. */
      readonly time: Date;
      readonly facts: Facts;
    }
  | { readonly kind: "create"; readonly facts: Facts };

interface Candidate {
  readonly snapshot: Snapshot;
  readonly time: Date;
}

/**
 * The copy slots free in a region for take's copies: AWS runs at most 5 snapshot copies in
 * progress per account and destination region (AuroraUserGuide/aurora-copy-snapshot). Whether a
 * same-region copy counts is not documented; it is counted here, which can only make take create
 * a snapshot where a copy would have been accepted, never queue a backup behind the limit. Every
 * unfinished copy in the listing takes a slot, the tool's or not, as plan-copy counts them.
 */
export function freeCopySlots(manual: readonly Snapshot[], region: string): number {
  let inFlight = 0;
  for (const s of manual) if (s.region === region && isUnfinishedCopy(s)) inFlight += 1;
  return Math.max(0, MAX_COPIES_IN_FLIGHT - inFlight);
}

/**
 * Per cluster (lowercased id), the automated snapshots with a readable SnapshotCreateTime, newest
 * first. A time more than an hour after `now` is left out: such a stamp says nothing about how
 * old the data is. One still `creating` without a time is being made now, so it counts as `now`.
 */
export function automatedByCluster(
  automated: readonly Snapshot[],
  now: Date,
): Map<string, Candidate[]> {
  const byCluster = new Map<string, Candidate[]>();
  for (const s of automated) {
    if (s.type !== "automated") continue;
    const time = s.createTime ?? (s.status === "creating" ? now : undefined);
    if (time === undefined) continue;
    if (Number.isNaN(time.getTime()) || time.getTime() - now.getTime() > FUTURE_TOLERANCE_MS)
      continue;
    const key = s.clusterId.toLowerCase();
    const list = byCluster.get(key) ?? [];
    list.push({ snapshot: s, time });
    byCluster.set(key, list);
  }
  for (const list of byCluster.values()) {
    list.sort(
      (a, b) =>
        b.time.getTime() - a.time.getTime() ||
        (a.snapshot.name < b.snapshot.name ? -1 : a.snapshot.name > b.snapshot.name ? 1 : 0),
    );
  }
  return byCluster;
}

/**
 * What a due cluster's backup is made from. A copy needs the cluster's newest *available*
 * automated snapshot to be younger than `maxAgeHours` (RDS copies only an available snapshot, API
 * CopyDBClusterSnapshot) and a free copy slot (`slotFree`); otherwise the backup is created, with
 * the reason in the `automated` fact. A backup is never skipped for want of a slot.
 *
 * While the newest automated snapshot is still `creating`, RDS is taking a fresher one right now:
 * copying the older available one would file data hours older than a created snapshot as this
 * interval's backup, so the backup is created (`newer-in-progress`).
 */
export function chooseAutomatedSource(
  candidates: readonly Candidate[] | undefined,
  now: Date,
  maxAgeHours: number,
  slotFree: boolean,
): AutomatedChoice {
  const limit = { automatedMaxAgeHours: maxAgeHours };
  if (candidates === undefined || candidates.length === 0) {
    return { kind: "create", facts: { automated: "none", ...limit } };
  }
  const ageOf = (c: Candidate): number => roundTenth(Math.max(0, hoursBetween(c.time, now)));
  const recent = (c: Candidate): boolean =>
    now.getTime() - c.time.getTime() < maxAgeHours * 3_600_000;
  const available = candidates.find((c) => c.snapshot.status === "available");
  const newest = candidates[0]!;
  if (newest.snapshot.status === "creating" && available && recent(available)) {
    return {
      kind: "create",
      facts: {
        automated: "newer-in-progress",
        automatedSnapshot: newest.snapshot.name,
        automatedStatus: newest.snapshot.status,
        olderAvailable: available.snapshot.name,
        olderAgeHours: ageOf(available),
        ...limit,
      },
    };
  }
  if (available && recent(available)) {
    const facts: Facts = {
      automatedSnapshot: available.snapshot.name,
      automatedAgeHours: ageOf(available),
      ...limit,
    };
    if (!slotFree) return { kind: "create", facts: { automated: "no-copy-slot", ...facts } };
    return { kind: "copy", source: available.snapshot, time: available.time, facts };
  }
  // A newer one RDS is still making (or that failed) is the one that would have been copied.
  if (newest.snapshot.status !== "available" && (available === undefined || recent(newest))) {
    return {
      kind: "create",
      facts: {
        automated: "not-available",
        automatedSnapshot: newest.snapshot.name,
        automatedStatus: newest.snapshot.status,
        ...limit,
      },
    };
  }
  const old = available ?? newest;
  return {
    kind: "create",
    facts: {
      automated: "too-old",
      automatedSnapshot: old.snapshot.name,
      automatedAgeHours: ageOf(old),
      ...limit,
    },
  };
}
