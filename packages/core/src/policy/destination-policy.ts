import { parseAssurance, type AssuranceInput } from "./assurance.js";
import { parseKeepRules, type KeepRulesInput } from "./keep-rules.js";
import { ConfigError, originOf, type FieldRef } from "./config-error.js";
import {
  MAX_DAYS,
  checkKeyRegion,
  isNoneKey,
  parseAccountList,
  parseBoolean,
  parseChoice,
  parseInteger,
  parseKmsKeyRef,
  parseOptionalInteger,
  parseRegionEntries,
  parseRegionOverride,
  readInputObject,
} from "./fields.js";
import { lookUpSetting, type SettingLayers } from "./layers.js";
import { ALL_SNAPSHOTS, parsePattern } from "./pattern.js";
import { DESTINATION_SETTINGS } from "./registry.js";
import {
  COPY_MODES,
  type ClusterPattern,
  type CopyMode,
  type DestinationPolicy,
  type SourcePolicy,
} from "./types.js";

/**
 * The plain-object form of a DestinationPolicy. Numbers may be given as decimal strings, lists as
 * comma-separated strings, booleans as TRUE/FALSE, exactly as their env vars take them.
 */
export interface DestinationPolicyInput extends AssuranceInput, KeepRulesInput {
  /** ALL_SNAPSHOTS (default) or a regex searched in the source cluster id. */
  snapshotPattern?: string | RegExp | ClusterPattern;
  /** Days a copy is kept (default 7); not lower than sourceRetentionDays when that is given. */
  retentionDays?: number | string;
  /** The source side's retention, to check the destination keeps copies at least as long. */
  sourceRetentionDays?: number | string;
  /** Newest copies kept per cluster whatever their age (default 1; 0 = the original rule). */
  minKeep?: number | string;
  /** Regions the copies are kept in, as an array or comma-separated (required). */
  destinationRegions: string | readonly string[];
  /** A region name, or NO (default) for the region the tool runs in. */
  regionOverride?: string;
  /** Key for the local copy of a shared snapshot; None (default) for none. */
  kmsKeySource?: string;
  /**
   * Key per destination region: a record keyed by region, or (like KMS_KEY_DEST_REGION) one entry
   * per destinationRegions entry, comma-separated or as an array. None for none.
   */
  kmsKeyDestination?: string | readonly string[] | Readonly<Record<string, string>>;
  /** true (default): copy snapshots shared from another account; false: the account's own. */
  crossAccount?: boolean | string;
  /** Copies in flight per destination region, 1 to 5 (default 5). */
  maxCopiesInFlight?: number | string;
  /** Only copy snapshots shared by these accounts (default: any). */
  sourceAccounts?: string | readonly string[];
  /** Seconds between two looks at the copies a run started, until its deadline (default 30; 0 = off). */
  copyPollSeconds?: number | string;
  /** auto (default), single-step or two-step: see CopyMode. */
  copyMode?: CopyMode | string;
}

type DestinationKey = keyof DestinationPolicyInput;
const DESTINATION_KEYS = Object.keys(DESTINATION_SETTINGS) as DestinationKey[];

/** The functions time out after 300 s: a longer poll interval would never fire. */
export const MAX_COPY_POLL_SECONDS = 300;

/** RDS runs at most 5 snapshot copies in progress per destination region and account. */
export const MAX_COPIES_IN_FLIGHT = 5;

type Lookup = (key: DestinationKey) => [field: FieldRef, raw: unknown];

function retentionTooShort(field: FieldRef, value: unknown, sourceDays: number): ConfigError {
  return new ConfigError(
    field,
    value,
    `an integer >= ${sourceDays} (days): the source keeps its snapshots ${sourceDays} days, ` +
      "and the destination must keep its copies at least as long",
  );
}

/**
 * The original template's rule that the destination retention is not lower than the source's:
 * otherwise the destination prunes a copy while the source still holds the snapshot, and the next
 * copy run would copy it again. `field` is the name reported (the env var by default).
 */
export function checkRetentionPair(
  source: SourcePolicy,
  destination: DestinationPolicy,
  field: FieldRef = "RETENTION_DAYS",
): void {
  if (destination.retentionDays < source.retentionDays) {
    throw retentionTooShort(field, destination.retentionDays, source.retentionDays);
  }
}

/**
 * KMS_KEY_DEST_REGION: None for every region, one key for a single region, or one entry (a key or
 * None) per DEST_REGION entry. A single key for several regions is refused: key ids and ARNs are
 * regional, so one value is almost never right for all of them (an alias created under the same
 * name in every region would be; it is then listed once per region).
 */
function parseKmsKeyDestination(
  field: FieldRef,
  raw: unknown,
  regionField: FieldRef,
  regionEntries: readonly string[],
): Record<string, string> {
  if (isNoneKey(raw)) return {};
  const regions = [...new Set(regionEntries)];
  if (typeof raw === "object" && raw !== null && !Array.isArray(raw)) {
    return keysByRegion(field, raw as Record<string, unknown>, regions);
  }
  const expected =
    `None, or one entry (a KMS key or None) per ${originOf(regionField).name} entry, comma-separated ` +
    `(${regionEntries.length} expected); a single key is accepted only for a single region`;
  let entries: unknown[];
  if (typeof raw === "string") entries = raw.split(",").map((entry) => entry.trim());
  else if (Array.isArray(raw)) entries = raw;
  else throw new ConfigError(field, raw, expected);
  if (entries.length === 1 && isNoneKey(entries[0])) return {};
  // One entry for one region also covers a DEST_REGION that names that region twice.
  const aligned = entries.length === 1 && regions.length === 1 ? regions : regionEntries;
  if (entries.length !== aligned.length) throw new ConfigError(field, raw, expected);

  const keys: Record<string, string> = {};
  const assigned = new Map<string, string | undefined>();
  entries.forEach((entry, i) => {
    const region = aligned[i] as string;
    const key = parseKmsKeyRef(field, entry);
    if (assigned.has(region) && assigned.get(region) !== key) {
      throw new ConfigError(
        field,
        raw,
        `the same key for every entry of the same region (${region})`,
      );
    }
    assigned.set(region, key);
    if (key === undefined) return;
    checkKeyRegion(field, key, region);
    keys[region] = key;
  });
  return keys;
}

function keysByRegion(
  field: FieldRef,
  record: Record<string, unknown>,
  regions: readonly string[],
): Record<string, string> {
  const keys: Record<string, string> = {};
  for (const [region, value] of Object.entries(record)) {
    if (!regions.includes(region)) {
      throw new ConfigError(
        field,
        region,
        `keys among the destination regions (${regions.join(", ")})`,
      );
    }
    const key = parseKmsKeyRef(field, value);
    if (key === undefined) continue;
    checkKeyRegion(field, key, region);
    keys[region] = key;
  }
  return keys;
}

function buildDestinationPolicy(get: Lookup): DestinationPolicy {
  const snapshotPattern = parsePattern(...get("snapshotPattern"), ALL_SNAPSHOTS);
  const [retentionField, retentionRaw] = get("retentionDays");
  const days = { min: 1, max: MAX_DAYS, unit: "days" };
  const retentionDays = parseInteger(retentionField, retentionRaw, days, 7);
  const sourceRetentionDays = parseOptionalInteger(...get("sourceRetentionDays"), days);
  if (sourceRetentionDays !== undefined && retentionDays < sourceRetentionDays) {
    throw retentionTooShort(retentionField, retentionRaw ?? retentionDays, sourceRetentionDays);
  }
  const minKeep = parseInteger(
    ...get("minKeep"),
    { min: 0, unit: "newest copies kept per cluster; 0 keeps none past retention" },
    1,
  );
  const keepRules = parseKeepRules(get);
  const [regionField, regionRaw] = get("destinationRegions");
  const regionEntries = parseRegionEntries(regionField, regionRaw);
  const destinationRegions = Object.freeze([...new Set(regionEntries)]);
  const regionOverride = parseRegionOverride(...get("regionOverride"));
  const [sourceKeyField, sourceKeyRaw] = get("kmsKeySource");
  const kmsKeySource = parseKmsKeyRef(sourceKeyField, sourceKeyRaw);
  // The local copy is made where the shared snapshots are; without REGION_OVERRIDE that is the
  // Lambda's own region, unknown here, so the check waits for the gateway's DescribeKey.
  if (kmsKeySource !== undefined && regionOverride !== undefined) {
    checkKeyRegion(sourceKeyField, kmsKeySource, regionOverride);
  }
  const kmsKeyDestination = Object.freeze(
    parseKmsKeyDestination(...get("kmsKeyDestination"), regionField, regionEntries),
  );
  const crossAccount = parseBoolean(...get("crossAccount"), true);
  const maxCopiesInFlight = parseInteger(
    ...get("maxCopiesInFlight"),
    {
      min: 1,
      max: MAX_COPIES_IN_FLIGHT,
      unit: "AWS runs at most 5 snapshot copies in progress per destination region",
    },
    MAX_COPIES_IN_FLIGHT,
  );
  const sourceAccounts = Object.freeze(parseAccountList(...get("sourceAccounts")));
  const copyPollSeconds = parseInteger(
    ...get("copyPollSeconds"),
    { min: 0, max: MAX_COPY_POLL_SECONDS, unit: "seconds; 0 turns following off" },
    30,
  );
  const copyMode = parseChoice(...get("copyMode"), COPY_MODES, "auto");
  const assurance = parseAssurance(get, destinationRegions);

  const policy: DestinationPolicy = {
    snapshotPattern,
    retentionDays,
    minKeep,
    ...keepRules,
    destinationRegions,
    ...(regionOverride !== undefined && { regionOverride }),
    ...(kmsKeySource !== undefined && { kmsKeySource }),
    kmsKeyDestination,
    crossAccount,
    maxCopiesInFlight,
    sourceAccounts,
    copyPollSeconds,
    copyMode,
    ...assurance,
    ...(sourceRetentionDays !== undefined && { sourceRetentionDays }),
  };
  return Object.freeze(policy);
}

/**
 * Builds a validated, frozen DestinationPolicy from a plain object. Throws ConfigError naming the
 * object key of the first invalid value, or of a key the policy does not know.
 */
export function destinationPolicyFromObject(input: DestinationPolicyInput): DestinationPolicy {
  const record = readInputObject(input, DESTINATION_KEYS);
  return buildDestinationPolicy((key) => [key, record[key]]);
}

/**
 * Builds a validated, frozen DestinationPolicy from layered settings (env vars, a config file,
 * flags; see SettingLayers). Throws ConfigError naming the field the way the user gave it.
 */
export function destinationPolicyFrom(layers: SettingLayers): DestinationPolicy {
  return buildDestinationPolicy((key) => {
    const { raw, origin } = lookUpSetting(layers, "destination", DESTINATION_SETTINGS[key]);
    return [origin, raw];
  });
}

/**
 * Builds a validated, frozen DestinationPolicy from the original tool's Lambda env vars (see
 * DESTINATION_SETTINGS). SNAPSHOT_PATTERN, RETENTION_DAYS, DEST_REGION, REGION_OVERRIDE,
 * KMS_KEY_SOURCE_REGION and KMS_KEY_DEST_REGION are the original tool's, with its defaults.
 * PATTERN is deliberately not read: the original's destination prune read it while its template
 * set SNAPSHOT_PATTERN, so the user's pattern was ignored there. CROSS_ACCOUNT_COPY is the
 * original template's CrossAccountCopy parameter (it chose between two zips).
 */
export function destinationPolicyFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): DestinationPolicy {
  return destinationPolicyFrom({ env });
}
