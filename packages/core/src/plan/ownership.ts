import type { Snapshot } from "../model/index.js";
import {
  TAG_REENCRYPTED_FROM,
  TAG_SOURCE_ARN,
  isToolCopy,
  isToolSnapshot,
  parseArn,
} from "../model/index.js";
import { isOwnName } from "../naming/index.js";

/**
 * Whether a source-side deployment owns a snapshot: it carries the tool's CreatedBy tag and is
 * named exactly `[PREFIX-]CLUSTER-YYYY-MM-DD-HH-MM` with this deployment's prefix (none when
 * unset). Two deployments in one account (a daily one and a prefixed monthly one) therefore never
 * count or delete each other's snapshots; the original tool's snapshots have the same names and
 * stay owned. A re-encrypted copy (TAG_REENCRYPTED_FROM) is never an original, whatever its name
 * reads as: with SNAPSHOT_NAME_PREFIX=cmk, another deployment's `cmk-CLUSTER-...` copy would
 * otherwise pass for this one's backup (see plan/reencrypt-pairs for the copies' own rule).
 */
export function ownsSourceSnapshot(s: Snapshot, prefix: string | undefined): boolean {
  return (
    isToolSnapshot(s.tags) &&
    s.tags[TAG_REENCRYPTED_FROM] === undefined &&
    isOwnName(s.name, s.clusterId, prefix)
  );
}

/** The account a copy was made from, by its source-ARN tag; undefined for a legacy copy without it. */
export function copySourceAccount(s: Snapshot): string | undefined {
  const arn = s.tags[TAG_SOURCE_ARN];
  return arn === undefined ? undefined : (parseArn(arn)?.account ?? "");
}

/**
 * Whether a copy made from an account outside `sourceAccounts` (when that list is set). A copy
 * without the source-ARN tag (made by the original tool, or before the tag existed) cannot tell,
 * and counts as allowed: migration keeps its copies pruned as before.
 */
export function isForeignCopy(s: Snapshot, sourceAccounts: readonly string[]): boolean {
  if (sourceAccounts.length === 0) return false;
  const from = copySourceAccount(s);
  return from !== undefined && !sourceAccounts.includes(from);
}

/**
 * Whether the destination side owns a copy: the tool's CopiedBy tag and a name of the tool's shape
 * (with whatever prefix the source side used). Where it came from is checked apart, so the reason
 * can say so.
 */
export function ownsCopy(s: Snapshot): boolean {
  return isToolCopy(s.tags) && isOwnName(s.name, s.clusterId, { any: true });
}
