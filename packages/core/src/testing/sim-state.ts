import type { DBCluster, DBClusterSnapshot } from "@aws-sdk/client-rds";
import { clusterArn, tagsToList } from "./sim-names.js";
import type { SimClusterRecord, SimSnapshotRecord, SimSnapshotType } from "./sim-types.js";

/** The simulator's mutable cluster; callers only ever see copies (records or API shapes). */
export interface ClusterState {
  readonly account: string;
  readonly region: string;
  readonly id: string;
  readonly arn: string;
  readonly engine: string;
  readonly engineVersion: string;
  status: string;
  readonly encrypted: boolean;
  readonly kmsKeyId?: string;
  tags: Record<string, string>;
  readonly createTime: Date;
  readonly resourceId: string;
}

export interface SnapshotState {
  readonly account: string;
  readonly region: string;
  readonly id: string;
  readonly arn: string;
  readonly clusterId: string;
  readonly engine: string;
  readonly engineVersion: string;
  readonly type: SimSnapshotType;
  status: string;
  percentProgress: number;
  readonly createTime: Date;
  /** When the current `creating`/`copying` phase started and ends. */
  startedAt?: Date;
  readyAt?: Date;
  /** A copy: when it was asked for (its place in the queue while `pending`). */
  queuedAt?: Date;
  /** A copy: how long it runs once it starts `copying`. */
  durationMs?: number;
  readonly encrypted: boolean;
  readonly kmsKeyId?: string;
  tags: Record<string, string>;
  sharedWith: string[];
  readonly sourceArn?: string;
}

/** How a snapshot appears to the caller: its own, shared with it, or public. */
export type SnapshotView = "own" | "shared" | "public";

export const DEFAULT_ENGINE_VERSIONS: Readonly<Record<string, string>> = {
  "aurora-postgresql": "16.6",
  "aurora-mysql": "8.0.mysql_aurora.3.08.0",
  aurora: "5.6.mysql_aurora.1.23.4",
};

export function defaultEngineVersion(engine: string): string {
  return DEFAULT_ENGINE_VERSIONS[engine] ?? "1.0";
}

export function clusterRecord(c: ClusterState): SimClusterRecord {
  return {
    account: c.account,
    region: c.region,
    id: c.id,
    arn: c.arn,
    engine: c.engine,
    engineVersion: c.engineVersion,
    status: c.status,
    encrypted: c.encrypted,
    ...(c.kmsKeyId !== undefined && { kmsKeyId: c.kmsKeyId }),
    tags: { ...c.tags },
    createTime: new Date(c.createTime),
  };
}

export function snapshotRecord(s: SnapshotState): SimSnapshotRecord {
  return {
    account: s.account,
    region: s.region,
    id: s.id,
    arn: s.arn,
    clusterId: s.clusterId,
    engine: s.engine,
    type: s.type,
    status: s.status,
    percentProgress: s.percentProgress,
    createTime: new Date(s.createTime),
    ...(s.readyAt && { readyAt: new Date(s.readyAt) }),
    encrypted: s.encrypted,
    ...(s.kmsKeyId !== undefined && { kmsKeyId: s.kmsKeyId }),
    tags: { ...s.tags },
    sharedWith: [...s.sharedWith],
    ...(s.sourceArn !== undefined && { sourceArn: s.sourceArn }),
  };
}

export function apiCluster(c: ClusterState): DBCluster {
  return {
    DBClusterIdentifier: c.id,
    DBClusterArn: c.arn,
    DbClusterResourceId: c.resourceId,
    Engine: c.engine,
    EngineVersion: c.engineVersion,
    EngineMode: "provisioned",
    Status: c.status,
    MultiAZ: false,
    StorageEncrypted: c.encrypted,
    ...(c.kmsKeyId !== undefined && { KmsKeyId: c.kmsKeyId }),
    ClusterCreateTime: new Date(c.createTime),
    AllocatedStorage: 1,
    BackupRetentionPeriod: 1,
    CopyTagsToSnapshot: false,
    DeletionProtection: false,
    TagList: tagsToList(c.tags),
  };
}

/**
 * A snapshot as DescribeDBClusterSnapshots reports it. Another account sees a shared snapshot by
 * its ARN, typed `shared` (or `public`), and without the owner's tags.
 */
export function apiSnapshot(s: SnapshotState, view: SnapshotView): DBClusterSnapshot {
  return {
    DBClusterSnapshotIdentifier: view === "own" ? s.id : s.arn,
    DBClusterIdentifier: s.clusterId,
    DBClusterSnapshotArn: s.arn,
    SnapshotCreateTime: new Date(s.createTime),
    Engine: s.engine,
    EngineVersion: s.engineVersion,
    EngineMode: "provisioned",
    AllocatedStorage: 1,
    Status: s.status,
    PercentProgress: s.percentProgress,
    SnapshotType: view === "own" ? s.type : view,
    StorageEncrypted: s.encrypted,
    ...(s.encrypted && s.kmsKeyId !== undefined && { KmsKeyId: s.kmsKeyId }),
    ...(s.sourceArn !== undefined && { SourceDBClusterSnapshotArn: s.sourceArn }),
    IAMDatabaseAuthenticationEnabled: false,
    AvailabilityZones: [`${s.region}a`, `${s.region}b`, `${s.region}c`],
    TagList: view === "own" ? tagsToList(s.tags) : [],
  };
}

/** The cluster ARN a snapshot was taken from (for `db-cluster-id` filters given as ARNs). */
export const sourceClusterArn = (s: SnapshotState): string =>
  clusterArn(s.account, s.region, s.clusterId);
