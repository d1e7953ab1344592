import { readFileSync } from "node:fs";

import { METRICS_NAMESPACE } from "@aurora-snapshot-tool/core";
import aslValidator from "asl-validator";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

import {
  loadTemplate,
  placeholderResolver,
  renderString,
  stateMachineDefinitions,
  templatePath,
  type CfnResource,
  type CfnTemplate,
  type TemplateName,
} from "../src/templates.js";
import {
  activeResources,
  evaluateConditions,
  parameterValues,
  PSEUDO_PARAMETERS,
  resolveConditionals,
  type ParameterValues,
} from "./support/cfn-conditions.js";
import { collectReferences } from "./support/cfn-references.js";
import { ASSURANCE, verifyResources } from "./support/assurance-contract.js";
import {
  ADDED_PARAMETERS,
  LOG_LEVELS,
  ORIGINAL_CONDITIONS,
  ORIGINAL_PARAMETERS,
  STEPS,
  stepsOf,
} from "./support/original-contract.js";

const NAMES: readonly TemplateName[] = ["source", "dest"];
const templates: Record<TemplateName, CfnTemplate> = {
  source: loadTemplate("source"),
  dest: loadTemplate("dest"),
};
/** Values for the parameters that have no default. */
const REQUIRED: Record<TemplateName, ParameterValues> = {
  source: { CodeBucket: "code-bucket" },
  dest: { CodeBucket: "code-bucket", DestinationRegion: "us-west-2" },
};

function resource(name: TemplateName, id: string) {
  const found = templates[name].Resources[id];
  if (!found) throw new Error(`${name} has no resource ${id}`);
  return found;
}

/** A resource with every Fn::If resolved for the given parameter values. */
function rendered(name: TemplateName, id: string, given: ParameterValues = {}) {
  const template = templates[name];
  const conditions = evaluateConditions(
    template,
    parameterValues(template, { ...REQUIRED[name], ...given }),
  );
  return resolveConditionals(resource(name, id), conditions) as {
    Properties: Record<string, unknown>;
  };
}

describe.each(NAMES)("the %s template as a file", (name) => {
  const text = readFileSync(templatePath(name), "utf8");

  it("uses long-form intrinsics only, so any YAML parser reads it", () => {
    expect(text).not.toMatch(
      /(^|[\s[{,])!(Ref|Sub|GetAtt|If|Equals|Not|And|Or|Join|Select|Split)\b/m,
    );
    expect(() => loadTemplate(name)).not.toThrow();
  });

  it("reads the same under YAML 1.1 rules (CloudFormation, PyYAML) as under YAML 1.2", () => {
    // An unquoted NO, TRUE, 2012-10-17 or 000000000000 would change meaning between the two.
    expect(parse(text, { version: "1.1" })).toEqual(parse(text, { version: "1.2" }));
  });

  it("declares the template format version and a description naming the additions", () => {
    const template = templates[name];
    expect(template.AWSTemplateFormatVersion).toBe("2010-09-09");
    expect(template.Description).toMatch(/Snapshot Tool for Amazon Aurora/);
    // CloudFormation refuses a template description over 1,024 characters.
    expect(template.Description.length).toBeLessThanOrEqual(1024);
    for (const added of Object.keys(ADDED_PARAMETERS[name])) {
      expect(template.Description).toContain(added);
      expect(JSON.stringify(template.Metadata)).toContain(added);
    }
  });
});

describe.each(NAMES)("the %s template's parameters", (name) => {
  const template = templates[name];
  const shape = (p: { Type: string; Default?: unknown; AllowedValues?: readonly unknown[] }) => ({
    Type: p.Type,
    ...(p.Default !== undefined && { Default: p.Default }),
    ...(p.AllowedValues !== undefined && { AllowedValues: p.AllowedValues }),
  });

  it("are the original's (names, types, defaults, allowed values) plus the documented additions", () => {
    const actual = Object.fromEntries(
      Object.entries(template.Parameters).map(([key, p]) => [key, shape(p)]),
    );
    expect(actual).toEqual({ ...ORIGINAL_PARAMETERS[name], ...ADDED_PARAMETERS[name] });
  });

  it("keep every default a string, as CloudFormation passes it to Ref", () => {
    for (const parameter of Object.values(template.Parameters)) {
      if (parameter.Default !== undefined) expect(typeof parameter.Default).toBe("string");
    }
  });

  it("keep ERROR as the default log level and, like the original, leave the value open", () => {
    const level = template.Parameters["LogLevel"];
    expect(level?.Default).toBe("ERROR");
    // An existing stack's value must survive the switch; the functions reject an unknown level.
    expect(level?.AllowedValues).toBeUndefined();
    for (const name of LOG_LEVELS) expect(level?.Description).toContain(name);
  });

  it("lets MinKeep go down to 0 (the original rule) but not below", () => {
    expect(template.Parameters["MinKeep"]?.MinValue).toBe(0);
  });

  it("has the original's conditions", () => {
    expect(Object.keys(template.Conditions)).toEqual(
      expect.arrayContaining([...ORIGINAL_CONDITIONS[name]]),
    );
  });
});

describe.each(NAMES)("references in the %s template", (name) => {
  const template = templates[name];
  const parameters = new Set(Object.keys(template.Parameters));
  const resources = new Set(Object.keys(template.Resources));
  const conditions = new Set(Object.keys(template.Conditions));
  const pseudo = new Set(Object.keys(PSEUDO_PARAMETERS));
  const everything = collectReferences(
    { Conditions: template.Conditions, Resources: template.Resources, Outputs: template.Outputs },
    name,
  );

  it("finds references to check", () => {
    expect(everything.length).toBeGreaterThan(50);
  });

  it("resolve every Ref, Fn::GetAtt, Fn::Sub variable and condition name", () => {
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
    expect(dangling).toEqual([]);
  });

  it("only read an Arn attribute, from resources that have one", () => {
    const withArn = new Set([
      "AWS::Lambda::Function",
      "AWS::IAM::Role",
      "AWS::Logs::LogGroup",
      "AWS::StepFunctions::StateMachine",
      "AWS::Events::EventBus",
      // The status schedule's Lambda permission names the rule.
      "AWS::Events::Rule",
    ]);
    for (const ref of everything.filter((r) => r.attribute !== undefined)) {
      expect(ref.attribute, ref.path).toBe("Arn");
      expect(withArn.has(resource(name, ref.target).Type), ref.path).toBe(true);
    }
  });

  const switches: ParameterValues[] =
    name === "source"
      ? combinations({
          ShareSnapshots: ["TRUE", "FALSE"],
          DeleteOldSnapshots: ["TRUE", "FALSE"],
          SNSTopic: ["", "arn:aws:sns:us-east-1:123456789012:mine"],
          SourceRegionOverride: ["NO", "eu-west-1"],
          DestinationEventBusArn: ["", "arn:aws:events:us-east-1:222222222222:event-bus/shares"],
          VerifyEnabled: ["FALSE", "TRUE"],
        })
      : combinations({
          DeleteOldSnapshots: ["TRUE", "FALSE"],
          CrossAccountCopy: ["TRUE", "FALSE"],
          SNSTopic: ["", "arn:aws:sns:us-east-1:123456789012:mine"],
          SourceAccounts: ["", "111111111111,333333333333"],
          VerifyEnabled: ["FALSE", "TRUE"],
        });

  it.each(switches)("never point at a resource a switch removed (%o)", (given) => {
    const values = parameterValues(template, { ...REQUIRED[name], ...given });
    const holds = evaluateConditions(template, values);
    const active = new Set(activeResources(template, { ...REQUIRED[name], ...given }));
    const outputs = Object.entries((template.Outputs ?? {}) as Record<string, CfnResource>);
    const kept = {
      Resources: Object.fromEntries(
        [...active].map((id) => [id, resolveConditionals(resource(name, id), holds)]),
      ),
      Outputs: Object.fromEntries(
        outputs
          .filter(([, o]) => o.Condition === undefined || holds[o.Condition])
          .map(([id, o]) => [id, resolveConditionals(o, holds)]),
      ),
    };
    const toRemoved = collectReferences(kept, name).filter(
      (ref) => resources.has(ref.target) && !active.has(ref.target),
    );
    expect(toRemoved).toEqual([]);
  });
});

describe.each(NAMES)("the %s template's state machines", (name) => {
  const template = templates[name];
  const definitions = stateMachineDefinitions(template);

  it("are one per step of the original, and restore verification's", () => {
    expect(Object.keys(definitions).sort()).toEqual(
      [...stepsOf(name).map((s) => s.stateMachine), ASSURANCE[name].verify.stateMachine].sort(),
    );
  });

  it.each(stepsOf(name))("$step: passes asl-validator", ({ stateMachine }) => {
    // The validator writes defaults into what it is given, so it gets a copy.
    const result = aslValidator(structuredClone(definitions[stateMachine]));
    expect(result.errorsText()).toBe("");
    expect(result.isValid).toBe(true);
  });

  // The loops use payload templates with intrinsic functions, an SDK integration and Choice rules
  // on paths: asl-validator checks all of them, so a typo there fails the line above.
  it.each(stepsOf(name).filter((s) => s.loops))(
    "$step: asl-validator refuses the loop with a broken intrinsic, path or transition",
    ({ stateMachine }) => {
      const definition = definitions[stateMachine]!;
      const task = Object.entries(definition.States).find(
        ([, s]) => s.Type === "Task" && !String(s.Resource).includes(":states:::"),
      )!;
      const broken: [
        string,
        (d: Record<string, Record<string, Record<string, unknown>>>) => void,
      ][] = [
        [
          "intrinsic",
          (d) =>
            void (d["States"]!["NextRound"]!["Parameters"] = {
              "round.$": "States.MathAdd($.round,",
            }),
        ],
        ["path", (d) => void (d["States"]![task[0]]!["ResultPath"] = "result")],
        ["transition", (d) => void (d["States"]!["NextRound"]!["Next"] = "Nowhere")],
      ];
      for (const [what, breakIt] of broken) {
        const copy = structuredClone(definition) as never;
        breakIt(copy);
        expect(aslValidator(copy).isValid, what).toBe(false);
      }
    },
  );

  it.each(stepsOf(name).filter((s) => !s.loops))(
    "$step: one Task, as in the original",
    ({ stateMachine, fn }) => {
      const definition = definitions[stateMachine];
      const states = Object.values(definition?.States ?? {});
      expect(states).toHaveLength(1);
      const [task] = states;
      expect(definition?.States[definition.StartAt]).toBe(task);
      expect(task).toMatchObject({
        Type: "Task",
        Resource: placeholderResolver(template)(fn, "Arn"),
        End: true,
      });
    },
  );

  it.each(stepsOf(name))(
    "$step: one Task invoking its function, with the original retry policy",
    ({ stateMachine, fn, toolRetry, anyErrorRetry }) => {
      const definition = definitions[stateMachine];
      const tasks = Object.values(definition?.States ?? {}).filter(
        (s) => s.Resource === placeholderResolver(template)(fn, "Arn"),
      );
      expect(tasks).toHaveLength(1);
      const [task] = tasks;
      expect(task?.Type).toBe("Task");
      expect(task?.Retry).toEqual([
        {
          ErrorEquals: ["SnapshotToolException"],
          IntervalSeconds: toolRetry.interval,
          MaxAttempts: toolRetry.attempts,
          BackoffRate: 1,
        },
        {
          ErrorEquals: ["States.ALL"],
          IntervalSeconds: anyErrorRetry.interval,
          MaxAttempts: anyErrorRetry.attempts,
          BackoffRate: 1,
        },
      ]);
    },
  );

  it.each(stepsOf(name))("$step: runs as the state-machine role", ({ stateMachine }) => {
    expect(resource(name, stateMachine).Properties?.["RoleArn"]).toEqual({
      "Fn::GetAtt": ["iamroleStateExecution", "Arn"],
    });
  });
});

describe.each(NAMES)("the %s template's schedules", (name) => {
  it.each(stepsOf(name))(
    "$step: a rule on the original schedule starts its state machine as the events role",
    ({ rule, stateMachine, schedule }) => {
      const properties = rendered(name, rule).Properties;
      const expression = renderString(properties["ScheduleExpression"], (ref) => {
        const value = parameterValues(templates[name], REQUIRED[name])[ref];
        if (value === undefined) throw new Error(`unexpected reference ${ref}`);
        return value;
      });
      expect(expression).toBe(schedule);
      expect(properties["State"]).toBe("ENABLED");
      expect(properties["Targets"]).toEqual([
        {
          Id: "Target1",
          Arn: { Ref: stateMachine },
          RoleArn: { "Fn::GetAtt": ["iamroleStepInvocation", "Arn"] },
        },
      ]);
    },
  );

  if (name === "source") {
    it("wraps BackupSchedule in cron(...)", () => {
      const properties = rendered(name, "cwEventBackupAurora", {
        BackupSchedule: "30 2 ? * MON *",
      }).Properties;
      const expression = renderString(properties["ScheduleExpression"], (ref) =>
        ref === "BackupSchedule" ? "30 2 ? * MON *" : ref,
      );
      expect(expression).toBe("cron(30 2 ? * MON *)");
    });
  }
});

describe("the event rules", () => {
  const stateMachineTarget = (stateMachine: string) => [
    {
      Id: "Target1",
      Arn: { Ref: stateMachine },
      RoleArn: { "Fn::GetAtt": ["iamroleStepInvocation", "Arn"] },
    },
  ];

  // Not filtered on detail.EventID (RDS-EVENT-0075, manual cluster snapshot created): the
  // EventBridge schema of these events does not promise that field, and a pattern on a field an
  // event lacks never matches. Any cluster snapshot event starts share, which is idempotent.
  it("share: starts on any RDS cluster snapshot event, on the default bus", () => {
    const rule = resource("source", "cwEventShareOnSnapshotCreated");
    expect(rule.Condition).toBe("Share");
    expect(rule.Properties).toEqual({
      Description: expect.any(String),
      EventPattern: {
        source: ["aws.rds"],
        "detail-type": ["RDS DB Cluster Snapshot Event"],
      },
      State: "ENABLED",
      Targets: stateMachineTarget("statemachineShareSnapshotsAurora"),
    });
  });

  it("copy: starts on the share bus for a SourceAccounts account's Snapshots Shared event only", () => {
    const rule = resource("dest", "cwEventCopyOnShareDest");
    expect(rule.Condition).toBe("HasSourceAccounts");
    expect(rule.Properties).toEqual({
      Description: expect.any(String),
      EventBusName: { "Fn::GetAtt": ["eventBusSnapshotsAuroraDest", "Arn"] },
      EventPattern: {
        source: ["aurora-snapshot-tool"],
        "detail-type": ["Snapshots Shared"],
        account: { "Fn::Split": [",", { Ref: "SourceAccounts" }] },
      },
      State: "ENABLED",
      Targets: stateMachineTarget("statemachineCopySnapshotsDestAurora"),
    });
  });

  it("copy: outputs the share bus's ARN for the source stacks, when there is a bus", () => {
    const outputs = templates.dest.Outputs as Record<string, Record<string, unknown>>;
    expect(outputs["EventBusArn"]).toMatchObject({
      Condition: "HasSourceAccounts",
      Value: { "Fn::GetAtt": ["eventBusSnapshotsAuroraDest", "Arn"] },
    });
    expect(resource("dest", "eventBusSnapshotsAuroraDest").Type).toBe("AWS::Events::EventBus");
  });

  it("share: hands the destination's bus to the share function as DEST_EVENT_BUS_ARN", () => {
    const bus = "arn:aws:events:us-east-1:222222222222:event-bus/shares";
    const env = (
      rendered("source", "lambdaShareSnapshotsAurora", { DestinationEventBusArn: bus }).Properties[
        "Environment"
      ] as { Variables: Record<string, unknown> }
    ).Variables;
    expect(env["DEST_EVENT_BUS_ARN"]).toEqual({ Ref: "DestinationEventBusArn" });
    expect(templates.source.Parameters["DestinationEventBusArn"]?.Default).toBe("");
  });
});

describe.each(NAMES)("the %s template's alarms", (name) => {
  const topic =
    name === "source" ? "snsTopicSnapshotsAuroraTool" : "snsTopicSnapshotsAuroraToolDest";

  it.each(stepsOf(name))(
    "$step: ExecutionsFailed with the original period and evaluation periods, and the original threshold unless documented",
    ({ alarm, stateMachine, alarmSettings, deployedAlarmThreshold }) => {
      expect(rendered(name, alarm).Properties).toMatchObject({
        Namespace: "AWS/States",
        MetricName: "ExecutionsFailed",
        Dimensions: [{ Name: "StateMachineArn", Value: { Ref: stateMachine } }],
        Statistic: "Sum",
        ComparisonOperator: "GreaterThanOrEqualToThreshold",
        Period: alarmSettings.period,
        EvaluationPeriods: alarmSettings.evaluationPeriods,
        Threshold: deployedAlarmThreshold ?? alarmSettings.threshold,
      });
    },
  );

  if (name === "dest") {
    // The original's 2 failed executions in one 5-minute period could not happen with executions
    // 30 minutes apart; a copy loop execution lasts for hours and fails only for good.
    it("copy: alarms on the first failed execution, saying why in the template", () => {
      expect(rendered(name, "alarmcwCopyFailedDest").Properties["Threshold"]).toBe(1);
      const text = readFileSync(templatePath(name), "utf8");
      const alarm = text.slice(text.indexOf("  alarmcwCopyFailedDest:"));
      expect(alarm.slice(0, alarm.indexOf("Threshold: 1"))).toMatch(/#.*threshold was 2/);
    });
  }

  it.each(stepsOf(name))("$step: notifies the topic the stack creates by default", ({ alarm }) => {
    const properties = rendered(name, alarm).Properties;
    expect(properties["AlarmActions"]).toEqual([{ Ref: topic }]);
    expect(properties["OKActions"]).toEqual([{ Ref: topic }]);
  });

  it.each(stepsOf(name))("$step: notifies the topic given in SNSTopic instead", ({ alarm }) => {
    const properties = rendered(name, alarm, {
      SNSTopic: "arn:aws:sns:us-east-1:1:mine",
    }).Properties;
    expect(properties["AlarmActions"]).toEqual([{ Ref: "SNSTopic" }]);
    expect(properties["OKActions"]).toEqual([{ Ref: "SNSTopic" }]);
  });

  it("outputs the topic the alarms notify", () => {
    const outputs = templates[name].Outputs as Record<string, { Value: unknown }>;
    expect(outputs["SNSTopic"]?.Value).toEqual({
      "Fn::If": ["SNSTopicIsEmpty", { Ref: topic }, { Ref: "SNSTopic" }],
    });
  });
});

describe("the source template's ownership settings", () => {
  // A snapshot is this deployment's only under its exact [PREFIX-]CLUSTER-... name: a function
  // that reads the source policy without the prefix takes none of a prefixed stack's as its own
  // (share and prune once did, so a prefixed stack shared and pruned nothing).
  it("gives SNAPSHOT_NAME_PREFIX to every function that reads the source policy", () => {
    const functions = Object.entries(templates.source.Resources).filter(
      ([, r]) => r.Type === "AWS::Lambda::Function",
    );
    const readers = functions.filter(([, r]) => {
      const env = (r.Properties?.["Environment"] as { Variables?: Record<string, unknown> })
        ?.Variables;
      return env !== undefined && "PATTERN" in env;
    });
    expect(readers.map(([id]) => id).sort()).toEqual(
      [
        "lambdaDeleteOldSnapshotsAurora",
        "lambdaShareSnapshotsAurora",
        "lambdaStatusAurora",
        "lambdaTakeSnapshotsAurora",
        "lambdaVerifyAurora",
      ].sort(),
    );
    for (const [id, r] of readers) {
      const env = (r.Properties?.["Environment"] as { Variables: Record<string, unknown> })
        .Variables;
      expect(env["SNAPSHOT_NAME_PREFIX"], id).toEqual({ Ref: "SnapshotNamePrefix" });
    }
  });
});

describe.each(NAMES)("the %s template's functions", (name) => {
  it.each(stepsOf(name))(
    "$step: Node.js 24, index.handler, 300 s, 512 MB, code from the bucket root",
    ({ fn, zip }) => {
      expect(rendered(name, fn).Properties).toMatchObject({
        Runtime: "nodejs24.x",
        Handler: "index.handler",
        Timeout: 300,
        MemorySize: 512,
        Code: { S3Bucket: { Ref: "CodeBucket" }, S3Key: zip.crossAccount },
      });
    },
  );

  // Plus this deployment's name and the namespace the alarms and the dashboard read.
  it.each(stepsOf(name))(
    "$step: gets exactly the original env vars, the deployment's name and the metrics namespace",
    ({ fn, env }) => {
      const variables = (rendered(name, fn).Properties["Environment"] as { Variables: unknown })
        .Variables;
      expect(variables).toEqual({
        ...Object.fromEntries(
          Object.entries(env).map(([key, parameter]) => [key, { Ref: parameter }]),
        ),
        DEPLOYMENT_NAME: { Ref: "AWS::StackName" },
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      });
    },
  );

  it.each(stepsOf(name))("$step: logs to its own log group, kept 30 days", ({ fn }) => {
    const logging = rendered(name, fn).Properties["LoggingConfig"] as { LogGroup: { Ref: string } };
    const group = resource(name, logging.LogGroup.Ref);
    expect(group.Type).toBe("AWS::Logs::LogGroup");
    expect(group.Properties?.["RetentionInDays"]).toBe(30);
    expect(group.Condition).toBe(resource(name, fn).Condition);
  });

  if (name === "dest") {
    it.each(stepsOf(name))(
      "$step: takes the same-account zip when CrossAccountCopy is FALSE",
      ({ fn, zip }) => {
        const code = rendered(name, fn, { CrossAccountCopy: "FALSE" }).Properties["Code"];
        expect(code).toEqual({ S3Bucket: { Ref: "CodeBucket" }, S3Key: zip.sameAccount });
      },
    );
  }
});

describe("feature switches", () => {
  const removedBy = (name: TemplateName, given: ParameterValues) => {
    const all = activeResources(templates[name], REQUIRED[name]);
    const active = new Set(activeResources(templates[name], { ...REQUIRED[name], ...given }));
    return all.filter((id) => !active.has(id)).sort();
  };

  /** The destination's share events: a bus only the listed SourceAccounts may put events on. */
  const SHARE_EVENTS = [
    "eventBusSnapshotsAuroraDest",
    "eventBusPolicySnapshotsAuroraDest",
    "cwEventCopyOnShareDest",
  ].sort();
  const addedBy = (name: TemplateName, given: ParameterValues) => {
    const before = new Set(activeResources(templates[name], REQUIRED[name]));
    return activeResources(templates[name], { ...REQUIRED[name], ...given }).filter(
      (id) => !before.has(id),
    );
  };

  it("keep every resource with the default parameters, but the share events bus (no SourceAccounts) and restore verification (opt-in)", () => {
    expect(activeResources(templates.source, REQUIRED.source)).toEqual(
      Object.keys(templates.source.Resources)
        .filter((id) => !verifyResources("source").includes(id))
        .sort(),
    );
    expect(activeResources(templates.dest, REQUIRED.dest)).toEqual(
      Object.keys(templates.dest.Resources)
        .filter((id) => !SHARE_EVENTS.includes(id) && !verifyResources("dest").includes(id))
        .sort(),
    );
  });

  it.each(NAMES)(
    "%s: VerifyEnabled=TRUE adds exactly the verify function, its role, logs, state machine, rule and alarms",
    (name) => {
      expect(addedBy(name, { VerifyEnabled: "TRUE" }).sort()).toEqual(verifyResources(name));
      for (const id of verifyResources(name)) {
        expect(resource(name, id).Condition, id).toBe("Verify");
      }
      expect(templates[name].Conditions["Verify"]).toEqual({
        "Fn::Equals": [{ Ref: "VerifyEnabled" }, "TRUE"],
      });
    },
  );

  it("SourceAccounts adds exactly the share events bus, its policy and the rule starting the copy", () => {
    expect(addedBy("dest", { SourceAccounts: "111111111111" })).toEqual(SHARE_EVENTS);
    for (const id of SHARE_EVENTS) {
      expect(resource("dest", id).Condition, id).toBe("HasSourceAccounts");
    }
    expect(templates.dest.Conditions["HasSourceAccounts"]).toEqual({
      "Fn::Not": [{ "Fn::Equals": [{ Ref: "SourceAccounts" }, ""] }],
    });
  });

  it("DestinationEventBusArn adds and removes no resource (one statement of the share role)", () => {
    const given = { DestinationEventBusArn: "arn:aws:events:us-east-1:222222222222:event-bus/b" };
    expect(addedBy("source", given)).toEqual([]);
    expect(removedBy("source", given)).toEqual([]);
  });

  it("ShareSnapshots=FALSE removes exactly the share function, its role, logs, state machine, rules, alarm and ListExecutions grant", () => {
    expect(removedBy("source", { ShareSnapshots: "FALSE" })).toEqual(
      [
        "lambdaShareSnapshotsAurora",
        "iamroleShareSnapshotsAurora",
        "logGroupShareSnapshotsAurora",
        "statemachineShareSnapshotsAurora",
        "cwEventShareSnapshotsAurora",
        "cwEventShareOnSnapshotCreated",
        "iampolicyShareListExecutions",
        "alarmcwShareFailed",
      ].sort(),
    );
  });

  it("DeleteOldSnapshots=FALSE removes exactly the source prune resources", () => {
    expect(removedBy("source", { DeleteOldSnapshots: "FALSE" })).toEqual(
      [
        "lambdaDeleteOldSnapshotsAurora",
        "iamroleDeleteOldSnapshotsAurora",
        "logGroupDeleteOldSnapshotsAurora",
        "statemachineDeleteOldSnapshotsAurora",
        "cwEventAuroraDeleteOldSnapshotsAurora",
        "alarmcwDeleteOldFailed",
      ].sort(),
    );
  });

  it("DeleteOldSnapshots=FALSE removes exactly the destination prune resources", () => {
    expect(removedBy("dest", { DeleteOldSnapshots: "FALSE" })).toEqual(
      [
        "lambdaDeleteOldDestAurora",
        "iamroleDeleteOldDestAurora",
        "logGroupDeleteOldDestAurora",
        "statemachineDeleteOldSnapshotsDestAurora",
        "cwEventDeleteOldSnapshotsAurora",
        "alarmcwDeleteOldFailedDest",
      ].sort(),
    );
  });

  it("a given SNSTopic removes exactly the stack's own topic, its policy and its key", () => {
    const given = { SNSTopic: "arn:aws:sns:us-east-1:123456789012:mine" };
    expect(removedBy("source", given)).toEqual(
      [
        "snsTopicSnapshotsAuroraTool",
        "snspolicySnapshotsAurora",
        "kmsKeySnapshotsAuroraAlarms",
      ].sort(),
    );
    expect(removedBy("dest", given)).toEqual(
      [
        "snsTopicSnapshotsAuroraToolDest",
        "snspolicySnapshotsAuroraDest",
        "kmsKeySnapshotsAuroraAlarmsDest",
      ].sort(),
    );
  });

  it("CrossAccountCopy=FALSE removes nothing (it picks the same-account code)", () => {
    expect(removedBy("dest", { CrossAccountCopy: "FALSE" })).toEqual([]);
  });

  it("SourceRegionOverride removes nothing", () => {
    expect(removedBy("source", { SourceRegionOverride: "eu-west-1" })).toEqual([]);
  });

  it("each step's resources follow its switch together", () => {
    for (const step of STEPS) {
      const ids = [step.fn, step.stateMachine, step.rule, step.alarm];
      for (const id of ids) expect(resource(step.template, id).Condition, id).toBe(step.condition);
    }
  });
});

describe("the condition evaluator used by these tests", () => {
  const template = {
    AWSTemplateFormatVersion: "2010-09-09",
    Description: "",
    Parameters: { A: { Type: "String", Default: "x" }, B: { Type: "String", Default: "y" } },
    Conditions: {
      AIsX: { "Fn::Equals": [{ Ref: "A" }, "x"] },
      BIsX: { "Fn::Equals": ["x", { Ref: "B" }] },
      Both: { "Fn::And": [{ Condition: "AIsX" }, { Condition: "BIsX" }] },
      Either: { "Fn::Or": [{ Condition: "AIsX" }, { Condition: "BIsX" }] },
      NotA: { "Fn::Not": [{ Condition: "AIsX" }] },
    },
    Resources: {},
  } satisfies CfnTemplate;

  it("evaluates Fn::Equals, Fn::And, Fn::Or, Fn::Not and Condition", () => {
    expect(evaluateConditions(template, parameterValues(template))).toEqual({
      AIsX: true,
      BIsX: false,
      Both: false,
      Either: true,
      NotA: false,
    });
    expect(evaluateConditions(template, parameterValues(template, { A: "z", B: "x" }))).toEqual({
      AIsX: false,
      BIsX: true,
      Both: false,
      Either: true,
      NotA: true,
    });
  });

  it("drops AWS::NoValue from lists and objects when resolving Fn::If", () => {
    const node = {
      List: [1, { "Fn::If": ["C", 2, { Ref: "AWS::NoValue" }] }],
      Prop: { "Fn::If": ["C", { Ref: "AWS::NoValue" }, 3] },
    };
    expect(resolveConditionals(node, { C: false })).toEqual({ List: [1], Prop: 3 });
    expect(resolveConditionals(node, { C: true })).toEqual({ List: [1, 2] });
  });
});

function combinations(choices: Record<string, readonly string[]>): ParameterValues[] {
  return Object.entries(choices).reduce<ParameterValues[]>(
    (acc, [key, values]) => acc.flatMap((partial) => values.map((v) => ({ ...partial, [key]: v }))),
    [{}],
  );
}

describe.each([
  [
    "source",
    "snsTopicSnapshotsAuroraTool",
    "snsPolicySnapshotsAurora",
    "kmsKeySnapshotsAuroraAlarms",
  ],
  [
    "dest",
    "snsTopicSnapshotsAuroraToolDest",
    "snspolicySnapshotsAuroraDest",
    "kmsKeySnapshotsAuroraAlarmsDest",
  ],
] as const)("the %s stack's alarm topic", (name, topicId, policyIdHint, keyId) => {
  const template = templates[name];
  const resource = (id: string) =>
    template.Resources[id] as { Type: string; Properties: Record<string, unknown> };
  const policyId = Object.keys(template.Resources).find(
    (id) => id.toLowerCase() === policyIdHint.toLowerCase(),
  ) as string;
  type Statement = {
    Sid: string;
    Effect: string;
    Principal: unknown;
    Action: string | string[];
    Condition?: Record<string, Record<string, unknown>>;
  };
  const statementsOf = (document: unknown) => (document as { Statement: Statement[] }).Statement;

  it("is encrypted with a customer managed key of the stack, not alias/aws/sns", () => {
    expect(resource(topicId).Properties["KmsMasterKeyId"]).toEqual({ Ref: keyId });
    expect(resource(keyId).Type).toBe("AWS::KMS::Key");
    expect(resource(keyId).Properties["EnableKeyRotation"]).toBe(true);
  });

  it("lets this account's CloudWatch alarms use the key, and no other service", () => {
    const services = statementsOf(resource(keyId).Properties["KeyPolicy"]).filter(
      (s) => typeof s.Principal === "object" && s.Principal !== null && "Service" in s.Principal,
    );
    expect(services).toHaveLength(1);
    const [alarms] = services;
    expect(alarms?.Principal).toEqual({ Service: "cloudwatch.amazonaws.com" });
    expect([alarms?.Action].flat().sort()).toEqual(["kms:Decrypt", "kms:GenerateDataKey*"]);
    expect(alarms?.Condition?.["StringEquals"]?.["aws:SourceAccount"]).toEqual({
      Ref: "AWS::AccountId",
    });
    expect(alarms?.Condition?.["ArnLike"]?.["aws:SourceArn"]).toBeDefined();
  });

  it("refuses publishes that do not use TLS", () => {
    const deny = statementsOf(resource(policyId).Properties["PolicyDocument"]).find(
      (s) => s.Effect === "Deny",
    );
    expect(deny?.Principal).toBe("*");
    expect([deny?.Action].flat()).toContain("sns:Publish");
    expect(deny?.Condition?.["Bool"]?.["aws:SecureTransport"]).toBe("false");
  });
});

describe.each(NAMES)("the %s template's parameter constraints", (name) => {
  const template = templates[name];
  /** What CloudFormation checks before it changes anything: AllowedPattern, Min/MaxValue, MaxLength. */
  const accepts = (parameter: string, value: string): boolean => {
    const p = template.Parameters[parameter] as {
      AllowedPattern?: string;
      MinValue?: number;
      MaxValue?: number;
      MaxLength?: number;
    };
    if (p.AllowedPattern !== undefined && !new RegExp(`^(?:${p.AllowedPattern})$`).test(value)) {
      return false;
    }
    if (p.MaxLength !== undefined && value.length > p.MaxLength) return false;
    if (p.MinValue !== undefined && Number(value) < p.MinValue) return false;
    if (p.MaxValue !== undefined && Number(value) > p.MaxValue) return false;
    return true;
  };

  it("accept every parameter's default", () => {
    for (const [parameter, p] of Object.entries(template.Parameters)) {
      if (p.Default !== undefined) expect(accepts(parameter, p.Default), parameter).toBe(true);
    }
  });

  it("refuse a retention of 0 days, which would fail at the functions' first run", () => {
    expect(accepts("RetentionDays", "0")).toBe(false);
    expect(accepts("RetentionDays", "1")).toBe(true);
  });

  it("accept the region override forms the original took, and refuse a malformed one", () => {
    for (const good of ["NO", "no", "eu-west-1", "us-gov-west-1"]) {
      expect(accepts("SourceRegionOverride", good), good).toBe(true);
    }
    for (const bad of ["useast-1", "YES", "eu west 1"]) {
      expect(accepts("SourceRegionOverride", bad), bad).toBe(false);
    }
  });
});
