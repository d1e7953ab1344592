export type * from "./types.js";
export { ConfigError } from "./config-error.js";
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
export { SOURCE_POLICY_ENV, sourcePolicyFromEnv, sourcePolicyFromObject } from "./source-policy.js";
export type { SourcePolicyInput } from "./source-policy.js";
export {
  DESTINATION_POLICY_ENV,
  MAX_COPIES_IN_FLIGHT,
  checkRetentionPair,
  destinationPolicyFromEnv,
  destinationPolicyFromObject,
} from "./destination-policy.js";
export type { DestinationPolicyInput } from "./destination-policy.js";
