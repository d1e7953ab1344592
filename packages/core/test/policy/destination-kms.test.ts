import { describe, expect, it } from "vitest";
import { destinationPolicyFromEnv, destinationPolicyFromObject } from "../../src/policy/index.js";
import { expectConfigError } from "./config-error-helper.js";

const K1 = "1234abcd-12ab-34cd-56ef-1234567890ab";
const K2 = "mrk-1234abcd12ab34cd56ef1234567890ab";
const arn = (region: string) => `arn:aws:kms:${region}:111122223333:key/${K1}`;

function keysFor(DEST_REGION: string, KMS_KEY_DEST_REGION: string) {
  return destinationPolicyFromEnv({ DEST_REGION, KMS_KEY_DEST_REGION }).kmsKeyDestination;
}

describe("KMS_KEY_DEST_REGION", () => {
  it.each([
    ["eu-west-1", K1, { "eu-west-1": K1 }],
    ["us-east-1,eu-west-1", `${K1},${K2}`, { "us-east-1": K1, "eu-west-1": K2 }],
    ["us-east-1,eu-west-1", `None, ${K2}`, { "eu-west-1": K2 }],
    ["us-east-1,eu-west-1", "None", {}],
    ["us-east-1,eu-west-1", "", {}],
    ["eu-west-1", arn("eu-west-1"), { "eu-west-1": arn("eu-west-1") }],
    ["eu-west-1,eu-west-1", K1, { "eu-west-1": K1 }],
  ])("with DEST_REGION=%s reads %j as %j", (regions, keys, expected) => {
    expect(keysFor(regions, keys)).toStrictEqual(expected);
  });

  it.each([
    ["us-east-1,eu-west-1", K1],
    ["us-east-1,eu-west-1", `${K1},${K2},${K1}`],
    ["eu-west-1", `${K1},${K2}`],
  ])(
    "with DEST_REGION=%s refuses %j, which does not give one entry per region",
    (regions, keys) => {
      expectConfigError(
        () => keysFor(regions, keys),
        "KMS_KEY_DEST_REGION",
        keys,
        /one entry .*per DEST_REGION entry/,
      );
    },
  );

  it("refuses a key ARN from another region than the one it is used in", () => {
    expectConfigError(
      () => keysFor("us-east-1,eu-west-1", `${arn("eu-west-1")},${arn("us-east-1")}`),
      "KMS_KEY_DEST_REGION",
      arn("eu-west-1"),
      /a KMS key in us-east-1.*names eu-west-1/,
    );
  });

  it("refuses two different keys for a region listed twice", () => {
    expectConfigError(
      () => keysFor("eu-west-1,eu-west-1", `${K1},${K2}`),
      "KMS_KEY_DEST_REGION",
      `${K1},${K2}`,
      /same key/,
    );
  });

  it("refuses an invalid entry, naming that entry", () => {
    expectConfigError(
      () => keysFor("us-east-1,eu-west-1", `${K1},oops`),
      "KMS_KEY_DEST_REGION",
      "oops",
      /alias/,
    );
  });
});

describe("KMS_KEY_SOURCE_REGION", () => {
  const env = { DEST_REGION: "us-east-1" };

  it("accepts a key ARN in REGION_OVERRIDE's region", () => {
    const policy = destinationPolicyFromEnv({
      ...env,
      REGION_OVERRIDE: "eu-west-1",
      KMS_KEY_SOURCE_REGION: arn("eu-west-1"),
    });
    expect(policy.kmsKeySource).toBe(arn("eu-west-1"));
  });

  it("refuses a key ARN from another region than REGION_OVERRIDE", () => {
    expectConfigError(
      () =>
        destinationPolicyFromEnv({
          ...env,
          REGION_OVERRIDE: "eu-west-1",
          KMS_KEY_SOURCE_REGION: arn("us-east-1"),
        }),
      "KMS_KEY_SOURCE_REGION",
      arn("us-east-1"),
      /a KMS key in eu-west-1/,
    );
  });

  it("accepts any region's ARN when the local region is not known here", () => {
    const policy = destinationPolicyFromEnv({ ...env, KMS_KEY_SOURCE_REGION: arn("ap-south-1") });
    expect(policy.kmsKeySource).toBe(arn("ap-south-1"));
  });
});

describe("kmsKeyDestination in the object form", () => {
  const destinationRegions = ["us-east-1", "eu-west-1"];

  it("takes a record keyed by region, dropping None", () => {
    const policy = destinationPolicyFromObject({
      destinationRegions,
      kmsKeyDestination: { "us-east-1": K1, "eu-west-1": "None" },
    });
    expect(policy.kmsKeyDestination).toStrictEqual({ "us-east-1": K1 });
  });

  it("takes an array aligned with destinationRegions", () => {
    const policy = destinationPolicyFromObject({ destinationRegions, kmsKeyDestination: [K1, K2] });
    expect(policy.kmsKeyDestination).toStrictEqual({ "us-east-1": K1, "eu-west-1": K2 });
  });

  it("refuses a record key that is not a destination region", () => {
    expectConfigError(
      () =>
        destinationPolicyFromObject({
          destinationRegions,
          kmsKeyDestination: { "ap-south-1": K1 },
        }),
      "kmsKeyDestination",
      "ap-south-1",
      /destination regions \(us-east-1, eu-west-1\)/,
    );
  });

  it("names destinationRegions when the counts differ", () => {
    expectConfigError(
      () => destinationPolicyFromObject({ destinationRegions, kmsKeyDestination: [K1] }),
      "kmsKeyDestination",
      [K1],
      /per destinationRegions entry/,
    );
  });
});
