import type { DbClusterDetail } from "../execute/gateway.js";
import type { Cluster, Snapshot } from "../model/index.js";
import { TAG_INTERMEDIATE } from "../model/index.js";
import { isForeignCopy, ownsCopy, ownsSourceSnapshot } from "../plan/ownership.js";
import { snapshotTime } from "../plan/snapshot-time.js";
import { matchesPattern } from "../policy/pattern.js";
import type { DestinationPolicy, SourcePolicy } from "../policy/types.js";
import { VERIFICATION_TAG, VERIFIED_TAG } from "./iam-actions.js";
import { estimateVerifyCost, type VerifyCostEstimate } from "./verify-cost.js";
import { isOwnVerificationCluster, parseOutcomeTag } from "./verify-names.js";

/** Which side's snapshots are verified: the source's own, or the destination's copies. */
export type VerifySide = "source" | "destination";

/** The same engines take snapshots of (DescribeDBClusters also lists neptune, docdb, Multi-AZ). */
const AURORA_ENGINES: ReadonlySet<string> = new Set([
  "aurora",
  "aurora-mysql",
  "aurora-postgresql",
]);

/** One snapshot to restore: the newest verifiable one of a cluster. JSON-serialisable. */
export interface VerifyTarget {
  /** The cluster the snapshot is of. */
  readonly cluster: string;
  readonly snapshotId: string;
  readonly snapshotArn: string;
  readonly engine: string;
  readonly region: string;
  /** The snapshot's key: the restored cluster is encrypted with it. */
  readonly kmsKeyId?: string;
  /** When a snapshot of this cluster was last verified (its SnapshotToolVerified tag), ISO. */
  readonly lastVerified?: string;
}

export type VerifySkipReason =
  /** The cluster is selected but has no available snapshot of the tool to restore. */
  | "no-verifiable-snapshot"
  /** The rotating sample took other clusters this run (VERIFY_SAMPLE). */
  | "not-sampled";

export interface VerifySkip {
  readonly cluster: string;
  readonly reason: VerifySkipReason;
}

export type VerifyCandidatesInput =
  | {
      readonly side: "source";
      readonly policy: SourcePolicy;
      /** The region's clusters (the selection is by cluster, as take's). */
      readonly clusters: readonly Cluster[];
      /** The region's manual snapshots. */
      readonly snapshots: readonly Snapshot[];
      readonly region: string;
    }
  | {
      readonly side: "destination";
      readonly policy: DestinationPolicy;
      readonly snapshots: readonly Snapshot[];
      readonly region: string;
    };

/**
 * Where a verify run restores: on the source side the clusters' region (REGION_OVERRIDE, else the
 * run's); on the destination side VERIFY_REGION, else the first DEST_REGION.
 */
export function verifyRegionOf(
  side: VerifySide,
  policy: SourcePolicy | DestinationPolicy,
  runRegion: string,
): string {
  if (side === "source") return policy.regionOverride ?? runRegion;
  const dest = policy as DestinationPolicy;
  return dest.verifyRegion ?? dest.destinationRegions[0] ?? runRegion;
}

/** Whether a snapshot can be restored to verify it on this side. */
function verifiable(input: VerifyCandidatesInput, s: Snapshot): boolean {
  if (s.status !== "available" || s.region !== input.region) return false;
  if (input.side === "source") {
    return s.type === "manual" && ownsSourceSnapshot(s, input.policy.snapshotNamePrefix);
  }
  return (
    s.type === "manual" &&
    ownsCopy(s) &&
    // An intermediate is a step towards another region, not a copy kept for recovery.
    s.tags[TAG_INTERMEDIATE] !== "YES" &&
    !isForeignCopy(s, input.policy.sourceAccounts) &&
    matchesPattern(input.policy.snapshotPattern, s.clusterId)
  );
}

/** The selected clusters on the source side, as take selects them (engine, pattern, tags). */
function selectedSourceClusters(
  policy: SourcePolicy,
  clusters: readonly Cluster[],
): readonly string[] {
  return clusters
    .filter(
      (c) =>
        AURORA_ENGINES.has(c.engine.toLowerCase()) &&
        // A verification cluster is never itself a cluster to verify.
        c.tags[VERIFICATION_TAG] === undefined &&
        matchesPattern(policy.clusterPattern, c.id) &&
        policy.includeTags.every((t) => c.tags[t.key] === t.value) &&
        !policy.excludeTags.some((t) => c.tags[t.key] === t.value),
    )
    .map((c) => c.id.toLowerCase());
}

function byTimeDesc(a: Snapshot, b: Snapshot): number {
  const ta = snapshotTime(a)?.getTime() ?? 0;
  const tb = snapshotTime(b)?.getTime() ?? 0;
  return tb - ta || (a.arn < b.arn ? -1 : a.arn > b.arn ? 1 : 0);
}

/**
 * The newest verifiable snapshot of every selected cluster, least recently verified first (a
 * cluster never verified before any), ties by cluster id; with VERIFY_SAMPLE = N > 0 only the
 * first N, so a weekly run of N works through the fleet in turn. Pure: the order depends only on
 * the snapshots' tags.
 */
export function chooseVerifyTargets(input: VerifyCandidatesInput): {
  readonly targets: VerifyTarget[];
  readonly skipped: VerifySkip[];
} {
  const byCluster = new Map<string, Snapshot[]>();
  const lastVerified = new Map<string, number>();
  for (const s of input.snapshots) {
    const cluster = s.clusterId.toLowerCase();
    const outcome = parseOutcomeTag(s.tags[VERIFIED_TAG]);
    if (outcome) {
      lastVerified.set(cluster, Math.max(lastVerified.get(cluster) ?? 0, outcome.at.getTime()));
    }
    if (!verifiable(input, s)) continue;
    const list = byCluster.get(cluster) ?? [];
    list.push(s);
    byCluster.set(cluster, list);
  }
  const selected =
    input.side === "source"
      ? selectedSourceClusters(input.policy, input.clusters)
      : [...byCluster.keys()];
  const skipped: VerifySkip[] = [];
  const all: VerifyTarget[] = [];
  for (const cluster of [...new Set(selected)].sort()) {
    const newest = byCluster.get(cluster)?.sort(byTimeDesc)[0];
    if (newest === undefined) {
      skipped.push({ cluster, reason: "no-verifiable-snapshot" });
      continue;
    }
    const verified = lastVerified.get(cluster);
    all.push({
      cluster,
      snapshotId: newest.id,
      snapshotArn: newest.arn,
      engine: newest.engine,
      region: newest.region,
      ...(newest.kmsKeyId !== undefined && newest.encrypted && { kmsKeyId: newest.kmsKeyId }),
      ...(verified !== undefined && { lastVerified: new Date(verified).toISOString() }),
    });
  }
  all.sort(
    (a, b) =>
      (a.lastVerified === undefined ? 0 : Date.parse(a.lastVerified)) -
        (b.lastVerified === undefined ? 0 : Date.parse(b.lastVerified)) ||
      (a.cluster < b.cluster ? -1 : a.cluster > b.cluster ? 1 : 0),
  );
  const sample = input.policy.verifySample;
  const targets = sample > 0 ? all.slice(0, sample) : all;
  for (const t of all.slice(targets.length))
    skipped.push({ cluster: t.cluster, reason: "not-sampled" });
  return { targets, skipped };
}

export interface VerifyPlan {
  readonly side: VerifySide;
  readonly region: string;
  readonly deployment: string;
  /** What would be restored, in order (one at a time). */
  readonly verify: readonly VerifyTarget[];
  readonly skipped: readonly VerifySkip[];
  /** This deployment's verification clusters left by an earlier run: the clean-up pass deletes them. */
  readonly remove: readonly string[];
  /** Other deployments' verification clusters in the region: never touched. */
  readonly otherDeployments: readonly string[];
  readonly cost: VerifyCostEstimate;
}

/**
 * The dry run of `verify`: which snapshots would be restored, which leftover verification clusters
 * the clean-up pass would delete, and what it may cost. Pure.
 */
export function planVerify(
  input: VerifyCandidatesInput & { readonly dbClusters: readonly DbClusterDetail[] },
): VerifyPlan {
  const { targets, skipped } = chooseVerifyTargets(input);
  const deployment = input.policy.deploymentName;
  const marked = input.dbClusters.filter((c) => c.tags[VERIFICATION_TAG] !== undefined);
  const remove = marked.filter((c) => isOwnVerificationCluster(c.tags, deployment));
  return {
    side: input.side,
    region: input.region,
    deployment,
    verify: targets,
    skipped,
    remove: remove.map((c) => c.id).sort(),
    otherDeployments: marked
      .filter((c) => !isOwnVerificationCluster(c.tags, deployment))
      .map((c) => c.id)
      .sort(),
    cost: estimateVerifyCost({
      verifications: targets.length,
      maxMinutes: input.policy.verifyMaxMinutes,
      ...(input.policy.verifyInstanceClass !== undefined && {
        instanceClass: input.policy.verifyInstanceClass,
      }),
    }),
  };
}
