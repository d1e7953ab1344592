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
 * `SnapshotToolSharedWith` is written after each successful share (the account ids shared with so
 * far, space-separated; see TAG_SHARED_WITH_2), so `share` does not call
 * ModifyDBClusterSnapshotAttribute or DescribeDBClusterSnapshotAttributes again.
 * `SnapshotToolIntermediate=YES` marks a local copy made only as a step towards another region; only
 * copies so marked are ever removed by `copy`.
 */
export const TAG_SHARED_WITH = "SnapshotToolSharedWith";
export const TAG_INTERMEDIATE = "SnapshotToolIntermediate";

/**
 * The marker's overflow: with DEST_ACCOUNT naming up to 20 accounts (RDS shares a manual snapshot
 * with at most 20), 20 ids space-separated are 259 characters, over RDS's 256 for a tag value
 * (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_Tagging.html). So
 * `SnapshotToolSharedWith` holds the first SHARED_WITH_PER_TAG ids (19 x 12 digits + 18 spaces =
 * 246 characters) and `SnapshotToolSharedWith2` the rest. Both stay plain space-separated ids,
 * readable in the console and with the AWS CLI, and a value written by an earlier release (one id)
 * reads as it always did. Ids are written sorted, so the value for a set of accounts is always the
 * same whichever order the shares happened in.
 */
export const TAG_SHARED_WITH_2 = "SnapshotToolSharedWith2";
export const SHARED_WITH_PER_TAG = 19;
/** RDS's limit on a tag value, in characters. */
export const MAX_TAG_VALUE_LENGTH = 256;

/** The accounts the share marker records, from both of its tags (old single-id values too). */
export function sharedWithOf(tags: Readonly<Record<string, string>>): string[] {
  const ids = `${tags[TAG_SHARED_WITH] ?? ""} ${tags[TAG_SHARED_WITH_2] ?? ""}`;
  return [...new Set(ids.split(/\s+/).filter((a) => a !== ""))];
}

/**
 * The marker tags recording `accounts`: sorted, the first 19 in TAG_SHARED_WITH and the rest in
 * TAG_SHARED_WITH_2 (only when there is a rest, so a snapshot shared with up to 19 accounts keeps
 * the one tag earlier releases wrote). share records only accounts DEST_ACCOUNT names (at most
 * 20): an account dropped from it falls out of TAG_SHARED_WITH at the next share of that
 * snapshot. TAG_SHARED_WITH_2 is only ever written, never removed (the share role has no
 * RemoveTagsFromResource), so it may keep a dropped 20th account; readers only count the
 * accounts DEST_ACCOUNT names, and the tool never unshares, so that is harmless.
 */
export function sharedWithTags(accounts: Iterable<string>): Record<string, string> {
  const ids = [...new Set(accounts)].sort();
  const first = ids.slice(0, SHARED_WITH_PER_TAG);
  const rest = ids.slice(SHARED_WITH_PER_TAG, 2 * SHARED_WITH_PER_TAG);
  return {
    [TAG_SHARED_WITH]: first.join(" "),
    ...(rest.length > 0 && { [TAG_SHARED_WITH_2]: rest.join(" ") }),
  };
}

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
