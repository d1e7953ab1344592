import { VERIFICATION_TAG, VERIFIED_TAG } from "./iam-actions.js";

/** RDS DB cluster and instance identifiers: 1-63 characters (API_CreateDBCluster). */
export const DB_IDENTIFIER_MAX = 63;
/** RDS tag values: at most 256 Unicode characters (USER_Tagging). */
export const TAG_VALUE_MAX = 256;

/** The snapshot a verification cluster was restored from (its ARN), on the cluster. */
export const VERIFICATION_SNAPSHOT_TAG = "SnapshotToolVerificationSnapshot";
/** When the verification started (ISO time), on the cluster. */
export const VERIFICATION_STARTED_TAG = "SnapshotToolVerificationStarted";
/** The cluster whose snapshot is verified, on the verification cluster. */
export const VERIFICATION_SOURCE_TAG = "SnapshotToolVerificationSource";

/** FNV-1a, 32 bits: a short stable fingerprint with no crypto import (core stays portable). */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** Letters, digits and single hyphens, lowercase; no leading or trailing hyphen. */
function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/-{2,}/g, "-")
    .replace(/^-+|-+$/g, "");
}

/** Cut to `max` characters without leaving a trailing hyphen. */
function cut(text: string, max: number): string {
  return text.slice(0, max).replace(/-+$/, "");
}

/**
 * The verification cluster's identifier: `vfy-<fingerprint>-<source cluster>`, cut to 63
 * characters. The fingerprint covers the deployment, the source cluster (in full, so two long
 * cluster ids that share their first 50 characters still differ) and the run, so a retried round
 * of the same run finds its own cluster, and two deployments or two runs never collide. It starts
 * with a letter and has no `--` and no trailing hyphen, whatever the cluster id
 * (API_RestoreDBClusterFromSnapshot, DBClusterIdentifier).
 */
export function verificationClusterId(
  deployment: string,
  sourceCluster: string,
  runId: string,
): string {
  const fingerprint = fnv1a(`${deployment}\n${sourceCluster.toLowerCase()}\n${runId}`)
    .toString(36)
    .padStart(7, "0");
  const head = `vfy-${fingerprint}`;
  const tail = slug(sourceCluster);
  return tail === "" ? head : cut(`${head}-${tail}`, DB_IDENTIFIER_MAX);
}

/** The one instance of a verification cluster: its id with `-i1`, within 63 characters. */
export function verificationInstanceId(clusterId: string): string {
  return `${cut(clusterId, DB_IDENTIFIER_MAX - 3)}-i1`;
}

/** Why an identifier is not a valid DB cluster identifier; undefined when it is. */
export function dbIdentifierProblem(id: string): string | undefined {
  if (id.length < 1 || id.length > DB_IDENTIFIER_MAX) return "must be 1 to 63 characters";
  if (!/^[a-zA-Z]/.test(id)) return "must start with a letter";
  if (!/^[a-zA-Z0-9-]+$/.test(id)) return "may hold only letters, digits and hyphens";
  if (id.includes("--")) return "must not contain two consecutive hyphens";
  if (id.endsWith("-")) return "must not end with a hyphen";
  return undefined;
}

/** Whether a cluster carries this deployment's verification marker (the only ones verify touches). */
export function isOwnVerificationCluster(
  tags: Readonly<Record<string, string>>,
  deployment: string,
): boolean {
  return tags[VERIFICATION_TAG] === deployment;
}

/**
 * Characters RDS accepts in tag values (Unicode letters, digits, white space, `_ . : / = + - @`);
 * anything else in a failure reason becomes a space.
 */
function tagSafe(text: string): string {
  return text
    .replace(/[^\p{L}\p{N}\s_.:/=+\-@]/gu, " ")
    .replace(/\s+/g, " ")
    .trim();
}

/** The tags of a verification cluster (and its instance). */
export function verificationTags(input: {
  readonly deployment: string;
  readonly snapshotArn: string;
  readonly sourceCluster: string;
  readonly startedAt: Date;
}): Record<string, string> {
  return {
    [VERIFICATION_TAG]: input.deployment,
    [VERIFICATION_SNAPSHOT_TAG]: cut(tagSafe(input.snapshotArn), TAG_VALUE_MAX),
    [VERIFICATION_SOURCE_TAG]: cut(tagSafe(input.sourceCluster), TAG_VALUE_MAX),
    [VERIFICATION_STARTED_TAG]: input.startedAt.toISOString(),
  };
}

/** `SnapshotToolVerified` on the verified snapshot: `<ISO time> passed` or `<ISO time> failed: <reason>`. */
export function outcomeTag(
  at: Date,
  passed: boolean,
  reason?: string,
): Record<typeof VERIFIED_TAG, string> {
  const head = `${at.toISOString()} ${passed ? "passed" : "failed"}`;
  const why = reason === undefined ? "" : tagSafe(reason);
  const value = passed || why === "" ? head : `${head}: ${why}`;
  return { [VERIFIED_TAG]: value.slice(0, TAG_VALUE_MAX).trimEnd() };
}

/** The time and outcome an outcome tag records; undefined when the value is not one. */
export function parseOutcomeTag(
  value: string | undefined,
): { readonly at: Date; readonly passed: boolean } | undefined {
  if (value === undefined) return undefined;
  const match = /^(\S+) (passed|failed)\b/.exec(value);
  if (!match) return undefined;
  const at = new Date(match[1] ?? "");
  return Number.isFinite(at.getTime()) ? { at, passed: match[2] === "passed" } : undefined;
}
