/**
 * Recovery assurance in the templates: the status function and its schedule, the alarms on the
 * tool's own metrics (names, dimensions and namespace are core's METRIC contract), the dashboard
 * and the opt-in restore verification.
 */
import { METRIC, METRICS_NAMESPACE } from "@aurora-snapshot-tool/core";
import aslValidator from "asl-validator";
import { describe, expect, it } from "vitest";

import {
  placeholderResolver,
  stateMachineDefinitions,
  type TemplateName,
} from "../src/templates.js";
import { ASSURANCE } from "./support/assurance-contract.js";
import { PSEUDO_PARAMETERS, type ParameterValues } from "./support/cfn-conditions.js";
import { deployStack, renderDeep } from "./support/cfn-iam.js";
import {
  REQUIRED_PARAMETERS as REQUIRED,
  TEMPLATE_NAMES as NAMES,
  TEMPLATES as templates,
} from "./support/template-fixtures.js";

const STACK = PSEUDO_PARAMETERS["AWS::StackName"]!;
const METRIC_NAMES = new Set<string>(Object.values(METRIC));
/** CloudWatch: EvaluationPeriods x Period at most 7 days for periods of an hour or more. */
const MAX_EVALUATION_SECONDS = 7 * 24 * 3600;

/** A resource as one stack deploys it: conditions applied, every intrinsic rendered. */
function deployed(name: TemplateName, id: string, given: ParameterValues = {}) {
  const stack = deployStack(
    templates[name],
    { ...REQUIRED[name], ...given },
    { account: PSEUDO_PARAMETERS["AWS::AccountId"]!, region: PSEUDO_PARAMETERS["AWS::Region"]! },
  );
  if (!stack.active.has(id))
    throw new Error(`${name}: ${id} is not created with ${JSON.stringify(given)}`);
  const resource = templates[name].Resources[id]!;
  return {
    Type: resource.Type,
    Condition: resource.Condition,
    Properties: renderDeep(stack, resource.Properties, id) as Record<string, unknown>,
    stack,
  };
}

const dimensions = (properties: Record<string, unknown>) =>
  Object.fromEntries(
    (properties["Dimensions"] as { Name: string; Value: string }[]).map((d) => [d.Name, d.Value]),
  );

describe.each(NAMES)("the %s template's status function", (name) => {
  const a = ASSURANCE[name];

  it("runs the status zip like the other functions, logging to its own group", () => {
    const fn = deployed(name, a.status.fn);
    expect(fn.Properties).toMatchObject({
      Runtime: "nodejs24.x",
      Handler: "index.handler",
      Timeout: 300,
      MemorySize: 512,
      Code: { S3Bucket: "code-bucket", S3Key: a.status.zip },
      LoggingConfig: { LogGroup: `<${a.status.logGroup}>` },
    });
    expect(templates[name].Resources[a.status.logGroup]?.Properties?.["RetentionInDays"]).toBe(30);
  });

  it("reads the side's policy, the RPO and the metric settings, and names the deployment and namespace", () => {
    const env = (
      deployed(name, a.status.fn).Properties["Environment"] as {
        Variables: Record<string, string>;
      }
    ).Variables;
    expect(env).toMatchObject({
      DEPLOYMENT_NAME: STACK,
      RPO_HOURS: "",
      METRICS_PER_CLUSTER: "TRUE",
      LOG_LEVEL: "ERROR",
      POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      TOOL_SIDE: a.side,
    });
    if (name === "source") {
      expect(env).toMatchObject({
        PATTERN: "ALL_CLUSTERS",
        INTERVAL: "24",
        DEST_ACCOUNT: "000000000000",
      });
      // With ShareSnapshots FALSE nothing is shared, so status looks for no shared place.
      const noShare = (
        deployed(name, a.status.fn, { ShareSnapshots: "FALSE" }).Properties["Environment"] as {
          Variables: Record<string, string>;
        }
      ).Variables;
      expect(noShare["DEST_ACCOUNT"]).toBe("");
    } else {
      expect(env).toMatchObject({ SNAPSHOT_PATTERN: "ALL_SNAPSHOTS", DEST_REGION: "us-west-2" });
    }
    expect(deployed(name, a.status.fn, { RpoHours: "30" }).Properties["Environment"]).toMatchObject(
      { Variables: { RPO_HOURS: "30" } },
    );
  });

  it("is invoked on StatusSchedule by EventBridge, which only that rule may do", () => {
    const rule = deployed(name, a.status.rule);
    expect(rule.Properties).toMatchObject({
      ScheduleExpression: "rate(1 hour)",
      State: "ENABLED",
      Targets: [
        { Id: "Target1", Arn: `arn:aws:lambda:us-east-1:123456789012:function:${a.status.fn}` },
      ],
    });
    expect(templates[name].Resources[a.status.permission]?.Properties).toEqual({
      Action: "lambda:InvokeFunction",
      FunctionName: { "Fn::GetAtt": [a.status.fn, "Arn"] },
      Principal: "events.amazonaws.com",
      SourceAccount: { Ref: "AWS::AccountId" },
      SourceArn: { "Fn::GetAtt": [a.status.rule, "Arn"] },
    });
  });
});

describe.each(NAMES)("the %s template's assurance alarms", (name) => {
  const a = ASSURANCE[name];
  const alarms = [a.rpoAlarm, a.heartbeat.alarm, a.verify.verificationsAlarm];
  const given = { VerifyEnabled: "TRUE" };
  /** A metric with the {Deployment, Side} dimension set of this side. */
  const sideMetric = (metric: string) => ({
    MetricName: metric,
    Dimensions: [
      { Name: "Deployment", Value: STACK },
      { Name: "Side", Value: a.side },
    ],
  });

  it.each(alarms)(
    "%s: a metric of core's METRIC in the tool's namespace, Deployment = the stack",
    (id) => {
      const p = deployed(name, id, given).Properties;
      expect(p["Namespace"]).toBe(METRICS_NAMESPACE);
      expect(METRIC_NAMES.has(p["MetricName"] as string), String(p["MetricName"])).toBe(true);
      expect(dimensions(p)["Deployment"]).toBe(STACK);
    },
  );

  it.each(alarms)("%s: notifies the stack's topic, or the one given in SNSTopic", (id) => {
    expect(deployed(name, id, given).Properties).toMatchObject({
      AlarmActions: [`<${a.topic}>`],
      OKActions: [`<${a.topic}>`],
    });
    const mine = "arn:aws:sns:us-east-1:123456789012:mine";
    expect(deployed(name, id, { ...given, SNSTopic: mine }).Properties).toMatchObject({
      AlarmActions: [mine],
      OKActions: [mine],
    });
  });

  it("RPO: any cluster-place beyond its RPO in the last hour, missing data breaching", () => {
    const p = deployed(name, a.rpoAlarm).Properties;
    expect(p).toMatchObject({
      ...sideMetric(METRIC.placesBeyondRpo),
      Statistic: "Maximum",
      Period: 3600,
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      Threshold: 0,
      ComparisonOperator: "GreaterThanThreshold",
      TreatMissingData: "breaching",
    });
    expect(p["AlarmDescription"]).toMatch(/RpoHours/);
    expect(p["AlarmDescription"]).toMatch(/missing/);
    expect(String(p["AlarmDescription"]).length).toBeLessThanOrEqual(1024);
  });

  it(`heartbeat: no successful ${a.heartbeat.step} run in HeartbeatHours hourly periods, missing data breaching`, () => {
    const p = deployed(name, a.heartbeat.alarm).Properties;
    expect(p).toMatchObject({
      MetricName: METRIC.runsSucceeded,
      Dimensions: [
        { Name: "Deployment", Value: STACK },
        { Name: "Step", Value: a.heartbeat.step },
      ],
      Statistic: "Sum",
      Period: 3600,
      EvaluationPeriods: String(a.heartbeat.defaultHours),
      DatapointsToAlarm: String(a.heartbeat.defaultHours),
      Threshold: 1,
      ComparisonOperator: "LessThanThreshold",
      TreatMissingData: "breaching",
    });
  });

  it("heartbeat: every HeartbeatHours the parameter admits stays within CloudWatch's 7-day evaluation range", () => {
    const parameter = templates[name].Parameters["HeartbeatHours"] as unknown as {
      MinValue: number;
      MaxValue: number;
      Default: string;
    };
    expect(parameter.MinValue).toBe(1);
    for (const hours of [parameter.MinValue, Number(parameter.Default), parameter.MaxValue]) {
      const p = deployed(name, a.heartbeat.alarm, { HeartbeatHours: String(hours) }).Properties;
      const periods = Number(p["EvaluationPeriods"]);
      expect(periods).toBe(hours);
      expect(Number(p["DatapointsToAlarm"])).toBe(periods);
      expect(periods * (p["Period"] as number)).toBeLessThanOrEqual(MAX_EVALUATION_SECONDS);
    }
    expect((parameter.MaxValue + 1) * 3600).toBeGreaterThan(MAX_EVALUATION_SECONDS);
  });

  it("heartbeat: the default window holds at least one scheduled run", () => {
    // take runs daily on the default BackupSchedule; copy every 30 minutes.
    const scheduleHours = name === "source" ? 24 : 0.5;
    expect(a.heartbeat.defaultHours).toBeGreaterThan(scheduleHours);
  });

  it("verifications: any failed verification (Sum > 0), missing data not breaching, only with VerifyEnabled", () => {
    expect(templates[name].Resources[a.verify.verificationsAlarm]?.Condition).toBe("Verify");
    expect(deployed(name, a.verify.verificationsAlarm, given).Properties).toMatchObject({
      ...sideMetric(METRIC.verificationsFailed),
      Statistic: "Sum",
      Threshold: 0,
      ComparisonOperator: "GreaterThanThreshold",
      TreatMissingData: "notBreaching",
    });
  });

  it("verify: alarms on the first failed execution of its state machine", () => {
    expect(deployed(name, a.verify.failedAlarm, given).Properties).toMatchObject({
      Namespace: "AWS/States",
      MetricName: "ExecutionsFailed",
      Dimensions: [{ Name: "StateMachineArn", Value: `<${a.verify.stateMachine}>` }],
      Statistic: "Sum",
      Threshold: 1,
      ComparisonOperator: "GreaterThanOrEqualToThreshold",
      TreatMissingData: "notBreaching",
    });
  });
});

describe.each(NAMES)("the %s template's dashboard", (name) => {
  const a = ASSURANCE[name];
  type Widget = { properties: { metrics: unknown[][]; annotations?: unknown; region: string } };
  const body = (given: ParameterValues = {}) => {
    const text = deployed(name, a.dashboard, given).Properties["DashboardBody"];
    expect(typeof text).toBe("string");
    return JSON.parse(text as string) as { widgets: Widget[] };
  };
  /** Every metric a widget names: plain entries and the MetricName terms of SEARCH expressions. */
  const referenced = (widgets: readonly Widget[]) => {
    const names: string[] = [];
    const namespaces: string[] = [];
    for (const w of widgets) {
      for (const entry of w.properties.metrics) {
        const [first, second] = entry;
        if (typeof first === "string") {
          namespaces.push(first);
          names.push(second as string);
          continue;
        }
        const expression = (first as { expression: string }).expression;
        for (const m of expression.matchAll(/MetricName="([^"]+)"/g)) names.push(m[1]!);
        for (const m of expression.matchAll(/\{([A-Za-z]+),/g)) namespaces.push(m[1]!);
        if (expression.startsWith("SEARCH(")) {
          expect(expression).toContain(`Deployment="${STACK}"`);
        }
      }
    }
    return { names, namespaces };
  };

  it("is valid JSON once CloudFormation has substituted it, with or without RpoHours", () => {
    expect(body().widgets.length).toBeGreaterThanOrEqual(6);
    expect(body({ RpoHours: "26" }).widgets.length).toBe(body().widgets.length);
    for (const w of body().widgets) expect(w.properties.region).toBe("us-east-1");
  });

  it("refers only to core's METRIC names in the tool's namespace", () => {
    const { names, namespaces } = referenced(body().widgets);
    expect(names.filter((n) => !METRIC_NAMES.has(n))).toEqual([]);
    expect(new Set(namespaces)).toEqual(new Set([METRICS_NAMESPACE]));
    const expected = [
      METRIC.recoveryPointAgeMinutes,
      METRIC.placesProtected,
      METRIC.placesAtRisk,
      METRIC.placesUnprotected,
      METRIC.placesBeyondRpo,
      METRIC.runsSucceeded,
      METRIC.runsFailed,
      METRIC.verificationsSucceeded,
      METRIC.verificationsFailed,
      ...(name === "dest" ? [METRIC.copiesInFlight, METRIC.copyBacklog] : []),
    ];
    expect(names).toEqual(expect.arrayContaining(expected));
  });

  it("shows the age per cluster and place with a SEARCH over the per-cluster dimension set", () => {
    const search = body()
      .widgets.flatMap((w) => w.properties.metrics)
      .map((e) => (e[0] as { expression?: string }).expression ?? "")
      .find((e) => e.includes(METRIC.recoveryPointAgeMinutes));
    expect(search).toBe(
      `SEARCH('{${METRICS_NAMESPACE},Deployment,Side,Place,Region,Cluster} MetricName="${METRIC.recoveryPointAgeMinutes}" Deployment="${STACK}" Side="${a.side}"', 'Maximum', 3600)`,
    );
  });

  it("draws RpoHours as a line on the fleet-wide age (in hours) only when it is set", () => {
    const annotations = (given: ParameterValues) =>
      body(given)
        .widgets.map((w) => w.properties.annotations)
        .filter((x) => x !== undefined);
    expect(annotations({})).toEqual([{ horizontal: [] }]);
    expect(annotations({ RpoHours: "26" })).toEqual([
      { horizontal: [{ label: "RpoHours", value: 26 }] },
    ]);
  });
});

describe.each(NAMES)("the %s template's restore verification", (name) => {
  const a = ASSURANCE[name];
  const definition = stateMachineDefinitions(templates[name])[a.verify.stateMachine]!;
  const fnArn = placeholderResolver(templates[name])(a.verify.fn, "Arn");

  it("is off by default (VerifyEnabled FALSE)", () => {
    expect(templates[name].Parameters["VerifyEnabled"]).toMatchObject({
      Default: "FALSE",
      AllowedValues: ["TRUE", "FALSE"],
    });
  });

  it("passes asl-validator", () => {
    const result = aslValidator(structuredClone(definition));
    expect(result.errorsText()).toBe("");
    expect(result.isValid).toBe(true);
  });

  it("loops Init -> VerifyRound -> MoreToVerify -> WaitForVerification (SecondsPath) -> NextRound -> VerifyRound, retrying Lambda errors but not SnapshotToolException", () => {
    expect(definition.StartAt).toBe("Init");
    const s = definition.States;
    expect(s["Init"]).toMatchObject({ Type: "Pass", Next: "VerifyRound" });
    expect(s["VerifyRound"]).toMatchObject({
      Type: "Task",
      Resource: fnArn,
      Next: "MoreToVerify",
      Retry: [
        { ErrorEquals: ["SnapshotToolException"], MaxAttempts: 0 },
        { ErrorEquals: ["States.ALL"], IntervalSeconds: 30, MaxAttempts: 20, BackoffRate: 1 },
      ],
    });
    expect(s["MoreToVerify"]).toMatchObject({ Type: "Choice", Default: "Done" });
    expect(s["WaitForVerification"]).toEqual({
      Type: "Wait",
      SecondsPath: "$.waitSeconds",
      Next: "NextRound",
    });
    expect(s["NextRound"]).toMatchObject({ Type: "Pass", Next: "VerifyRound" });
    expect(s["Done"]).toEqual({ Type: "Succeed" });
  });

  it("starts on VerifySchedule, as the events role, run by the state-machine role", () => {
    expect(deployed(name, a.verify.rule, { VerifyEnabled: "TRUE" }).Properties).toMatchObject({
      ScheduleExpression: "cron(0 3 ? * SUN *)",
      State: "ENABLED",
      Targets: [{ Id: "Target1", Arn: `<${a.verify.stateMachine}>` }],
    });
    expect(templates[name].Resources[a.verify.stateMachine]?.Properties?.["RoleArn"]).toEqual({
      "Fn::GetAtt": ["iamroleStateExecution", "Arn"],
    });
  });

  it("hands the function the side's policy, the VERIFY_* settings and the deployment's name", () => {
    const env = (
      deployed(name, a.verify.fn, { VerifyEnabled: "TRUE" }).Properties["Environment"] as {
        Variables: Record<string, string>;
      }
    ).Variables;
    expect(env).toMatchObject({
      DEPLOYMENT_NAME: STACK,
      TOOL_SIDE: a.side,
      VERIFY_SAMPLE: "0",
      VERIFY_DB_SUBNET_GROUP: "default",
      VERIFY_SECURITY_GROUPS: "",
      VERIFY_INSTANCE_CLASS: "db.serverless",
      VERIFY_CHECK_LAMBDA_ARN: "",
      VERIFY_SECRET_ARN: "",
      VERIFY_MAX_MINUTES: "120",
      ...(name === "dest" && { VERIFY_REGION: "", DEST_REGION: "us-west-2" }),
      ...(name === "source" && { PATTERN: "ALL_CLUSTERS" }),
    });
    expect(deployed(name, a.verify.fn, { VerifyEnabled: "TRUE" }).Properties["Code"]).toEqual({
      S3Bucket: "code-bucket",
      S3Key: a.verify.zip,
    });
  });
});
