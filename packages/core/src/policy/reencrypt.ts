import type { FieldRef } from "./config-error.js";
import { parseKmsKeyRef } from "./fields.js";

/*
 * REENCRYPT_KMS_KEY (source side): the customer-managed key `share` re-encrypts snapshots with
 * when they are encrypted with the AWS-managed aws/rds key, which cannot be shared.
 */

export interface ReencryptSettings {
  /**
   * A key id, key ARN, `alias/NAME` or alias ARN in the snapshots' region; undefined (`None` or
   * empty, the default): aws/rds snapshots are skipped with `encrypted-with-default-key`.
   */
  readonly reencryptKmsKey?: string;
}

export type ReencryptKey = keyof ReencryptSettings;

/** The plain-object form. */
export interface ReencryptInput {
  /** A KMS key id, key ARN, alias name or alias ARN; `None` or empty for none. */
  reencryptKmsKey?: string;
}

/** Reads the setting through a side's lookup; a malformed key is a ConfigError naming it. */
export function parseReencrypt(
  get: (key: ReencryptKey) => [field: FieldRef, raw: unknown],
): ReencryptSettings {
  const reencryptKmsKey = parseKmsKeyRef(...get("reencryptKmsKey"));
  return reencryptKmsKey === undefined ? {} : { reencryptKmsKey };
}
