import type { Cluster, KeyInfo, Snapshot, Tags } from "../../src/model/index.js";
import {
  TAG_COPIED_BY,
  TAG_CREATED_BY,
  TAG_CREATED_ON,
  TAG_SHARE_AND_COPY,
  TOOL_NAME,
} from "../../src/model/index.js";
import { formatSnapshotName, formatTimestamp } from "../../src/naming/index.js";
import type { ClusterPattern, DestinationPolicy, SourcePolicy } from "../../src/policy/types.js";

/** A fixed run time for the unit tests: 01:02 UTC, a couple of minutes after a daily 01:00 schedule. */
export const NOW = new Date("2026-11-25T01:02:00Z");
export const SOURCE_ACCOUNT = "111111111111";
export const DEST_ACCOUNT = "222222222222";
export const SOURCE_REGION = "us-east-1";

export function hoursAgo(hours: number, now: Date = NOW): Date {
  return new Date(now.getTime() - hours * 3_600_000);
}

export function daysAgo(days: number, now: Date = NOW): Date {
  return hoursAgo(days * 24, now);
}

export const ALL: ClusterPattern = { kind: "all", source: "ALL_CLUSTERS" };

export function regexPattern(source: string): ClusterPattern {
  return { kind: "regex", source, regex: new RegExp(source) };
}

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

export interface SnapshotSpec extends Partial<Snapshot> {
  /** When the snapshot was taken: sets the default name, createTime and the tool tags' CreatedOn. */
  readonly takenAt?: Date;
}

/**
 * A snapshot whose name, ARN, id, account and region agree. Named `[CLUSTER]-YYYY-MM-DD-HH-MM`
 * after `takenAt` unless a name is given; shared snapshots report their ARN as the id, as RDS does.
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

/** The tags the source's take puts on a snapshot. */
export function toolTags(takenAt: Date, extra: Tags = {}): Tags {
  return {
    [TAG_CREATED_BY]: TOOL_NAME,
    [TAG_CREATED_ON]: formatTimestamp(takenAt),
    [TAG_SHARE_AND_COPY]: "YES",
    ...extra,
  };
}

/** The tags the destination's copy puts on a copy. */
export function copyTags(takenAt: Date, extra: Tags = {}): Tags {
  return { [TAG_COPIED_BY]: TOOL_NAME, [TAG_CREATED_ON]: formatTimestamp(takenAt), ...extra };
}

export function aToolSnapshot(spec: SnapshotSpec = {}): Snapshot {
  const takenAt = spec.takenAt ?? hoursAgo(1);
  return aSnapshot({ ...spec, takenAt, tags: toolTags(takenAt, spec.tags) });
}

export function aToolCopy(spec: SnapshotSpec = {}): Snapshot {
  const takenAt = spec.takenAt ?? hoursAgo(1);
  return aSnapshot({
    account: DEST_ACCOUNT,
    ...spec,
    takenAt,
    tags: copyTags(takenAt, spec.tags),
  });
}

export function aSourcePolicy(over: Partial<SourcePolicy> = {}): SourcePolicy {
  return {
    clusterPattern: ALL,
    includeTags: [],
    excludeTags: [],
    intervalHours: 24,
    retentionDays: 7,
    minKeep: 1,
    ...over,
  };
}

export function aDestinationPolicy(over: Partial<DestinationPolicy> = {}): DestinationPolicy {
  return {
    snapshotPattern: { kind: "all", source: "ALL_SNAPSHOTS" },
    retentionDays: 7,
    minKeep: 1,
    destinationRegions: ["eu-west-1"],
    kmsKeyDestination: {},
    crossAccount: true,
    maxCopiesInFlight: 5,
    sourceAccounts: [],
    copyPollSeconds: 30,
    ...over,
  };
}

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
