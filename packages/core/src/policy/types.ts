import type { AssuranceSettings } from "./assurance.js";
import type { KeepRules } from "./keep-rules.js";
import type { SnapshotSourceSettings } from "./snapshot-source.js";
import type { ReencryptSettings } from "./reencrypt.js";

/**
 * `ALL_CLUSTERS` / `ALL_SNAPSHOTS` match everything; otherwise an RE2 regex searched anywhere in
 * the cluster id (see matchesPattern).
 */
export type ClusterPattern =
  | { readonly kind: "all"; readonly source: string }
  | {
      readonly kind: "regex";
      /** The pattern as given, for messages and reports. */
      readonly source: string;
      /**
       * What is matched: RE2 syntax and the flags i, m, s. A hand-built pattern may hold a RegExp
       * here; its JavaScript syntax is translated to RE2's, and it is never run as a RegExp.
       */
      readonly regex: { readonly source: string; readonly flags: string };
    };

/** `key=value` on a cluster's tags. */
export interface TagSelector {
  readonly key: string;
  readonly value: string;
}

/** Settings of the source-account steps: take, share, prune. */
export interface SourcePolicy
  extends
    Omit<AssuranceSettings, "verifyRegion">,
    KeepRules,
    SnapshotSourceSettings,
    ReencryptSettings {
  readonly clusterPattern: ClusterPattern;
  /** Every selector must match a cluster tag for the cluster to be taken (empty: no constraint). */
  readonly includeTags: readonly TagSelector[];
  /** A cluster carrying any of these tags is skipped. */
  readonly excludeTags: readonly TagSelector[];
  readonly intervalHours: number;
  readonly retentionDays: number;
  /** The newest N available tool snapshots of each cluster are kept whatever their age. */
  readonly minKeep: number;
  /**
   * DEST_ACCOUNT: the 12-digit accounts to share with, 1 to 20 (RDS's limit for one snapshot), in
   * the order given; empty when sharing is not configured.
   */
  readonly destinationAccounts: readonly string[];
  readonly snapshotNamePrefix?: string;
  /** REGION_OVERRIDE: the region the clusters live in, when not where the tool runs. */
  readonly regionOverride?: string;
  /**
   * DEST_EVENT_BUS_ARN: the destination account's event bus that share tells about each share, so
   * the copy loop starts at once; undefined: no event (the copy schedule alone).
   */
  readonly destinationEventBus?: string;
}

/**
 * How a snapshot shared from another account reaches a destination region in another region:
 * `single-step` copies it there in one call; `two-step` copies it within its region first (an
 * intermediate), then on; `auto` tries one call and falls back to two steps in a region where RDS
 * refuses it, for the rest of the run.
 */
export type CopyMode = "auto" | "single-step" | "two-step";

export const COPY_MODES: readonly CopyMode[] = ["auto", "single-step", "two-step"];

/** Settings of the destination-account steps: copy, prune-dest. */
export interface DestinationPolicy extends AssuranceSettings, KeepRules {
  readonly snapshotPattern: ClusterPattern;
  readonly retentionDays: number;
  readonly minKeep: number;
  /** Regions the copies are kept in (DEST_REGION, comma-separated). */
  readonly destinationRegions: readonly string[];
  /** REGION_OVERRIDE: the region snapshots are shared into / taken in, when not where the tool runs. */
  readonly regionOverride?: string;
  /** Key for the local copy of a shared snapshot (KMS_KEY_SOURCE_REGION); undefined = `None`. */
  readonly kmsKeySource?: string;
  /** Key per destination region (KMS_KEY_DEST_REGION); a region without a key copies unencrypted snapshots only. */
  readonly kmsKeyDestination: Readonly<Record<string, string>>;
  /** true: copy snapshots shared in from another account; false: copy the account's own snapshots. */
  readonly crossAccount: boolean;
  /** At most this many copies in flight per destination region (AWS allows 5). */
  readonly maxCopiesInFlight: number;
  /** Only copy snapshots shared by these accounts (empty: any account). */
  readonly sourceAccounts: readonly string[];
  /** Seconds between two looks at the copies a run started, until its deadline; 0 = do not follow. */
  readonly copyPollSeconds: number;
  /** COPY_MODE (default auto); see CopyMode. Same-account copies are always one call. */
  readonly copyMode: CopyMode;
  /** The source side's retention, when known, to check the destination keeps copies at least as long. */
  readonly sourceRetentionDays?: number;
}
