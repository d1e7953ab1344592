/** Public option and record types of the in-memory RDS (see in-memory-rds.ts for behaviour). */

/** An AWS account (12 digits) and a region. */
export interface SimPlace {
  readonly account: string;
  readonly region: string;
}

/** A cluster or snapshot identifier in one account and region (compared case-insensitively). */
export interface SimRef extends SimPlace {
  readonly id: string;
}

/**
 * How a snapshot was made. `awsbackup` stands for AWS Backup's recovery points: identifiers start
 * with `awsbackup:`, they count towards the manual snapshot quota, and listings report them with
 * `SnapshotType: "awsbackup"` in every listing of manual snapshots (the AWS docs do not say how
 * DescribeDBClusterSnapshots types them; showing them to a manual pass is the stricter test of
 * "never touch AWS Backup snapshots").
 */
export type SimSnapshotType = "manual" | "automated" | "awsbackup";

export interface InMemoryRdsOptions {
  /** Start of the simulated clock. Default 2026-01-01T00:00:00Z (fixed, so runs are repeatable). */
  readonly now?: Date;
  /** Manual (and AWS Backup) snapshots per account and region. Default 100, as in AWS. */
  readonly manualSnapshotQuota?: number;
  /**
   * Copies not yet finished (`pending`, `creating` or `copying`) per account and target region;
   * one more is refused with SnapshotQuotaExceededFault. Default 5, as AWS documents.
   */
  readonly copiesInFlightLimit?: number;
  /**
   * Copies that make progress at once per account and target region; the others stay `pending`
   * with no progress, as AWS shows queued cross-region copies. AWS does not say how many run at
   * once; default 5 (all that are accepted).
   */
  readonly copiesRunningAtOnce?: number;
  /** How long a new copy is `pending` before it can start. Default 1 minute. */
  readonly copyStartMinutes?: number;
  /**
   * A copy's SnapshotCreateTime: its source's (`source`, the default, as AWS's own CLI example
   * shows) or the time of the copy (`copy`). AWS documents neither for cluster snapshots; the
   * engine must be right under both.
   */
  readonly copyCreateTime?: "source" | "copy";
  /**
   * Minutes a copy runs once started; default: copyMinutes within a region, crossRegionCopyMinutes
   * across. Pass a function for sizes or a seeded distribution (see `seededCopyMinutes`).
   */
  readonly copyDuration?: (copy: SimCopyRequest) => number;
  /** How long CreateDBClusterSnapshot stays `creating`. Default 10 minutes. */
  readonly createMinutes?: number;
  /** How long a copy within one region stays `copying`. Default 5 minutes. */
  readonly copyMinutes?: number;
  /** How long a copy into another region stays `copying`. Default 30 minutes. */
  readonly crossRegionCopyMinutes?: number;
  /**
   * Whether a snapshot shared from another account may be copied straight into another region in
   * one call: RDS takes it since September 2025 (the API's SourceDBClusterSnapshotIdentifier: "an
   * ARN of a snapshot that is in a different account and a different AWS Region"). Default true;
   * false, or a function of the target region returning false, answers InvalidParameterCombination,
   * as an older API, or a region or partition without the feature, would.
   */
  readonly allowSharedCrossRegionCopy?:
    boolean | ((copy: { readonly targetRegion: string; readonly sourceRegion: string }) => boolean);
  /**
   * How long RestoreDBClusterFromSnapshot stays `creating`. Default 30 minutes: AWS says a restore
   * "can take up to a few hours" and grows with the data (re:Post knowledge center,
   * aurora-mysql-slow-snapshot-restore); a small cluster takes tens of minutes.
   */
  readonly restoreMinutes?: number;
  /** How long CreateDBInstance stays `creating`. Default 10 minutes (not documented; typical). */
  readonly instanceCreateMinutes?: number;
  /** How long a deleted DB instance stays `deleting`. Default 5 minutes (not documented). */
  readonly instanceDeleteMinutes?: number;
  /**
   * How long a deleted cluster stays `deleting` (plus `createMinutes` when a final snapshot is
   * taken, and until its instances are gone). Default 5 minutes (not documented).
   */
  readonly clusterDeleteMinutes?: number;
}

/** What a copy duration is chosen from. */
export interface SimCopyRequest {
  readonly sourceArn: string;
  readonly clusterId: string;
  readonly crossRegion: boolean;
  readonly crossAccount: boolean;
}

export interface SimClusterInit extends SimRef {
  /** Default `aurora-postgresql`. */
  readonly engine?: string;
  readonly engineVersion?: string;
  /** Default `available`. */
  readonly status?: string;
  /** Default false. */
  readonly encrypted?: boolean;
  /** Key id, alias or ARN in the cluster's account and region; default `alias/aws/rds` when encrypted. */
  readonly kmsKeyId?: string;
  readonly tags?: Readonly<Record<string, string>>;
  /** Default: the simulated now. */
  readonly createTime?: Date;
}

export interface SimSnapshotInit extends SimRef {
  /** The cluster the snapshot was taken from; it need not exist (clusters can be deleted). */
  readonly clusterId: string;
  /** Default `manual`. Automated ids must start with `rds:`, AWS Backup ids with `awsbackup:`. */
  readonly type?: SimSnapshotType;
  /**
   * Default `available`. `creating`/`copying` become `available` at `readyAt`; `pending` is a
   * queued copy, started in turn (as one asked for now) and run for copyDuration.
   */
  readonly status?: string;
  /** For a `creating`/`copying` seed: when it becomes available (default: after the usual duration). */
  readonly readyAt?: Date;
  /** SnapshotCreateTime. Default: the simulated now. */
  readonly createTime?: Date;
  /** Default: the cluster's engine when the cluster exists, else `aurora-postgresql`. */
  readonly engine?: string;
  /** Default: the cluster's encryption when the cluster exists, else false. */
  readonly encrypted?: boolean;
  /** Key id, alias or ARN in the snapshot's account and region; default the cluster's key or `aws/rds`. */
  readonly kmsKeyId?: string;
  readonly tags?: Readonly<Record<string, string>>;
  /** Accounts in the `restore` attribute (`all` makes it public). Only for manual snapshots. */
  readonly sharedWith?: readonly string[];
  /** SourceDBClusterSnapshotArn, for a seeded copy. */
  readonly sourceArn?: string;
}

export interface SimKeyInit extends SimPlace {
  /** `alias/name` or `name`. `aws/...` aliases are reserved for AWS-managed keys. */
  readonly alias?: string;
  /** Default `CUSTOMER`. */
  readonly manager?: "AWS" | "CUSTOMER";
  /** Default true. A disabled key makes copies fail with KMSKeyNotAccessibleFault. */
  readonly enabled?: boolean;
  /**
   * Other accounts the key policy lets use the key (decrypt a shared snapshot, DescribeKey by ARN).
   * Default: none, as on AWS (only the owner). AWS-managed keys are never usable by another account.
   */
  readonly usableBy?: readonly string[];
  /**
   * The key policy GetKeyPolicy returns (JSON text). Default: the owner account's root may do
   * anything, and each `usableBy` account may use the key (Decrypt, DescribeKey, CreateGrant, ...).
   * Only what GetKeyPolicy answers: access is decided by `usableBy`.
   */
  readonly policy?: string;
}

export interface SimClusterRecord {
  readonly account: string;
  readonly region: string;
  readonly id: string;
  readonly arn: string;
  readonly engine: string;
  readonly engineVersion: string;
  readonly status: string;
  readonly encrypted: boolean;
  /** Key ARN, when encrypted. */
  readonly kmsKeyId?: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly createTime: Date;
}

export interface SimSnapshotRecord {
  readonly account: string;
  readonly region: string;
  /** Lowercase identifier (`rds:` / `awsbackup:` prefix included). */
  readonly id: string;
  readonly arn: string;
  readonly clusterId: string;
  readonly engine: string;
  readonly type: SimSnapshotType;
  readonly status: string;
  readonly percentProgress: number;
  /** SnapshotCreateTime (for a copy: the source's). */
  readonly createTime: Date;
  /** When a `creating`/`copying` snapshot becomes available. */
  readonly readyAt?: Date;
  readonly encrypted: boolean;
  /** Key ARN, when encrypted. */
  readonly kmsKeyId?: string;
  readonly tags: Readonly<Record<string, string>>;
  /** The `restore` attribute: accounts it is shared with (`all` = public). */
  readonly sharedWith: readonly string[];
  /** SourceDBClusterSnapshotArn, for a copy. */
  readonly sourceArn?: string;
}

export interface SimKeyRecord {
  readonly account: string;
  readonly region: string;
  readonly keyId: string;
  readonly arn: string;
  /** Full alias names (`alias/...`). */
  readonly aliases: readonly string[];
  readonly manager: "AWS" | "CUSTOMER";
  readonly enabled: boolean;
  readonly usableBy?: readonly string[];
}

/** One API call the simulator answered (or refused). */
export interface SimCall {
  /** 1, 2, 3... in the order calls arrived. */
  readonly seq: number;
  /** Simulated time of the call. */
  readonly at: Date;
  readonly account: string;
  readonly region: string;
  /** Operation name without the `Command` suffix, e.g. `CopyDBClusterSnapshot`. */
  readonly operation: string;
  /** The request input as sent (a shallow copy). */
  readonly input: Readonly<Record<string, unknown>>;
  /** The error name when the call failed (injected faults included). */
  readonly error?: string;
}

export interface ThrottleOptions {
  /** Share of matching calls that fail with `Throttling`, 0..1. */
  readonly fraction: number;
  /** PRNG seed; the same seed and call sequence throttle the same calls. Default 1. */
  readonly seed?: number;
  /** Operations to throttle (with or without the `Command` suffix). Default: all. */
  readonly operations?: readonly string[];
}

export interface FailOnOptions {
  /** Operation name, with or without the `Command` suffix. */
  readonly operation: string;
  /**
   * Only calls naming this identifier or ARN (snapshot, source/target snapshot, cluster, tagged
   * resource or key, DB instance, a restore's SnapshotIdentifier; case-insensitive; an ARN's last
   * segment also matches). Default: every call.
   */
  readonly target?: string;
  /** Only calls made as this account (a fleet's one target failing). Default: every account. */
  readonly account?: string;
  /** Error name to throw, e.g. `KMSKeyNotAccessibleFault`, `Throttling`, `InternalFailure`. */
  readonly error: string;
  readonly message?: string;
  /** How many matching calls fail before the rule is spent. Default: all of them. */
  readonly times?: number;
}

/** Milliseconds, or a duration in days/hours/minutes/seconds. */
export type SimDuration =
  | number
  | {
      readonly days?: number;
      readonly hours?: number;
      readonly minutes?: number;
      readonly seconds?: number;
    };

/**
 * What a middleware stack must offer the simulator's plugin; every SDK v3 client's
 * `middlewareStack` does. Declared structurally so this module needs no value import from the SDK.
 */
export interface SimMiddlewareStack {
  add(middleware: SimMiddleware, options: SimMiddlewareOptions): void;
}

export interface SimMiddlewareOptions {
  /** Where the transport would be: after the SDK's retry and signing. */
  readonly step: "finalizeRequest";
  readonly name: string;
  readonly priority: "low";
  readonly override?: boolean;
}

export type SimMiddleware = (
  next: unknown,
  context: { readonly commandName?: string; readonly clientName?: string },
) => (args: { readonly input: object }) => Promise<{ output: object; response: unknown }>;

/**
 * An SDK v3 `Pluggable`: pass it to `client.middlewareStack.use(...)`. The stack is typed loosely,
 * as ClientPlugin is: the SDK types each step's middleware by the client's own input and output
 * unions, which one plugin serving RDS, KMS and STS cannot name.
 */
export interface SimPluggable {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  applyToStack(stack: any): void;
}
