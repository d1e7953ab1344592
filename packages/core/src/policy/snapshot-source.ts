import type { FieldRef } from "./config-error.js";
import { MAX_HOURS, parseChoice, parseOptionalInteger } from "./fields.js";

/*
 * Where take's backups come from (source side only): SNAPSHOT_SOURCE and AUTOMATED_MAX_AGE_HOURS.
 */

/**
 * `create`: CreateDBClusterSnapshot on every due cluster (the original tool's behaviour).
 * `automated`: a due cluster whose newest available automated snapshot is recent enough gets a
 * same-region copy of it (no load on the cluster); any other due cluster gets a created one.
 */
export type SnapshotSource = "create" | "automated";

export const SNAPSHOT_SOURCES: readonly SnapshotSource[] = ["create", "automated"];

export interface SnapshotSourceSettings {
  /** SNAPSHOT_SOURCE; undefined reads as `create`, so a policy built by hand keeps today's take. */
  readonly snapshotSource?: SnapshotSource;
  /**
   * AUTOMATED_MAX_AGE_HOURS: an automated snapshot at least this old is not copied (a snapshot is
   * created instead). Undefined = the interval (see automatedMaxAgeHoursOf).
   */
  readonly automatedMaxAgeHours?: number;
}

export type SnapshotSourceKey = keyof SnapshotSourceSettings;

/** The plain-object form; the hours may be a decimal string, as the env var gives them. */
export interface SnapshotSourceInput {
  /** `create` (default) or `automated`, in any letter case. */
  snapshotSource?: SnapshotSource | string;
  /** Whole hours; empty or unset = the interval. */
  automatedMaxAgeHours?: number | string;
}

/** Reads both settings through a side's lookup. */
export function parseSnapshotSource(
  get: (key: SnapshotSourceKey) => [field: FieldRef, raw: unknown],
): SnapshotSourceSettings {
  const snapshotSource = parseChoice(...get("snapshotSource"), SNAPSHOT_SOURCES, "create");
  // Blank is "not set" here (unlike most numbers): the template passes an empty parameter
  // through as "" to mean the interval, as it does for RPO_HOURS.
  const automatedMaxAgeHours = parseOptionalInteger(...get("automatedMaxAgeHours"), {
    min: 1,
    max: MAX_HOURS,
    unit: "hours; empty for the interval",
  });
  // `create` is left out, as undefined means it: a default policy stays what it was.
  return {
    ...(snapshotSource === "automated" && { snapshotSource }),
    ...(automatedMaxAgeHours !== undefined && { automatedMaxAgeHours }),
  };
}

/** The age limit in force: AUTOMATED_MAX_AGE_HOURS, else the interval. */
export function automatedMaxAgeHoursOf(
  policy: SnapshotSourceSettings & { readonly intervalHours: number },
): number {
  return policy.automatedMaxAgeHours ?? policy.intervalHours;
}
