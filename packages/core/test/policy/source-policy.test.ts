import { describe, expect, it } from "vitest";
import type { SourcePolicyInput } from "../../src/policy/index.js";
import { sourcePolicyFromEnv, sourcePolicyFromObject } from "../../src/policy/index.js";
import { configErrorOf, expectConfigError } from "./config-error-helper.js";

const DEFAULTS = {
  clusterPattern: { kind: "all", source: "ALL_CLUSTERS" },
  includeTags: [],
  excludeTags: [],
  intervalHours: 24,
  retentionDays: 7,
  minKeep: 1,
  destinationAccounts: [],
  keepDaily: 0,
  keepWeekly: 0,
  keepMonthly: 0,
  keepYearly: 0,
  metricsPerCluster: true,
  deploymentName: "aurora-snapshot-tool",
  verifySample: 0,
  verifySubnetGroup: "default",
  verifySecurityGroups: [],
  verifyInstanceClass: "db.serverless",
  verifyMaxMinutes: 120,
};

describe("sourcePolicyFromEnv", () => {
  it("applies the original tool's defaults, and MIN_KEEP=1, when nothing is set", () => {
    expect(sourcePolicyFromEnv({})).toStrictEqual(DEFAULTS);
  });

  it.each([
    [
      "PATTERN",
      "^prod-",
      "clusterPattern",
      { kind: "regex", source: "^prod-", regex: { source: "^prod-", flags: "" } },
    ],
    ["PATTERN", "ALL_CLUSTERS", "clusterPattern", { kind: "all", source: "ALL_CLUSTERS" }],
    ["INTERVAL", "12", "intervalHours", 12],
    ["RETENTION_DAYS", "30", "retentionDays", 30],
    ["MIN_KEEP", "0", "minKeep", 0],
    ["MIN_KEEP", "3", "minKeep", 3],
    ["DEST_ACCOUNT", "012345678901", "destinationAccounts", ["012345678901"]],
    ["DEST_ACCOUNT", "", "destinationAccounts", undefined],
    [
      "DEST_ACCOUNT",
      " 222222222222 , 111111111111",
      "destinationAccounts",
      ["222222222222", "111111111111"],
    ],
    ["DEST_ACCOUNT", "000000000000", "destinationAccounts", ["000000000000"]],
    ["SNAPSHOT_NAME_PREFIX", "nightly", "snapshotNamePrefix", "nightly"],
    ["SNAPSHOT_NAME_PREFIX", "NONE", "snapshotNamePrefix", undefined],
    ["SNAPSHOT_NAME_PREFIX", "", "snapshotNamePrefix", undefined],
    ["REGION_OVERRIDE", "eu-west-1", "regionOverride", "eu-west-1"],
    ["REGION_OVERRIDE", "NO", "regionOverride", undefined],
    ["REGION_OVERRIDE", "no", "regionOverride", undefined],
    [
      "CLUSTER_TAGS_INCLUDE",
      "env=prod,backup=yes",
      "includeTags",
      [
        { key: "env", value: "prod" },
        { key: "backup", value: "yes" },
      ],
    ],
    ["CLUSTER_TAGS_EXCLUDE", "skip-backup=", "excludeTags", [{ key: "skip-backup", value: "" }]],
  ])("reads %s=%j into %s", (name, value, key, expected) => {
    const policy = sourcePolicyFromEnv({ [name]: value });
    expect(policy).toStrictEqual({
      ...DEFAULTS,
      ...(expected !== undefined && { [key]: expected }),
    });
  });

  it.each([
    ["PATTERN", "(oops", /regular expression/],
    ["INTERVAL", "0", /integer from 1 .*hours/],
    ["INTERVAL", "-1", /integer from 1/],
    ["INTERVAL", "1.5", /integer from 1/],
    ["INTERVAL", "daily", /integer from 1/],
    ["INTERVAL", "", /integer from 1/],
    ["RETENTION_DAYS", "0", /integer from 1 .*days/],
    ["RETENTION_DAYS", "seven", /integer from 1/],
    ["MIN_KEEP", "-1", /integer >= 0/],
    ["MIN_KEEP", "one", /integer >= 0/],
    ["DEST_ACCOUNT", "all", /12-digit AWS account ids.*"all".*refused/],
    ["DEST_ACCOUNT", "12345678901", /12-digit/],
    ["DEST_ACCOUNT", "1234567890123", /12-digit/],
    ["DEST_ACCOUNT", "111111111111,all", /"all".*refused/],
    ["DEST_ACCOUNT", "111111111111,", /comma-separated 12-digit/],
    ["DEST_ACCOUNT", "111111111111 222222222222", /comma-separated 12-digit/],
    ["DEST_ACCOUNT", "111111111111,222222222222,111111111111", /each once/],
    [
      "DEST_ACCOUNT",
      Array.from({ length: 21 }, (_, i) => String(200_000_000_000 + i)).join(","),
      /1 to 20 comma-separated/,
    ],
    ["SNAPSHOT_NAME_PREFIX", "1st", /NONE or empty .*starting with a letter/],
    ["REGION_OVERRIDE", "Ireland", /NO, or an AWS region name/],
    ["REGION_OVERRIDE", "YES", /NO, or an AWS region name/],
    ["CLUSTER_TAGS_INCLUDE", "env", /key=value/],
    ["CLUSTER_TAGS_EXCLUDE", "=prod", /key=value/],
  ])("refuses %s=%j", (name, value, accepted) => {
    expectConfigError(() => sourcePolicyFromEnv({ [name]: value }), name, value, accepted);
  });

  it("ignores unrelated variables, the destination's included", () => {
    const env = { LOG_LEVEL: "DEBUG", SNAPSHOT_PATTERN: "(bad", DEST_REGION: "nowhere" };
    expect(sourcePolicyFromEnv(env)).toStrictEqual(DEFAULTS);
  });

  it("reports the first invalid variable in a fixed order", () => {
    const env = { MIN_KEEP: "-1", RETENTION_DAYS: "0", CLUSTER_TAGS_EXCLUDE: "x", INTERVAL: "x" };
    expect(configErrorOf(() => sourcePolicyFromEnv(env)).field).toBe("INTERVAL");
    expect(configErrorOf(() => sourcePolicyFromEnv({ ...env, PATTERN: "[" })).field).toBe(
      "PATTERN",
    );
  });

  it("returns a frozen policy", () => {
    const policy = sourcePolicyFromEnv({ CLUSTER_TAGS_INCLUDE: "a=b" });
    expect(Object.isFrozen(policy)).toBe(true);
    expect(Object.isFrozen(policy.includeTags)).toBe(true);
    expect(Object.isFrozen(policy.includeTags[0])).toBe(true);
    expect(Object.isFrozen(policy.clusterPattern)).toBe(true);
  });
});

describe("sourcePolicyFromObject", () => {
  it("applies the same defaults as the env form", () => {
    expect(sourcePolicyFromObject({})).toStrictEqual(DEFAULTS);
  });

  it("takes numbers as numbers or strings, and tags as selectors or text", () => {
    const policy = sourcePolicyFromObject({
      intervalHours: 6,
      retentionDays: "14",
      minKeep: 2,
      includeTags: [{ key: "env", value: "prod" }],
      excludeTags: "skip=yes",
      clusterPattern: /^prod/,
      destinationAccount: "111122223333",
    });
    expect(policy).toMatchObject({
      intervalHours: 6,
      retentionDays: 14,
      minKeep: 2,
      includeTags: [{ key: "env", value: "prod" }],
      excludeTags: [{ key: "skip", value: "yes" }],
      clusterPattern: { kind: "regex", source: "^prod" },
      destinationAccounts: ["111122223333"],
    });
  });

  it("takes up to 20 destination accounts as a list or comma-separated, in the order given", () => {
    const twenty = Array.from({ length: 20 }, (_, i) => String(200_000_000_019 - i));
    expect(sourcePolicyFromObject({ destinationAccount: twenty }).destinationAccounts).toEqual(
      twenty,
    );
    expect(
      sourcePolicyFromObject({ destinationAccount: twenty.join(",") }).destinationAccounts,
    ).toEqual(twenty);
    expectConfigError(
      () => sourcePolicyFromObject({ destinationAccount: [...twenty, "300000000000"] }),
      "destinationAccount",
      [...twenty, "300000000000"],
      /1 to 20/,
    );
  });

  it("refuses destinationAccount and destinationAccounts together", () => {
    expectConfigError(
      () =>
        sourcePolicyFromObject({
          destinationAccount: "111122223333",
          destinationAccounts: ["111122223333"],
        }),
      "destinationAccounts",
      ["111122223333"],
      /destinationAccount/,
    );
  });

  it("reads its own output back to an equal policy", () => {
    const policy = sourcePolicyFromEnv({
      PATTERN: "a/b",
      CLUSTER_TAGS_INCLUDE: "env=prod",
      DEST_ACCOUNT: "111122223333,444455556666",
      SNAPSHOT_NAME_PREFIX: "nightly",
      REGION_OVERRIDE: "eu-west-1",
    });
    expect(sourcePolicyFromObject(policy)).toStrictEqual(policy);
  });

  it.each<[keyof SourcePolicyInput, unknown, RegExp]>([
    ["retentionDays", 0, /integer from 1/],
    ["intervalHours", 2.5, /integer from 1/],
    ["minKeep", -1, /integer >= 0/],
    ["clusterPattern", "(", /regular expression/],
    ["destinationAccount", 111122223333, /12-digit/],
  ])("names the object key %s when its value %j is refused", (key, value, accepted) => {
    const input = { [key]: value } as SourcePolicyInput;
    expectConfigError(() => sourcePolicyFromObject(input), key, value, accepted);
  });

  it("reports the offending entry of a list", () => {
    const input = { includeTags: [{ key: "env", value: "prod" }, { key: "env" }] };
    expectConfigError(
      () => sourcePolicyFromObject(input as SourcePolicyInput),
      "includeTags",
      { key: "env" },
      /key=value/,
    );
  });

  it("refuses a key it does not know, listing the keys it does", () => {
    const input = { retentionDay: 3 } as unknown as SourcePolicyInput;
    expectConfigError(() => sourcePolicyFromObject(input), "retentionDay", 3, /retentionDays/);
  });

  it("refuses something that is not an object", () => {
    const input = "PATTERN=x" as unknown as SourcePolicyInput;
    expectConfigError(() => sourcePolicyFromObject(input), "policy", "PATTERN=x", /an object/);
  });
});

describe("DEST_EVENT_BUS_ARN", () => {
  const bus = "arn:aws:events:eu-west-1:210987654321:event-bus/aurora-snapshot-tool";

  it("takes an event bus ARN, in any account and region, and leaves it out when empty", () => {
    expect(sourcePolicyFromEnv({ DEST_EVENT_BUS_ARN: bus }).destinationEventBus).toBe(bus);
    expect(sourcePolicyFromEnv({ DEST_EVENT_BUS_ARN: "" })).not.toHaveProperty(
      "destinationEventBus",
    );
  });

  it.each([
    "aurora-snapshot-tool",
    "arn:aws:sns:eu-west-1:210987654321:topic",
    "arn:aws:events:eu-west-1:2109876543:event-bus/x",
    "arn:aws-cn:events:eu-west-1:210987654321:event-bus/x",
  ])("refuses %s, naming the variable and the form it takes", (value) => {
    expectConfigError(
      () => sourcePolicyFromEnv({ DEST_EVENT_BUS_ARN: value }),
      "DEST_EVENT_BUS_ARN",
      value,
      /event bus ARN/,
    );
  });
});
