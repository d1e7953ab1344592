/**
 * The recovery-assurance resources of each template (added by this project, not the original's):
 * the status function and its schedule, the RPO and heartbeat alarms, the dashboard and the
 * opt-in restore verification, as data the template tests compare against.
 */
import type { PolicySide } from "@aurora-snapshot-tool/core";

import type { TemplateName } from "../../src/templates.js";

export interface AssuranceContract {
  readonly template: TemplateName;
  readonly side: PolicySide;
  /** The alarm topic the stack creates when SNSTopic is empty. */
  readonly topic: string;
  readonly status: {
    readonly fn: string;
    readonly role: string;
    readonly logGroup: string;
    readonly rule: string;
    readonly permission: string;
    readonly zip: string;
  };
  readonly rpoAlarm: string;
  /** The heartbeat alarm and the step whose RunsSucceeded it watches. */
  readonly heartbeat: {
    readonly alarm: string;
    readonly step: string;
    readonly defaultHours: number;
  };
  readonly dashboard: string;
  /** Created with VerifyEnabled TRUE only. */
  readonly verify: {
    readonly fn: string;
    readonly role: string;
    readonly logGroup: string;
    readonly stateMachine: string;
    readonly rule: string;
    readonly failedAlarm: string;
    readonly verificationsAlarm: string;
    readonly zip: string;
    /** The tag that makes a snapshot the tool's on this side. */
    readonly toolTag: "CreatedBy" | "CopiedBy";
  };
}

export const ASSURANCE: Record<TemplateName, AssuranceContract> = {
  source: {
    template: "source",
    side: "source",
    topic: "snsTopicSnapshotsAuroraTool",
    status: {
      fn: "lambdaStatusAurora",
      role: "iamroleStatusAurora",
      logGroup: "logGroupStatusAurora",
      rule: "cwEventStatusAurora",
      permission: "permissionStatusAurora",
      zip: "status_aurora.zip",
    },
    rpoAlarm: "alarmcwBeyondRpo",
    heartbeat: { alarm: "alarmcwTakeHeartbeat", step: "take", defaultHours: 25 },
    dashboard: "dashboardSnapshotsAurora",
    verify: {
      fn: "lambdaVerifyAurora",
      role: "iamroleVerifyAurora",
      logGroup: "logGroupVerifyAurora",
      stateMachine: "statemachineVerifyAurora",
      rule: "cwEventVerifyAurora",
      failedAlarm: "alarmcwVerifyFailed",
      verificationsAlarm: "alarmcwVerificationsFailed",
      zip: "verify_aurora.zip",
      toolTag: "CreatedBy",
    },
  },
  dest: {
    template: "dest",
    side: "destination",
    topic: "snsTopicSnapshotsAuroraToolDest",
    status: {
      fn: "lambdaStatusDestAurora",
      role: "iamroleStatusDestAurora",
      logGroup: "logGroupStatusDestAurora",
      rule: "cwEventStatusDestAurora",
      permission: "permissionStatusDestAurora",
      zip: "status_dest_aurora.zip",
    },
    rpoAlarm: "alarmcwBeyondRpoDest",
    heartbeat: { alarm: "alarmcwCopyHeartbeatDest", step: "copy", defaultHours: 2 },
    dashboard: "dashboardSnapshotsAuroraDest",
    verify: {
      fn: "lambdaVerifyDestAurora",
      role: "iamroleVerifyDestAurora",
      logGroup: "logGroupVerifyDestAurora",
      stateMachine: "statemachineVerifyDestAurora",
      rule: "cwEventVerifyDestAurora",
      failedAlarm: "alarmcwVerifyFailedDest",
      verificationsAlarm: "alarmcwVerificationsFailedDest",
      zip: "verify_dest_aurora.zip",
      toolTag: "CopiedBy",
    },
  },
};

/** Every resource VerifyEnabled TRUE adds, sorted. */
export function verifyResources(name: TemplateName): string[] {
  const v = ASSURANCE[name].verify;
  return [
    v.fn,
    v.role,
    v.logGroup,
    v.stateMachine,
    v.rule,
    v.failedAlarm,
    v.verificationsAlarm,
  ].sort();
}

/** The assurance functions (status, and verify when enabled) as the settings tests see them. */
export function assuranceFunctions(name: TemplateName): { step: string; fn: string }[] {
  return [
    { step: "status", fn: ASSURANCE[name].status.fn },
    { step: "verify", fn: ASSURANCE[name].verify.fn },
  ];
}

/** The parameters recovery assurance adds, with their shape as the parameter test compares it. */
export function assuranceParameters(name: TemplateName) {
  const TRUE_FALSE = ["TRUE", "FALSE"] as const;
  return {
    RpoHours: { Type: "String", Default: "" },
    MetricsPerCluster: { Type: "String", Default: "TRUE", AllowedValues: TRUE_FALSE },
    StatusSchedule: { Type: "String", Default: "rate(1 hour)" },
    HeartbeatHours: { Type: "Number", Default: String(ASSURANCE[name].heartbeat.defaultHours) },
    VerifyEnabled: { Type: "String", Default: "FALSE", AllowedValues: TRUE_FALSE },
    VerifySchedule: { Type: "String", Default: "cron(0 3 ? * SUN *)" },
    VerifySample: { Type: "Number", Default: "0" },
    VerifyDbSubnetGroup: { Type: "String", Default: "default" },
    VerifySecurityGroups: { Type: "String", Default: "" },
    VerifyInstanceClass: { Type: "String", Default: "db.serverless" },
    VerifyCheckLambdaArn: { Type: "String", Default: "" },
    VerifySecretArn: { Type: "String", Default: "" },
    VerifyMaxMinutes: { Type: "Number", Default: "120" },
    ...(name === "dest" && { VerifyRegion: { Type: "String" as const, Default: "" } }),
  } as const;
}
