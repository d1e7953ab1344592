import type {
  DeleteDecision,
  Facts,
  Reason,
  SkipDecision,
  Snapshot,
  Tags,
} from "../model/index.js";
import { TAG_INTERMEDIATE, isToolCopy, isToolSnapshot } from "../model/index.js";
import { copySourceAccount, isForeignCopy, ownsCopy, ownsSourceSnapshot } from "./ownership.js";
import type { ClusterPattern, DestinationPolicy, SourcePolicy } from "../policy/types.js";
import type { KeepRules } from "../policy/keep-rules.js";
import { keptByRules, type KeptBy } from "./keep-periods.js";
import { matchesPattern } from "../policy/pattern.js";
import { sortDecisions } from "./decision-order.js";
import { reencryptPairs } from "./reencrypt-pairs.js";
import {
  daysBetween,
  isFutureStamped,
  isWithinRetention,
  roundTenth,
  periodTime,
  snapshotTime,
  stampedTime,
} from "./snapshot-time.js";

/** How far this machine's clock may be from AWS's before prune deletes nothing. */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;

interface ClockCheck {
  /**
   * AWS's time minus `now`, as the step measured it from the Date header of RDS's responses; null
   * when it could not be measured, in which case nothing is deleted either. Left out (a caller
   * planning on data it trusts, such as a test), no check is made.
   */
  readonly clockSkewMs?: number | null;
}

export interface PlanPruneInput extends ClockCheck {
  /** The region's manual snapshots (tags included). */
  readonly snapshots: readonly Snapshot[];
  readonly policy: SourcePolicy;
  readonly now: Date;
}

export interface PlanPruneDestInput extends ClockCheck {
  /** The account's manual snapshots in every destination region (tags included). */
  readonly snapshots: readonly Snapshot[];
  readonly policy: DestinationPolicy;
  readonly now: Date;
}

export type PruneStepDecision = DeleteDecision | SkipDecision;

interface PruneRules {
  readonly step: "prune" | "prune-dest";
  /** Which tag marks the tool's snapshots: CreatedBy at the source, CopiedBy at the destination. */
  readonly isTagged: (tags: Tags) => boolean;
  /** Whether this deployment owns a tagged snapshot (its name, and at the destination its source). */
  readonly isOwn: (s: Snapshot) => boolean;
  /** Copies made from an account SOURCE_ACCOUNTS does not list (destination only). */
  readonly isForeign: (s: Snapshot) => boolean;
  readonly skipIntermediate: boolean;
  readonly pattern: ClusterPattern;
  readonly retentionDays: number;
  readonly minKeep: number;
  /** KEEP_DAILY, KEEP_WEEKLY, KEEP_MONTHLY, KEEP_YEARLY. */
  readonly keep: KeepRules;
  readonly now: Date;
  readonly clockSkewMs: number | null | undefined;
}

/** Deletes the source's own snapshots past retention (safety rules 1 and 2). */
export function planPrune(input: PlanPruneInput): PruneStepDecision[] {
  // Re-encrypted copies (cmk-NAME) are judged with their aws/rds originals, as one backup.
  const pairs = reencryptPairs(input.snapshots, input.policy.snapshotNamePrefix);
  const decisions = planDeletions(pairs.visible, {
    step: "prune",
    isTagged: isToolSnapshot,
    isOwn: (s) => ownsSourceSnapshot(s, input.policy.snapshotNamePrefix),
    isForeign: () => false,
    skipIntermediate: false,
    pattern: input.policy.clusterPattern,
    retentionDays: input.policy.retentionDays,
    minKeep: input.policy.minKeep,
    keep: input.policy,
    now: input.now,
    clockSkewMs: input.clockSkewMs,
  });
  return pairs.settle(decisions);
}

/**
 * Deletes the destination's copies past retention. Reads the destination's own pattern
 * (SNAPSHOT_PATTERN): the original read PATTERN here, which its template never set.
 */
export function planPruneDest(input: PlanPruneDestInput): PruneStepDecision[] {
  const regions = new Set(input.policy.destinationRegions);
  return planDeletions(
    input.snapshots.filter((s) => regions.has(s.region)),
    {
      step: "prune-dest",
      isTagged: isToolCopy,
      isOwn: ownsCopy,
      isForeign: (s) => isForeignCopy(s, input.policy.sourceAccounts),
      skipIntermediate: true,
      pattern: input.policy.snapshotPattern,
      retentionDays: input.policy.retentionDays,
      minKeep: input.policy.minKeep,
      keep: input.policy,
      now: input.now,
      clockSkewMs: input.clockSkewMs,
    },
  );
}

interface Eligible {
  readonly snapshot: Snapshot;
  readonly time: Date | undefined;
}

/**
 * Safety rule 1: only available manual snapshots this deployment owns are ever candidates.
 * Safety rule 2: nothing within retention is deleted (by the younger of the name's time and RDS's),
 * and the newest `minKeep` candidates of each cluster (per account and region) are kept whatever
 * their age, so a `take` outage longer than the retention period no longer leaves a cluster without
 * any snapshot. A candidate stamped in the future is kept and reported, and never holds a MIN_KEEP
 * place. With the clock check failed, nothing at all is deleted.
 */
function planDeletions(snapshots: readonly Snapshot[], rules: PruneRules): PruneStepDecision[] {
  const decisions: PruneStepDecision[] = [];
  const eligible: Eligible[] = [];

  for (const s of snapshots) {
    const reason = ineligibility(s, rules);
    if (reason) {
      decisions.push(skipOf(s, rules.step, reason.reason, reason.facts));
    } else if (isFutureStamped(s, rules.now)) {
      decisions.push(
        skipOf(s, rules.step, "future-timestamp", {
          stampedTime: stampedTime(s)?.toISOString() ?? null,
          now: rules.now.toISOString(),
        }),
      );
    } else {
      eligible.push({ snapshot: s, time: snapshotTime(s) });
    }
  }

  const clock = clockProblem(rules.clockSkewMs);
  const { ranks: kept, keptBy } = keptPerCluster(eligible, rules);
  for (const { snapshot: s, time } of eligible) {
    if (!time) {
      // Deleting on a guessed age could remove the only backup; an unreadable age is never expired.
      decisions.push(skipOf(s, rules.step, "unknown-age", {}));
      continue;
    }
    const facts: Facts = {
      time: time.toISOString(),
      ageDays: roundTenth(daysBetween(time, rules.now)),
      retentionDays: rules.retentionDays,
    };
    if (isWithinRetention(time, rules.now, rules.retentionDays)) {
      decisions.push(skipOf(s, rules.step, "within-retention", facts));
      continue;
    }
    const byRules = keptBy.get(s);
    if (byRules) {
      decisions.push(
        skipOf(s, rules.step, byRules[0]!.reason, { ...facts, ...keptFacts(byRules) }),
      );
      continue;
    }
    const rank = kept.get(s);
    if (rank !== undefined) {
      decisions.push(skipOf(s, rules.step, "min-keep", { ...facts, rank, minKeep: rules.minKeep }));
      continue;
    }
    if (clock) {
      decisions.push(skipOf(s, rules.step, "clock-skew", { ...facts, ...clock }));
      continue;
    }
    decisions.push({
      step: rules.step,
      action: "delete",
      reason: "expired",
      cluster: s.clusterId,
      account: s.account,
      region: s.region,
      snapshot: s.name,
      snapshotArn: s.arn,
      facts,
    });
  }
  return sortDecisions(decisions);
}

/** Facts for a failed clock check; undefined when the clocks agree (or no check was asked for). */
function clockProblem(skewMs: number | null | undefined): Facts | undefined {
  if (skewMs === undefined) return undefined;
  if (skewMs === null || !Number.isFinite(skewMs)) return { clockSkewSeconds: null };
  if (Math.abs(skewMs) <= MAX_CLOCK_SKEW_MS) return undefined;
  return { clockSkewSeconds: Math.round(skewMs / 1000), maxSkewSeconds: MAX_CLOCK_SKEW_MS / 1000 };
}

function ineligibility(
  s: Snapshot,
  rules: PruneRules,
): { reason: Reason; facts: Facts } | undefined {
  if (!rules.isTagged(s.tags)) return { reason: "no-tool-tag", facts: {} };
  if (s.type !== "manual") return { reason: "not-manual", facts: { type: s.type } };
  if (!rules.isOwn(s)) return { reason: "not-owned", facts: {} };
  if (rules.isForeign(s)) return { reason: "source-account-not-allowed", facts: {} };
  // The copy step removes intermediates once their onward copies are available (safety rule 4).
  if (rules.skipIntermediate && s.tags[TAG_INTERMEDIATE] === "YES") {
    return { reason: "intermediate-copy", facts: {} };
  }
  if (!matchesPattern(rules.pattern, s.clusterId)) {
    return { reason: "pattern-mismatch", facts: { pattern: rules.pattern.source } };
  }
  if (s.status !== "available") return { reason: "not-available", facts: { status: s.status } };
  return undefined;
}

/**
 * Each (account, region, cluster) group's eligible snapshots of known age, and what keeps them
 * past retention: the rank of the newest `minKeep` (1 = newest, by the age prune reads), and the
 * calendar rules (KEEP_DAILY ...), which file each snapshot under the time it was taken (see
 * periodTime). Snapshots of unknown age are never deleted anyway, so they hold no place here.
 */
function keptPerCluster(
  eligible: readonly Eligible[],
  rules: Pick<PruneRules, "minKeep" | "keep" | "now">,
): { ranks: Map<Snapshot, number>; keptBy: Map<Snapshot, KeptBy[]> } {
  const groups = new Map<string, Snapshot[]>();
  const times = new Map<Snapshot, Date>();
  for (const { snapshot, time } of eligible) {
    if (!time) continue;
    times.set(snapshot, time);
    const group = groups.get(groupKey(snapshot)) ?? [];
    group.push(snapshot);
    groups.set(groupKey(snapshot), group);
  }
  const ranks = new Map<Snapshot, number>();
  for (const group of groups.values()) {
    newestFirst(group, times)
      .slice(0, Math.max(0, rules.minKeep))
      .forEach((s, i) => ranks.set(s, i + 1));
  }
  const keptBy = new Map<Snapshot, KeptBy[]>();
  for (const group of calendarGroups(groups).values()) {
    const periods = new Map(group.map((s) => [s, periodTime(s, rules.now) as Date]));
    const dated = newestFirst(group, periods).map((item) => ({ item, time: periods.get(item)! }));
    for (const [s, by] of keptByRules(dated, rules.keep)) keptBy.set(s, by);
  }
  return { ranks, keptBy };
}

/**
 * At the destination, clusters of two source accounts may share an id: each source keeps its own
 * MIN_KEEP, and a copy without the source tag (the original tool's) counts under its own, unknown,
 * source.
 */
function groupKey(s: Snapshot): string {
  return `${clusterKey(s)}\n${copySourceAccount(s) ?? ""}`;
}

function clusterKey(s: Snapshot): string {
  return `${s.account}\n${s.region}\n${s.clusterId.toLowerCase()}`;
}

/**
 * The groups the calendar rules walk. A group of legacy copies (no source tag) never gains a
 * member, so its periods would never move on and it would keep its snapshots for ever. It joins
 * the group of the one source account whose copies of that cluster are in the region; with
 * several, which one it belongs to cannot be told, and it goes by retention and MIN_KEEP alone.
 */
function calendarGroups(groups: ReadonlyMap<string, Snapshot[]>): Map<string, Snapshot[]> {
  const sourcesOf = new Map<string, string[]>();
  for (const [key, group] of groups) {
    const from = copySourceAccount(group[0]!);
    if (from === undefined) continue;
    const cluster = clusterKey(group[0]!);
    sourcesOf.set(cluster, [...(sourcesOf.get(cluster) ?? []), key]);
  }
  const out = new Map<string, Snapshot[]>();
  for (const [key, group] of groups) {
    const legacy = copySourceAccount(group[0]!) === undefined;
    const tagged = legacy ? (sourcesOf.get(clusterKey(group[0]!)) ?? []) : [];
    if (legacy && tagged.length > 1) continue;
    const into = legacy && tagged.length === 1 ? tagged[0]! : key;
    out.set(into, [...(out.get(into) ?? []), ...group]);
  }
  return out;
}

/** Newest first by `times`; ties broken by name, then ARN, the same way on every run. */
function newestFirst(group: readonly Snapshot[], times: ReadonlyMap<Snapshot, Date>): Snapshot[] {
  return [...group].sort(
    (a, b) =>
      times.get(b)!.getTime() - times.get(a)!.getTime() ||
      (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) ||
      (a.arn < b.arn ? -1 : a.arn > b.arn ? 1 : 0),
  );
}

/** The period the first rule keeps a snapshot for, and every rule that keeps it. */
function keptFacts(by: readonly KeptBy[]): Facts {
  return { period: by[0]!.period, keptBy: by.map((b) => `${b.reason} ${b.period}`).join(", ") };
}

function skipOf(s: Snapshot, step: PruneRules["step"], reason: Reason, facts: Facts): SkipDecision {
  return {
    step,
    action: "skip",
    reason,
    cluster: s.clusterId,
    account: s.account,
    region: s.region,
    snapshot: s.name,
    facts,
  };
}
