import type { PolicySide } from "../policy/registry.js";

/*
 * Recovery status: for every selected cluster and every place a copy of it is kept, how old the
 * newest recovery point is and whether that is within the RPO.
 */

/**
 * `protected`: the newest available recovery point is no older than the RPO. `at-risk`: it is
 * older (or there is none yet) but a snapshot or copy of the cluster is on its way there.
 * `unprotected`: older than the RPO or missing, and nothing is on its way.
 */
export type ProtectionState = "protected" | "at-risk" | "unprotected";

export const PROTECTION_STATES: readonly ProtectionState[] = [
  "protected",
  "at-risk",
  "unprotected",
];

/**
 * Where a recovery point is kept. `source`: the cluster's own region in the source account;
 * `shared`: shared with the destination account (seen from the source); `dr`: a copy in a
 * destination region (seen from the destination account).
 */
export type PlaceKind = "source" | "shared" | "dr";

/** Why a place is not protected (or what puts it at risk), one code each, documented in STATUS_REASONS. */
export const STATUS_REASONS = {
  "never-taken": "the tool has no available snapshot of the cluster yet",
  "never-shared": "none of the cluster's snapshots is shared with the destination account yet",
  "never-copied": "no copy of the cluster is in this region yet",
  stale: "the newest recovery point is older than the RPO",
  "snapshot-in-progress": "a snapshot of the cluster is being created",
  "copy-in-progress": "a copy into this region is running",
  "copy-backlog":
    "a copy into this region (shared: a re-encrypting cmk- copy) waits for one of RDS's copy slots",
  "copy-pending": "a copy into this region is due and starts at the next copy run",
  "share-pending": "the newest snapshot is waiting to be shared",
  "cluster-unavailable": "the cluster is not available, so no snapshot can be taken",
  "cluster-skipped":
    "the cluster is selected but the take step cannot snapshot it (see the take decision's reason)",
  "key-missing":
    "the KMS key a copy needs is not configured or not usable (kms-key-required, source-key-not-accessible, reencrypt-key-unusable)",
  "default-key": "the snapshots are encrypted with aws/rds, which cannot be shared",
  "copy-failed":
    "the last copy into this region failed (shared: the re-encrypting cmk- copy of an aws/rds snapshot failed)",
  "copy-blocked":
    "the copy into this region is blocked (see the copy decision's reason; shared: the re-encrypting cmk- copy cannot be made, see share's reason)",
  "future-timestamp": "the newest snapshot's time is in the future, so its age cannot be trusted",
  "outside-retention": "the newest shared snapshot is older than the destination retention",
} as const;

export type StatusReason = keyof typeof STATUS_REASONS;

export interface RecoveryPoint {
  /** The snapshot (or copy) identifier. */
  readonly snapshot: string;
  readonly arn: string;
  /** When the source snapshot was taken (from the name, CreatedOn tag or SnapshotCreateTime). */
  readonly time: string;
  readonly ageMinutes: number;
}

/** One cluster in one place. */
export interface PlaceStatus {
  readonly cluster: string;
  readonly place: PlaceKind;
  /** The account the recovery points are in (for `shared`: the destination account). */
  readonly account: string;
  readonly region: string;
  /** The newest available recovery point; null when there is none. */
  readonly newest: RecoveryPoint | null;
  /** Available recovery points of the cluster kept in this place. */
  readonly kept: number;
  /** Snapshots or copies of the cluster on their way to this place. */
  readonly inFlight: number;
  /** The RPO applied here, in hours. */
  readonly rpoHours: number;
  readonly state: ProtectionState;
  /** Empty when protected; otherwise why, most telling first. */
  readonly reasons: readonly StatusReason[];
}

export interface StatusSummary {
  readonly protected: number;
  readonly atRisk: number;
  readonly unprotected: number;
  /** The oldest newest-recovery-point age over every place, in minutes; null when no place has one. */
  readonly maxAgeMinutes: number | null;
}

export interface StatusReport {
  readonly side: PolicySide;
  /** The account the status was read in. */
  readonly account: string;
  readonly generatedAt: string;
  /** One entry per selected cluster and place, sorted by cluster, place, region. */
  readonly places: readonly PlaceStatus[];
  readonly summary: StatusSummary;
}
