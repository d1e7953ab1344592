export type * from "./types.js";
export { COPY_MODES } from "./types.js";
export { ConfigError, fieldLabel } from "./config-error.js";
export type { FieldOrigin, FieldRef } from "./config-error.js";
export {
  ALL_CLUSTERS,
  ALL_SNAPSHOTS,
  PATTERN_EXPECTED,
  matchesPattern,
  parsePattern,
} from "./pattern.js";
export {
  ACCOUNT_EXPECTED,
  KMS_KEY_EXPECTED,
  MAX_DAYS,
  MAX_HOURS,
  MAX_PREFIX_LENGTH,
  REGION_EXPECTED,
  isRegionName,
  kmsKeyRegion,
  parseAccountId,
  parseAccountList,
  parseBoolean,
  parseInteger,
  parseKmsKeyRef,
  parseRegion,
  parseRegionList,
  parseRegionOverride,
  parseSnapshotNamePrefix,
  parseTagSelectors,
} from "./fields.js";
export type { IntegerRange } from "./fields.js";
export { sourcePolicyFrom, sourcePolicyFromEnv, sourcePolicyFromObject } from "./source-policy.js";
export type { SourcePolicyInput } from "./source-policy.js";
export {
  MAX_COPIES_IN_FLIGHT,
  MAX_COPY_POLL_SECONDS,
  checkRetentionPair,
  destinationPolicyFrom,
  destinationPolicyFromEnv,
  destinationPolicyFromObject,
} from "./destination-policy.js";
export type { DestinationPolicyInput } from "./destination-policy.js";
export {
  DESTINATION_SETTINGS,
  FLEET_SETTINGS,
  RUN_SETTINGS,
  SOURCE_SETTINGS,
  fileKeyOf,
  settingsOf,
} from "./registry.js";
export type {
  FleetSettingKey,
  PolicySide,
  RunSettingKey,
  SettingShape,
  SettingSpec,
} from "./registry.js";
export { lookUpSetting } from "./layers.js";
export { settingsInEffect } from "./settings-in-effect.js";
export type { SettingInEffect } from "./settings-in-effect.js";
export type { ConfigDocument, LookedUp, SettingLayers, SettingOverrides } from "./layers.js";
export {
  checkOverrides,
  configJsonSchema,
  overridesJsonSchema,
  parseConfigDocument,
} from "./config-document.js";
export { settingsReferenceMarkdown } from "./reference.js";
export { LOG_LEVEL_EXPECTED, parseLogLevel } from "./log-level.js";
export type { LogLevel } from "./log-level.js";
export {
  COPY_ALLOWANCE_HOURS,
  DEFAULT_DEPLOYMENT_NAME,
  DEFAULT_INSTANCE_CLASS,
  MAX_VERIFY_MINUTES,
  RPO_SLACK_HOURS,
  parseAssurance,
} from "./assurance.js";
export type { AssuranceInput, AssuranceSettings } from "./assurance.js";
