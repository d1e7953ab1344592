/** Longest DB cluster snapshot identifier RDS accepts (API_CreateDBClusterSnapshot). */
export const MAX_IDENTIFIER_LENGTH = 63;

const STAMP = /(\d{4})-(\d{2})-(\d{2})-(\d{2})-(\d{2})/;

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

/** `YYYY-MM-DD-HH-MM` in UTC, the timestamp format of the original tool's names and CreatedOn tag. */
export function formatTimestamp(at: Date): string {
  return (
    `${at.getUTCFullYear()}-${pad(at.getUTCMonth() + 1)}-${pad(at.getUTCDate())}-` +
    `${pad(at.getUTCHours())}-${pad(at.getUTCMinutes())}`
  );
}

/** Reads a `YYYY-MM-DD-HH-MM` (UTC) timestamp; undefined when it is not one or not a real date. */
const WHOLE_STAMP = new RegExp(`^${STAMP.source}$`);

export function parseTimestamp(text: string): Date | undefined {
  const m = WHOLE_STAMP.exec(text);
  return m ? stampToDate(m) : undefined;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
}

/** The stamp's time, or undefined for an impossible date (2026-02-30, hour 24, ...). */
function stampToDate(m: RegExpExecArray): Date | undefined {
  // Checked field by field rather than by round-tripping a Date: this runs once per snapshot per
  // plan, 100,000 times for a large fleet.
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const h = Number(m[4]);
  const mi = Number(m[5]);
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59) return undefined;
  return new Date(Date.UTC(y, mo - 1, d, h, mi));
}

/** A prefix of `NONE` or empty means none, as in the original tool. */
export function normalizePrefix(prefix: string | undefined): string | undefined {
  if (prefix === undefined) return undefined;
  const trimmed = prefix.trim();
  return trimmed === "" || trimmed.toUpperCase() === "NONE" ? undefined : trimmed;
}

/**
 * `[PREFIX-]CLUSTER-YYYY-MM-DD-HH-MM` in UTC. RDS stores identifiers in lowercase, so the name is
 * lowercased here: the result is what DescribeDBClusterSnapshots will report back.
 */
export function formatSnapshotName(clusterId: string, at: Date, prefix?: string): string {
  const p = normalizePrefix(prefix);
  const base = `${clusterId}-${formatTimestamp(at)}`;
  return (p ? `${p}-${base}` : base).toLowerCase();
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

// Planning 100,000 snapshots parses as many names; build each cluster's regex once. Bounded so a
// long-lived process that sees many clusters does not grow without limit.
const nameRegexes = new Map<string, RegExp>();
function nameRegex(clusterId: string): RegExp {
  let re = nameRegexes.get(clusterId);
  if (!re) {
    if (nameRegexes.size >= 10_000) nameRegexes.clear();
    re = new RegExp(`${escapeRegExp(clusterId)}-${STAMP.source}`, "i");
    nameRegexes.set(clusterId, re);
  }
  return re;
}

/**
 * The time a tool snapshot was taken, read from its name with the cluster id known (as the original
 * does, but with the id escaped: cluster ids may hold characters a regex treats specially).
 * Accepts a bare identifier or an ARN. Undefined when the name holds no valid timestamp after
 * `CLUSTER-`.
 */
export function parseSnapshotTime(snapshotName: string, clusterId: string): Date | undefined {
  const name = snapshotName.slice(snapshotName.lastIndexOf(":") + 1);
  const m = nameRegex(clusterId).exec(name);
  return m ? stampToDate(m) : undefined;
}

export type IdentifierProblem = "identifier-too-long" | "identifier-invalid";

/**
 * Checks RDS's rules for a cluster snapshot identifier: 1-63 letters, digits or hyphens, a letter
 * first, no two hyphens in a row, no hyphen at the end (API_CreateDBClusterSnapshot).
 */
export function checkIdentifier(identifier: string): IdentifierProblem | undefined {
  if (identifier.length > MAX_IDENTIFIER_LENGTH) return "identifier-too-long";
  if (!/^[A-Za-z][A-Za-z0-9-]*$/.test(identifier)) return "identifier-invalid";
  if (identifier.includes("--") || identifier.endsWith("-")) return "identifier-invalid";
  return undefined;
}

/** Truncates to the start of the UTC hour, as the original does before its interval check. */
export function truncateToHour(at: Date): Date {
  const t = new Date(at.getTime());
  t.setUTCMinutes(0, 0, 0);
  return t;
}

/**
 * Whether `snapshotName` is exactly the name a deployment with `prefix` gives a snapshot of
 * `clusterId`: `[PREFIX-]CLUSTER-YYYY-MM-DD-HH-MM` (a real date), compared case-insensitively as
 * RDS does. With no prefix, a name with any prefix is not this deployment's. `prefix: "any"` accepts
 * a name with or without any prefix (a side that cannot know the source's prefix).
 */
export function isOwnName(
  snapshotName: string,
  clusterId: string,
  prefix: string | undefined | { readonly any: true },
): boolean {
  const name = snapshotName.slice(snapshotName.lastIndexOf(":") + 1).toLowerCase();
  const tail = `${clusterId.toLowerCase()}-`;
  const stampAt = name.length - 16;
  if (stampAt < 0 || !parseTimestamp(name.slice(stampAt))) return false;
  const head = name.slice(0, stampAt);
  if (!head.endsWith(tail)) return false;
  const before = head.slice(0, head.length - tail.length);
  if (typeof prefix === "object") return before === "" || before.endsWith("-");
  const p = normalizePrefix(prefix);
  return p === undefined ? before === "" : before === `${p.toLowerCase()}-`;
}
