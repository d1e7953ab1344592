/**
 * Every reason a planner gives, as one closed union. The CLI table, the JSON output and the Lambda
 * logs all print these codes; REASONS documents each once.
 */
export const REASONS = {
  // take
  due: "the newest tool snapshot (hour-truncated) is at least the interval old, or there is none",
  "automated-recent":
    "due, and SNAPSHOT_SOURCE=automated: the cluster's newest available automated snapshot is younger than AUTOMATED_MAX_AGE_HOURS, so take copies it instead of creating one",
  "not-due": "the newest tool snapshot (hour-truncated) is younger than the interval",
  "not-aurora": "the cluster's engine is not aurora, aurora-mysql or aurora-postgresql",
  "verification-cluster":
    "the cluster is a temporary cluster restored by verify (tagged SnapshotToolVerification), deleted when the check is done",
  "cluster-unavailable":
    "the cluster is not in the `available` state, so RDS would refuse a snapshot",
  "tag-not-included": "the cluster lacks a tag the include selectors require",
  "tag-excluded": "the cluster carries a tag an exclude selector names",
  "identifier-too-long": "the snapshot identifier would exceed RDS's 63 characters",
  "identifier-invalid": "the snapshot identifier would break RDS naming rules",
  "snapshot-name-taken":
    "a snapshot of another cluster or deployment already has the identifier this backup needs",
  "copy-failed":
    "the copy into the target region failed; it stays until removed, and blocks a new one",
  "future-timestamp":
    "the snapshot's name (or CreatedOn tag) is more than an hour in the future, so its time cannot be trusted",
  "not-owned":
    "the snapshot carries the tool's tag but is not named [PREFIX-]CLUSTER-YYYY-MM-DD-HH-MM with this deployment's prefix",
  // shared by several steps
  "pattern-mismatch": "the cluster id does not match the configured pattern",
  "no-tool-tag":
    "the snapshot was not made by the tool (no CreatedBy/CopiedBy tag), so it is never touched",
  "not-available":
    "the snapshot is not `available` yet (or is failing), so nothing is done to it now",
  "not-manual": "the snapshot is automated, AWS Backup or shared in; the tool never deletes those",
  "unknown-age": "the snapshot's time cannot be read from its name, tag or metadata",
  // share
  "not-shared": "the tool's available snapshot has not been shared with this destination account",
  "already-shared": "the snapshot is already shared with every destination account",
  "share-not-requested": "the snapshot does not carry shareAndCopy=YES",
  "encrypted-with-default-key":
    "the snapshot is encrypted with the AWS-managed aws/rds key, which cannot be shared across accounts",
  reencrypting:
    "the snapshot is encrypted with aws/rds and REENCRYPT_KMS_KEY is set: its re-encrypted copy (cmk-NAME) is being made, and is shared once available; prune keeps the original until then (deleting it would end the copy)",
  expiring:
    "the snapshot is encrypted with aws/rds and prune deletes it within a day (past RETENTION_DAYS - 1, no KEEP rule, not among the newest MIN_KEEP): no re-encrypted copy is started for it",
  reencrypted:
    "the snapshot is encrypted with aws/rds; its re-encrypted copy (cmk-NAME) exists and is what is shared",
  "reencrypt-key-unusable":
    "the snapshot is encrypted with aws/rds and the REENCRYPT_KMS_KEY key cannot re-encrypt it: not found, not enabled, in another region or itself AWS-managed",
  // copy
  "not-copied": "no copy of this snapshot exists in the target region yet",
  "already-copied": "a copy already exists in the target region",
  "copy-in-progress": "a copy into the target region is still running",
  "copy-slots-full": "the target region already has the maximum number of copies in flight",
  "outside-retention": "the snapshot is older than the destination retention, so it is not copied",
  "source-account-not-allowed":
    "the snapshot was shared by an account that is not among the configured source accounts",
  "copy-name-taken":
    "a snapshot with the copy's name already exists in the target region but is not a copy of this snapshot",
  "source-key-not-accessible":
    "the shared snapshot's KMS key is not usable by this account (not granted, disabled or gone), so RDS would refuse the copy",
  "kms-key-required":
    "the snapshot is encrypted and no KMS key is configured for the target region",
  "reencrypted-copy":
    "same-account copy: a cmk- copy made only for sharing an aws/rds snapshot; its original is copied instead",
  "intermediate-done": "every copy made from this intermediate local copy is available",
  "intermediate-waiting": "copies made from this intermediate local copy are not all available yet",
  // prune
  expired: "the tool's snapshot is older than the retention period",
  "within-retention": "the snapshot is younger than the retention period",
  "min-keep": "the snapshot is among the newest ones kept per cluster whatever their age",
  "keep-daily":
    "the snapshot is the newest of its UTC day, one of the last KEEP_DAILY days with a snapshot",
  "keep-weekly":
    "the snapshot is the newest of its ISO week, one of the last KEEP_WEEKLY weeks with a snapshot",
  "keep-monthly":
    "the snapshot is the newest of its month, one of the last KEEP_MONTHLY months with a snapshot",
  "keep-yearly":
    "the snapshot is the newest of its year, one of the last KEEP_YEARLY years with a snapshot",
  "intermediate-copy": "an intermediate copy is removed by the copy step, not by pruning",
  "original-pruned":
    "the re-encrypted copy (cmk-NAME) goes in the same run as its aws/rds original, which prune deletes",
  "original-kept":
    "the re-encrypted copy (cmk-NAME) is kept as long as its aws/rds original is; the pair counts as one backup",
  "clock-skew":
    "this machine's clock and AWS's differ by more than 5 minutes (or AWS's time is unknown), so nothing is deleted",
} as const;

/**
 * Reasons that mean "left out by the configuration": a cluster or snapshot the tool is not set up
 * to protect (engine, pattern, tag selectors, source accounts). `list` and `doctor` tell these
 * apart from the tool's own work.
 */
export const UNSELECTED_REASONS: ReadonlySet<Reason> = new Set<Reason>([
  "not-aurora",
  "verification-cluster",
  "pattern-mismatch",
  "tag-not-included",
  "tag-excluded",
  "source-account-not-allowed",
  "not-owned",
]);

export type Reason = keyof typeof REASONS;

export type Step = "take" | "share" | "prune" | "copy" | "prune-dest";

/** Facts a decision was based on: small scalar values, printed as they are. */
export type Facts = Readonly<Record<string, string | number | boolean | null>>;

interface DecisionBase {
  readonly step: Step;
  readonly reason: Reason;
  /** The cluster the decision concerns (the source cluster for a snapshot). */
  readonly cluster: string;
  /** The account and region the action runs in (for a copy: the target region). */
  readonly account: string;
  readonly region: string;
  readonly facts: Facts;
}

export interface TakeDecision extends DecisionBase {
  readonly action: "take";
  readonly snapshot: string;
  readonly tags: Readonly<Record<string, string>>;
  /**
   * Identifier (`rds:...`) of the automated snapshot to copy, in the same region, into `snapshot`;
   * absent: CreateDBClusterSnapshot of the cluster. The name and tags are the same either way.
   */
  readonly copyFrom?: string;
}

export interface ShareDecision extends DecisionBase {
  readonly action: "share";
  readonly snapshot: string;
  readonly snapshotArn: string;
  /** The one account this decision shares with (one decision per destination account). */
  readonly shareWith: string;
  /**
   * The destination accounts the snapshot's marker (TAG_SHARED_WITH) recorded when it was listed:
   * the executor writes these, the accounts shared with by this run so far and `shareWith`, so a
   * share with account B never erases the record of A. Absent (a decision built by hand, or by an
   * earlier release) = none recorded.
   */
  readonly sharedWith?: readonly string[];
}

export interface CopyDecision extends DecisionBase {
  readonly action: "copy";
  /** Identifier of the new copy. */
  readonly snapshot: string;
  readonly sourceArn: string;
  readonly sourceRegion: string;
  /** KMS key (id, alias or ARN) to encrypt the copy with in the target region; absent for unencrypted. */
  readonly kmsKeyId?: string;
  readonly tags: Readonly<Record<string, string>>;
  /** True for the local copy of a shared snapshot that only exists to be copied onwards. */
  readonly intermediate: boolean;
}

export interface DeleteDecision extends DecisionBase {
  readonly action: "delete";
  readonly snapshot: string;
  readonly snapshotArn: string;
}

export interface SkipDecision extends DecisionBase {
  readonly action: "skip";
  readonly snapshot?: string;
}

export type Decision = TakeDecision | ShareDecision | CopyDecision | DeleteDecision | SkipDecision;
export type Action = Decision["action"];
export type ActionDecision = Exclude<Decision, SkipDecision>;

export function isAction(decision: Decision): decision is ActionDecision {
  return decision.action !== "skip";
}
