import type {
  CopyDecision,
  DeleteDecision,
  Facts,
  Reason,
  SkipDecision,
  Snapshot,
} from "../model/index.js";
import {
  TAG_COPIED_BY,
  TAG_CREATED_ON,
  TAG_DATA_TIME,
  TAG_INTERMEDIATE,
  TAG_REENCRYPTED_FROM,
  TAG_SHARE_AND_COPY,
  TAG_SOURCE_ARN,
  TOOL_NAME,
  isToolCopy,
  isToolSnapshot,
  parseArn,
} from "../model/index.js";
import { formatTimestamp, isOwnName, parseTimestamp } from "../naming/index.js";
import type { DestinationPolicy } from "../policy/types.js";
import { matchesPattern } from "../policy/pattern.js";
import { sortDecisions } from "./decision-order.js";
import { keptByRules, type Dated } from "./keep-periods.js";
import { hasKeepRules, keepRulesText } from "../policy/keep-rules.js";
import { copySourceAccount, isForeignCopy, ownsCopy } from "./ownership.js";
import {
  daysBetween,
  isFutureStamped,
  isWithinRetention,
  periodTime,
  roundTenth,
  snapshotTime,
  stampedTime,
} from "./snapshot-time.js";

export interface PlanCopyInput {
  /** The destination account: the one making (and owning) the copies. */
  readonly account: string;
  /** The region snapshots are shared into (cross-account) or taken in (same account). */
  readonly localRegion: string;
  /** Snapshots shared in from other accounts, in `localRegion` (type `shared`). */
  readonly shared: readonly Snapshot[];
  /** This account's manual snapshots in `localRegion` and in every destination region. */
  readonly own: readonly Snapshot[];
  readonly policy: DestinationPolicy;
  readonly now: Date;
  /**
   * Keys of shared snapshots this account cannot use (by the snapshot's KmsKeyId), found by the
   * step before planning or from a copy RDS refused earlier in the run: their snapshots are
   * blocked with the reason given, and take no copy slot.
   */
  readonly blockedSourceKeys?: ReadonlyMap<string, Reason>;
  /**
   * Destination regions where RDS refused a single-step copy of a shared snapshot earlier in the
   * run (COPY_MODE auto): snapshots bound there go in two steps for the rest of the run.
   */
  readonly singleStepRefused?: ReadonlySet<string>;
}

export type CopyStepDecision = CopyDecision | DeleteDecision | SkipDecision;

interface Candidate {
  readonly snapshot: Snapshot;
  readonly time: Date;
}

/** Where a candidate stands in the queue for copy slots; smaller sorts first. */
interface Priority {
  /** 0: some target region holds no available copy of the cluster younger than its interval. */
  readonly tier: number;
  /** 0 for the cluster's newest candidate, 1 for the next, ...: round-robin across clusters. */
  readonly rank: number;
  /** How old the cluster's recovery point is in its worst target region (ms; Infinity: none). */
  readonly behindMs: number;
}

/** The interval assumed for a cluster with a single candidate: the original's daily default. */
const DEFAULT_INTERVAL_MS = 24 * 3600 * 1000;

interface CopyTarget {
  readonly source: Snapshot;
  readonly time: Date;
  readonly region: string;
  readonly sourceArn: string;
  readonly sourceRegion: string;
  readonly encrypted: boolean;
  readonly kmsKeyId: string | undefined;
  readonly intermediate: boolean;
}

/**
 * The regions a copy is made in: every destination region, plus (cross-account) the local region,
 * where a shared snapshot is first copied. Same-account, the local snapshot is its own copy.
 */
export function copyRegionsOf(policy: DestinationPolicy, localRegion: string): string[] {
  const regions = [...new Set(policy.destinationRegions)].filter((r) => r !== localRegion);
  return policy.crossAccount ? [localRegion, ...regions] : regions;
}

/**
 * The KMS key a copy into `region` is encrypted with: in the local region (the first copy of a
 * shared snapshot) the destination key of that region when it is also a destination, else
 * KMS_KEY_SOURCE_REGION; elsewhere that region's KMS_KEY_DEST_REGION entry. Undefined: no key,
 * so an encrypted snapshot cannot be copied there (kms-key-required).
 */
export function copyKeyFor(
  policy: DestinationPolicy,
  localRegion: string,
  region: string,
): string | undefined {
  if (region !== localRegion) return policy.kmsKeyDestination[region];
  return policy.destinationRegions.includes(localRegion)
    ? (policy.kmsKeyDestination[localRegion] ?? policy.kmsKeySource)
    : policy.kmsKeySource;
}

/**
 * Which copies to start in the destination account, and which intermediate copies to remove.
 *
 * Cross-account, a snapshot bound for another region is copied there straight from the shared
 * snapshot in one call (COPY_MODE single-step, and auto until RDS refuses it in a region), or in two
 * steps: a local copy (re-encrypted with KMS_KEY_SOURCE_REGION), then a cross-region copy of it.
 * Unlike the original, which needed three scheduled runs, the onward copy is planned in the same
 * run as soon as the local copy is available, and the local copy (when it is only a step) is
 * removed in the run that sees every onward copy available.
 *
 * AWS allows a handful of copies in flight per destination region and account. When more are
 * wanted, slots go by what they do for a recovery: first the clusters with no available copy
 * younger than their interval in some target region, then each cluster's newest snapshot before
 * any cluster's second newest (round-robin), the cluster furthest behind first; older snapshots
 * after.
 */
export function planCopy(input: PlanCopyInput): CopyStepDecision[] {
  return new CopyPlanner(input).plan();
}

class CopyPlanner {
  private readonly decisions: CopyStepDecision[] = [];
  /** Own snapshots by region and lowercased name: RDS stores identifiers in lowercase. */
  private readonly own = new Map<string, Snapshot>();
  private readonly inFlight = new Map<string, number>();
  private readonly planned = new Map<string, Snapshot>();
  /** Names (lowercased) of the snapshots this run considered for copying, whatever it decided. */
  private readonly considered = new Set<string>();
  /** Intermediates not yet copied onward everywhere, existing or planned (bounded, see planCrossAccount). */
  private openIntermediates = 0;
  /** What the destination's calendar rules keep past retention (see keptByCalendarRules). */
  private readonly calendarKept = new Set<Snapshot>();
  private readonly regions: readonly string[];
  private readonly policy: DestinationPolicy;

  constructor(private readonly input: PlanCopyInput) {
    this.policy = input.policy;
    this.regions = [...new Set(input.policy.destinationRegions)].sort();
    for (const s of input.own) {
      const key = targetKey(s.region, s.name);
      // Two snapshots of one name in one place cannot come from RDS; should a caller pass them,
      // the smaller ARN wins whatever the input order, so the plan stays deterministic.
      const seen = this.own.get(key);
      if (!seen || s.arn < seen.arn) this.own.set(key, s);
      // The limit is per account and region, so copies the tool did not start take slots too,
      // and a copy takes one from the moment RDS accepts it, whatever state it shows.
      if (isUnfinishedCopy(s)) this.inFlight.set(s.region, (this.inFlight.get(s.region) ?? 0) + 1);
    }
  }

  plan(): CopyStepDecision[] {
    this.openIntermediates = this.input.own.filter((s) => this.isOpenIntermediate(s)).length;
    const candidates = this.inSlotOrder(
      this.policy.crossAccount ? this.sharedCandidates() : this.ownCandidates(),
    );
    for (const c of candidates) this.considered.add(c.snapshot.name.toLowerCase());
    for (const candidate of candidates) {
      if (this.policy.crossAccount) this.planCrossAccount(candidate);
      else this.planSameAccount(candidate);
    }
    this.planIntermediateCleanup();
    return sortDecisions(this.decisions);
  }

  private sharedCandidates(): Candidate[] {
    const sources = this.policy.sourceAccounts;
    return this.candidates(this.input.shared, (s) => {
      // First: a stranger's share is never looked at further, whatever it claims to be.
      if (sources.length > 0 && !sources.includes(s.account)) {
        return ["source-account-not-allowed", { sourceAccount: s.account }];
      }
      if (s.status !== "available") return ["not-available", { status: s.status }];
      if (!matchesPattern(this.policy.snapshotPattern, s.clusterId)) {
        return ["pattern-mismatch", { pattern: this.policy.snapshotPattern.source }];
      }
      // Before any slot is given out: a copy RDS will refuse must not keep others waiting.
      const keyVerdict =
        s.kmsKeyId === undefined ? undefined : this.input.blockedSourceKeys?.get(s.kmsKeyId);
      if (s.encrypted && keyVerdict !== undefined) {
        // Said in every region a copy would be tried in, so a refusal RDS gave there earlier in
        // the run is answered by this skip.
        return [
          keyVerdict,
          { sourceKey: s.kmsKeyId ?? null, source: s.arn },
          this.attemptRegions(),
        ];
      }
      return undefined;
    });
  }

  private ownCandidates(): Candidate[] {
    const local = this.input.own.filter((s) => s.region === this.input.localRegion);
    return this.candidates(local, (s) => {
      if (!isToolSnapshot(s.tags)) return ["no-tool-tag", {}];
      if (s.type !== "manual") return ["not-manual", { type: s.type }];
      if (!isOwnName(s.name, s.clusterId, { any: true })) return ["not-owned", {}];
      // Made only so that an aws/rds snapshot can be shared; in its own account the original is
      // copied, and copying both would keep every backup twice in DR.
      const original = s.tags[TAG_REENCRYPTED_FROM];
      if (original !== undefined) return ["reencrypted-copy", { original }];
      if (s.tags[TAG_SHARE_AND_COPY] !== "YES") {
        return ["share-not-requested", { shareAndCopy: s.tags[TAG_SHARE_AND_COPY] ?? null }];
      }
      if (s.status !== "available") return ["not-available", { status: s.status }];
      if (!matchesPattern(this.policy.snapshotPattern, s.clusterId)) {
        return ["pattern-mismatch", { pattern: this.policy.snapshotPattern.source }];
      }
      return undefined;
    });
  }

  /** Applies the snapshot-level checks, then orders the survivors newest first for the slots. */
  private candidates(
    snapshots: readonly Snapshot[],
    reject: (s: Snapshot) => [Reason, Facts, (readonly string[])?] | undefined,
  ): Candidate[] {
    const out: Candidate[] = [];
    for (const s of snapshots) {
      const rejected = reject(s);
      if (rejected) {
        const [reason, facts, regions = [this.input.localRegion]] = rejected;
        for (const region of regions) this.skip(s, region, reason, facts);
        continue;
      }
      if (isFutureStamped(s, this.input.now)) {
        // Never copied, so it can neither take a slot nor stand in for a real backup downstream.
        this.skip(s, this.input.localRegion, "future-timestamp", {
          stampedTime: stampedTime(s)?.toISOString() ?? null,
          now: this.input.now.toISOString(),
        });
        continue;
      }
      const time = snapshotTime(s);
      if (!time) {
        this.skip(s, this.input.localRegion, "unknown-age", {});
        continue;
      }
      out.push({ snapshot: s, time });
    }
    // Copying what prune-dest would delete at once only burns a copy slot.
    const keptByCalendar = this.keptByCalendarRules(out);
    return out.filter(({ snapshot: s, time }) => {
      if (isWithinRetention(time, this.input.now, this.policy.retentionDays)) return true;
      if (keptByCalendar.has(s)) return true;
      this.skip(s, this.input.localRegion, "outside-retention", {
        ...this.ageFacts(time),
        retentionDays: this.policy.retentionDays,
        ...(hasKeepRules(this.policy) && { keepRules: keepRulesText(this.policy) }),
      });
      return false;
    });
  }

  /**
   * The candidates past retention that prune-dest's calendar rules (KEEP_DAILY ...) would keep
   * once copied: per cluster and source account, the rules run over the candidates together with
   * the copies already made (one entry per name, whichever region holds it), as prune-dest will
   * see them, each under the time it was taken (periodTime, as prune-dest files it). Intermediates
   * whose shared snapshot is gone stand for their name too, so the onward copy of one that the
   * rules keep is still made (see copyOnwardFromItself). Remembered for that.
   */
  private keptByCalendarRules(candidates: readonly Candidate[]): Set<Snapshot> {
    const kept = this.calendarKept;
    if (!hasKeepRules(this.policy)) return kept;
    const groups = new Map<string, Map<string, Dated<Snapshot | undefined>>>();
    const add = (source: string, s: Snapshot, time: Date, item: Snapshot | undefined): void => {
      const key = `${source}\n${s.clusterId.toLowerCase()}`;
      const byName = groups.get(key) ?? new Map<string, Dated<Snapshot | undefined>>();
      groups.set(key, byName);
      const name = s.name.toLowerCase();
      // A candidate stands for its name even where a copy of it already exists.
      if (item !== undefined || !byName.has(name)) byName.set(name, { item, time });
    };
    const now = this.input.now;
    const regions = new Set(this.policy.destinationRegions);
    const names = new Set(candidates.map((c) => c.snapshot.name.toLowerCase()));
    for (const c of this.input.own) {
      if (!ownsCopy(c) || c.status !== "available" || isFutureStamped(c, now)) continue;
      const time = periodTime(c, now);
      if (!time) continue;
      if (c.tags[TAG_INTERMEDIATE] !== "YES") {
        if (regions.has(c.region)) add(copySourceAccount(c) ?? "", c, time, undefined);
      } else if (c.region === this.input.localRegion && !names.has(c.name.toLowerCase())) {
        add(copySourceAccount(c) ?? "", c, time, c);
      }
    }
    for (const c of candidates) {
      const time = periodTime(c.snapshot, now) ?? c.time;
      add(c.snapshot.account, c.snapshot, time, c.snapshot);
    }
    for (const byName of groups.values()) {
      const newestFirst = [...byName.entries()]
        .sort(([an, a], [bn, b]) => b.time.getTime() - a.time.getTime() || compare(an, bn))
        .map(([, d]) => d);
      for (const item of keptByRules(newestFirst, this.policy).keys()) {
        if (item !== undefined) kept.add(item);
      }
    }
    return kept;
  }

  /** The regions a candidate's copies are kept in (the local region of a same-account copy is the snapshot itself). */
  private targetRegions(): readonly string[] {
    return this.policy.crossAccount
      ? this.regions
      : this.regions.filter((r) => r !== this.input.localRegion);
  }

  /**
   * Orders the candidates for the copy slots (see planCopy). A cluster's interval is read from its
   * two newest candidates (24 h with one); its recovery point in a region is the newest available
   * copy there, by the copy's stamped time.
   */
  private inSlotOrder(candidates: readonly Candidate[]): Candidate[] {
    const now = this.input.now.getTime();
    const byCluster = new Map<string, Candidate[]>();
    for (const c of candidates) {
      const key = c.snapshot.clusterId.toLowerCase();
      const list = byCluster.get(key);
      if (list) list.push(c);
      else byCluster.set(key, [c]);
    }
    const recovery = this.recoveryPoints();
    const priority = new Map<Candidate, Priority>();
    for (const [cluster, list] of byCluster) {
      list.sort(newestFirst);
      const [newest, previous] = list;
      const intervalMs =
        newest && previous ? newest.time.getTime() - previous.time.getTime() : DEFAULT_INTERVAL_MS;
      let behindMs = 0;
      for (const region of this.targetRegions()) {
        const point = recovery.get(`${region}\n${cluster}`);
        behindMs = Math.max(behindMs, point === undefined ? Infinity : now - point);
      }
      const tier = behindMs > intervalMs ? 0 : 1;
      list.forEach((c, rank) => priority.set(c, { tier, rank, behindMs }));
    }
    const p = (c: Candidate): Priority => priority.get(c) as Priority;
    return [...candidates].sort(
      (a, b) =>
        p(a).tier - p(b).tier ||
        p(a).rank - p(b).rank ||
        p(b).behindMs - p(a).behindMs ||
        newestFirst(a, b),
    );
  }

  /** Newest available copy time per region and cluster, over this account's copies. */
  private recoveryPoints(): Map<string, number> {
    const out = new Map<string, number>();
    for (const s of this.input.own) {
      if (s.status !== "available" || s.type !== "manual") continue;
      if (s.tags[TAG_INTERMEDIATE] === "YES") continue;
      if (!isToolCopy(s.tags) && !isToolSnapshot(s.tags)) continue;
      const time = snapshotTime(s);
      if (!time || isFutureStamped(s, this.input.now)) continue;
      const key = `${s.region}\n${s.clusterId.toLowerCase()}`;
      out.set(key, Math.max(out.get(key) ?? -Infinity, time.getTime()));
    }
    return out;
  }

  /** Where a shared snapshot's copies are made: each destination region, and the local region when a copy goes through it. */
  private attemptRegions(): string[] {
    const local = this.input.localRegion;
    const remotes = this.regions.filter((r) => r !== local);
    const viaLocal = this.regions.includes(local) || remotes.some((r) => !this.singleStep(r));
    return [...(viaLocal ? [local] : []), ...remotes];
  }

  /**
   * At most this many intermediates not yet copied onward: enough to keep every onward slot busy
   * and as many ready behind them, far below RDS's 100 manual snapshots per region.
   */
  private maxOpenIntermediates(): number {
    return 2 * this.policy.maxCopiesInFlight;
  }

  /** An intermediate (existing, not failed) whose onward copies are not all available yet. */
  private isOpenIntermediate(s: Snapshot): boolean {
    const local = this.input.localRegion;
    if (!this.isIntermediate(s) || s.status === "failed") return false;
    return this.regions
      .filter((r) => r !== local)
      .some((r) => onwardStatus(s, this.own.get(targetKey(r, s.name))) !== "available");
  }

  private isIntermediate(s: Snapshot): boolean {
    return (
      s.region === this.input.localRegion &&
      s.type === "manual" &&
      isToolCopy(s.tags) &&
      s.tags[TAG_INTERMEDIATE] === "YES"
    );
  }

  /** Whether a snapshot bound for `region` is copied there in one call from the shared snapshot. */
  private singleStep(region: string): boolean {
    const mode = this.policy.copyMode;
    if (mode === "two-step") return false;
    return mode === "single-step" || !(this.input.singleStepRefused?.has(region) ?? false);
  }

  private planCrossAccount({ snapshot: s, time }: Candidate): void {
    const localRegion = this.input.localRegion;
    const localIsFinal = this.regions.includes(localRegion);
    const remotes = this.regions.filter((r) => r !== localRegion);
    const direct = remotes.filter((r) => this.singleStep(r));
    const viaLocal = remotes.filter((r) => !this.singleStep(r));
    const local = this.own.get(targetKey(localRegion, s.name));

    // What the onward copies wait for when the local copy cannot be used yet.
    let localBlock: SkipDecision | undefined;
    let localPlanned = false;
    const localNeeded = localIsFinal || viaLocal.some((r) => !this.own.has(targetKey(r, s.name)));
    if (!localNeeded) {
      // Every copy that could come from a local copy exists: an intermediate there is cleaned up
      // below, and a name taken there stands in nobody's way.
    } else if (local && !isCopyOf(local, s)) {
      // The local name is taken by something else (a stranger's share copied earlier, a snapshot
      // made by hand): nothing can be copied from it, nor over it.
      localBlock = this.nameTaken(s, localRegion, local);
    } else if (local?.status === "failed") {
      localBlock = this.copyFailed(s, localRegion, local);
    } else if (local) {
      if (localIsFinal) this.reportExisting(s, localRegion, local);
    } else if (!localIsFinal && this.openIntermediates >= this.maxOpenIntermediates()) {
      // Intermediates wait for the onward region's slots; made faster than they move on, they
      // would pile up to the account's snapshot quota. Each one is a full copy, paid for.
      localBlock = this.skip(s, localRegion, "copy-slots-full", {
        ...this.ageFacts(time),
        waitingFor: "onward copies of earlier intermediates",
        openIntermediates: this.openIntermediates,
        max: this.maxOpenIntermediates(),
      });
    } else {
      // Only when some copy is still missing: once every onward copy exists and the intermediate is
      // gone, making it again would loop forever.
      const d = this.copyTo({
        source: s,
        time,
        region: localRegion,
        sourceArn: s.arn,
        sourceRegion: localRegion,
        encrypted: s.encrypted,
        kmsKeyId: copyKeyFor(this.policy, localRegion, localRegion),
        intermediate: !localIsFinal,
      });
      if (d.action === "copy") {
        localPlanned = true;
        if (!localIsFinal) this.openIntermediates += 1;
      } else {
        localBlock = d;
      }
    }

    for (const region of direct) {
      const remote = this.own.get(targetKey(region, s.name));
      if (remote) {
        this.reportExisting(s, region, remote);
        continue;
      }
      this.copyTo({
        source: s,
        time,
        region,
        sourceArn: s.arn,
        sourceRegion: localRegion,
        encrypted: s.encrypted,
        kmsKeyId: copyKeyFor(this.policy, localRegion, region),
        intermediate: false,
      });
    }

    for (const region of viaLocal) {
      const remote = this.own.get(targetKey(region, s.name));
      if (remote) {
        this.reportExisting(s, region, remote);
      } else if (localBlock) {
        // The onward copy is held up by whatever holds up the local copy; say that, not "in progress".
        this.skip(s, region, localBlock.reason, {
          ...localBlock.facts,
          waitingFor: "local copy",
        });
      } else if (local?.status === "available") {
        this.copyTo({
          source: s,
          time,
          region,
          sourceArn: local.arn,
          sourceRegion: localRegion,
          encrypted: local.encrypted,
          kmsKeyId: copyKeyFor(this.policy, localRegion, region),
          intermediate: false,
        });
      } else if (local) {
        this.skip(s, region, "copy-in-progress", {
          waitingFor: "local copy",
          localStatus: local.status,
        });
      } else if (localPlanned) {
        this.skip(s, region, "copy-in-progress", { waitingFor: "local copy" });
      }
    }
  }

  private planSameAccount({ snapshot: s, time }: Candidate): void {
    for (const region of this.regions) {
      if (region === this.input.localRegion) {
        this.skip(s, region, "already-copied", { note: "the snapshot itself is in this region" });
        continue;
      }
      const existing = this.own.get(targetKey(region, s.name));
      if (existing) {
        this.reportExisting(s, region, existing);
        continue;
      }
      this.copyTo({
        source: s,
        time,
        region,
        sourceArn: s.arn,
        sourceRegion: this.input.localRegion,
        encrypted: s.encrypted,
        kmsKeyId: copyKeyFor(this.policy, this.input.localRegion, region),
        intermediate: false,
      });
    }
  }

  private reportExisting(s: Snapshot, region: string, existing: Snapshot): void {
    if (!isCopyOf(existing, s)) {
      this.nameTaken(s, region, existing);
    } else if (existing.status === "failed") {
      this.copyFailed(s, region, existing);
    } else if (existing.status === "available") {
      this.skip(s, region, "already-copied", { existing: existing.arn, source: s.arn });
    } else {
      this.skip(s, region, "copy-in-progress", {
        existing: existing.arn,
        status: existing.status,
        percentProgress: existing.percentProgress ?? null,
      });
    }
  }

  /** A failed copy is never "in progress": it holds the name until someone removes it. */
  private copyFailed(s: Snapshot, region: string, existing: Snapshot): SkipDecision {
    return this.skip(s, region, "copy-failed", { existing: existing.arn, source: s.arn });
  }

  private nameTaken(s: Snapshot, region: string, existing: Snapshot): SkipDecision {
    return this.skip(s, region, "copy-name-taken", {
      existing: existing.arn,
      existingSource: existing.tags[TAG_SOURCE_ARN] ?? null,
      source: s.arn,
    });
  }

  private copyTo(t: CopyTarget): CopyDecision | SkipDecision {
    const s = t.source;
    const key = targetKey(t.region, s.name);
    const other = this.planned.get(key);
    if (other) {
      // Two sources with one name (shared by two accounts): the copy keeps the bare name, so only
      // one can land; the next run sees that copy and reports it as copied.
      return this.skip(s, t.region, "copy-in-progress", { waitingFor: other.arn });
    }
    if (t.encrypted && t.kmsKeyId === undefined) {
      // An encrypted shared snapshot, or any cross-region copy, needs a KmsKeyId from the copier.
      return this.skip(s, t.region, "kms-key-required", {
        encrypted: true,
        intermediate: t.intermediate,
      });
    }
    const inFlight = this.inFlight.get(t.region) ?? 0;
    if (inFlight >= this.policy.maxCopiesInFlight) {
      return this.skip(s, t.region, "copy-slots-full", {
        ...this.ageFacts(t.time),
        inFlight,
        max: this.policy.maxCopiesInFlight,
      });
    }
    this.inFlight.set(t.region, inFlight + 1);
    this.planned.set(key, s);

    const tags: Record<string, string> = {
      [TAG_COPIED_BY]: TOOL_NAME,
      // Carried explicitly: tags do not come along from a shared snapshot, and prune-dest needs a
      // time that does not depend on the copy's own SnapshotCreateTime.
      [TAG_CREATED_ON]: formatTimestamp(stampedTime(s) ?? t.time),
      [TAG_SOURCE_ARN]: s.arn,
    };
    if (t.intermediate) tags[TAG_INTERMEDIATE] = "YES";
    // A copy of an automated snapshot holds older data than its name says: the copy keeps that
    // time so the destination's status reports the data's age (a tag that is not a timestamp
    // is not carried). The owner's tags are invisible across accounts, so this reaches the
    // destination only when it can read the source's tags (one account, or an intermediate).
    const dataTime = s.tags[TAG_DATA_TIME];
    if (dataTime !== undefined && parseTimestamp(dataTime) !== undefined) {
      tags[TAG_DATA_TIME] = dataTime;
    }
    const decision: CopyDecision = {
      step: "copy",
      action: "copy",
      reason: "not-copied",
      cluster: s.clusterId,
      account: this.input.account,
      region: t.region,
      snapshot: s.name,
      sourceArn: t.sourceArn,
      sourceRegion: t.sourceRegion,
      ...(t.encrypted && t.kmsKeyId !== undefined ? { kmsKeyId: t.kmsKeyId } : {}),
      tags,
      intermediate: t.intermediate,
      facts: {
        ...this.ageFacts(t.time),
        encrypted: t.encrypted,
        intermediate: t.intermediate,
        copyMode: copyModeOf(this.input.account, t),
        inFlightBefore: inFlight,
      },
    };
    this.decisions.push(decision);
    return decision;
  }

  /**
   * Safety rule 4: an intermediate local copy goes only once every onward copy is available.
   * Nothing else is ever deleted by this step. An intermediate whose shared snapshot is gone (the
   * source pruned it, or stopped sharing it) is copied onward from itself while it is within
   * retention: it may be the only copy there is. One that can no longer move on is reported, and
   * not followed by the copy loop.
   */
  private planIntermediateCleanup(): void {
    const localRegion = this.input.localRegion;
    const remotes = this.regions.filter((r) => r !== localRegion);
    // In a fixed order, so the slots go the same way whatever order the inventory came in.
    const intermediates = this.input.own
      .filter((s) => this.isIntermediate(s) && s.status === "available")
      .sort((a, b) => compare(a.name.toLowerCase(), b.name.toLowerCase()) || compare(a.arn, b.arn));
    for (const s of intermediates) {
      if (!this.considered.has(s.name.toLowerCase())) this.copyOnwardFromItself(s, remotes);
      const statuses = remotes.map((r) => {
        const planned = this.planned.get(targetKey(r, s.name));
        const status = planned ? "copying" : onwardStatus(s, this.own.get(targetKey(r, s.name)));
        return [r, status] as const;
      });
      const waiting = statuses.filter(([, status]) => status !== "available");
      if (waiting.length > 0) {
        this.skip(s, localRegion, "intermediate-waiting", {
          waitingFor: waiting.map(([r, status]) => `${r} (${status})`).join(", "),
          // Followed only while an onward copy can still finish: one that is missing, failed or
          // another source's will not, and the loop must not wait for it.
          following: waiting.some(([, status]) => COPY_IN_FLIGHT.has(status)),
        });
        continue;
      }
      this.decisions.push({
        step: "copy",
        action: "delete",
        reason: "intermediate-done",
        cluster: s.clusterId,
        account: this.input.account,
        region: localRegion,
        snapshot: s.name,
        snapshotArn: s.arn,
        facts: { onwardRegions: remotes.join(", ") },
      });
    }
  }

  /** The onward copies of an intermediate whose shared snapshot this run did not see. */
  private copyOnwardFromItself(s: Snapshot, remotes: readonly string[]): void {
    // Only the tool's own intermediate of a known, allowed source: what it stands in for must pass
    // the checks the shared snapshot would have.
    if (!ownsCopy(s) || copySourceAccount(s) === undefined) return;
    if (isForeignCopy(s, this.policy.sourceAccounts)) return;
    if (!matchesPattern(this.policy.snapshotPattern, s.clusterId)) return;
    const time = snapshotTime(s);
    if (!time || isFutureStamped(s, this.input.now)) return;
    if (!isWithinRetention(time, this.input.now, this.policy.retentionDays)) {
      if (!this.calendarKept.has(s)) return;
    }
    // The copy's tags name the original shared snapshot, as the shared one's copies would.
    const origin: Snapshot = { ...s, arn: s.tags[TAG_SOURCE_ARN] ?? s.arn };
    for (const region of remotes) {
      if (this.own.has(targetKey(region, s.name))) continue;
      this.copyTo({
        source: origin,
        time,
        region,
        sourceArn: s.arn,
        sourceRegion: this.input.localRegion,
        encrypted: s.encrypted,
        kmsKeyId: copyKeyFor(this.policy, this.input.localRegion, region),
        intermediate: false,
      });
    }
  }

  private ageFacts(time: Date): Facts {
    return { time: time.toISOString(), ageDays: roundTenth(daysBetween(time, this.input.now)) };
  }

  private skip(s: Snapshot, region: string, reason: Reason, facts: Facts): SkipDecision {
    const d: SkipDecision = {
      step: "copy",
      action: "skip",
      reason,
      cluster: s.clusterId,
      account: this.input.account,
      region,
      snapshot: s.name,
      facts,
    };
    this.decisions.push(d);
    return d;
  }
}

/** Copy states AWS counts against its copies-in-progress limit: every one before `available`. */
const COPY_IN_FLIGHT: ReadonlySet<string> = new Set(["pending", "creating", "copying"]);

/** A copy (RDS names its source, or the tool tagged it) that RDS has not finished yet. */
export function isUnfinishedCopy(s: Snapshot): boolean {
  return (
    s.type === "manual" &&
    COPY_IN_FLIGHT.has(s.status) &&
    (s.sourceArn !== undefined || isToolCopy(s.tags) || s.status === "copying")
  );
}

/**
 * Whether `existing` is the tool's copy of `source`: its source-ARN tag names `source`. A copy
 * without the tag (the original tool's, or one made before the tag existed) counts when it carries
 * CopiedBy and the same cluster id, as the original tool would have judged it.
 */
function isCopyOf(existing: Snapshot, source: Snapshot): boolean {
  const from = existing.tags[TAG_SOURCE_ARN];
  if (from !== undefined) return from === source.arn;
  // RDS names a copy's source itself (SourceDBClusterSnapshotArn).
  if (existing.sourceArn === source.arn) return true;
  // The original tool's copies: CopiedBy, or (same-account copies made with CopyTags) CreatedBy.
  const legacy = isToolCopy(existing.tags) || isToolSnapshot(existing.tags);
  return legacy && existing.clusterId.toLowerCase() === source.clusterId.toLowerCase();
}

/** The state of an intermediate's onward copy; one copied from another source is not its copy. */
function onwardStatus(intermediate: Snapshot, onward: Snapshot | undefined): string {
  if (!onward) return "missing";
  const a = intermediate.tags[TAG_SOURCE_ARN];
  const b = onward.tags[TAG_SOURCE_ARN];
  if (a !== undefined && b !== undefined && a !== b) return "another source's copy";
  return onward.status;
}

/**
 * What kind of copy a target is: `single-step` (a snapshot shared from another account, straight
 * into another region), `cross-region`, `cross-account` (within the shared snapshot's region) or
 * `local`. The step falls back to two steps when RDS refuses a `single-step` one.
 */
function copyModeOf(account: string, t: CopyTarget): string {
  const crossRegion = t.sourceRegion !== t.region;
  const crossAccount = parseArn(t.sourceArn)?.account !== account;
  if (crossAccount && crossRegion) return "single-step";
  if (crossRegion) return "cross-region";
  return crossAccount ? "cross-account" : "local";
}

function newestFirst(a: Candidate, b: Candidate): number {
  return (
    b.time.getTime() - a.time.getTime() ||
    compare(a.snapshot.name, b.snapshot.name) ||
    compare(a.snapshot.arn, b.snapshot.arn)
  );
}

function targetKey(region: string, name: string): string {
  return `${region}\n${name.toLowerCase()}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
