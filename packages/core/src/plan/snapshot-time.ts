import type { Snapshot } from "../model/index.js";
import { TAG_CREATED_ON } from "../model/index.js";
import { parseSnapshotTime, parseTimestamp } from "../naming/index.js";

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** The time the tool stamped on a snapshot: its name's, else its CreatedOn tag's. */
export function stampedTime(s: Snapshot): Date | undefined {
  const fromName = parseSnapshotTime(s.name, s.clusterId);
  if (fromName) return fromName;
  const tag = s.tags[TAG_CREATED_ON];
  return tag === undefined ? undefined : parseTimestamp(tag.trim());
}

function createTimeOf(s: Snapshot): Date | undefined {
  return s.createTime && !Number.isNaN(s.createTime.getTime())
    ? new Date(s.createTime.getTime())
    : undefined;
}

/**
 * When a snapshot was taken, for every age the tool computes: the younger of the stamp the tool
 * wrote (name or CreatedOn tag) and RDS's SnapshotCreateTime, so nothing is ever deleted earlier
 * than either says. A wrong host clock skews the stamp, and a copy may report its own creation
 * time; taking the younger keeps both mistakes on the side of keeping. Undefined when neither is
 * readable.
 */
export function snapshotTime(s: Snapshot): Date | undefined {
  const stamped = stampedTime(s);
  const created = createTimeOf(s);
  if (!stamped) return created;
  if (!created) return stamped;
  return stamped.getTime() >= created.getTime() ? stamped : created;
}

/** How far ahead of the run a stamp may be before it is not trusted (clocks drift, runs overlap). */
export const FUTURE_TOLERANCE_MS = HOUR_MS;

/**
 * A stamp more than an hour after `now` cannot be a backup the tool took: a clock far ahead, or a
 * name made up to look like tomorrow's backup. Such a snapshot is never the newest for the interval
 * guard or MIN_KEEP, never deleted by age, and is reported as `future-timestamp`.
 */
export function isFutureStamped(s: Snapshot, now: Date): boolean {
  const stamped = stampedTime(s);
  return stamped !== undefined && stamped.getTime() - now.getTime() > FUTURE_TOLERANCE_MS;
}

/** Facts are printed as they are, so ages keep one decimal. */
export function roundTenth(n: number): number {
  return Math.round(n * 10) / 10;
}

export function hoursBetween(from: Date, to: Date): number {
  return (to.getTime() - from.getTime()) / HOUR_MS;
}

export function daysBetween(from: Date, to: Date): number {
  return (to.getTime() - from.getTime()) / DAY_MS;
}

/**
 * The one retention rule shared by prune and copy, so copy never brings in a snapshot that prune
 * would delete at once: a snapshot exactly `retentionDays` old is still within retention.
 */
export function isWithinRetention(time: Date, now: Date, retentionDays: number): boolean {
  return now.getTime() - time.getTime() <= retentionDays * DAY_MS;
}

/**
 * The time the calendar rules (KEEP_DAILY ...) file a snapshot under: when it was taken, by the
 * stamp the tool wrote (name or CreatedOn tag), since a copy may report its own creation time and
 * would then fall in the period it was copied in, not the one its data is from; never later than
 * `now`, so a stamp a little ahead cannot open a period that has not begun. Without a stamp,
 * snapshotTime.
 */
export function periodTime(s: Snapshot, now: Date): Date | undefined {
  const stamped = stampedTime(s);
  if (stamped === undefined) return snapshotTime(s);
  return stamped.getTime() > now.getTime() ? new Date(now.getTime()) : stamped;
}
