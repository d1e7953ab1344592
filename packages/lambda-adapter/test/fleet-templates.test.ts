/**
 * Fleet mode's two templates as files and as stacks: fleet.yaml (the central account: the source
 * steps over many targets) and member-role.yaml (the role of every member account). The checks
 * of templates.test.ts that apply to any template, then what is particular to the fleet: the
 * results bucket, the functions and their settings against core's registry, the schedules, the
 * alarms, the member role's Rules.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";

import * as coreSettings from "@aurora-snapshot-tool/core/settings";
import { settingsOf, type SettingSpec } from "@aurora-snapshot-tool/core/settings";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

import {
  FLEET_TEMPLATE_NAMES,
  loadTemplate,
  templatePath,
  type CfnResource,
  type FleetTemplateName,
} from "../src/templates.js";
import {
  activeResources,
  evaluateConditions,
  parameterValues,
  resolveConditionals,
  type ParameterValues,
} from "./support/cfn-conditions.js";
import { collectReferences } from "./support/cfn-references.js";
import { stepsOf } from "./support/original-contract.js";

const fleet = loadTemplate("fleet");
const member = loadTemplate("member-role");
const source = loadTemplate("source");
const TEMPLATES = { fleet, "member-role": member } as const;
/** Parameters without a default. */
const REQUIRED: Record<FleetTemplateName, ParameterValues> = {
  fleet: { CodeBucket: "code-bucket", FleetTargets: "s3://targets-bucket/fleet/targets.json" },
  "member-role": { CentralAccountId: "111111111111", OrganizationId: "o-abcdefghij" },
};

/** The parameters fleet.yaml restricts to what fleet mode supports (member-role.yaml's grants). */
const NARROWED = ["SourceRegionOverride", "SnapshotSource", "ReencryptKmsKey"];

/** The fleet settings (core's FLEET_SETTINGS) as the contract with the handlers names them. */
const FLEET_PARAMETERS: Record<string, string> = {
  FleetTargets: "FLEET_TARGETS",
  OrganizationalUnitIds: "FLEET_ORGANIZATIONAL_UNITS",
  FleetRegions: "FLEET_REGIONS",
  MemberRoleName: "FLEET_MEMBER_ROLE_NAME",
  ExternalId: "FLEET_EXTERNAL_ID",
  MaxConcurrency: "FLEET_MAX_CONCURRENCY",
};

/** Read by the Lambda adapter itself, not by a policy. */
const ADAPTER_ENV = [
  "LOG_LEVEL",
  "POWERTOOLS_METRICS_NAMESPACE",
  "DEPLOYMENT_NAME",
  "FLEET_PER_TARGET_METRICS",
  "FLEET_RESULTS_BUCKET",
];

interface FunctionProperties {
  readonly Environment?: { readonly Variables?: Record<string, unknown> };
  readonly [key: string]: unknown;
}

function rendered(id: string, given: ParameterValues = {}): FunctionProperties {
  const holds = evaluateConditions(fleet, parameterValues(fleet, { ...REQUIRED.fleet, ...given }));
  return (resolveConditionals(fleet.Resources[id], holds) as { Properties: FunctionProperties })
    .Properties;
}
const envOf = (id: string) => rendered(id).Environment?.Variables ?? {};

describe.each(FLEET_TEMPLATE_NAMES)("the %s template as a file", (name) => {
  const text = readFileSync(templatePath(name), "utf8");
  const template = TEMPLATES[name];

  it("uses long-form intrinsics only, so any YAML parser reads it", () => {
    expect(text).not.toMatch(
      /(^|[\s[{,])!(Ref|Sub|GetAtt|If|Equals|Not|And|Or|Join|Select|Split)\b/m,
    );
    expect(() => loadTemplate(name)).not.toThrow();
  });

  it("reads the same under YAML 1.1 rules (CloudFormation, PyYAML) as under YAML 1.2", () => {
    expect(parse(text, { version: "1.1" })).toEqual(parse(text, { version: "1.2" }));
  });

  it("declares the format version and a description under CloudFormation's 1,024 characters", () => {
    expect(template.AWSTemplateFormatVersion).toBe("2010-09-09");
    expect(template.Description).toMatch(/Snapshot Tool for Amazon Aurora/);
    expect(template.Description.length).toBeLessThanOrEqual(1024);
  });

  it("says in its description that the central stack comes first (member roles trust its role by ARN)", () => {
    expect(template.Description).toMatch(
      /before the member-role StackSet|after\s+the central fleet stack/,
    );
    expect(template.Description).toMatch(/by ARN/);
  });

  it("keeps every default a string, as CloudFormation passes it to Ref", () => {
    for (const parameter of Object.values(template.Parameters)) {
      if (parameter.Default !== undefined) expect(typeof parameter.Default).toBe("string");
    }
  });

  it("passes cfn-lint with no error or warning", () => {
    const run = spawnSync("cfn-lint", ["--format", "parseable", templatePath(name)], {
      encoding: "utf8",
    });
    expect(run.error).toBeUndefined();
    expect(run.stdout + run.stderr).toBe("");
    expect(run.status).toBe(0);
  }, 60_000);

  const resources = new Set(Object.keys(template.Resources));
  const parameters = new Set(Object.keys(template.Parameters));
  const conditions = new Set(Object.keys(template.Conditions));
  const pseudo = new Set([
    "AWS::Partition",
    "AWS::Region",
    "AWS::AccountId",
    "AWS::StackName",
    "AWS::NoValue",
    "AWS::URLSuffix",
  ]);
  const everything = collectReferences(
    { Conditions: template.Conditions, Resources: template.Resources, Outputs: template.Outputs },
    name,
  );

  it("resolves every Ref, Fn::GetAtt, Fn::Sub variable and condition name", () => {
    expect(everything.length).toBeGreaterThan(name === "fleet" ? 50 : 5);
    const dangling = everything.filter((ref) => {
      switch (ref.kind) {
        case "Condition":
          return !conditions.has(ref.target);
        case "GetAtt":
          return !resources.has(ref.target);
        case "Ref":
        case "Sub":
          if (ref.attribute !== undefined) return !resources.has(ref.target);
          return !(
            parameters.has(ref.target) ||
            resources.has(ref.target) ||
            pseudo.has(ref.target)
          );
      }
    });
    // Fn::Sub variables given in the Fn::Sub's own map are not references: only ${Object} and
    // ${Name} are used that way here.
    expect(dangling.filter((r) => !["Object", "Name"].includes(r.target))).toEqual([]);
  });
});

describe("the fleet template's parameters", () => {
  const SOURCE_POLICY = Object.keys(source.Parameters).filter((p) => p in fleet.Parameters);

  it("are the source template's take, share and prune parameters, plus the fleet's", () => {
    const stepParameters = [
      "CodeBucket",
      "ClusterNamePattern",
      "BackupInterval",
      "DestinationAccount",
      "ShareSnapshots",
      "BackupSchedule",
      "RetentionDays",
      "LogLevel",
      "SourceRegionOverride",
      "DeleteOldSnapshots",
      "SNSTopic",
      "SnapshotNamePrefix",
      "MinKeep",
      "KeepDaily",
      "KeepWeekly",
      "KeepMonthly",
      "KeepYearly",
      "SnapshotSource",
      "AutomatedMaxAgeHours",
      "ClusterTagsInclude",
      "ClusterTagsExclude",
      "DestinationEventBusArn",
      "ReencryptKmsKey",
    ];
    expect(Object.keys(fleet.Parameters).sort()).toEqual(
      [
        ...stepParameters,
        ...Object.keys(FLEET_PARAMETERS),
        "ToleratedFailurePercentage",
        "PerTargetMetrics",
        "OrganizationId",
        "ResultsRetentionDays",
      ].sort(),
    );
    expect(SOURCE_POLICY.sort()).toEqual(stepParameters.sort());
  });

  it.each(SOURCE_POLICY.filter((p) => !NARROWED.includes(p) && p !== "CodeBucket"))(
    "%s: as source.yaml declares it (type, default, allowed values and pattern)",
    (parameter) => {
      const { Description: _ours, ...ours } = fleet.Parameters[parameter]!;
      const { Description: _theirs, ...theirs } = source.Parameters[parameter]!;
      expect(ours).toEqual(theirs);
    },
  );

  it("narrows SourceRegionOverride, SnapshotSource and ReencryptKmsKey to what fleet mode supports, keeping their defaults", () => {
    for (const parameter of NARROWED) {
      expect(fleet.Parameters[parameter]!.Default).toBe(source.Parameters[parameter]!.Default);
    }
    expect(fleet.Parameters["SnapshotSource"]!.AllowedValues).toEqual(["create"]);
    const accepts = (parameter: string, value: string) =>
      new RegExp(fleet.Parameters[parameter]!["AllowedPattern"] as string).test(value);
    expect(["", "NO", "no"].every((v) => accepts("SourceRegionOverride", v))).toBe(true);
    expect(accepts("SourceRegionOverride", "eu-west-1")).toBe(false);
    expect(["", "None", "NONE"].every((v) => accepts("ReencryptKmsKey", v))).toBe(true);
    expect(accepts("ReencryptKmsKey", "alias/snapshots")).toBe(false);
  });

  it("bounds the Distributed Map's MaxConcurrency (1..1000, default 10) and ToleratedFailurePercentage (0..100, default 100: one failed target never stops the others)", () => {
    expect(fleet.Parameters["MaxConcurrency"]).toMatchObject({
      Type: "Number",
      Default: "10",
      MinValue: 1,
      MaxValue: 1000,
    });
    expect(fleet.Parameters["ToleratedFailurePercentage"]).toMatchObject({
      Type: "Number",
      Default: "100",
      MinValue: 0,
      MaxValue: 100,
    });
  });

  it("leaves per-target metrics off by default, and says what they cost", () => {
    expect(fleet.Parameters["PerTargetMetrics"]).toMatchObject({
      Default: "FALSE",
      AllowedValues: ["TRUE", "FALSE"],
    });
    expect(fleet.Parameters["PerTargetMetrics"]!.Description).toMatch(/\$0\.30 per metric-month/);
  });

  it.each([
    [
      "OrganizationalUnitIds",
      ["", "ou-ab12-cdefgh34", "r-ab12", "ou-ab12-cdefgh34, ou-zz99-abcdefgh"],
      ["ou-x", "o-abcdefghij", "ou-ab12-cdefgh34;r-ab12"],
    ],
    [
      "FleetRegions",
      ["", "eu-west-1", "us-east-1,eu-central-1"],
      ["EU-WEST-1", "eu-west-1;us-east-1"],
    ],
    ["OrganizationId", ["", "o-abcdefghij"], ["o-short", "ou-ab12-cdefgh34"]],
    [
      "MemberRoleName",
      ["aurora-snapshot-tool-member", "a"],
      ["", "role/with/path", "x".repeat(65)],
    ],
    ["ExternalId", ["", "some-external-id"], ["x", "has space"]],
  ] as const)("%s accepts %j and refuses %j", (parameter, good, bad) => {
    const pattern = new RegExp(fleet.Parameters[parameter]!["AllowedPattern"] as string);
    for (const value of good) expect(pattern.test(value), value).toBe(true);
    for (const value of bad) expect(pattern.test(value), value).toBe(false);
  });

  it("refuses a stack with neither FleetTargets nor OrganizationalUnitIds (a Rules assertion)", () => {
    const rule = (fleet.Rules?.["SomeTargets"] as { Assertions: { Assert: unknown }[] })
      .Assertions[0]!;
    expect(rule.Assert).toEqual({
      "Fn::Not": [
        {
          "Fn::And": [
            { "Fn::Equals": [{ Ref: "FleetTargets" }, ""] },
            { "Fn::Equals": [{ Ref: "OrganizationalUnitIds" }, ""] },
          ],
        },
      ],
    });
  });
});

describe("the fleet template against core's settings registry", () => {
  /** The env vars source.yaml gives its take, share and prune functions. */
  const sourceStepEnv = new Set(
    stepsOf("source").flatMap((s) =>
      Object.keys(
        (source.Resources[s.fn]?.Properties as FunctionProperties).Environment?.Variables ?? {},
      ),
    ),
  );
  const withParameter = settingsOf("source").filter((s) => s.parameter !== undefined);
  const stepSettings = withParameter.filter((s) => sourceStepEnv.has(s.env as string));
  const stepEnv = envOf("lambdaFleetStep");

  it("finds the source steps' settings", () => {
    expect(stepSettings.length).toBeGreaterThan(15);
  });

  it.each(stepSettings.map((s) => [s.parameter as string, s] as const))(
    "has the parameter %s and hands it to the step function",
    (parameter, spec: SettingSpec) => {
      expect(fleet.Parameters[parameter], `parameter ${parameter}`).toBeDefined();
      expect(stepEnv[spec.env as string], spec.env).toEqual({ Ref: parameter });
    },
  );

  it("leaves out only recovery assurance's settings (status and verify are not fleet steps yet)", () => {
    const left = withParameter.filter((s) => !stepSettings.includes(s)).map((s) => s.parameter);
    expect(left.sort()).toEqual(
      [
        "RpoHours",
        "MetricsPerCluster",
        "VerifySample",
        "VerifyDbSubnetGroup",
        "VerifySecurityGroups",
        "VerifyInstanceClass",
        "VerifyCheckLambdaArn",
        "VerifySecretArn",
        "VerifyMaxMinutes",
      ].sort(),
    );
  });

  it("gives the step function the source steps' env and the adapter's, nothing else", () => {
    const known = new Set([...settingsOf("source").map((s) => s.env), ...ADAPTER_ENV]);
    for (const variable of Object.keys(stepEnv)) expect(known.has(variable), variable).toBe(true);
  });

  it("declares the fleet settings core's registry ties to parameters", () => {
    const registry = (coreSettings as Record<string, unknown>)["FLEET_SETTINGS"] as
      Record<string, SettingSpec> | undefined;
    expect(
      registry,
      "FLEET_SETTINGS exported by @aurora-snapshot-tool/core/settings",
    ).toBeDefined();
    const fromRegistry = Object.fromEntries(
      Object.values(registry ?? {})
        .filter((s) => s.parameter !== undefined)
        .map((s) => [s.parameter as string, s.env]),
    );
    expect(fromRegistry).toEqual(FLEET_PARAMETERS);
    for (const parameter of Object.keys(FLEET_PARAMETERS)) {
      expect(fleet.Parameters[parameter], parameter).toBeDefined();
    }
  });

  it("hands the targets function every fleet setting but MaxConcurrency (the Map's own field)", () => {
    const env = envOf("lambdaFleetTargets");
    for (const [parameter, variable] of Object.entries(FLEET_PARAMETERS)) {
      if (parameter === "MaxConcurrency") continue;
      expect(env[variable], variable).toEqual({ Ref: parameter });
    }
    expect(env["FLEET_MAX_CONCURRENCY"]).toBeUndefined();
    expect(env["FLEET_RESULTS_BUCKET"]).toEqual({ Ref: "bucketFleetResults" });
  });

  it("hands the report function the results bucket and the per-target metrics switch", () => {
    const env = envOf("lambdaFleetReport");
    expect(env["FLEET_RESULTS_BUCKET"]).toEqual({ Ref: "bucketFleetResults" });
    expect(env["FLEET_PER_TARGET_METRICS"]).toEqual({ Ref: "PerTargetMetrics" });
  });

  it.each(["lambdaFleetTargets", "lambdaFleetStep", "lambdaFleetReport"])(
    "%s: names the deployment, logs at LogLevel in the tool's metrics namespace",
    (id) => {
      const env = envOf(id);
      expect(env["DEPLOYMENT_NAME"]).toEqual({ Ref: "AWS::StackName" });
      expect(env["LOG_LEVEL"]).toEqual({ Ref: "LogLevel" });
      expect(env["POWERTOOLS_METRICS_NAMESPACE"]).toBe("AuroraSnapshotTool");
    },
  );
});

describe("the fleet template's functions", () => {
  const FUNCTIONS = {
    lambdaFleetTargets: ["fleet_targets_aurora.zip", "logGroupFleetTargets", "iamroleFleetTargets"],
    lambdaFleetStep: ["fleet_step_aurora.zip", "logGroupFleetStep", "iamroleFleetStep"],
    lambdaFleetReport: ["fleet_report_aurora.zip", "logGroupFleetReport", "iamroleFleetReport"],
  } as const;

  it.each(Object.entries(FUNCTIONS))(
    "%s: deploys %s from CodeBucket, index.handler on source.yaml's runtime, logs kept 30 days",
    (id, [zip, logGroup, role]) => {
      const fn = rendered(id);
      const take = source.Resources["lambdaTakeSnapshotsAurora"]!.Properties!;
      expect(fn["Code"]).toEqual({ S3Bucket: { Ref: "CodeBucket" }, S3Key: zip });
      expect(fn["Handler"]).toBe("index.handler");
      expect(fn["Runtime"]).toBe(take["Runtime"]);
      expect(fn["Role"]).toEqual({ "Fn::GetAtt": [role, "Arn"] });
      expect(fn["LoggingConfig"]).toEqual({ LogGroup: { Ref: logGroup } });
      expect(fleet.Resources[logGroup]).toMatchObject({
        Type: "AWS::Logs::LogGroup",
        Properties: { RetentionInDays: 30 },
      });
      expect(Number(fn["Timeout"])).toBeLessThanOrEqual(900);
    },
  );
});

describe("the fleet template's results bucket", () => {
  const bucket = fleet.Resources["bucketFleetResults"] as CfnResource & Record<string, unknown>;
  const properties = bucket.Properties as Record<string, unknown>;

  it("is encrypted, blocks public access and ignores ACLs", () => {
    expect(properties["BucketEncryption"]).toEqual({
      ServerSideEncryptionConfiguration: [
        { ServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } },
      ],
    });
    expect(properties["PublicAccessBlockConfiguration"]).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(properties["OwnershipControls"]).toEqual({
      Rules: [{ ObjectOwnership: "BucketOwnerEnforced" }],
    });
  });

  it("expires results after ResultsRetentionDays (default 90) and is kept with the stack's deletion", () => {
    expect(fleet.Parameters["ResultsRetentionDays"]!.Default).toBe("90");
    expect(properties["LifecycleConfiguration"]).toMatchObject({
      Rules: [{ Status: "Enabled", ExpirationInDays: { Ref: "ResultsRetentionDays" } }],
    });
    expect(bucket["DeletionPolicy"]).toBe("Retain");
    expect(bucket["UpdateReplacePolicy"]).toBe("Retain");
  });

  it("refuses every request without TLS", () => {
    const policy = fleet.Resources["bucketpolicyFleetResults"]!.Properties as Record<
      string,
      unknown
    >;
    expect(policy["Bucket"]).toEqual({ Ref: "bucketFleetResults" });
    expect((policy["PolicyDocument"] as { Statement: unknown[] }).Statement).toEqual([
      {
        Sid: "DenyWithoutTls",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [
          { "Fn::GetAtt": ["bucketFleetResults", "Arn"] },
          { "Fn::Sub": "${bucketFleetResults.Arn}/*" },
        ],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ]);
  });
});

describe("the fleet template's schedules and alarms", () => {
  const rule = (id: string) => fleet.Resources[id]!;

  it.each([
    ["cwEventFleetTake", { "Fn::Sub": "cron(${BackupSchedule})" }, "take", undefined],
    ["cwEventFleetShare", "cron(/10 * * * ? *)", "share", "Share"],
    ["cwEventFleetPrune", "cron(0 /1 * * ? *)", "prune", "DeleteOld"],
  ] as const)(
    "%s: the original's schedule %j starts the state machine with {step: %s}",
    (id, schedule, step, condition) => {
      const r = rule(id);
      expect(r.Condition).toBe(condition);
      expect(r.Properties?.["ScheduleExpression"]).toEqual(schedule);
      const [target] = r.Properties?.["Targets"] as Record<string, unknown>[];
      expect(target?.["Arn"]).toEqual({ Ref: "stateMachineFleetAurora" });
      expect(target?.["RoleArn"]).toEqual({ "Fn::GetAtt": ["iamroleFleetStepInvocation", "Arn"] });
      expect(JSON.parse(target?.["Input"] as string)).toEqual({ step });
    },
  );

  it("ShareSnapshots=FALSE and DeleteOldSnapshots=FALSE remove exactly their schedule and alarm", () => {
    const all = new Set(activeResources(fleet, REQUIRED.fleet));
    const without = new Set(
      activeResources(fleet, {
        ...REQUIRED.fleet,
        ShareSnapshots: "FALSE",
        DeleteOldSnapshots: "FALSE",
      }),
    );
    expect([...all].filter((id) => !without.has(id)).sort()).toEqual(
      [
        "alarmcwFleetDeleteOldIncomplete",
        "alarmcwFleetShareIncomplete",
        "cwEventFleetPrune",
        "cwEventFleetShare",
      ].sort(),
    );
  });

  it("alarms on the state machine's failed executions, in the source stack's style", () => {
    expect(fleet.Resources["alarmcwFleetFailed"]!.Properties).toMatchObject({
      Namespace: "AWS/States",
      MetricName: "ExecutionsFailed",
      Dimensions: [{ Name: "StateMachineArn", Value: { Ref: "stateMachineFleetAurora" } }],
      TreatMissingData: "notBreaching",
    });
  });

  it.each([
    ["alarmcwFleetBackupsIncomplete", "take", "Maximum", 1],
    ["alarmcwFleetShareIncomplete", "share", "Minimum", 2],
    ["alarmcwFleetDeleteOldIncomplete", "prune", "Minimum", 2],
  ] as const)(
    "%s: alarms on the report's targets not complete in %s (incomplete, unreachable or failed; Deployment, Step as core publishes them)",
    (id, step, stat, periods) => {
      const properties = fleet.Resources[id]!.Properties!;
      expect(properties).toMatchObject({
        Threshold: 0,
        ComparisonOperator: "GreaterThanThreshold",
        EvaluationPeriods: periods,
      });
      const metrics = properties["Metrics"] as Record<string, unknown>[];
      expect(metrics[0]).toMatchObject({
        Expression: "incomplete + unreachable + failed",
        ReturnData: true,
      });
      const stats = metrics
        .slice(1)
        .map((m) => [m["Id"], m["MetricStat"] as Record<string, unknown>]);
      expect(stats.map(([id]) => id)).toEqual(["incomplete", "unreachable", "failed"]);
      const names = {
        incomplete: "TargetsIncomplete",
        unreachable: "TargetsUnreachable",
        failed: "TargetsFailed",
      };
      for (const [mid, stat_] of stats as [keyof typeof names, Record<string, unknown>][]) {
        expect(stat_).toEqual({
          Metric: {
            Namespace: "AuroraSnapshotTool",
            MetricName: names[mid],
            Dimensions: [
              { Name: "Deployment", Value: { Ref: "AWS::StackName" } },
              { Name: "Step", Value: step },
            ],
          },
          Period: 3600,
          Stat: stat,
        });
      }
    },
  );

  it("names the metrics and dimensions core's fleetMetrics publishes", async () => {
    const { fleetMetrics } = await import("@aurora-snapshot-tool/core");
    const published = fleetMetrics(
      "take",
      { complete: 1, incomplete: 1, unreachable: 1, failed: 1 },
      "d",
    );
    const alarmed = (
      fleet.Resources["alarmcwFleetBackupsIncomplete"]!.Properties!["Metrics"] as Record<
        string,
        Record<string, Record<string, unknown>>
      >[]
    )
      .slice(1)
      .map((m) => m["MetricStat"]!["Metric"]!);
    for (const metric of alarmed) {
      const datum = published.find((d) => d.name === metric["MetricName"]);
      expect(datum, String(metric["MetricName"])).toBeDefined();
      expect(Object.keys(datum!.dimensions ?? {}).sort()).toEqual(
        (metric["Dimensions"] as { Name: string }[]).map((d) => d.Name).sort(),
      );
    }
  });

  it.each([
    "alarmcwFleetFailed",
    "alarmcwFleetBackupsIncomplete",
    "alarmcwFleetShareIncomplete",
    "alarmcwFleetDeleteOldIncomplete",
  ])("%s: notifies the stack's own topic, or the one given in SNSTopic", (id) => {
    const topic = {
      "Fn::If": ["SNSTopicIsEmpty", { Ref: "snsTopicSnapshotsAuroraTool" }, { Ref: "SNSTopic" }],
    };
    expect(fleet.Resources[id]!.Properties).toMatchObject({
      AlarmActions: [topic],
      OKActions: [topic],
    });
  });

  it("outputs the step role (for the member roles), the results bucket and the state machine", () => {
    expect(fleet.Outputs).toMatchObject({
      StepRoleArn: { Value: { "Fn::GetAtt": ["iamroleFleetStep", "Arn"] } },
      StepRoleName: { Value: { Ref: "iamroleFleetStep" } },
      ResultsBucket: { Value: { Ref: "bucketFleetResults" } },
      StateMachineArn: { Value: { Ref: "stateMachineFleetAurora" } },
    });
  });
});

describe("the member-role template", () => {
  it("has no code and one resource: the role, named MemberRoleName", () => {
    expect(Object.keys(member.Resources)).toEqual(["iamroleFleetMember"]);
    expect(member.Resources["iamroleFleetMember"]!.Properties?.["RoleName"]).toEqual({
      Ref: "MemberRoleName",
    });
  });

  it("defaults MemberRoleName as core's FLEET_MEMBER_ROLE_NAME does, and CentralStepRoleName to fleet.yaml's name for a stack aurora-snapshot-tool-fleet", () => {
    const registry = (coreSettings as Record<string, unknown>)["FLEET_SETTINGS"] as
      Record<string, SettingSpec> | undefined;
    expect(member.Parameters["MemberRoleName"]!.Default).toBe(
      registry?.["memberRoleName"]?.defaultText,
    );
    expect(fleet.Parameters["MemberRoleName"]!.Default).toBe(
      member.Parameters["MemberRoleName"]!.Default,
    );
    const roleName = fleet.Resources["iamroleFleetStep"]!.Properties?.["RoleName"] as {
      "Fn::Sub": string;
    };
    expect(roleName["Fn::Sub"].replace("${AWS::StackName}", "aurora-snapshot-tool-fleet")).toBe(
      member.Parameters["CentralStepRoleName"]!.Default,
    );
  });

  it("declares DestinationAccount as source.yaml does (the share marker's value)", () => {
    const { Description: _a, ...ours } = member.Parameters["DestinationAccount"]!;
    const { Description: _b, ...theirs } = source.Parameters["DestinationAccount"]!;
    expect(ours).toEqual(theirs);
  });

  it("refuses a stack with neither OrganizationId nor ExternalId (a Rules assertion)", () => {
    const rule = (
      member.Rules?.["TrustNeedsOrganizationOrExternalId"] as { Assertions: { Assert: unknown }[] }
    ).Assertions[0]!;
    expect(rule.Assert).toEqual({
      "Fn::Not": [
        {
          "Fn::And": [
            { "Fn::Equals": [{ Ref: "OrganizationId" }, ""] },
            { "Fn::Equals": [{ Ref: "ExternalId" }, ""] },
          ],
        },
      ],
    });
  });

  it("takes a 12-digit CentralAccountId only", () => {
    const pattern = new RegExp(member.Parameters["CentralAccountId"]!["AllowedPattern"] as string);
    expect(pattern.test("111111111111")).toBe(true);
    expect(pattern.test("11111111111")).toBe(false);
    expect(pattern.test("")).toBe(false);
  });
});
