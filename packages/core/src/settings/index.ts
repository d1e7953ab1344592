/**
 * `@aurora-snapshot-tool/core/settings`: for adapters. The registry that names every setting once
 * (env var, flag, config key, type, default, help), the layered lookup (env < file < flags), the
 * config file's checks and JSON Schema, the README's reference table, and the field parsers the
 * policies are built with.
 */
export {
  ACCOUNT_EXPECTED,
  ALL_CLUSTERS,
  ALL_SNAPSHOTS,
  DESTINATION_SETTINGS,
  KMS_KEY_EXPECTED,
  LOG_LEVEL_EXPECTED,
  MAX_COPIES_IN_FLIGHT,
  MAX_COPY_POLL_SECONDS,
  MAX_DAYS,
  MAX_HOURS,
  MAX_PREFIX_LENGTH,
  PATTERN_EXPECTED,
  REGION_EXPECTED,
  RUN_SETTINGS,
  SOURCE_SETTINGS,
  configJsonSchema,
  fieldLabel,
  fileKeyOf,
  isRegionName,
  kmsKeyRegion,
  lookUpSetting,
  matchesPattern,
  parseAccountId,
  parseAccountList,
  parseBoolean,
  parseInteger,
  parseKmsKeyRef,
  parseLogLevel,
  parsePattern,
  parseRegion,
  parseRegionList,
  parseRegionOverride,
  parseSnapshotNamePrefix,
  parseTagSelectors,
  settingsOf,
  settingsReferenceMarkdown,
} from "../policy/index.js";
export type {
  FieldRef,
  IntegerRange,
  LogLevel,
  LookedUp,
  PolicySide,
  RunSettingKey,
  SettingShape,
  SettingSpec,
} from "../policy/index.js";
