/**
 * Model builders for tests of code that takes core's model objects (planners, checks, renderers,
 * inventories). One set of defaults, stated on each builder: a source account 111111111111 in
 * us-east-1, the cluster `prod-orders` (aurora-postgresql, available, unencrypted, untagged), and
 * snapshots taken an hour before the fixed run time {@link NOW}. Say what a test needs explicitly
 * (an account, a name, the tool's tags) rather than relying on a default it does not state.
 */
import type { Cluster, KeyInfo, Snapshot, Tags } from "../model/index.js";
import {
  TAG_COPIED_BY,
  TAG_CREATED_BY,
  TAG_CREATED_ON,
  TAG_SHARE_AND_COPY,
  TOOL_NAME,
} from "../model/index.js";
import { formatSnapshotName, formatTimestamp } from "../naming/index.js";
import type { ClusterPattern, DestinationPolicy, SourcePolicy } from "../policy/types.js";
import { NO_KEEP_RULES } from "../policy/keep-rules.js";
import {
  DEFAULT_DEPLOYMENT_NAME,
  DEFAULT_INSTANCE_CLASS,
  type AssuranceSettings,
} from "../policy/assurance.js";

/** A fixed run time for the unit tests: 01:02 UTC, a couple of minutes after a daily 01:00 schedule. */
export const NOW = new Date("2026-11-25T01:02:00Z");
/** The account the builders put clusters, snapshots and keys in unless told otherwise. */
export const SOURCE_ACCOUNT = "111111111111";
/** The account {@link aToolCopy} puts copies in unless told otherwise. */
export const DEST_ACCOUNT = "222222222222";
/** The region the builders put clusters, snapshots and keys in unless told otherwise. */
export const SOURCE_REGION = "us-east-1";

/** The time `hours` before `now` ({@link NOW} unless given). */
export function hoursAgo(hours: number, now: Date = NOW): Date {
  return new Date(now.getTime() - hours * 3_600_000);
}

/** The time `days` before `now` ({@link NOW} unless given). */
export function daysAgo(days: number, now: Date = NOW): Date {
  return hoursAgo(days * 24, now);
}

/** The `ALL_CLUSTERS` pattern. */
export const ALL: ClusterPattern = { kind: "all", source: "ALL_CLUSTERS" };

/** A cluster pattern matching the regular expression `source`. */
export function regexPattern(source: string): ClusterPattern {
  return { kind: "regex", source, regex: new RegExp(source) };
}

/**
 * A cluster whose ARN, id, account and region agree. Unless told otherwise: id `prod-orders`,
 * engine aurora-postgresql, status available, unencrypted, no tags, account
 * {@link SOURCE_ACCOUNT} (111111111111), region {@link SOURCE_REGION} (us-east-1).
 */
export function aCluster(over: Partial<Cluster> = {}): Cluster {
  const id = over.id ?? "prod-orders";
  const account = over.account ?? SOURCE_ACCOUNT;
  const region = over.region ?? SOURCE_REGION;
  return {
    engine: "aurora-postgresql",
    status: "available",
    encrypted: false,
    tags: {},
    ...over,
    id,
    account,
    region,
    arn: over.arn ?? `arn:aws:rds:${region}:${account}:cluster:${id}`,
  };
}

/** What {@link aSnapshot} and its kin take: any snapshot field, and when it was taken. */
export interface SnapshotSpec extends Partial<Snapshot> {
  /**
   * When the snapshot was taken ({@link hoursAgo}(1), i.e. an hour before {@link NOW}, unless
   * given): sets the default name, the createTime and the tool tags' CreatedOn.
   */
  readonly takenAt?: Date;
}

/**
 * A snapshot whose name, ARN, id, account and region agree. Unless told otherwise: cluster
 * `prod-orders`, taken {@link hoursAgo}(1), named `[CLUSTER]-YYYY-MM-DD-HH-MM` after `takenAt`,
 * engine aurora-postgresql, a manual, available, unencrypted snapshot with NO tags (use
 * {@link aToolSnapshot} for the tool's), account {@link SOURCE_ACCOUNT} (111111111111), region
 * {@link SOURCE_REGION} (us-east-1), createTime `takenAt`. The id is the name, except that shared
 * snapshots report their ARN as the id, as RDS does.
 */
export function aSnapshot(spec: SnapshotSpec = {}): Snapshot {
  const { takenAt = hoursAgo(1), ...over } = spec;
  const clusterId = over.clusterId ?? "prod-orders";
  const name = over.name ?? formatSnapshotName(clusterId, takenAt);
  const account = over.account ?? SOURCE_ACCOUNT;
  const region = over.region ?? SOURCE_REGION;
  const type = over.type ?? "manual";
  const arn = over.arn ?? `arn:aws:rds:${region}:${account}:cluster-snapshot:${name}`;
  return {
    engine: "aurora-postgresql",
    status: "available",
    createTime: takenAt,
    encrypted: false,
    tags: {},
    ...over,
    clusterId,
    name,
    account,
    region,
    type,
    arn,
    id: over.id ?? (type === "shared" ? arn : name),
  };
}

/** The tags the source's take puts on a snapshot taken at `takenAt`, plus `extra`. */
export function toolTags(takenAt: Date, extra: Tags = {}): Tags {
  return {
    [TAG_CREATED_BY]: TOOL_NAME,
    [TAG_CREATED_ON]: formatTimestamp(takenAt),
    [TAG_SHARE_AND_COPY]: "YES",
    ...extra,
  };
}

/** The tags the destination's copy puts on a copy of a snapshot taken at `takenAt`, and `extra`. */
export function copyTags(takenAt: Date, extra: Tags = {}): Tags {
  return { [TAG_COPIED_BY]: TOOL_NAME, [TAG_CREATED_ON]: formatTimestamp(takenAt), ...extra };
}

/**
 * A snapshot the source's take made: {@link aSnapshot} with the defaults stated there, carrying
 * {@link toolTags} (CreatedBy, CreatedOn, shareAndCopy=YES) merged with `spec.tags`, which can add
 * to or override them but never removes them. Use {@link aSnapshot} for exactly the given tags.
 */
export function aToolSnapshot(spec: SnapshotSpec = {}): Snapshot {
  const takenAt = spec.takenAt ?? hoursAgo(1);
  return aSnapshot({ ...spec, takenAt, tags: toolTags(takenAt, spec.tags) });
}

/**
 * A copy the destination's copy made: {@link aSnapshot} with the defaults stated there except
 * the account, {@link DEST_ACCOUNT} (222222222222) unless told otherwise, carrying
 * {@link copyTags} (CopiedBy, CreatedOn) merged with `spec.tags`.
 */
export function aToolCopy(spec: SnapshotSpec = {}): Snapshot {
  const takenAt = spec.takenAt ?? hoursAgo(1);
  return aSnapshot({
    account: DEST_ACCOUNT,
    ...spec,
    takenAt,
    tags: copyTags(takenAt, spec.tags),
  });
}

/**
 * A source policy. Unless told otherwise: all clusters, no include or exclude tags, a 24-hour
 * interval, 7 days' retention, keeping at least 1.
 */
export function aSourcePolicy(over: Partial<SourcePolicy> = {}): SourcePolicy {
  return {
    clusterPattern: ALL,
    includeTags: [],
    excludeTags: [],
    intervalHours: 24,
    retentionDays: 7,
    minKeep: 1,
    destinationAccounts: [],
    ...NO_KEEP_RULES,
    ...ASSURANCE_DEFAULTS,
    ...over,
  };
}

/**
 * Assurance settings as the parser gives them with nothing set: default RPO, per-cluster metrics,
 * the default deployment name, verify restoring every cluster into the default subnet group with a
 * Serverless v2 instance and no check, for at most 120 minutes.
 */
export const ASSURANCE_DEFAULTS = {
  metricsPerCluster: true,
  deploymentName: DEFAULT_DEPLOYMENT_NAME,
  verifySample: 0,
  verifySubnetGroup: "default",
  verifySecurityGroups: [],
  verifyInstanceClass: DEFAULT_INSTANCE_CLASS,
  verifyMaxMinutes: 120,
} as const satisfies Omit<AssuranceSettings, "verifyRegion">;

/**
 * A destination policy. Unless told otherwise: all snapshots, 7 days' retention, keeping at least
 * 1, copying snapshots shared in from any other account (crossAccount) to eu-west-1 with no
 * destination keys, at most 5 copies in flight, following copies every 30 seconds.
 */
export function aDestinationPolicy(over: Partial<DestinationPolicy> = {}): DestinationPolicy {
  return {
    snapshotPattern: { kind: "all", source: "ALL_SNAPSHOTS" },
    retentionDays: 7,
    minKeep: 1,
    ...NO_KEEP_RULES,
    destinationRegions: ["eu-west-1"],
    kmsKeyDestination: {},
    crossAccount: true,
    maxCopiesInFlight: 5,
    sourceAccounts: [],
    copyPollSeconds: 30,
    copyMode: "auto",
    ...ASSURANCE_DEFAULTS,
    verifyRegion: (over.destinationRegions ?? ["eu-west-1"])[0] ?? "eu-west-1",
    ...over,
  };
}

/**
 * A KMS key whose ARN, account and region agree. Unless told otherwise: ref `key-1`, enabled,
 * customer managed, account {@link SOURCE_ACCOUNT} (111111111111), region {@link SOURCE_REGION}
 * (us-east-1).
 */
export function aKey(over: Partial<KeyInfo> = {}): KeyInfo {
  const region = over.region ?? SOURCE_REGION;
  const account = over.account ?? SOURCE_ACCOUNT;
  return {
    ref: "key-1",
    arn: `arn:aws:kms:${region}:${account}:key/key-1`,
    enabled: true,
    manager: "CUSTOMER",
    ...over,
    region,
    account,
  };
}
