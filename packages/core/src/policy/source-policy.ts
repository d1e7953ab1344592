import {
  MAX_DAYS,
  MAX_HOURS,
  parseEventBusArn,
  parseInteger,
  parseDestinationAccounts,
  parseRegionOverride,
  parseSnapshotNamePrefix,
  parseTagSelectors,
  readInputObject,
} from "./fields.js";
import { parseAssurance, type AssuranceInput } from "./assurance.js";
import { parseKeepRules, type KeepRulesInput } from "./keep-rules.js";
import { parseSnapshotSource, type SnapshotSourceInput } from "./snapshot-source.js";
import { parseReencrypt, type ReencryptInput } from "./reencrypt.js";
import { ConfigError, type FieldRef } from "./config-error.js";
import { lookUpSetting, type SettingLayers } from "./layers.js";
import { ALL_CLUSTERS, parsePattern } from "./pattern.js";
import { SOURCE_SETTINGS } from "./registry.js";
import type { ClusterPattern, SourcePolicy, TagSelector } from "./types.js";

/**
 * The plain-object form of a SourcePolicy. Numbers may be given as decimal strings, lists as
 * comma-separated strings, exactly as their env vars take them.
 */
export interface SourcePolicyInput
  extends
    Omit<AssuranceInput, "verifyRegion">,
    KeepRulesInput,
    SnapshotSourceInput,
    ReencryptInput {
  /** ALL_CLUSTERS (default) or a regex searched in the cluster id. */
  clusterPattern?: string | RegExp | ClusterPattern;
  /** Hours between snapshots of a cluster (default 24). */
  intervalHours?: number | string;
  /** Days a snapshot is kept (default 7). */
  retentionDays?: number | string;
  /** Newest snapshots kept per cluster whatever their age (default 1; 0 = the original rule). */
  minKeep?: number | string;
  /**
   * 12-digit account to share with, or up to 20 comma-separated (or an array); not set = no
   * sharing.
   */
  destinationAccount?: string | readonly string[];
  /** NONE or empty = no prefix (default). */
  snapshotNamePrefix?: string;
  /** A region name, or NO (default) for the region the tool runs in. */
  regionOverride?: string;
  /** `key=value,...` selectors a cluster must all carry. */
  includeTags?: string | readonly TagSelector[];
  /** `key=value,...` selectors; a cluster carrying any of them is skipped. */
  excludeTags?: string | readonly TagSelector[];
  /** ARN of the destination's event bus told about each share; empty (default) for none. */
  destinationEventBus?: string;
}

type SourceKey = keyof SourcePolicyInput;
const SOURCE_KEYS = Object.keys(SOURCE_SETTINGS) as SourceKey[];

/** Where a field's raw value comes from, and the name to report it under. */
type Lookup = (key: SourceKey) => [field: FieldRef, raw: unknown];

function buildSourcePolicy(get: Lookup): SourcePolicy {
  const clusterPattern = parsePattern(...get("clusterPattern"), ALL_CLUSTERS);
  const intervalHours = parseInteger(
    ...get("intervalHours"),
    { min: 1, max: MAX_HOURS, unit: "hours" },
    24,
  );
  const retentionDays = parseInteger(
    ...get("retentionDays"),
    { min: 1, max: MAX_DAYS, unit: "days" },
    7,
  );
  const minKeep = parseInteger(
    ...get("minKeep"),
    { min: 0, unit: "newest snapshots kept per cluster; 0 keeps none past retention" },
    1,
  );
  const keepRules = parseKeepRules(get);
  const snapshotSource = parseSnapshotSource(get);
  const reencrypt = parseReencrypt(get);
  const destinationAccounts = Object.freeze(parseDestinationAccounts(...get("destinationAccount")));
  const snapshotNamePrefix = parseSnapshotNamePrefix(...get("snapshotNamePrefix"));
  const regionOverride = parseRegionOverride(...get("regionOverride"));
  const includeTags = Object.freeze(parseTagSelectors(...get("includeTags")));
  const excludeTags = Object.freeze(parseTagSelectors(...get("excludeTags")));
  const destinationEventBus = parseEventBusArn(...get("destinationEventBus"));
  const assurance = parseAssurance((key) => (key === "verifyRegion" ? [key, undefined] : get(key)));

  const policy: SourcePolicy = {
    clusterPattern,
    includeTags,
    excludeTags,
    intervalHours,
    retentionDays,
    minKeep,
    destinationAccounts,
    ...keepRules,
    ...snapshotSource,
    ...reencrypt,
    ...assurance,
    ...(snapshotNamePrefix !== undefined && { snapshotNamePrefix }),
    ...(regionOverride !== undefined && { regionOverride }),
    ...(destinationEventBus !== undefined && { destinationEventBus }),
  };
  return Object.freeze(policy);
}

/**
 * Builds a validated, frozen SourcePolicy from a plain object. Throws ConfigError naming the object
 * key of the first invalid value, or of a key the policy does not know.
 */
export function sourcePolicyFromObject(
  input: SourcePolicyInput & {
    /**
     * The parsed policy's own name for `destinationAccount` (SourcePolicy.destinationAccounts),
     * taken too so that a SourcePolicy reads back into an equal one; give one of the two.
     */
    readonly destinationAccounts?: string | readonly string[];
  },
): SourcePolicy {
  const record = readInputObject(input, [...SOURCE_KEYS, "destinationAccounts"]);
  const accounts = record["destinationAccounts"];
  if (accounts !== undefined && record["destinationAccount"] !== undefined) {
    throw new ConfigError(
      "destinationAccounts",
      accounts,
      "left out when destinationAccount is given (the two are one setting)",
    );
  }
  return buildSourcePolicy((key) =>
    key === "destinationAccount" && accounts !== undefined
      ? ["destinationAccounts", accounts]
      : [key, record[key]],
  );
}

/**
 * Builds a validated, frozen SourcePolicy from layered settings (env vars, a config file, flags;
 * see SettingLayers). Throws ConfigError naming the field the way the user gave it.
 */
export function sourcePolicyFrom(layers: SettingLayers): SourcePolicy {
  return buildSourcePolicy((key) => {
    const { raw, origin } = lookUpSetting(layers, "source", SOURCE_SETTINGS[key]);
    return [origin, raw];
  });
}

/**
 * Builds a validated, frozen SourcePolicy from the original tool's Lambda env vars (see
 * SOURCE_SETTINGS). Throws ConfigError naming the env var; unrelated variables are ignored.
 */
export function sourcePolicyFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): SourcePolicy {
  return sourcePolicyFrom({ env });
}
