import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  DESTINATION_SETTINGS,
  FLEET_SETTINGS,
  RUN_SETTINGS,
  SOURCE_SETTINGS,
  configJsonSchema,
  destinationPolicyFrom,
  lookUpSetting,
  parseConfigDocument,
  settingsReferenceMarkdown,
  sourcePolicyFrom,
  sourcePolicyFromEnv,
  type SettingSpec,
} from "../../src/policy/index.js";
import { configErrorOf, expectConfigError } from "./config-error-helper.js";

const README = new URL("../../../../README.md", import.meta.url);
const SCHEMA = new URL("../../config.schema.json", import.meta.url);
const TABLE_START = "<!-- settings-table:start -->";
const TABLE_END = "<!-- settings-table:end -->";
const PATH = "/x.json";

const SIDES = { source: SOURCE_SETTINGS, destination: DESTINATION_SETTINGS } as const;
const specsOf = (settings: object): SettingSpec[] => Object.values(settings) as SettingSpec[];
const duplicates = (values: readonly string[]): string[] =>
  values.filter((v, i) => values.indexOf(v) !== i);
const fileOf = (values: object) => parseConfigDocument(JSON.stringify(values), PATH);

describe("generated documentation", () => {
  it("the README's configuration table is settingsReferenceMarkdown()", () => {
    const readme = readFileSync(README, "utf8");
    const start = readme.indexOf(TABLE_START);
    const end = readme.indexOf(TABLE_END);
    expect(start, `README.md lacks ${TABLE_START}`).toBeGreaterThan(-1);
    expect(end, `README.md lacks ${TABLE_END} after ${TABLE_START}`).toBeGreaterThan(start);
    expect(
      readme.slice(start + TABLE_START.length, end),
      "README.md's configuration table is out of date with the settings registry: run `pnpm docs:generate`",
    ).toBe(`\n${settingsReferenceMarkdown()}`);
  });

  it("the table has a row naming each setting's flag and config key", () => {
    const table = settingsReferenceMarkdown();
    const rows = table.trimEnd().split("\n").slice(2);
    const all = [
      ...Object.entries(SIDES).flatMap(([side, s]) =>
        specsOf(s).map((spec) => [side, spec] as const),
      ),
      ...specsOf(RUN_SETTINGS).map((spec) => [undefined, spec] as const),
      ...specsOf(FLEET_SETTINGS).map((spec) => [undefined, spec] as const),
    ];
    for (const [side, spec] of all) {
      const key = side === undefined ? spec.key : `${side}.${spec.key}`;
      const row = rows.find((r) => r.includes(`\`${spec.flag} <`));
      expect(row, spec.flag).toBeDefined();
      expect(row, spec.flag).toContain(`\`${key}\``);
    }
    // One row per flag: a setting both sides read is listed once.
    expect(rows).toHaveLength(new Set(all.map(([, spec]) => spec.flag)).size);
  });

  it("packages/core/config.schema.json is configJsonSchema()", () => {
    const published: unknown = JSON.parse(readFileSync(SCHEMA, "utf8"));
    expect(
      published,
      "config.schema.json is out of date with the settings registry: run `pnpm docs:generate`",
    ).toStrictEqual(configJsonSchema());
  });
});

describe("registry rules", () => {
  const kebabFlag = (env: string) => `--${env.toLowerCase().replace(/_/g, "-")}`;

  it.each(Object.entries(SIDES))("%s: each flag is the env var in kebab case", (_, settings) => {
    for (const spec of specsOf(settings)) {
      expect(spec.env, spec.key).toBeDefined();
      expect(spec.flag, spec.key).toBe(kebabFlag(spec.env ?? ""));
    }
  });

  it.each([...Object.entries(SIDES), ["run", RUN_SETTINGS] as const])(
    "%s: each entry's name is its key field",
    (_, settings) => {
      for (const [name, spec] of Object.entries(settings)) expect(spec.key).toBe(name);
    },
  );

  it.each([...Object.entries(SIDES), ["run", RUN_SETTINGS] as const])(
    "%s: flags and env vars are unique",
    (_, settings) => {
      const specs = specsOf(settings);
      expect(duplicates(specs.map((s) => s.flag))).toEqual([]);
      expect(duplicates(specs.flatMap((s) => (s.env === undefined ? [] : [s.env])))).toEqual([]);
    },
  );

  it("no run setting's flag is also a policy setting's (a command takes both)", () => {
    const policyFlags = new Set(
      [...specsOf(SOURCE_SETTINGS), ...specsOf(DESTINATION_SETTINGS)].map((s) => s.flag),
    );
    expect(specsOf(RUN_SETTINGS).filter((s) => policyFlags.has(s.flag))).toEqual([]);
  });

  it("a setting both sides have uses the same env var, flag and template parameter on both", () => {
    const shared = Object.keys(SOURCE_SETTINGS).filter((key) => key in DESTINATION_SETTINGS);
    expect(shared.sort()).toEqual(
      [
        "minKeep",
        "keepDaily",
        "keepWeekly",
        "keepMonthly",
        "keepYearly",
        "regionOverride",
        "retentionDays",
        "rpoHours",
        "metricsPerCluster",
        "deploymentName",
        "verifySample",
        "verifySubnetGroup",
        "verifySecurityGroups",
        "verifyInstanceClass",
        "verifyCheckLambdaArn",
        "verifySecretArn",
        "verifyMaxMinutes",
      ].sort(),
    );
    for (const key of shared) {
      const source = SOURCE_SETTINGS[key as keyof typeof SOURCE_SETTINGS] as SettingSpec;
      const destination = DESTINATION_SETTINGS[
        key as keyof typeof DESTINATION_SETTINGS
      ] as SettingSpec;
      expect([destination.env, destination.flag, destination.parameter], key).toEqual([
        source.env,
        source.flag,
        source.parameter,
      ]);
    }
    // And the other way round: a flag on both sides is one setting, not two under one name.
    for (const spec of specsOf(SOURCE_SETTINGS)) {
      const same = specsOf(DESTINATION_SETTINGS).find((d) => d.flag === spec.flag);
      if (same !== undefined) expect(same.key, spec.flag).toBe(spec.key);
    }
  });
});

/*
 * The subset of JSON Schema configJsonSchema() uses, enough to check that the published schema
 * and parseConfigDocument agree on a document's keys and JSON types. A keyword it does not know
 * fails the test rather than being ignored.
 */
type Schema = Readonly<Record<string, unknown>>;
const ANNOTATIONS = new Set(["$schema", "title", "description"]);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function hasType(type: unknown, value: unknown): boolean {
  if (type === "object") return isRecord(value);
  if (type === "array") return Array.isArray(value);
  if (type === "integer") return Number.isInteger(value);
  if (type === "string" || type === "boolean") return typeof value === type;
  throw new Error(`schemaAccepts does not know the type ${String(type)}`);
}

function schemaAccepts(schema: Schema, value: unknown): boolean {
  const { type, anyOf, pattern, items, properties, required, additionalProperties, ...rest } =
    schema;
  const unknown = Object.keys(rest).filter((k) => !ANNOTATIONS.has(k));
  if (unknown.length > 0) throw new Error(`schemaAccepts does not know ${unknown.join(", ")}`);
  if (anyOf !== undefined && !(anyOf as Schema[]).some((s) => schemaAccepts(s, value))) {
    return false;
  }
  if (type !== undefined && !hasType(type, value)) return false;
  if (typeof value === "string" && pattern !== undefined) {
    if (!new RegExp(pattern as string, "u").test(value)) return false;
  }
  if (Array.isArray(value) && items !== undefined) {
    if (!value.every((v) => schemaAccepts(items as Schema, v))) return false;
  }
  if (isRecord(value)) {
    if (required !== undefined && !(required as string[]).every((k) => k in value)) return false;
    const known = (properties ?? {}) as Record<string, Schema>;
    for (const [key, v] of Object.entries(value)) {
      const s = known[key] ?? (additionalProperties as Schema | boolean | undefined);
      if (s === false) return false;
      if (s !== undefined && s !== true && !schemaAccepts(s, v)) return false;
    }
  }
  return true;
}

function parserAccepts(document: unknown): boolean {
  try {
    parseConfigDocument(JSON.stringify(document), PATH);
    return true;
  } catch {
    return false;
  }
}

/** Every key the config file has, each with a valid value. */
const FULL = {
  region: "eu-west-1",
  profile: "ops",
  endpointUrl: "http://127.0.0.1:5000",
  roleArn: "arn:aws:iam::222222222222:role/snapshots",
  logLevel: "info",
  schedule: "cron(0 1 * * ? *)",
  source: {
    clusterPattern: "^prod-",
    intervalHours: 12,
    retentionDays: "7",
    minKeep: 2,
    destinationAccount: "210987654321",
    snapshotNamePrefix: "nightly",
    regionOverride: "NO",
    includeTags: [{ key: "backup", value: "yes" }],
    excludeTags: "skip-backup=yes",
    destinationEventBus: "arn:aws:events:eu-central-1:210987654321:event-bus/aurora-snapshot-tool",
    rpoHours: 14,
    metricsPerCluster: "FALSE",
    deploymentName: "prod-snapshots",
    verifySample: 2,
    verifySubnetGroup: "restore-tests",
    verifySecurityGroups: ["sg-0123456789abcdef0"],
    verifyInstanceClass: "db.r6g.large",
    verifyCheckLambdaArn: "arn:aws:lambda:eu-west-1:111111111111:function:check-restore",
    verifySecretArn: "arn:aws:secretsmanager:eu-west-1:111111111111:secret:db-AbCdEf",
    verifyMaxMinutes: 90,
    snapshotSource: "Automated",
    automatedMaxAgeHours: "6",
    reencryptKmsKey: "alias/share",
    keepDaily: 7,
    keepWeekly: "4",
    keepMonthly: 0,
    keepYearly: "0",
  },
  destination: {
    snapshotPattern: "ALL_SNAPSHOTS",
    retentionDays: 14,
    sourceRetentionDays: 7,
    minKeep: 1,
    destinationRegions: ["eu-central-1"],
    regionOverride: "eu-west-1",
    kmsKeySource: "alias/snapshots-local",
    kmsKeyDestination: { "eu-central-1": "alias/snapshots" },
    crossAccount: true,
    maxCopiesInFlight: 3,
    sourceAccounts: "111111111111",
    copyPollSeconds: 30,
    copyMode: "two-step",
    rpoHours: 36,
    metricsPerCluster: true,
    deploymentName: "dr-snapshots",
    verifySample: "1",
    verifyRegion: "eu-central-1",
    verifySubnetGroup: "default",
    verifySecurityGroups: "sg-01234567",
    verifyInstanceClass: "NONE",
    verifyCheckLambdaArn: "",
    verifySecretArn: "none",
    verifyMaxMinutes: 60,
    keepDaily: 0,
    keepWeekly: 0,
    keepMonthly: "12",
    keepYearly: 2,
  },
};

describe("parseConfigDocument and the JSON Schema", () => {
  it("accepts a document with every key, and both sides' policies build from it", () => {
    expect(Object.keys(FULL.source).sort()).toEqual(Object.keys(SOURCE_SETTINGS).sort());
    expect(Object.keys(FULL.destination).sort()).toEqual(Object.keys(DESTINATION_SETTINGS).sort());
    expect(Object.keys(FULL).sort()).toEqual(
      [...Object.keys(RUN_SETTINGS), "source", "destination"].sort(),
    );

    const file = fileOf(FULL);
    expect(file).toEqual({ path: PATH, values: FULL });
    expect(sourcePolicyFrom({ file })).toMatchObject({
      intervalHours: 12,
      retentionDays: 7,
      rpoHours: 14,
      metricsPerCluster: false,
      verifySecurityGroups: ["sg-0123456789abcdef0"],
      verifyInstanceClass: "db.r6g.large",
      snapshotSource: "automated",
      automatedMaxAgeHours: 6,
      reencryptKmsKey: "alias/share",
      keepDaily: 7,
      keepWeekly: 4,
      keepYearly: 0,
    });
    expect(destinationPolicyFrom({ file })).toMatchObject({
      keepMonthly: 12,
      keepYearly: 2,
      retentionDays: 14,
      destinationRegions: ["eu-central-1"],
      maxCopiesInFlight: 3,
    });
  });

  it("refuses an unknown top-level key, listing the known ones", () => {
    expectConfigError(
      () => fileOf({ retentionDays: 7 }),
      "retentionDays",
      7,
      /one of the keys region, .*source, destination/,
    );
  });

  it("refuses an unknown section key, naming the key and the file", () => {
    const error = configErrorOf(() => fileOf({ source: { retentionDay: 7 } }));
    expect(error.field).toBe("source.retentionDay");
    expect(error.expected).toMatch(/retentionDays/);
    expect(error.message).toContain(`source.retentionDay (in ${PATH})`);
  });

  it("refuses a value of the wrong JSON type", () => {
    expectConfigError(
      () => fileOf({ destination: { crossAccount: 3 } }),
      "destination.crossAccount",
      3,
      /true or false/,
    );
    expect(configErrorOf(() => fileOf({ source: [] })).field).toBe("source");
  });

  it("refuses text that is not one JSON object, naming --config and the path", () => {
    for (const text of ["{ source: ", "[]", ""]) {
      const error = configErrorOf(() => parseConfigDocument(text, PATH));
      expect(error.field, text).toBe("--config");
      expect(error.value, text).toBe(PATH);
      expect(error.message, text).toMatch(/^--config: .*JSON object/);
    }
  });

  // Where they legitimately differ: the parser leaves what a value means ("daily" hours, 1.5
  // hours) to the policy parsers, which name the key and the file the same way.
  it.each([
    ["every key", FULL, true],
    ["nothing", {}, true],
    ["a number as a string of digits", { source: { intervalHours: "12" } }, true],
    [
      "a comma-separated list",
      { destination: { destinationRegions: "eu-central-1,us-west-2" } },
      true,
    ],
    ["KMS keys as a list", { destination: { kmsKeyDestination: ["alias/a", "None"] } }, true],
    ["tags as strings in a list", { source: { includeTags: ["backup=yes"] } }, true],
    ["booleans as strings", { destination: { crossAccount: "FALSE" } }, true],
    ["an unknown top-level key", { retentionDays: 7 }, false],
    ["an unknown section key", { source: { retentionDay: 7 } }, false],
    ["a key of the other side", { source: { destinationRegions: "eu-central-1" } }, false],
    ["a number for a boolean", { destination: { crossAccount: 3 } }, false],
    ["a number for a string", { region: 5 }, false],
    ["a section that is not an object", { source: "prod" }, false],
    ["a list with a number", { destination: { sourceAccounts: ["111111111111", 2] } }, false],
    ["a tag without a value", { source: { includeTags: [{ key: "backup" }] } }, false],
    [
      "a KMS key that is not a string",
      { destination: { kmsKeyDestination: { "eu-central-1": 5 } } },
      false,
    ],
  ])("the schema and the parser agree on %s", (_, document, accepted) => {
    expect(parserAccepts(document)).toBe(accepted);
    expect(schemaAccepts(configJsonSchema(), document)).toBe(accepted);
  });

  // The schema and the parser agree on these two as well (both once disagreed).
  it("the parser refuses a tag object with an extra key, as the schema does", () => {
    const document = { source: { excludeTags: [{ key: "a", value: "b", vaule: "c" }] } };
    expect(schemaAccepts(configJsonSchema(), document)).toBe(false);
    expect(parserAccepts(document)).toBe(false);
  });

  it('both accept the "$schema" key the README tells editors to add', () => {
    const document = { $schema: "./node_modules/@aurora-snapshot-tool/core/config.schema.json" };
    expect(parserAccepts(document)).toBe(true);
    expect(schemaAccepts(configJsonSchema(), document)).toBe(true);
  });
});

describe("layered lookup", () => {
  const spec = SOURCE_SETTINGS.retentionDays;
  const env = { RETENTION_DAYS: "7" };
  const file = fileOf({ source: { retentionDays: 14 }, destination: { retentionDays: 21 } });
  const flags = { "--retention-days": "30" };

  it("a flag beats the file, which beats an env var, which beats the default", () => {
    expect(lookUpSetting({}, "source", spec).raw).toBeUndefined();
    expect(lookUpSetting({ env }, "source", spec)).toEqual({
      raw: "7",
      origin: { kind: "env", name: "RETENTION_DAYS" },
    });
    expect(lookUpSetting({ env, file }, "source", spec)).toEqual({
      raw: 14,
      origin: { kind: "file", name: "source.retentionDays", file: PATH },
    });
    expect(lookUpSetting({ env, file, flags }, "source", spec)).toEqual({
      raw: "30",
      origin: { kind: "flag", name: "--retention-days" },
    });

    expect(sourcePolicyFrom({}).retentionDays).toBe(7);
    expect(sourcePolicyFrom({ env: { RETENTION_DAYS: "3" } }).retentionDays).toBe(3);
    expect(sourcePolicyFrom({ env, file }).retentionDays).toBe(14);
    expect(sourcePolicyFrom({ env, file, flags }).retentionDays).toBe(30);
    // Each side reads its own section.
    expect(lookUpSetting({ file }, "destination", DESTINATION_SETTINGS.retentionDays).raw).toBe(21);
  });

  it("never judges a value a higher layer overrides", () => {
    expect(() => sourcePolicyFrom({ env: { INTERVAL: "abc" } })).toThrow(/INTERVAL/);
    expect(
      sourcePolicyFrom({ env: { INTERVAL: "abc" }, flags: { "--interval": "6" } }),
    ).toMatchObject({
      intervalHours: 6,
    });
    const badFile = fileOf({ source: { intervalHours: 0 } });
    expect(sourcePolicyFrom({ file: badFile, flags: { "--interval": "6" } }).intervalHours).toBe(6);
  });

  it("names a bad value from the file by its key and the file's path", () => {
    const error = configErrorOf(() =>
      sourcePolicyFrom({ env: {}, file: fileOf({ source: { intervalHours: 0 } }) }),
    );
    expect(error.field).toBe("source.intervalHours");
    expect(error.value).toBe(0);
    expect(error.message).toContain(`source.intervalHours (in ${PATH})`);
  });

  it("names a missing DEST_REGION by its flag and lists every way to set it", () => {
    const error = configErrorOf(() => destinationPolicyFrom({ env: {}, flags: {} }));
    expect(error.field).toBe("--dest-region");
    expect(error.value).toBeUndefined();
    expect(error.message).toMatch(/^--dest-region: not set; /);
    expect(error.message).toContain(
      "(set it with --dest-region, the env var DEST_REGION, destination.destinationRegions in the --config file)",
    );
    // With env vars alone (the Lambda) there is one way, and the message names the env var.
    const lambda = configErrorOf(() => destinationPolicyFrom({ env: {} }));
    expect(lambda.field).toBe("DEST_REGION");
    expect(lambda.message).not.toContain("set it with");
  });

  it("falls through a blank AWS_REGION to AWS_DEFAULT_REGION", () => {
    for (const blank of ["", "  "]) {
      expect(
        lookUpSetting(
          { env: { AWS_REGION: blank, AWS_DEFAULT_REGION: "eu-west-1" } },
          undefined,
          RUN_SETTINGS.region,
        ),
      ).toEqual({ raw: "eu-west-1", origin: { kind: "env", name: "AWS_DEFAULT_REGION" } });
    }
    expect(
      lookUpSetting(
        { env: { AWS_REGION: "us-east-1", AWS_DEFAULT_REGION: "eu-west-1" } },
        undefined,
        RUN_SETTINGS.region,
      ),
    ).toEqual({ raw: "us-east-1", origin: { kind: "env", name: "AWS_REGION" } });
  });

  it("ConfigError.where names the layer the way the user wrote it", () => {
    expect(configErrorOf(() => sourcePolicyFromEnv({ RETENTION_DAYS: "0" })).where).toBe(
      "env RETENTION_DAYS",
    );
    expect(
      configErrorOf(() => sourcePolicyFrom({ flags: { "--retention-days": "0" } })).where,
    ).toBe("flag --retention-days");
    expect(
      configErrorOf(() => sourcePolicyFrom({ file: fileOf({ source: { retentionDays: 0 } }) }))
        .where,
    ).toBe(`source.retentionDays in ${PATH}`);
  });
});
