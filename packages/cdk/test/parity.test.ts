import { App, Stack } from "aws-cdk-lib";
import { Template as Assertions } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import {
  DestinationSnapshotTool,
  SourceSnapshotTool,
  type DestinationSnapshotToolProps,
  type SourceSnapshotToolProps,
} from "../src/index.js";
import { fakeCodeDirectory, outdir } from "./support/fake-code.js";
import {
  actionsPerRole,
  loadYamlTemplate,
  ofType,
  render,
  withDefaults,
  type Template,
} from "./support/render.js";

interface Scenario {
  readonly name: string;
  readonly template: "source" | "dest";
  readonly synth: (stack: Stack, codeDirectory: string) => void;
  /** The same settings as template parameters, written out by hand (not by the construct). */
  readonly parameters: Record<string, string>;
}

const sourceProps: SourceSnapshotToolProps = {
  retentionDays: 9,
  destinationAccount: "222222222222",
  snapshotNamePrefix: "nightly",
  clusterPattern: "^prod-",
  keepDaily: 3,
  includeTags: "team=db",
  metricsPerCluster: false,
  backupSchedule: "30 2 * * ? *",
  logLevel: "INFO",
  verifyEnabled: true,
  heartbeatHours: 26,
};

const crossAccountProps: DestinationSnapshotToolProps = {
  destinationRegions: ["us-west-2", "eu-west-1"],
  sourceAccounts: ["111111111111"],
  crossAccount: true,
  retentionDays: 14,
  sourceRetentionDays: 9,
  maxCopiesInFlight: 3,
  copyMode: "two-step",
  verifyEnabled: true,
};

const sameAccountProps: DestinationSnapshotToolProps = {
  destinationRegions: "us-west-2",
  crossAccount: false,
  deleteOldSnapshots: false,
  snsTopicArn: "arn:aws:sns:us-east-1:222222222222:ops-alarms",
  statusSchedule: "rate(2 hours)",
};

const SCENARIOS: readonly Scenario[] = [
  {
    name: "source, sharing and verify on",
    template: "source",
    synth: (stack, codeDirectory) =>
      new SourceSnapshotTool(stack, "Tool", { ...sourceProps, codeDirectory }),
    parameters: {
      RetentionDays: "9",
      DestinationAccount: "222222222222",
      SnapshotNamePrefix: "nightly",
      ClusterNamePattern: "^prod-",
      KeepDaily: "3",
      ClusterTagsInclude: "team=db",
      MetricsPerCluster: "FALSE",
      BackupSchedule: "30 2 * * ? *",
      LogLevel: "INFO",
      VerifyEnabled: "TRUE",
      HeartbeatHours: "26",
    },
  },
  {
    name: "destination, cross-account with an event bus",
    template: "dest",
    synth: (stack, codeDirectory) =>
      new DestinationSnapshotTool(stack, "Tool", { ...crossAccountProps, codeDirectory }),
    parameters: {
      DestinationRegion: "us-west-2,eu-west-1",
      SourceAccounts: "111111111111",
      CrossAccountCopy: "TRUE",
      RetentionDays: "14",
      SourceRetentionDays: "9",
      MaxCopiesInFlight: "3",
      CopyMode: "two-step",
      VerifyEnabled: "TRUE",
    },
  },
  {
    name: "destination, same account, no prune, existing topic",
    template: "dest",
    synth: (stack, codeDirectory) =>
      new DestinationSnapshotTool(stack, "Tool", { ...sameAccountProps, codeDirectory }),
    parameters: {
      DestinationRegion: "us-west-2",
      CrossAccountCopy: "FALSE",
      DeleteOldSnapshots: "FALSE",
      SNSTopic: "arn:aws:sns:us-east-1:222222222222:ops-alarms",
      StatusSchedule: "rate(2 hours)",
    },
  },
];

function envVars(t: Template): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(ofType(t, "AWS::Lambda::Function")).map(([id, r]) => [
      id,
      (r.Properties?.Environment as { Variables?: unknown } | undefined)?.Variables,
    ]),
  );
}

function schedules(t: Template): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(ofType(t, "AWS::Events::Rule")).map(([id, r]) => [
      id,
      r.Properties?.ScheduleExpression ?? r.Properties?.EventPattern,
    ]),
  );
}

/** Each state machine's definition, parsed: `${...}` placeholders are inside JSON strings. */
function definitions(t: Template): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(ofType(t, "AWS::StepFunctions::StateMachine")).map(([id, r]) => {
      const d = r.Properties?.DefinitionString as string | { "Fn::Sub": unknown };
      const text = typeof d === "string" ? d : (d["Fn::Sub"] as string | [string, unknown]);
      return [id, JSON.parse(Array.isArray(text) ? text[0] : text)];
    }),
  );
}

function withoutCode(t: Template): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(t.Resources).map(([id, r]) => {
      if (r.Type !== "AWS::Lambda::Function") return [id, r];
      const { Code: _, ...properties } = r.Properties ?? {};
      return [id, { Type: r.Type, Properties: properties }];
    }),
  );
}

describe.each(SCENARIOS)("$name: the construct deploys what the template deploys", (scenario) => {
  let cdk: Template;
  let yaml: Template;

  beforeAll(() => {
    const app = new App({ outdir: outdir() });
    const stack = new Stack(app, "Parity", {
      env: { account: "222222222222", region: "us-east-1" },
    });
    scenario.synth(stack, fakeCodeDirectory());
    const synthesized = Assertions.fromStack(stack).toJSON() as Template;
    // Nothing is left to set at deploy time: the template's parameters all have their values.
    expect(Object.keys(synthesized.Parameters ?? {})).toEqual(["BootstrapVersion"]);
    cdk = render(synthesized, {});
    const original = loadYamlTemplate(scenario.template);
    yaml = render(original, withDefaults(original, { ...scenario.parameters, CodeBucket: "x" }));
  });

  it("has the same Lambda functions", () => {
    const ids = Object.keys(ofType(cdk, "AWS::Lambda::Function")).sort();
    expect(ids.length).toBeGreaterThanOrEqual(2);
    expect(ids).toEqual(Object.keys(ofType(yaml, "AWS::Lambda::Function")).sort());
  });

  it("gives every function the same environment variables", () => {
    expect(envVars(cdk)).toEqual(envVars(yaml));
  });

  it("has the same schedules and event rules", () => {
    expect(schedules(cdk)).toEqual(schedules(yaml));
  });

  it("has the same state machine definitions, retry policies included", () => {
    const cdkDefinitions = definitions(cdk);
    expect(cdkDefinitions).toEqual(definitions(yaml));
    const retries = JSON.stringify(cdkDefinitions);
    expect(retries).toContain('"ErrorEquals":["SnapshotToolException"]');
  });

  it("has the same alarms", () => {
    const alarms = ofType(cdk, "AWS::CloudWatch::Alarm");
    expect(Object.keys(alarms).length).toBeGreaterThan(0);
    expect(alarms).toEqual(ofType(yaml, "AWS::CloudWatch::Alarm"));
  });

  it("grants every role the same IAM actions", () => {
    expect(actionsPerRole(cdk)).toEqual(actionsPerRole(yaml));
  });

  it("differs from the template only in each function's Code, an asset", () => {
    expect(withoutCode(cdk)).toEqual(withoutCode(yaml));
    expect(cdk.Outputs).toEqual(yaml.Outputs);
    for (const [id, fn] of Object.entries(ofType(cdk, "AWS::Lambda::Function"))) {
      const code = JSON.stringify(fn.Properties?.Code);
      expect(code, id).toMatch(/[0-9a-f]{64}\.zip/);
      expect(code, id).not.toContain("replaced-by-cdk-assets");
      expect(code, id).toContain("cdk-hnb659fds-assets-222222222222-us-east-1");
    }
  });
});
