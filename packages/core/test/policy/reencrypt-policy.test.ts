import { describe, expect, it } from "vitest";
import { sourcePolicyFromEnv, sourcePolicyFromObject } from "../../src/policy/index.js";
import { expectConfigError } from "./config-error-helper.js";

describe("REENCRYPT_KMS_KEY", () => {
  it.each([
    "1234abcd-12ab-34cd-56ef-1234567890ab",
    "mrk-1234abcd12ab34cd56ef1234567890ab",
    "alias/share-snapshots",
    "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    "arn:aws:kms:us-east-1:111111111111:alias/share-snapshots",
  ])("accepts %s", (key) => {
    expect(sourcePolicyFromEnv({ REENCRYPT_KMS_KEY: key }).reencryptKmsKey).toBe(key);
  });

  it.each(["", "None", "NONE", "  "])("%j is unset, as the other key settings", (raw) => {
    const policy = sourcePolicyFromEnv({ REENCRYPT_KMS_KEY: raw });
    expect(policy.reencryptKmsKey).toBeUndefined();
    expect("reencryptKmsKey" in policy).toBe(false);
  });

  it("is unset by default", () => {
    expect(sourcePolicyFromObject({}).reencryptKmsKey).toBeUndefined();
  });

  it.each(["share-snapshots", "arn:aws:s3:::bucket", "alias/", "key/1234"])(
    "refuses %j, naming the field, the value and the accepted forms",
    (raw) => {
      expectConfigError(
        () => sourcePolicyFromEnv({ REENCRYPT_KMS_KEY: raw }),
        "REENCRYPT_KMS_KEY",
        raw,
        /key id.*alias.*ARN/s,
      );
      expectConfigError(
        () => sourcePolicyFromObject({ reencryptKmsKey: raw }),
        "reencryptKmsKey",
        raw,
        /alias/,
      );
    },
  );
});
