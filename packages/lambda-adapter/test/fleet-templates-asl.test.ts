/**
 * The fleet state machine (fleet.yaml), rendered as CloudFormation would for given parameters:
 * valid Amazon States Language, a Distributed Map over the targets list fleet-targets writes,
 * wired to MaxConcurrency and ToleratedFailurePercentage, with the single-account state
 * machines' retries per step; then walked (support/asl-walker) with scripted functions and a
 * fake results bucket: every target complete, a target left incomplete, unreachable, or
 * misconfigured, a Map that fails on its tolerated failures and still reports.
 */
import aslValidator from "asl-validator";
import { describe, expect, it } from "vitest";

import {
  loadTemplate,
  placeholderResolver,
  stateMachineDefinitions,
  type AslRetrier,
  type AslState,
  type StateMachineDefinition,
} from "../src/templates.js";
import { TaskError, walk, type MapItemOutcome, type WalkResult } from "./support/asl-walker.js";
import { parameterValues, type ParameterValues } from "./support/cfn-conditions.js";

const fleet = loadTemplate("fleet");
const source = loadTemplate("source");
const REQUIRED = { CodeBucket: "code-bucket", FleetTargets: "s3://targets-bucket/targets.json" };
const BUCKET = "fleet-results-bucket";
const ID = "stateMachineFleetAurora";

/** The definition as a stack with these parameters renders it (the bucket named BUCKET). */
function definitionFor(given: ParameterValues = {}): StateMachineDefinition {
  const values = parameterValues(fleet, { ...REQUIRED, ...given });
  const placeholder = placeholderResolver(fleet);
  const definition = stateMachineDefinitions(fleet, {
    resolve: (name, attribute) => {
      if (attribute === undefined && name in values) return values[name]!;
      if (attribute === undefined && name === "bucketFleetResults") return BUCKET;
      return placeholder(name, attribute);
    },
  })[ID];
  if (definition === undefined) throw new Error(`no ${ID}`);
  return definition;
}

const definition = definitionFor();
const arn = (fn: string) => placeholderResolver(fleet)(fn, "Arn");
const TARGETS_FN = arn("lambdaFleetTargets");
const STEP_FN = arn("lambdaFleetStep");
const REPORT_FN = arn("lambdaFleetReport");
const map = definition.States["ForEachTarget"] as AslState & Record<string, unknown>;
const processor = map["ItemProcessor"] as StateMachineDefinition & Record<string, unknown>;
const STEP_STATES = { take: "Take", share: "Share", prune: "Prune" } as const;
type StepName = keyof typeof STEP_STATES;

describe("the fleet state machine's definition", () => {
  it("is the template's only state machine, a STANDARD one", () => {
    expect(Object.keys(stateMachineDefinitions(fleet, { resolve: () => "1" }))).toEqual([ID]);
    expect(fleet.Resources[ID]!.Properties?.["StateMachineType"]).toBe("STANDARD");
  });

  it("passes asl-validator", () => {
    const result = aslValidator(structuredClone(definition));
    expect(result.errorsText()).toBe("");
    expect(result.isValid).toBe(true);
  });

  it("is refused by asl-validator with a broken transition or path (the check bites)", () => {
    const broken = structuredClone(definition) as unknown as {
      States: Record<string, Record<string, unknown>>;
    };
    broken.States["Report"]!["Next"] = "Nowhere";
    expect(aslValidator(broken).isValid).toBe(false);
    const badPath = structuredClone(definition) as unknown as typeof broken;
    badPath.States["ResolveTargets"]!["ResultPath"] = "targets";
    expect(aslValidator(badPath).isValid).toBe(false);
  });

  it("goes Init -> ResolveTargets -> ForEachTarget -> Report -> AllTargetsComplete", () => {
    expect(definition.StartAt).toBe("Init");
    expect(definition.States["Init"]!.Next).toBe("ResolveTargets");
    expect(definition.States["ResolveTargets"]).toMatchObject({
      Type: "Task",
      Resource: TARGETS_FN,
      Parameters: { "step.$": "$.step", "execution.$": "$.execution" },
      ResultPath: "$.targets",
      Next: "ForEachTarget",
    });
    expect(definition.States["Init"]!["Parameters"]).toMatchObject({
      "step.$": "$.step",
      "execution.$": "$$.Execution.Name",
    });
    expect(map.Next).toBe("Report");
    expect(definition.States["Report"]).toMatchObject({
      Type: "Task",
      Resource: REPORT_FN,
      Next: "AllTargetsComplete",
    });
  });

  it("is a Distributed Map of STANDARD child executions reading the key fleet-targets returned", () => {
    expect(map.Type).toBe("Map");
    expect(processor["ProcessorConfig"]).toEqual({
      Mode: "DISTRIBUTED",
      ExecutionType: "STANDARD",
    });
    expect(map["ItemReader"]).toEqual({
      Resource: "arn:aws:states:::s3:getObject",
      ReaderConfig: { InputType: "JSON" },
      Parameters: { "Bucket.$": "$.targets.bucket", "Key.$": "$.targets.key" },
    });
    // No ItemSelector: each item ({step, target}) is the step function's event as it is.
    expect(map["ItemSelector"]).toBeUndefined();
  });

  it("takes MaxConcurrency and ToleratedFailurePercentage from the parameters", () => {
    expect(map["MaxConcurrency"]).toBe(10);
    expect(map["ToleratedFailurePercentage"]).toBe(100);
    const other = definitionFor({ MaxConcurrency: "250", ToleratedFailurePercentage: "5" });
    expect(other.States["ForEachTarget"]).toMatchObject({
      MaxConcurrency: 250,
      ToleratedFailurePercentage: 5,
    });
  });

  it("writes the per-target results to the results bucket under results/", () => {
    expect(map["ResultWriter"]).toEqual({
      Resource: "arn:aws:states:::s3:putObject",
      Parameters: { Bucket: BUCKET, Prefix: "results" },
    });
    expect(map["ResultPath"]).toBe("$.results");
  });

  it("catches any Map failure (too many failed targets included) into $.mapError and still reports", () => {
    expect(map["Catch"]).toEqual([
      { ErrorEquals: ["States.ALL"], ResultPath: "$.mapError", Next: "Report" },
    ]);
    expect(definition.States["Report"]!["Parameters"]).toEqual({
      "step.$": "$.step",
      "execution.$": "$.execution",
      "targets.$": "$.targets",
      "results.$": "$.results",
      "mapError.$": "$.mapError",
    });
  });

  it("fails when the report counts an incomplete target, and succeeds otherwise", () => {
    expect(definition.States["AllTargetsComplete"]).toEqual({
      Type: "Choice",
      Choices: [
        { Variable: "$.report.incomplete", NumericGreaterThan: 0, Next: "TargetsIncomplete" },
      ],
      Default: "Done",
    });
    expect(definition.States["TargetsIncomplete"]!.Type).toBe("Fail");
    expect(definition.States["Done"]!.Type).toBe("Succeed");
  });

  /** The single-account state machine's Task retries for a step, from source.yaml. */
  const SOURCE_MACHINES: Record<StepName, string> = {
    take: "stateMachineTakeSnapshotsAurora",
    share: "statemachineShareSnapshotsAurora",
    prune: "statemachineDeleteOldSnapshotsAurora",
  };
  const sourceDefinitions = stateMachineDefinitions(source);
  const sourceRetry = (step: StepName): readonly AslRetrier[] => {
    const d = sourceDefinitions[SOURCE_MACHINES[step]]!;
    const task = Object.values(d.States).find(
      (s) => s.Type === "Task" && !String(s.Resource).includes(":states:::"),
    );
    return task!.Retry!;
  };

  it.each(Object.entries(STEP_STATES) as [StepName, string][])(
    "%s: runs in the child as %s, with the single-account machine's retries and the fleet's",
    (step, state) => {
      const task = processor.States[state]!;
      expect(task).toMatchObject({ Type: "Task", Resource: STEP_FN, End: true });
      const retry = task.Retry!;
      // Never retried: a bad override will not fix itself.
      expect(retry[0]).toEqual({ ErrorEquals: ["ConfigError"], MaxAttempts: 0 });
      // At most 2 retries, a short interval: a role that cannot be assumed.
      const unreachable = retry.find((r) => r.ErrorEquals.includes("TargetUnreachable"))!;
      expect(unreachable.MaxAttempts).toBe(2);
      expect(unreachable.IntervalSeconds).toBeLessThanOrEqual(60);
      // SnapshotToolException and the Lambda service errors (States.ALL) as in source.yaml.
      expect(retry.slice(2)).toEqual(sourceRetry(step));
      expect(retry.at(-1)!.ErrorEquals).toEqual(["States.ALL"]);
    },
  );

  it("picks the child's Task by the item's step, and has no Task for anything else", () => {
    expect(processor.StartAt).toBe("WhichStep");
    expect(processor.States["WhichStep"]).toEqual({
      Type: "Choice",
      Choices: (Object.entries(STEP_STATES) as [StepName, string][]).map(([step, next]) => ({
        Variable: "$.step",
        StringEquals: step,
        Next: next,
      })),
    });
  });
});

/** A results bucket in memory, and the functions as the contract describes them. */
function aFleet(options: {
  targets: readonly { account: string; region: string }[];
  /** The step function's answer for a target: a result, or an error name to throw. */
  step?: (target: { account: string; region: string }, attempt: number) => string | undefined;
}) {
  const objects = new Map<string, unknown>();
  const attempts = new Map<string, number>();
  let reports = 0;
  let lastReportEvent: Record<string, unknown> | undefined;
  const task = (resource: string, input: unknown): unknown => {
    const event = input as Record<string, unknown>;
    if (resource === TARGETS_FN) {
      const key = `targets/${String(event["step"])}/${String(event["execution"])}.json`;
      const items = options.targets.map((t) => ({
        step: event["step"],
        target: { ...t, roleArn: `arn:aws:iam::${t.account}:role/aurora-snapshot-tool-member` },
      }));
      objects.set(`${BUCKET}/${key}`, items);
      return { bucket: BUCKET, key, count: items.length };
    }
    if (resource === STEP_FN) {
      const target = event["target"] as { account: string; region: string };
      const id = `${target.account}/${target.region}`;
      const attempt = (attempts.get(id) ?? 0) + 1;
      attempts.set(id, attempt);
      const error = options.step?.(target, attempt);
      if (error !== undefined) throw new TaskError(error, `${id} attempt ${attempt}`);
      return { step: event["step"], ...target, status: "complete", done: 1, failed: 0, pending: 0 };
    }
    if (resource === REPORT_FN) {
      reports += 1;
      lastReportEvent = event;
      const results = event["results"] as {
        ResultWriterDetails: { Bucket: string; Key: string };
      } | null;
      let incomplete = options.targets.length;
      if (results !== null) {
        const manifest = objects.get(
          `${results.ResultWriterDetails.Bucket}/${results.ResultWriterDetails.Key}`,
        ) as {
          ResultFiles: Record<string, { Key: string }[]>;
        };
        const failed = (manifest.ResultFiles["FAILED"] ?? []).flatMap(
          (f) => objects.get(`${BUCKET}/${f.Key}`) as unknown[],
        );
        incomplete = failed.length;
      }
      return {
        step: event["step"],
        targets: options.targets.length,
        complete: options.targets.length - incomplete,
        incomplete,
        incompleteTargets: [],
        reportKey: `reports/${String(event["step"])}/${String(event["execution"])}.json`,
      };
    }
    throw new Error(`unexpected resource ${resource}`);
  };
  const readItems = (resource: string, parameters: unknown) => {
    expect(resource).toBe("arn:aws:states:::s3:getObject");
    const { Bucket, Key } = parameters as { Bucket: string; Key: string };
    const items = objects.get(`${Bucket}/${Key}`);
    if (!Array.isArray(items)) throw new TaskError("S3.NoSuchKey", `${Bucket}/${Key}`);
    return items as unknown[];
  };
  /** As Step Functions writes a Map Run's results: result files per status and a manifest. */
  const writeResults = (
    resource: string,
    parameters: unknown,
    outcomes: readonly MapItemOutcome[],
  ) => {
    expect(resource).toBe("arn:aws:states:::s3:putObject");
    const { Bucket, Prefix } = parameters as { Bucket: string; Prefix: string };
    const run = `${Prefix}/run-1`;
    const files: Record<string, { Key: string }[]> = { SUCCEEDED: [], FAILED: [], PENDING: [] };
    for (const status of ["SUCCEEDED", "FAILED"] as const) {
      const these = outcomes.filter((o) => o.status === status);
      if (these.length === 0) continue;
      const key = `${run}/${status}_0.json`;
      objects.set(
        `${Bucket}/${key}`,
        these.map((o) => ({
          Input: JSON.stringify(o.input),
          Status: status,
          ...(o.error && { Error: o.error }),
        })),
      );
      files[status]!.push({ Key: key });
    }
    objects.set(`${Bucket}/${run}/manifest.json`, {
      DestinationBucket: Bucket,
      ResultFiles: files,
    });
    return { ResultWriterDetails: { Bucket, Key: `${run}/manifest.json` } };
  };
  return {
    objects,
    attempts,
    reports: () => reports,
    reportEvent: () => lastReportEvent,
    run: (step: StepName, d: StateMachineDefinition = definition): Promise<WalkResult> =>
      walk(
        d,
        { step },
        {
          context: {
            executionArn:
              "arn:aws:states:us-east-1:123456789012:execution:stateMachineFleetAurora:run-42",
            startTime: "2026-12-03T01:00:00.000Z",
            stateMachineArn:
              "arn:aws:states:us-east-1:123456789012:stateMachine:stateMachineFleetAurora",
          },
          task,
          readItems,
          writeResults,
        },
      ),
  };
}

const TARGETS = [
  { account: "111111111111", region: "eu-west-1" },
  { account: "111111111111", region: "us-east-1" },
  { account: "222222222222", region: "eu-west-1" },
];
const stepCalls = (r: WalkResult) => r.calls.filter((c) => c.resource === STEP_FN);
const retryWaits = (r: WalkResult) =>
  r.waits.filter((w) => w.why === "Retry").map((w) => w.seconds);

describe("the fleet state machine, walked", () => {
  it.each(["take", "share", "prune"] as const)(
    "%s: runs the step once in every target, reports the run's results, and succeeds",
    async (step) => {
      const f = aFleet({ targets: TARGETS });
      const r = await f.run(step);
      expect(r.status).toBe("SUCCEEDED");
      expect(r.endState).toBe("Done");
      expect(r.calls[0]).toMatchObject({
        resource: TARGETS_FN,
        input: { step, execution: "run-42" },
      });
      expect(f.objects.has(`${BUCKET}/targets/${step}/run-42.json`)).toBe(true);
      expect(stepCalls(r).map((c) => c.input)).toEqual(
        TARGETS.map((t) => ({
          step,
          target: { ...t, roleArn: `arn:aws:iam::${t.account}:role/aurora-snapshot-tool-member` },
        })),
      );
      expect(f.reportEvent()).toEqual({
        step,
        execution: "run-42",
        // The targets list too: the report counts a target the Map never started.
        targets: { bucket: BUCKET, key: `targets/${step}/run-42.json`, count: TARGETS.length },
        results: { ResultWriterDetails: { Bucket: BUCKET, Key: "results/run-1/manifest.json" } },
        mapError: null,
      });
    },
  );

  it("take: retries a target left incomplete (SnapshotToolException) every 300 s, 20 times; at the default tolerance the Map goes on, the report names it, and the run ends in TargetsIncomplete", async () => {
    const f = aFleet({
      targets: TARGETS,
      step: (t) => (t.account === "222222222222" ? "SnapshotToolException" : undefined),
    });
    const r = await f.run("take");
    expect(f.attempts.get("222222222222/eu-west-1")).toBe(21);
    expect(retryWaits(r)).toEqual(Array(20).fill(300));
    expect(f.reports()).toBe(1);
    expect(f.reportEvent()).toMatchObject({ mapError: null });
    expect(f.reportEvent()?.["results"]).toBeTruthy();
    expect(r.status).toBe("FAILED");
    expect(r.endState).toBe("TargetsIncomplete");
  });

  it("with ToleratedFailurePercentage 0 the first failed target fails the Map, which is caught: the report still runs", async () => {
    const f = aFleet({
      targets: TARGETS,
      step: (t) => (t.account === "222222222222" ? "SnapshotToolException" : undefined),
    });
    const r = await f.run("take", definitionFor({ ToleratedFailurePercentage: "0" }));
    expect(f.reports()).toBe(1);
    expect(f.reportEvent()).toMatchObject({
      results: null,
      mapError: { Error: "States.ExceedToleratedFailureThreshold" },
    });
    expect(r.endState).toBe("TargetsIncomplete");
  });

  it.each([
    ["share", 3],
    ["prune", 7],
  ] as const)(
    "%s: retries an incomplete target %i times, as its single-account state machine",
    async (step, retries) => {
      const f = aFleet({ targets: TARGETS.slice(0, 1), step: () => "SnapshotToolException" });
      const r = await f.run(step);
      expect(retryWaits(r)).toEqual(Array(retries).fill(300));
      expect(r.endState).toBe("TargetsIncomplete");
    },
  );

  it("retries an unreachable target (TargetUnreachable) twice, shortly, then gives up on it", async () => {
    const f = aFleet({ targets: TARGETS.slice(0, 1), step: () => "TargetUnreachable" });
    const r = await f.run("take");
    expect(f.attempts.get("111111111111/eu-west-1")).toBe(3);
    expect(retryWaits(r)).toEqual([30, 60]);
    expect(r.endState).toBe("TargetsIncomplete");
  });

  it("never retries a misconfigured target (ConfigError)", async () => {
    const f = aFleet({ targets: TARGETS.slice(0, 1), step: () => "ConfigError" });
    const r = await f.run("prune");
    expect(f.attempts.get("111111111111/eu-west-1")).toBe(1);
    expect(retryWaits(r)).toEqual([]);
    expect(r.endState).toBe("TargetsIncomplete");
  });

  it("rides out Lambda's service errors (Lambda.TooManyRequestsException) with the generic retry", async () => {
    const f = aFleet({
      targets: TARGETS.slice(0, 1),
      step: (_t, attempt) => (attempt <= 2 ? "Lambda.TooManyRequestsException" : undefined),
    });
    const r = await f.run("share");
    expect(retryWaits(r)).toEqual([30, 30]);
    expect(r.endState).toBe("Done");
  });

  it("with ToleratedFailurePercentage 50, one failed target of three does not fail the Map, but the report still fails the run", async () => {
    const f = aFleet({
      targets: TARGETS,
      step: (t) => (t.region === "us-east-1" ? "ConfigError" : undefined),
    });
    const r = await f.run("take", definitionFor({ ToleratedFailurePercentage: "50" }));
    expect(f.reportEvent()).toMatchObject({
      results: { ResultWriterDetails: { Bucket: BUCKET } },
      mapError: null,
    });
    expect(r.endState).toBe("TargetsIncomplete");
  });

  it("runs no Map and no report when the targets cannot be resolved (ConfigError, not retried)", async () => {
    const f = aFleet({ targets: TARGETS });
    const r = await walk(
      definition,
      { step: "take" },
      {
        context: {
          executionArn: "arn:aws:states:us-east-1:1:execution:m:x",
          startTime: "t",
          stateMachineArn: "m",
        },
        task: (resource) => {
          if (resource === TARGETS_FN) throw new TaskError("ConfigError", "FLEET_TARGETS");
          throw new Error("not reached");
        },
      },
    );
    expect(r.status).toBe("FAILED");
    expect(r.endState).toBe("ResolveTargets");
    expect(r.calls).toHaveLength(1);
    expect(f.reports()).toBe(0);
  });
});
