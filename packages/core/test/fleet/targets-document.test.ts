import { readFileSync } from "node:fs";

import { describe, expect, it } from "vitest";

import {
  ConfigError,
  fleetSettingsFrom,
  memberRoleArn,
  parseTargetsDocument,
  resolveTargets,
  targetsJsonSchema,
  targetsLocation,
  type TargetsReaders,
} from "../../src/index.js";
import { NOT_OVERRIDABLE } from "../../src/policy/config-document.js";
import { parseConfigDocument, settingsOf } from "../../src/policy/index.js";

const A = "111111111111";
const B = "222222222222";
const role = (account: string, name = "member") => `arn:aws:iam::${account}:role/${name}`;
const parse = (doc: unknown) => parseTargetsDocument(JSON.stringify(doc), "targets.json");

function refusal(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("no ConfigError");
}

describe("the targets document", () => {
  it("takes a plain list or {targets}, with roles, external ids and overrides", () => {
    const targets = [
      {
        account: A,
        region: "eu-west-1",
        roleArn: role(A),
        externalId: "fleet-1",
        overrides: { retentionDays: 30 },
      },
      { account: B, region: "us-east-1" },
    ];
    expect(parse(targets)).toEqual(targets);
    expect(parse({ $schema: "./targets.schema.json", targets })).toEqual(targets);
  });

  it("gives targets with a role the fleet's external id, unless they have their own", () => {
    const doc = [
      { account: A, region: "eu-west-1", roleArn: role(A) },
      { account: B, region: "eu-west-1", roleArn: role(B), externalId: "own-id" },
      { account: B, region: "us-east-1" },
    ];
    const targets = parseTargetsDocument(JSON.stringify(doc), "t.json", "--targets", {
      externalId: "fleet-id",
    });
    expect(targets.map((t) => t.externalId)).toEqual(["fleet-id", "own-id", undefined]);
  });

  it.each([
    [
      "a number for an account",
      [{ account: 111111111111, region: "eu-west-1" }],
      "targets[0].account",
    ],
    ["a short account", [{ account: "1234", region: "eu-west-1" }], "targets[0].account"],
    ["an unknown region", [{ account: A, region: "mars-north-1" }], "targets[0].region"],
    ["a missing region", [{ account: A }], "targets[0].region"],
    [
      "a role of another account",
      [{ account: A, region: "eu-west-1", roleArn: role(B) }],
      "targets[0].roleArn",
    ],
    [
      "an external id without a role",
      [{ account: A, region: "eu-west-1", externalId: "x1" }],
      "targets[0].externalId",
    ],
    ["an unknown key", [{ account: A, region: "eu-west-1", role: "x" }], "targets[0].role"],
    [
      "an unknown override",
      [{ account: A, region: "eu-west-1", overrides: { retention: 3 } }],
      "targets[0].overrides.retention",
    ],
    [
      "an override of the wrong type",
      [{ account: A, region: "eu-west-1", overrides: { retentionDays: [1] } }],
      "targets[0].overrides.retentionDays",
    ],
    ["an empty list", [], "targets"],
    [
      "a prefix of its own",
      [{ account: A, region: "eu-west-1", overrides: { snapshotNamePrefix: "x" } }],
      "targets[0].overrides.snapshotNamePrefix",
    ],
    [
      "a region override",
      [{ account: A, region: "eu-west-1", overrides: { regionOverride: "us-east-1" } }],
      "targets[0].overrides.regionOverride",
    ],
    [
      "a deployment name",
      [{ account: A, region: "eu-west-1", overrides: { deploymentName: "other" } }],
      "targets[0].overrides.deploymentName",
    ],
    [
      "a target twice",
      [
        { account: A, region: "eu-west-1" },
        { account: A, region: "eu-west-1", roleArn: role(A) },
      ],
      "targets[1]",
    ],
  ])("refuses %s, naming the field and the file", (_, doc, field) => {
    const error = refusal(() => parse(doc));
    expect(error.field).toBe(field);
    expect(error.message).toContain("targets.json");
  });

  it("refuses text that is not JSON, naming the setting", () => {
    const error = refusal(() => parseTargetsDocument("account,region", "t.csv"));
    expect(error.field).toBe("--targets");
    expect(error.expected).toContain("JSON");
  });

  it("the published schema is targetsJsonSchema(), and its overrides are every policy key", () => {
    const published: unknown = JSON.parse(
      readFileSync(new URL("../../targets.schema.json", import.meta.url), "utf8"),
    );
    expect(published, "targets.schema.json is out of date: run `pnpm docs:generate`").toStrictEqual(
      targetsJsonSchema(),
    );
    const list = (
      targetsJsonSchema()["anyOf"] as {
        items?: { properties: Record<string, { properties?: object }> };
      }[]
    )[0]!;
    const overrideKeys = Object.keys(list.items!.properties["overrides"]!.properties!).sort();
    const policyKeys = [
      ...new Set([...settingsOf("source"), ...settingsOf("destination")].map((s) => s.key)),
    ]
      .filter((k) => !NOT_OVERRIDABLE.has(k))
      .sort();
    expect([...NOT_OVERRIDABLE].sort()).toEqual([
      "deploymentName",
      "regionOverride",
      "snapshotNamePrefix",
    ]);
    expect(overrideKeys).toEqual(policyKeys);
    expect(Object.keys(list.items!.properties).sort()).toEqual([
      "account",
      "externalId",
      "overrides",
      "region",
      "roleArn",
    ]);
  });
});

describe("where targets come from", () => {
  it("reads FLEET_TARGETS as JSON, s3://, ssm: or a path", () => {
    expect(targetsLocation(' [{"account":"1"}]').kind).toBe("inline");
    expect(targetsLocation("s3://my-bucket/fleet/targets.json")).toEqual({
      kind: "s3",
      bucket: "my-bucket",
      key: "fleet/targets.json",
    });
    expect(targetsLocation("ssm:/fleet/targets")).toEqual({ kind: "ssm", name: "/fleet/targets" });
    expect(targetsLocation("./targets.json")).toEqual({ kind: "file", path: "./targets.json" });
    expect(() => targetsLocation("s3://bucket-only")).toThrow(ConfigError);
  });

  it("joins the document's targets with every ACTIVE account under the OUs, each account and region once", async () => {
    const env = {
      FLEET_TARGETS: "s3://fleet-config/targets.json",
      FLEET_ORGANIZATIONAL_UNITS: "ou-ab12-cdefghij, r-ab12",
      FLEET_REGIONS: "eu-west-1,us-east-1",
      FLEET_MEMBER_ROLE_NAME: "snapshot-member",
    };
    const asked: string[][] = [];
    const readers: TargetsReaders = {
      readS3Object: async (bucket, key) => {
        expect([bucket, key]).toEqual(["fleet-config", "targets.json"]);
        return JSON.stringify([
          {
            account: A,
            region: "eu-west-1",
            roleArn: role(A, "custom"),
            overrides: { minKeep: 3 },
          },
        ]);
      },
      listActiveAccounts: async (parents) => {
        asked.push([...parents]);
        return [B, A, B];
      },
    };
    const settings = fleetSettingsFrom({ env }, "us-east-1");
    const targets = await resolveTargets(settings, readers, { env });
    expect(asked).toEqual([["ou-ab12-cdefghij", "r-ab12"]]);
    expect(targets.map((t) => `${t.account}/${t.region}/${t.roleArn}`)).toEqual([
      `${A}/eu-west-1/${role(A, "custom")}`,
      `${A}/us-east-1/${role(A, "snapshot-member")}`,
      `${B}/eu-west-1/${role(B, "snapshot-member")}`,
      `${B}/us-east-1/${role(B, "snapshot-member")}`,
    ]);
    expect(targets[0]!.overrides).toEqual({ minKeep: 3 });
  });

  it("refuses a source no reader serves, a bad OU id, and a fleet with no target", async () => {
    const env = { FLEET_TARGETS: "./targets.json" };
    await expect(
      resolveTargets(fleetSettingsFrom({ env }, "us-east-1"), {}, { env }),
    ).rejects.toThrow(/FLEET_TARGETS/);
    expect(() =>
      fleetSettingsFrom({ env: { FLEET_ORGANIZATIONAL_UNITS: "engineering" } }, "us-east-1"),
    ).toThrow(/FLEET_ORGANIZATIONAL_UNITS/);
    const ous = { FLEET_ORGANIZATIONAL_UNITS: "ou-ab12-cdefghij" };
    await expect(
      resolveTargets(
        fleetSettingsFrom({ env: ous }, "us-east-1"),
        { listActiveAccounts: async () => [] },
        { env: ous },
      ),
    ).rejects.toThrow(ConfigError);
  });

  it("builds member role ARNs in the region's partition", () => {
    expect(memberRoleArn(A, "m", "cn-north-1")).toBe(`arn:aws-cn:iam::${A}:role/m`);
    expect(memberRoleArn(A, "m", "us-gov-west-1")).toBe(`arn:aws-us-gov:iam::${A}:role/m`);
  });

  it("reads the fleet's settings from the config file's top level, and refuses an unknown one there", () => {
    const file = parseConfigDocument(
      JSON.stringify({ targets: "./t.json", maxConcurrency: 5 }),
      "/c.json",
    );
    expect(fleetSettingsFrom({ file }, "us-east-1")).toMatchObject({
      targets: "./t.json",
      maxConcurrency: 5,
    });
    expect(() => parseConfigDocument(JSON.stringify({ target: "./t.json" }), "/c.json")).toThrow(
      ConfigError,
    );
  });

  it("reads --max-concurrency within 1 to 1000", () => {
    expect(
      fleetSettingsFrom({ flags: { "--max-concurrency": "40" } }, "us-east-1").maxConcurrency,
    ).toBe(40);
    expect(fleetSettingsFrom({}, "us-east-1").maxConcurrency).toBe(10);
    expect(() => fleetSettingsFrom({ flags: { "--max-concurrency": "0" } }, "us-east-1")).toThrow(
      /--max-concurrency/,
    );
  });
});
