import type { Cluster, KeyInfo, Snapshot } from "../model/index.js";

/** Which snapshots one listing pass asks RDS for. */
export interface SnapshotQuery {
  /** `manual`: the account's own manual snapshots; `shared`: those shared in by other accounts. */
  readonly type: "manual" | "shared";
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
export interface Gateway {
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
