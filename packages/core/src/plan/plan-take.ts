import type {
  Cluster,
  Facts,
  Reason,
  SkipDecision,
  Snapshot,
  TakeDecision,
} from "../model/index.js";
import {
  TAG_CREATED_BY,
  TAG_CREATED_ON,
  TAG_DATA_TIME,
  TAG_SHARE_AND_COPY,
  TOOL_NAME,
} from "../model/index.js";
import {
  checkIdentifier,
  formatSnapshotName,
  formatTimestamp,
  truncateToHour,
} from "../naming/index.js";
import type { SourcePolicy } from "../policy/types.js";
import { matchesPattern } from "../policy/pattern.js";
import { automatedMaxAgeHoursOf } from "../policy/snapshot-source.js";
import { VERIFICATION_TAG } from "../verify/iam-actions.js";
import { automatedByCluster, chooseAutomatedSource, freeCopySlots } from "./automated-source.js";
import { sortDecisions } from "./decision-order.js";
import { ownsSourceSnapshot } from "./ownership.js";
import {
  hoursBetween,
  isFutureStamped,
  roundTenth,
  snapshotTime,
  stampedTime,
} from "./snapshot-time.js";

export interface PlanTakeInput {
  readonly clusters: readonly Cluster[];
  /** The region's manual snapshots (tags included). */
  readonly snapshots: readonly Snapshot[];
  /**
   * The region's automated snapshots of the clusters (SNAPSHOT_SOURCE=automated only; ignored
   * otherwise). With `automated`, `snapshots` must be the region's whole manual listing: the copies
   * in progress in it decide how many copy slots are free.
   */
  readonly automated?: readonly Snapshot[];
  readonly policy: SourcePolicy;
  readonly now: Date;
}

export type TakeStepDecision = TakeDecision | SkipDecision;

/**
 * DescribeDBClusters also lists neptune, docdb and Multi-AZ DB clusters (mysql, postgres); the
 * original took neptune too, which this project treats as a bug.
 */
const AURORA_ENGINES: ReadonlySet<string> = new Set([
  "aurora",
  "aurora-mysql",
  "aurora-postgresql",
]);

/** A snapshot in these states will never become a backup, so it does not reset the interval. */
const DEAD_STATES: ReadonlySet<string> = new Set(["failed", "deleting", "deleted"]);

interface Newest {
  readonly snapshot: Snapshot;
  readonly time: Date;
}

/**
 * Which clusters get a snapshot now. A cluster is due when its newest tool snapshot, truncated to
 * the hour as the original does, is at least `intervalHours` old: a daily schedule that fires a few
 * minutes earlier than yesterday's run still takes its backup.
 *
 * The cluster's state is checked after the interval on purpose: a stopped cluster that is not due
 * reports `not-due` (nothing was missed), and only a due one reports `cluster-unavailable` (a backup
 * is being missed and the user should know why).
 */
export function planTake(input: PlanTakeInput): TakeStepDecision[] {
  const { policy, now } = input;
  const { newest, future } = newestOwnSnapshots(input.snapshots, policy.snapshotNamePrefix, now);
  const existing = new Map(input.snapshots.map((s) => [s.name.toLowerCase(), s]));
  const decisions: TakeStepDecision[] = [];
  const fromAutomated = policy.snapshotSource === "automated";
  const automated = fromAutomated ? automatedByCluster(input.automated ?? [], now) : undefined;
  const maxAgeHours = automatedMaxAgeHoursOf(policy);
  // Slots per region, handed out in cluster id order so the plan does not depend on listing order.
  const slots = new Map<string, number>();
  const clusters = [...input.clusters].sort((a, b) =>
    a.id.toLowerCase() < b.id.toLowerCase() ? -1 : a.id.toLowerCase() > b.id.toLowerCase() ? 1 : 0,
  );

  for (const cluster of clusters) {
    const skip = (reason: Reason, facts: Facts, snapshot?: string): void => {
      decisions.push({
        step: "take",
        action: "skip",
        reason,
        cluster: cluster.id,
        account: cluster.account,
        region: cluster.region,
        ...(snapshot === undefined ? {} : { snapshot }),
        facts,
      });
    };

    const engine = cluster.engine.toLowerCase();
    if (!AURORA_ENGINES.has(engine)) {
      skip("not-aurora", { engine: cluster.engine });
      continue;
    }
    if (cluster.tags[VERIFICATION_TAG] !== undefined) {
      // A temporary cluster restored by verify (of any deployment): it lives an hour or two and
      // is deleted without a final snapshot; a backup of it would outlive it as a stray.
      skip("verification-cluster", { [VERIFICATION_TAG]: cluster.tags[VERIFICATION_TAG] });
      continue;
    }
    if (!matchesPattern(policy.clusterPattern, cluster.id)) {
      skip("pattern-mismatch", { pattern: policy.clusterPattern.source });
      continue;
    }
    const missing = policy.includeTags.find((t) => cluster.tags[t.key] !== t.value);
    if (missing) {
      skip("tag-not-included", { requiredTag: `${missing.key}=${missing.value}` });
      continue;
    }
    const excluded = policy.excludeTags.find((t) => cluster.tags[t.key] === t.value);
    if (excluded) {
      skip("tag-excluded", { excludedTag: `${excluded.key}=${excluded.value}` });
      continue;
    }

    const last = newest.get(cluster.id.toLowerCase());
    const ignored = future.get(cluster.id.toLowerCase());
    const interval: Facts = {
      ...intervalFacts(last, now, policy.intervalHours),
      ...(ignored && { ignoredFutureSnapshot: ignored }),
    };
    if (
      last &&
      now.getTime() - truncateToHour(last.time).getTime() < policy.intervalHours * 3_600_000
    ) {
      skip("not-due", interval);
      continue;
    }
    if (cluster.status !== "available") {
      skip("cluster-unavailable", { ...interval, clusterStatus: cluster.status });
      continue;
    }

    const identifier = formatSnapshotName(cluster.id, now, policy.snapshotNamePrefix);
    const problem = checkIdentifier(identifier);
    if (problem) {
      skip(problem, { ...interval, identifier, length: identifier.length }, identifier);
      continue;
    }
    const taken = existing.get(identifier);
    if (taken && ownsSourceSnapshot(taken, policy.snapshotNamePrefix)) {
      // Same run minute: the identifier is taken already (a retry, or two runs at once).
      skip("not-due", { ...interval, existingSnapshot: identifier }, identifier);
      continue;
    }
    if (taken) {
      // Someone else's snapshot has the name this backup needs (another deployment's prefix and
      // another cluster's id can spell the same identifier): the backup cannot be made.
      skip("snapshot-name-taken", { ...interval, takenBy: taken.clusterId }, identifier);
      continue;
    }

    // The name and CreatedOn carry the run's time even for a copy of an older automated
    // snapshot: the interval guard reads that stamp, so the next backup falls due on the schedule
    // it would have with a created snapshot. The data is as old as the automated snapshot, and a
    // copy's SnapshotCreateTime may be the copy's own (AWS documents neither rule), so the copy
    // also carries SnapshotToolDataTime, the automated snapshot's time: status and the RPO read
    // the oldest of the stamp, SnapshotCreateTime and that tag. Retention is safe either way:
    // prune ages a snapshot by the younger of stamp and SnapshotCreateTime, so a copy is never
    // deleted before its name says.
    const tags = {
      [TAG_CREATED_BY]: TOOL_NAME,
      [TAG_CREATED_ON]: formatTimestamp(now),
      [TAG_SHARE_AND_COPY]: "YES",
    };
    const base = {
      step: "take",
      action: "take",
      cluster: cluster.id,
      account: cluster.account,
      region: cluster.region,
      snapshot: identifier,
      tags,
    } as const;
    if (automated === undefined) {
      decisions.push({ ...base, reason: "due", facts: interval });
      continue;
    }
    const free = slots.get(cluster.region) ?? freeCopySlots(input.snapshots, cluster.region);
    const choice = chooseAutomatedSource(
      automated.get(cluster.id.toLowerCase()),
      now,
      maxAgeHours,
      free > 0,
    );
    if (choice.kind === "copy") {
      slots.set(cluster.region, free - 1);
      decisions.push({
        ...base,
        reason: "automated-recent",
        // The identifier, as API_CopyDBClusterSnapshot asks for a source in the copy's region.
        copyFrom: choice.source.id,
        tags: { ...tags, [TAG_DATA_TIME]: formatTimestamp(choice.time) },
        facts: { ...interval, ...choice.facts, copySlotsFree: free },
      });
    } else {
      slots.set(cluster.region, free);
      decisions.push({ ...base, reason: "due", facts: { ...interval, ...choice.facts } });
    }
  }
  return sortDecisions(decisions);
}

/**
 * Newest live snapshot this deployment owns, per cluster (lowercased id: RDS compares cluster ids
 * case-insensitively), and the newest owned snapshot each cluster has with a stamp in the future.
 * Such a snapshot never counts as the newest: trusting it would skip every backup until that date.
 */
function newestOwnSnapshots(
  snapshots: readonly Snapshot[],
  prefix: string | undefined,
  now: Date,
): { newest: Map<string, Newest>; future: Map<string, string> } {
  const newest = new Map<string, Newest>();
  const future = new Map<string, string>();
  for (const s of snapshots) {
    // A `creating` snapshot counts: the backup is under way and must not be taken twice.
    if (s.type !== "manual" || !ownsSourceSnapshot(s, prefix) || DEAD_STATES.has(s.status))
      continue;
    const key = s.clusterId.toLowerCase();
    if (isFutureStamped(s, now)) {
      const seen = future.get(key);
      if (seen === undefined || s.name < seen) future.set(key, s.name);
      continue;
    }
    // The interval is read from the stamp, as the original does (hour-truncated): a
    // SnapshotCreateTime a few seconds into the next hour must not make tomorrow's run early.
    // RDS's time is the fallback for a snapshot without one.
    const time = stampedTime(s) ?? snapshotTime(s);
    if (!time) continue;
    const known = newest.get(key);
    if (
      !known ||
      time.getTime() > known.time.getTime() ||
      (time.getTime() === known.time.getTime() && s.name < known.snapshot.name)
    ) {
      newest.set(key, { snapshot: s, time });
    }
  }
  return { newest, future };
}

function intervalFacts(last: Newest | undefined, now: Date, intervalHours: number): Facts {
  if (!last) return { newestSnapshot: null, intervalHours };
  const truncated = truncateToHour(last.time);
  return {
    newestSnapshot: last.snapshot.name,
    newestTime: last.time.toISOString(),
    comparedFrom: truncated.toISOString(),
    hoursSince: roundTenth(hoursBetween(truncated, now)),
    intervalHours,
  };
}
