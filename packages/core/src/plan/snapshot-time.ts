import type { Snapshot } from "../model/index.js";
import { TAG_CREATED_ON } from "../model/index.js";
import { parseSnapshotTime, parseTimestamp } from "../naming/index.js";

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * When a snapshot was taken. The name's timestamp comes first, as in the original tool, because a
 * copy may report its source's SnapshotCreateTime (or its own): only the name and the tool's
 * CreatedOn tag travel with the snapshot unchanged. SnapshotCreateTime is the last resort, used only
 * when neither holds a readable stamp.
 */
export function snapshotTime(s: Snapshot): Date | undefined {
  const fromName = parseSnapshotTime(s.name, s.clusterId);
  if (fromName) return fromName;
  const tag = s.tags[TAG_CREATED_ON];
  const fromTag = tag === undefined ? undefined : parseTimestamp(tag.trim());
  if (fromTag) return fromTag;
  if (s.createTime && !Number.isNaN(s.createTime.getTime()))
    return new Date(s.createTime.getTime());
  return undefined;
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
