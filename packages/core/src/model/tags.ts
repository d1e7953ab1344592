/**
 * Tag keys and values shared with the original Python tool. Users switch over with snapshots in
 * place, so these must never change.
 */
export const TOOL_NAME = "Snapshot Tool for Aurora";
export const TAG_CREATED_BY = "CreatedBy";
export const TAG_CREATED_ON = "CreatedOn";
export const TAG_SHARE_AND_COPY = "shareAndCopy";
export const TAG_COPIED_BY = "CopiedBy";

/**
 * Tags this project adds on top of the original's. They only ever mark state so a run can decide
 * without an extra API call per snapshot; the original ignores them.
 *
 * `SnapshotToolSharedWith` is written once after a successful share (the account id), so `share`
 * does not call ModifyDBClusterSnapshotAttribute or DescribeDBClusterSnapshotAttributes again.
 * `SnapshotToolIntermediate=YES` marks a local copy made only as a step towards another region; only
 * copies so marked are ever removed by `copy`.
 */
export const TAG_SHARED_WITH = "SnapshotToolSharedWith";
export const TAG_INTERMEDIATE = "SnapshotToolIntermediate";

export function isToolSnapshot(tags: Readonly<Record<string, string>>): boolean {
  return tags[TAG_CREATED_BY] === TOOL_NAME;
}

export function isToolCopy(tags: Readonly<Record<string, string>>): boolean {
  return tags[TAG_COPIED_BY] === TOOL_NAME;
}

/**
 * `SnapshotToolSourceArn` on every copy the tool makes: the ARN of the snapshot it was made from
 * (for the onward copy of an intermediate, the snapshot shared in, not the intermediate). A copy is
 * only ever taken as "already copied" when this tag names the snapshot being copied, so a snapshot
 * someone else shared under the same name can never stand in for the real one.
 */
export const TAG_SOURCE_ARN = "SnapshotToolSourceArn";

/**
 * `SnapshotToolReencryptedFrom` on a re-encrypted copy made by `share` (REENCRYPT_KMS_KEY): the ARN
 * of the tool's snapshot encrypted with the AWS-managed `aws/rds` key that it was copied from, in
 * the same account and region. Such a copy is named REENCRYPTED_PREFIX + the original's name and
 * carries the original's CreatedBy, CreatedOn and shareAndCopy tags; it is what gets shared. It is
 * this deployment's only when the tag names the original its name says (see plan/reencrypt-pairs),
 * and it is never an original itself: it does not count as a backup of its own for take or MIN_KEEP.
 */
export const TAG_REENCRYPTED_FROM = "SnapshotToolReencryptedFrom";

/**
 * `SnapshotToolDataTime` on take's copy of an automated snapshot (SNAPSHOT_SOURCE=automated): the
 * automated snapshot's SnapshotCreateTime, in the tool's `YYYY-MM-DD-HH-MM` UTC format (as
 * CreatedOn). The copy's name and CreatedOn carry the run's time, which drives the interval and
 * retention; its data is as old as the automated snapshot, and RDS may give the copy a
 * SnapshotCreateTime of its own, so this tag is what lets status report the data's real age. The
 * copy step carries it onto its copies. Status takes the oldest of the stamp, SnapshotCreateTime
 * and this tag; retention never reads it.
 */
export const TAG_DATA_TIME = "SnapshotToolDataTime";

/** The marker in front of a re-encrypted copy's name: `cmk-` + the original's name. */
export const REENCRYPTED_PREFIX = "cmk-";
