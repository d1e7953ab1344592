/**
 * Deploys both templates into moto's CloudFormation and checks what it created. moto does not
 * create CloudWatch alarms, SNS topic policies or event bus policies from a template (it skips
 * them with a warning), so those types are checked by the static template tests only.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";

import { startMotoServer, type MotoServer } from "@aurora-snapshot-tool/test-support";
import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStacksCommand,
  ListStackResourcesCommand,
  type StackResourceSummary,
} from "@aws-sdk/client-cloudformation";
import {
  DescribeRuleCommand,
  EventBridgeClient,
  ListTargetsByRuleCommand,
} from "@aws-sdk/client-eventbridge";
import { GetFunctionConfigurationCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { DescribeStateMachineCommand, SFNClient } from "@aws-sdk/client-sfn";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import {
  loadTemplate,
  templatePath,
  type StateMachineDefinition,
  type TemplateName,
} from "../src/templates.js";
import {
  activeResources,
  parameterValues,
  type ParameterValues,
} from "./support/cfn-conditions.js";
import { stepsOf, ZIP_NAMES, type StepContract } from "./support/original-contract.js";
import { zipArchive } from "../scripts/zip-archive.js";
import { ASSURANCE } from "./support/assurance-contract.js";

const REGION = "us-east-1";
const BUCKET = "snapshot-tool-code";
/** Resource types moto's CloudFormation skips; everything else in a template must be created. */
const NOT_CREATED_BY_MOTO = new Set([
  "AWS::CloudWatch::Alarm",
  "AWS::SNS::TopicPolicy",
  "AWS::Events::EventBusPolicy",
]);
const REQUIRED: Record<TemplateName, ParameterValues> = {
  source: { CodeBucket: BUCKET },
  dest: { CodeBucket: BUCKET, DestinationRegion: "us-west-2" },
};

/** The status and verify functions' zips, added by this project. */
const ASSURANCE_ZIPS = Object.values(ASSURANCE).flatMap((a) => [a.status.zip, a.verify.zip]);
/** Each zip's index.mjs names the zip, so the functions' CodeSha256 tells which zip they got. */
const ZIPS = new Map(
  [...ZIP_NAMES, ...ASSURANCE_ZIPS].map((key) => [
    key,
    zipArchive([
      {
        name: "index.mjs",
        data: Buffer.from(`export const handler = async () => ${JSON.stringify(key)};\n`),
      },
    ]),
  ]),
);
const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("base64");

let moto: MotoServer;
let cfn: CloudFormationClient;
let lambda: LambdaClient;
let sfn: SFNClient;
let events: EventBridgeClient;

beforeAll(async () => {
  moto = await startMotoServer();
  const config = {
    endpoint: moto.endpoint,
    region: REGION,
    credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
  };
  cfn = new CloudFormationClient(config);
  lambda = new LambdaClient(config);
  sfn = new SFNClient(config);
  events = new EventBridgeClient(config);
  const s3 = new S3Client({ ...config, forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  for (const [key, body] of ZIPS) {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
  }
  s3.destroy();
}, 60_000);

afterAll(async () => {
  for (const client of [cfn, lambda, sfn, events]) client?.destroy();
  await moto?.stop();
});

interface Deployed {
  readonly status: string | undefined;
  readonly outputs: Record<string, string>;
  /** Logical id -> physical id, for what moto created. */
  readonly resources: Map<string, StackResourceSummary>;
}

let stackCount = 0;

async function deploy(name: TemplateName, given: ParameterValues): Promise<Deployed> {
  const stackName = `snapshot-tool-${name}-${++stackCount}`;
  const parameters = { ...REQUIRED[name], ...given };
  await cfn.send(
    new CreateStackCommand({
      StackName: stackName,
      TemplateBody: readFileSync(templatePath(name), "utf8"),
      Parameters: Object.entries(parameters).map(([ParameterKey, ParameterValue]) => ({
        ParameterKey,
        ParameterValue,
      })),
      Capabilities: ["CAPABILITY_IAM"],
    }),
  );
  // moto creates the stack within the call; the loop only guards against an IN_PROGRESS answer.
  let stack;
  for (let attempt = 0; attempt < 50; attempt++) {
    const answer = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
    stack = answer.Stacks?.[0];
    if (!stack?.StackStatus?.endsWith("_IN_PROGRESS")) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const listed = await cfn.send(new ListStackResourcesCommand({ StackName: stackName }));
  return {
    status: stack?.StackStatus,
    outputs: Object.fromEntries(
      (stack?.Outputs ?? []).map((o) => [o.OutputKey ?? "", o.OutputValue ?? ""]),
    ),
    resources: new Map(
      (listed.StackResourceSummaries ?? [])
        // moto lists the resources it skipped (alarms, topic policies) as entries with no ids.
        .filter((r) => r.LogicalResourceId)
        .map((r) => [r.LogicalResourceId ?? "", r]),
    ),
  };
}

function physicalId(deployed: Deployed, logicalId: string): string {
  const id = deployed.resources.get(logicalId)?.PhysicalResourceId;
  if (!id) throw new Error(`moto created no ${logicalId}`);
  return id;
}

const CASES: { name: TemplateName; given: ParameterValues; label: string }[] = [
  { name: "source", given: {}, label: "default parameters" },
  {
    name: "source",
    given: { ShareSnapshots: "FALSE", DeleteOldSnapshots: "FALSE" },
    label: "ShareSnapshots and DeleteOldSnapshots FALSE",
  },
  { name: "dest", given: {}, label: "default parameters" },
  {
    name: "dest",
    given: { DeleteOldSnapshots: "FALSE", CrossAccountCopy: "FALSE" },
    label: "DeleteOldSnapshots and CrossAccountCopy FALSE",
  },
  {
    name: "dest",
    given: { SourceAccounts: "111111111111,333333333333" },
    label: "SourceAccounts set (the share events bus)",
  },
  {
    name: "source",
    given: {
      VerifyEnabled: "TRUE",
      RpoHours: "26",
      VerifySecretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf",
    },
    label: "restore verification on (VerifyEnabled, a secret) and RpoHours set",
  },
  {
    name: "dest",
    given: { VerifyEnabled: "TRUE", DestinationRegion: "us-west-2, eu-west-1" },
    label: "restore verification on, two destination regions",
  },
  {
    name: "source",
    given: { ReencryptKmsKey: "alias/share-snapshots" },
    label: "ReencryptKmsKey set (share's re-encrypting copies)",
  },
];

describe.each(CASES)("the $name template deployed to moto with $label", ({ name, given }) => {
  const template = loadTemplate(name);
  const values = parameterValues(template, { ...REQUIRED[name], ...given });
  const expected = activeResources(template, { ...REQUIRED[name], ...given });
  const deployedSteps = stepsOf(name).filter((s) => expected.includes(s.fn));
  const removedSteps = stepsOf(name).filter((s) => !expected.includes(s.fn));
  let deployed: Deployed;

  beforeAll(async () => {
    deployed = await deploy(name, given);
  }, 60_000);

  it("reaches CREATE_COMPLETE", () => {
    expect(deployed.status).toBe("CREATE_COMPLETE");
  });

  it("creates exactly the resources its conditions keep", () => {
    const creatable = expected.filter(
      (id) => !NOT_CREATED_BY_MOTO.has(template.Resources[id]?.Type ?? ""),
    );
    expect([...deployed.resources.keys()].sort()).toEqual(creatable);
  });

  it("outputs the topic it created for the alarms", () => {
    const topic =
      name === "source" ? "snsTopicSnapshotsAuroraTool" : "snsTopicSnapshotsAuroraToolDest";
    expect(deployed.outputs["SNSTopic"]).toBe(physicalId(deployed, topic));
    expect(deployed.outputs["SNSTopic"]).toMatch(/^arn:aws:sns:us-east-1:\d{12}:/);
  });

  const envFor = (step: StepContract) =>
    Object.fromEntries(Object.entries(step.env).map(([key, p]) => [key, values[p]]));
  const zipFor = (step: StepContract) =>
    values["CrossAccountCopy"] === "FALSE" ? step.zip.sameAccount : step.zip.crossAccount;

  it.each(deployedSteps)(
    "$step: a Node.js 24 function with the original env vars and zip",
    async (step) => {
      const config = await lambda.send(
        new GetFunctionConfigurationCommand({ FunctionName: physicalId(deployed, step.fn) }),
      );
      expect(config).toMatchObject({
        Runtime: "nodejs24.x",
        Handler: "index.handler",
        Timeout: 300,
        MemorySize: 512,
        Environment: { Variables: envFor(step) },
      });
      const zip = ZIPS.get(zipFor(step));
      expect(zip).toBeDefined();
      expect(config.CodeSha256).toBe(sha256(zip as Buffer));
    },
  );

  it.each(deployedSteps)(
    "$step: a state machine whose task calls the function with the original retries",
    async (step) => {
      const fn = await lambda.send(
        new GetFunctionConfigurationCommand({ FunctionName: physicalId(deployed, step.fn) }),
      );
      const machine = await sfn.send(
        new DescribeStateMachineCommand({
          stateMachineArn: physicalId(deployed, step.stateMachine),
        }),
      );
      const definition = JSON.parse(machine.definition ?? "{}") as StateMachineDefinition;
      const tasks = Object.values(definition.States).filter((s) => s.Resource === fn.FunctionArn);
      expect(tasks).toHaveLength(1);
      const [task] = tasks;
      expect(task?.Retry?.map((r) => [r.ErrorEquals, r.IntervalSeconds, r.MaxAttempts])).toEqual([
        [["SnapshotToolException"], step.toolRetry.interval, step.toolRetry.attempts],
        [["States.ALL"], step.anyErrorRetry.interval, step.anyErrorRetry.attempts],
      ]);
      expect(machine.roleArn).toMatch(
        new RegExp(`:role/${physicalId(deployed, "iamroleStateExecution")}$`),
      );
    },
  );

  it.each(deployedSteps)(
    "$step: a rule on the original schedule targeting the state machine",
    async (step) => {
      const ruleName = physicalId(deployed, step.rule);
      const rule = await events.send(new DescribeRuleCommand({ Name: ruleName }));
      expect(rule.ScheduleExpression).toBe(step.schedule);
      expect(rule.State).toBe("ENABLED");
      const targets = await events.send(new ListTargetsByRuleCommand({ Rule: ruleName }));
      expect(targets.Targets).toHaveLength(1);
      expect(targets.Targets?.[0]?.Arn).toBe(physicalId(deployed, step.stateMachine));
      expect(targets.Targets?.[0]?.RoleArn).toMatch(
        new RegExp(`:role/${physicalId(deployed, "iamroleStepInvocation")}$`),
      );
    },
  );

  if (name === "source" && values["ShareSnapshots"] === "TRUE") {
    it("share: a rule on RDS's cluster snapshot events starts the share state machine", async () => {
      const ruleName = physicalId(deployed, "cwEventShareOnSnapshotCreated");
      const rule = await events.send(new DescribeRuleCommand({ Name: ruleName }));
      expect(JSON.parse(rule.EventPattern ?? "{}")).toEqual({
        source: ["aws.rds"],
        "detail-type": ["RDS DB Cluster Snapshot Event"],
      });
      const targets = await events.send(new ListTargetsByRuleCommand({ Rule: ruleName }));
      expect(targets.Targets?.map((t) => t.Arn)).toEqual([
        physicalId(deployed, "statemachineShareSnapshotsAurora"),
      ]);
    });
  }

  if (name === "dest" && values["SourceAccounts"] !== "") {
    it("copy: a bus for the share events, output for the source stacks, whose rule starts the copy state machine", async () => {
      expect(deployed.outputs["EventBusArn"]).toMatch(
        /^arn:aws:events:us-east-1:\d{12}:event-bus\/snapshot-tool-dest-\d+-snapshots-shared$/,
      );
      const busName = deployed.outputs["EventBusArn"]?.split("/").pop() ?? "";
      const ruleName = physicalId(deployed, "cwEventCopyOnShareDest");
      const rule = await events.send(
        new DescribeRuleCommand({ Name: ruleName, EventBusName: busName }),
      );
      expect(JSON.parse(rule.EventPattern ?? "{}")).toEqual({
        source: ["aurora-snapshot-tool"],
        "detail-type": ["Snapshots Shared"],
        account: ["111111111111", "333333333333"],
      });
      const targets = await events.send(
        new ListTargetsByRuleCommand({ Rule: ruleName, EventBusName: busName }),
      );
      expect(targets.Targets?.map((t) => t.Arn)).toEqual([
        physicalId(deployed, "statemachineCopySnapshotsDestAurora"),
      ]);
    });
  }

  if (name === "dest" && values["SourceAccounts"] === "") {
    it("copy: no share events bus without SourceAccounts", () => {
      expect(deployed.outputs["EventBusArn"]).toBeUndefined();
      expect(deployed.resources.has("eventBusSnapshotsAuroraDest")).toBe(false);
    });
  }

  it.each(removedSteps)("$step: switched off, has no function, state machine or rule", (step) => {
    for (const id of [step.fn, step.stateMachine, step.rule]) {
      expect(deployed.resources.has(id), id).toBe(false);
    }
  });
});
