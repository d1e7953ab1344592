import { describe, expect, it } from "vitest";
import type { DestinationPolicyInput } from "../../src/policy/index.js";
import {
  checkRetentionPair,
  destinationPolicyFromEnv,
  destinationPolicyFromObject,
  sourcePolicyFromObject,
} from "../../src/policy/index.js";
import { configErrorOf, expectConfigError } from "./config-error-helper.js";

const KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab";

/** The smallest valid env: DEST_REGION is the one required variable. */
function anEnv(vars: Record<string, string> = {}): Record<string, string> {
  return { DEST_REGION: "eu-west-1", ...vars };
}

const DEFAULTS = {
  snapshotPattern: { kind: "all", source: "ALL_SNAPSHOTS" },
  retentionDays: 7,
  minKeep: 1,
  keepDaily: 0,
  keepWeekly: 0,
  keepMonthly: 0,
  keepYearly: 0,
  destinationRegions: ["eu-west-1"],
  kmsKeyDestination: {},
  crossAccount: true,
  maxCopiesInFlight: 5,
  sourceAccounts: [],
  copyPollSeconds: 30,
  copyMode: "auto",
  metricsPerCluster: true,
  deploymentName: "aurora-snapshot-tool",
  verifySample: 0,
  verifyRegion: "eu-west-1",
  verifySubnetGroup: "default",
  verifySecurityGroups: [],
  verifyInstanceClass: "db.serverless",
  verifyMaxMinutes: 120,
};

describe("destinationPolicyFromEnv", () => {
  it("applies the original tool's defaults, and this project's additions, around DEST_REGION", () => {
    expect(destinationPolicyFromEnv(anEnv())).toStrictEqual(DEFAULTS);
  });

  it.each([
    [
      "SNAPSHOT_PATTERN",
      "^prod",
      "snapshotPattern",
      { kind: "regex", source: "^prod", regex: { source: "^prod", flags: "" } },
    ],
    [
      "SNAPSHOT_PATTERN",
      "ALL_CLUSTERS",
      "snapshotPattern",
      { kind: "all", source: "ALL_CLUSTERS" },
    ],
    ["RETENTION_DAYS", "30", "retentionDays", 30],
    ["SOURCE_RETENTION_DAYS", "7", "sourceRetentionDays", 7],
    ["SOURCE_RETENTION_DAYS", "", "sourceRetentionDays", undefined],
    ["MIN_KEEP", "0", "minKeep", 0],
    [
      "DEST_REGION",
      "us-east-1, eu-west-1,us-east-1",
      "destinationRegions",
      ["us-east-1", "eu-west-1"],
    ],
    ["COPY_MODE", "Single-Step", "copyMode", "single-step"],
    ["COPY_MODE", "two-step", "copyMode", "two-step"],
    ["COPY_MODE", "", "copyMode", "auto"],
    ["REGION_OVERRIDE", "us-east-1", "regionOverride", "us-east-1"],
    ["REGION_OVERRIDE", "NO", "regionOverride", undefined],
    ["KMS_KEY_SOURCE_REGION", KEY_ID, "kmsKeySource", KEY_ID],
    ["KMS_KEY_SOURCE_REGION", "None", "kmsKeySource", undefined],
    ["KMS_KEY_DEST_REGION", "alias/copies", "kmsKeyDestination", { "eu-west-1": "alias/copies" }],
    ["KMS_KEY_DEST_REGION", "None", "kmsKeyDestination", {}],
    ["CROSS_ACCOUNT_COPY", "FALSE", "crossAccount", false],
    ["CROSS_ACCOUNT_COPY", "no", "crossAccount", false],
    ["CROSS_ACCOUNT_COPY", "TRUE", "crossAccount", true],
    ["MAX_COPIES_IN_FLIGHT", "2", "maxCopiesInFlight", 2],
    [
      "SOURCE_ACCOUNTS",
      "111122223333,444455556666",
      "sourceAccounts",
      ["111122223333", "444455556666"],
    ],
  ])("reads %s=%j into %s", (name, value, key, expected) => {
    const policy = destinationPolicyFromEnv(anEnv({ [name]: value }));
    expect(policy).toStrictEqual({
      ...DEFAULTS,
      ...(expected !== undefined && { [key]: expected }),
      // VERIFY_REGION follows the first DEST_REGION when not set.
      ...(key === "destinationRegions" && { verifyRegion: (expected as string[])[0] }),
    });
  });

  it.each([
    ["SNAPSHOT_PATTERN", "(x", /regular expression/],
    ["RETENTION_DAYS", "0", /integer from 1 .*days/],
    ["RETENTION_DAYS", "a week", /integer from 1/],
    ["SOURCE_RETENTION_DAYS", "0", /integer from 1/],
    ["MIN_KEEP", "-1", /integer >= 0/],
    ["DEST_REGION", "", /one or more AWS region names/],
    ["DEST_REGION", "Ireland", /one or more AWS region names/],
    ["DEST_REGION", "us-east-1,", /one or more AWS region names/],
    ["REGION_OVERRIDE", "eu", /NO, or an AWS region name/],
    ["KMS_KEY_SOURCE_REGION", "my-key", /None, a KMS key id .*alias/],
    ["KMS_KEY_DEST_REGION", "my-key", /None, a KMS key id .*alias/],
    ["CROSS_ACCOUNT_COPY", "maybe", /TRUE or FALSE/],
    ["CROSS_ACCOUNT_COPY", "", /TRUE or FALSE/],
    ["MAX_COPIES_IN_FLIGHT", "0", /integer from 1 to 5/],
    ["MAX_COPIES_IN_FLIGHT", "6", /integer from 1 to 5 .*5 snapshot copies/],
    ["SOURCE_ACCOUNTS", "all", /12-digit/],
    ["SOURCE_ACCOUNTS", "111122223333,123", /12-digit/],
  ])("refuses %s=%j", (name, value, accepted) => {
    const error = configErrorOf(() => destinationPolicyFromEnv(anEnv({ [name]: value })));
    expect(error.field).toBe(name);
    expect(error.expected).toMatch(accepted);
    expect([value, ...value.split(",")]).toContain(error.value);
  });

  it("requires DEST_REGION", () => {
    expectConfigError(() => destinationPolicyFromEnv({}), "DEST_REGION", undefined, /region names/);
  });

  it("does not read PATTERN, the source's variable the original read here by mistake", () => {
    expect(destinationPolicyFromEnv(anEnv({ PATTERN: "^prod" })).snapshotPattern.kind).toBe("all");
    expect(() => destinationPolicyFromEnv(anEnv({ PATTERN: "(bad" }))).not.toThrow();
  });

  it("reports the first invalid variable in a fixed order", () => {
    const env = { MAX_COPIES_IN_FLIGHT: "9", KMS_KEY_DEST_REGION: "x", MIN_KEEP: "x" };
    expect(configErrorOf(() => destinationPolicyFromEnv(env)).field).toBe("MIN_KEEP");
    expect(configErrorOf(() => destinationPolicyFromEnv({ ...env, MIN_KEEP: "1" })).field).toBe(
      "DEST_REGION",
    );
  });

  it("returns a frozen policy", () => {
    const policy = destinationPolicyFromEnv(anEnv({ KMS_KEY_DEST_REGION: KEY_ID }));
    expect(Object.isFrozen(policy)).toBe(true);
    expect(Object.isFrozen(policy.destinationRegions)).toBe(true);
    expect(Object.isFrozen(policy.kmsKeyDestination)).toBe(true);
    expect(Object.isFrozen(policy.sourceAccounts)).toBe(true);
  });
});

describe("destination retention against the source's", () => {
  it("refuses a RETENTION_DAYS shorter than SOURCE_RETENTION_DAYS", () => {
    const env = anEnv({ RETENTION_DAYS: "7", SOURCE_RETENTION_DAYS: "14" });
    expectConfigError(
      () => destinationPolicyFromEnv(env),
      "RETENTION_DAYS",
      "7",
      />= 14.*at least as long/,
    );
  });

  it("refuses the default RETENTION_DAYS when the source keeps snapshots longer", () => {
    const env = anEnv({ SOURCE_RETENTION_DAYS: "8" });
    expectConfigError(() => destinationPolicyFromEnv(env), "RETENTION_DAYS", 7, />= 8/);
  });

  it("accepts an equal or longer retention", () => {
    const env = anEnv({ RETENTION_DAYS: "14", SOURCE_RETENTION_DAYS: "14" });
    expect(destinationPolicyFromEnv(env).retentionDays).toBe(14);
  });

  it("names the object key in the object form", () => {
    const input = { destinationRegions: "eu-west-1", retentionDays: 3, sourceRetentionDays: 5 };
    expectConfigError(() => destinationPolicyFromObject(input), "retentionDays", 3, />= 5/);
  });

  it("checks a pair of policies built separately", () => {
    const source = sourcePolicyFromObject({ retentionDays: 10 });
    const shorter = destinationPolicyFromEnv(anEnv({ RETENTION_DAYS: "9" }));
    const longer = destinationPolicyFromEnv(anEnv({ RETENTION_DAYS: "10" }));
    expectConfigError(() => checkRetentionPair(source, shorter), "RETENTION_DAYS", 9, />= 10/);
    expect(() => checkRetentionPair(source, longer)).not.toThrow();
  });
});

describe("destinationPolicyFromObject", () => {
  it("applies the same defaults as the env form", () => {
    expect(destinationPolicyFromObject({ destinationRegions: ["eu-west-1"] })).toStrictEqual(
      DEFAULTS,
    );
  });

  it("takes booleans, numbers and arrays as such, or as their env text", () => {
    const policy = destinationPolicyFromObject({
      destinationRegions: "us-east-1,eu-west-1",
      crossAccount: false,
      maxCopiesInFlight: "3",
      sourceAccounts: ["111122223333"],
    });
    expect(policy).toMatchObject({
      destinationRegions: ["us-east-1", "eu-west-1"],
      crossAccount: false,
      maxCopiesInFlight: 3,
      sourceAccounts: ["111122223333"],
    });
  });

  it("reads its own output back to an equal policy", () => {
    const policy = destinationPolicyFromEnv({
      SNAPSHOT_PATTERN: "^prod",
      DEST_REGION: "us-east-1,eu-west-1",
      REGION_OVERRIDE: "eu-central-1",
      KMS_KEY_SOURCE_REGION: "alias/local",
      KMS_KEY_DEST_REGION: `${KEY_ID},None`,
      SOURCE_RETENTION_DAYS: "7",
      SOURCE_ACCOUNTS: "111122223333",
    });
    expect(destinationPolicyFromObject(policy)).toStrictEqual(policy);
  });

  it.each<[keyof DestinationPolicyInput, unknown, RegExp]>([
    ["destinationRegions", [], /one or more AWS region names/],
    ["maxCopiesInFlight", 6, /from 1 to 5/],
    ["crossAccount", "sometimes", /TRUE or FALSE/],
    ["kmsKeySource", 42, /KMS key id/],
  ])("names the object key %s when its value %j is refused", (key, value, accepted) => {
    const input = { destinationRegions: "eu-west-1", [key]: value } as DestinationPolicyInput;
    expectConfigError(() => destinationPolicyFromObject(input), key, value, accepted);
  });

  it("requires destinationRegions", () => {
    const input = {} as DestinationPolicyInput;
    expectConfigError(
      () => destinationPolicyFromObject(input),
      "destinationRegions",
      undefined,
      /region/,
    );
  });

  it("refuses a key it does not know, listing the keys it does", () => {
    const input = { destinationRegions: "eu-west-1", pattern: "x" } as DestinationPolicyInput;
    expectConfigError(() => destinationPolicyFromObject(input), "pattern", "x", /snapshotPattern/);
  });
});

describe("COPY_MODE", () => {
  it("refuses a mode it does not know, naming the variable and every accepted mode", () => {
    expectConfigError(
      () => destinationPolicyFromEnv(anEnv({ COPY_MODE: "one-step" })),
      "COPY_MODE",
      "one-step",
      /one of auto, single-step, two-step/,
    );
  });
});
