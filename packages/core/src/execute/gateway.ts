import type { Cluster, KeyInfo, Snapshot } from "../model/index.js";

/** Which snapshots one listing pass asks RDS for. */
export interface SnapshotQuery {
  /**
   * `manual`: the account's own manual snapshots; `shared`: those shared in by other accounts;
   * `automated`: the ones RDS takes itself (`rds:` names), read by take with SNAPSHOT_SOURCE=automated.
   */
  readonly type: "manual" | "shared" | "automated";
  /** Narrow the pass server-side to one cluster (a literal cluster id). */
  readonly clusterId?: string;
}

export interface CreateSnapshotInput {
  readonly region: string;
  readonly clusterId: string;
  readonly snapshotId: string;
  readonly tags: Readonly<Record<string, string>>;
}

export interface CopySnapshotInput {
  /** The copy is made by a client in this region (see AWS-FACTS: PreSignedUrl). */
  readonly targetRegion: string;
  readonly sourceArn: string;
  readonly targetId: string;
  readonly kmsKeyId?: string;
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * One event for an EventBridge event bus (a PutEvents entry). The tool's own events use the
 * source `aurora-snapshot-tool` (`aws.` sources are AWS's own and are refused).
 */
export interface ToolEvent {
  /** The event's `source`. */
  readonly source: string;
  /** The event's `detail-type`, e.g. `Snapshots Shared`. */
  readonly detailType: string;
  /** The event's `detail`: a JSON object (sent as its JSON text). */
  readonly detail: Readonly<Record<string, unknown>>;
  /** ARNs the event is about (the event's `resources`); default none. */
  readonly resources?: readonly string[];
  /** The event's `time`; default: when EventBridge receives it. */
  readonly time?: Date;
}

/**
 * Everything the engine needs from RDS and KMS in one account, and EventBridge PutEvents after a
 * share. The only implementation that talks to AWS lives in `aws/`; tests and the demo run the same
 * implementation over the in-memory RDS. Methods throw `AwsActionError` (with the AWS error code)
 * on failure.
 */
export interface Gateway extends VerifyGateway {
  /**
   * AWS's time as the latest response carried it (its Date header), and this process's Date.now()
   * when that response came; undefined when the gateway cannot tell. prune and prune-dest delete
   * nothing unless it agrees with the run's clock.
   */
  serverClock?(): { readonly serverMs: number; readonly receivedAtMs: number } | undefined;
  /** The account the gateway acts in (STS GetCallerIdentity, asked once). */
  accountId(): Promise<string>;
  listClusters(region: string): Promise<Cluster[]>;
  listSnapshots(region: string, query: SnapshotQuery): Promise<Snapshot[]>;
  /** One snapshot by identifier or ARN; undefined when RDS says it does not exist. */
  describeSnapshot(region: string, snapshotId: string): Promise<Snapshot | undefined>;
  /** Resolves a key id, alias or ARN in a region; undefined when KMS does not know it. */
  describeKey(region: string, keyRef: string): Promise<KeyInfo | undefined>;
  /**
   * The key policy (GetKeyPolicy, policy name `default`) of a key in this account, as JSON text;
   * undefined when KMS does not know the key. Optional: `doctor` reads it to tell whether a key
   * admits the destination account, and says it could not look when a gateway lacks it.
   */
  keyPolicy?(region: string, keyRef: string): Promise<string | undefined>;
  createSnapshot(input: CreateSnapshotInput): Promise<Snapshot>;
  /** Adds the account to the snapshot's `restore` attribute. */
  shareSnapshot(region: string, snapshotId: string, account: string): Promise<void>;
  addTags(region: string, arn: string, tags: Readonly<Record<string, string>>): Promise<void>;
  copySnapshot(input: CopySnapshotInput): Promise<Snapshot>;
  deleteSnapshot(region: string, snapshotId: string): Promise<void>;
  /**
   * Puts `events` on the EventBridge bus `busArn` (which may be in another account and region,
   * when its policy admits this account). Best effort for the caller: nothing in the engine may
   * depend on an event arriving. Rejects with `AwsActionError` when the bus refuses the call or
   * any entry; entries sent before the failure may have been delivered. Optional: a gateway
   * without it cannot publish (the share step then says so in a notice).
   */
  publishEvents?(busArn: string, events: readonly ToolEvent[]): Promise<void>;
}

// ---------------------------------------------------------------- restore verification

/** A DB cluster as restore verification sees it (DescribeDBClusters, one cluster). */
export interface DbClusterDetail {
  readonly id: string;
  readonly arn: string;
  readonly engine: string;
  readonly status: string;
  readonly tags: Readonly<Record<string, string>>;
  /** The writer endpoint's host name; undefined until RDS reports one. */
  readonly endpoint?: string;
  readonly port?: number;
  /** DBClusterMembers' instance identifiers. */
  readonly members: readonly string[];
  readonly deletionProtection: boolean;
}

/** A DB instance (DescribeDBInstances). */
export interface DbInstanceDetail {
  readonly id: string;
  readonly arn: string;
  readonly clusterId: string;
  readonly status: string;
  readonly instanceClass: string;
  readonly tags: Readonly<Record<string, string>>;
}

export interface RestoreClusterInput {
  readonly region: string;
  readonly clusterId: string;
  /** The snapshot's identifier or ARN. */
  readonly snapshotArn: string;
  readonly engine: string;
  readonly subnetGroup: string;
  /** Empty: the VPC's default security group. */
  readonly securityGroups: readonly string[];
  /** The key to encrypt the restored cluster with (the snapshot's, for an encrypted one). */
  readonly kmsKeyId?: string;
  /** Serverless v2 capacity range; set when the instance class is `db.serverless`. */
  readonly serverlessV2?: { readonly minCapacity: number; readonly maxCapacity: number };
  readonly tags: Readonly<Record<string, string>>;
}

export interface CreateInstanceInput {
  readonly region: string;
  readonly instanceId: string;
  readonly clusterId: string;
  readonly engine: string;
  readonly instanceClass: string;
  readonly tags: Readonly<Record<string, string>>;
}

export interface ExecuteStatementInput {
  readonly region: string;
  readonly clusterArn: string;
  readonly secretArn: string;
  readonly sql: string;
}

/** What a Lambda Invoke (RequestResponse) answered. */
export interface InvokeResult {
  /** `Handled` / `Unhandled` when the function threw; undefined when it returned. */
  readonly functionError?: string;
  /** The response payload parsed as JSON (the raw text when it is not JSON). */
  readonly payload: unknown;
}

/**
 * The calls restore verification (`verify`) makes. Optional, so that a Gateway of one's own keeps
 * compiling; verify refuses to run (ConfigError naming the missing method) on a gateway without
 * them. Each throws AwsActionError on failure; the describe calls answer undefined / [] for
 * something that does not exist.
 */
export interface VerifyGateway {
  describeDbCluster?(region: string, clusterId: string): Promise<DbClusterDetail | undefined>;
  /** Every DB cluster in the region with its tags (DescribeDBClusters, paginated). */
  listDbClusters?(region: string): Promise<DbClusterDetail[]>;
  restoreClusterFromSnapshot?(input: RestoreClusterInput): Promise<DbClusterDetail>;
  createInstance?(input: CreateInstanceInput): Promise<DbInstanceDetail>;
  /** The instances of one cluster (DescribeDBInstances, filter db-cluster-id). */
  describeInstances?(region: string, clusterId: string): Promise<DbInstanceDetail[]>;
  deleteInstance?(region: string, instanceId: string): Promise<void>;
  /** DeleteDBCluster with SkipFinalSnapshot: the verification cluster leaves nothing behind. */
  deleteCluster?(region: string, clusterId: string): Promise<void>;
  /** EnableHttpEndpoint (the RDS Data API) on a Serverless v2 or provisioned cluster. */
  enableHttpEndpoint?(region: string, clusterArn: string): Promise<void>;
  /** RDS Data API ExecuteStatement; resolves to the number of records returned. */
  executeStatement?(input: ExecuteStatementInput): Promise<number>;
  /** Lambda Invoke, RequestResponse, with `payload` as JSON. */
  invokeFunction?(functionArn: string, payload: unknown): Promise<InvokeResult>;
}
