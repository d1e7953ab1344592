/**
 * The original tool's deployment contract (ORIGINAL-CONTRACT.md), as data the template tests
 * compare against. Logical ids are the original templates'.
 */
import type { TemplateName } from "../../src/templates.js";
import { assuranceParameters } from "./assurance-contract.js";

export interface ExpectedParameter {
  readonly Type: "String" | "Number";
  readonly Default?: string;
  readonly AllowedValues?: readonly string[];
}

const TRUE_FALSE = ["TRUE", "FALSE"] as const;
/** Python's level names (what the original accepted) plus WARN, which its description offered. */
/** The levels the functions accept (any case), named in the LogLevel parameter's description. */
export const LOG_LEVELS = ["DEBUG", "INFO", "WARN", "WARNING", "ERROR", "CRITICAL"] as const;

/** This project's additions, documented in each template's Description and Metadata. */
export const ADDED_PARAMETERS: Record<TemplateName, Record<string, ExpectedParameter>> = {
  source: {
    MinKeep: { Type: "Number", Default: "1" },
    KeepDaily: { Type: "Number", Default: "0" },
    KeepWeekly: { Type: "Number", Default: "0" },
    KeepMonthly: { Type: "Number", Default: "0" },
    KeepYearly: { Type: "Number", Default: "0" },
    SnapshotSource: { Type: "String", Default: "create", AllowedValues: ["create", "automated"] },
    AutomatedMaxAgeHours: { Type: "String", Default: "" },
    ClusterTagsInclude: { Type: "String", Default: "" },
    ClusterTagsExclude: { Type: "String", Default: "" },
    DestinationEventBusArn: { Type: "String", Default: "" },
    ReencryptKmsKey: { Type: "String", Default: "" },
    ...assuranceParameters("source"),
  },
  dest: {
    MinKeep: { Type: "Number", Default: "1" },
    KeepDaily: { Type: "Number", Default: "0" },
    KeepWeekly: { Type: "Number", Default: "0" },
    KeepMonthly: { Type: "Number", Default: "0" },
    KeepYearly: { Type: "Number", Default: "0" },
    SourceAccounts: { Type: "String", Default: "" },
    SourceRetentionDays: { Type: "String", Default: "" },
    MaxCopiesInFlight: { Type: "Number", Default: "5" },
    CopyPollSeconds: { Type: "Number", Default: "30" },
    CopyMode: {
      Type: "String",
      Default: "auto",
      AllowedValues: ["auto", "single-step", "two-step"],
    },
    ...assuranceParameters("dest"),
  },
};

export const ORIGINAL_PARAMETERS: Record<TemplateName, Record<string, ExpectedParameter>> = {
  source: {
    CodeBucket: { Type: "String" },
    ClusterNamePattern: { Type: "String", Default: "ALL_CLUSTERS" },
    BackupInterval: { Type: "Number", Default: "24" },
    // The original's is a Number; a String takes up to 20 comma-separated accounts, with the
    // same default, so an original stack updates in place (its value is kept as given).
    DestinationAccount: { Type: "String", Default: "000000000000" },
    ShareSnapshots: { Type: "String", Default: "TRUE", AllowedValues: TRUE_FALSE },
    BackupSchedule: { Type: "String", Default: "0 1 * * ? *" },
    RetentionDays: { Type: "Number", Default: "7" },
    LogLevel: { Type: "String", Default: "ERROR" },
    SourceRegionOverride: { Type: "String", Default: "NO" },
    DeleteOldSnapshots: { Type: "String", Default: "TRUE", AllowedValues: TRUE_FALSE },
    SNSTopic: { Type: "String", Default: "" },
    SnapshotNamePrefix: { Type: "String", Default: "" },
  },
  dest: {
    CodeBucket: { Type: "String" },
    SnapshotPattern: { Type: "String", Default: "ALL_SNAPSHOTS" },
    RetentionDays: { Type: "Number", Default: "7" },
    DestinationRegion: { Type: "String" },
    LogLevel: { Type: "String", Default: "ERROR" },
    SourceRegionOverride: { Type: "String", Default: "NO" },
    KmsKeyDestination: { Type: "String", Default: "None" },
    KmsKeySource: { Type: "String", Default: "None" },
    DeleteOldSnapshots: { Type: "String", Default: "TRUE", AllowedValues: TRUE_FALSE },
    CrossAccountCopy: { Type: "String", Default: "TRUE", AllowedValues: TRUE_FALSE },
    SNSTopic: { Type: "String", Default: "" },
  },
};

export const ORIGINAL_CONDITIONS: Record<TemplateName, readonly string[]> = {
  source: ["Share", "DeleteOld", "SNSTopicIsEmpty", "RegionOverridden"],
  dest: ["DeleteOld", "CrossAccount", "SNSTopicIsEmpty"],
};

export interface Retry {
  readonly interval: number;
  readonly attempts: number;
}

/** One scheduled step: its function, state machine, rule and alarm, with the original settings. */
export interface StepContract {
  readonly template: TemplateName;
  readonly step: string;
  readonly fn: string;
  readonly stateMachine: string;
  readonly rule: string;
  readonly alarm: string;
  /** The resource Condition, when a switch can remove the step. */
  readonly condition?: string;
  /** S3 keys by CrossAccountCopy (the same key when the step does not depend on it). */
  readonly zip: { readonly crossAccount: string; readonly sameAccount: string };
  /** The schedule as deployed with default parameters. */
  readonly schedule: string;
  readonly toolRetry: Retry;
  readonly anyErrorRetry: Retry;
  readonly alarmSettings: {
    readonly period: number;
    readonly evaluationPeriods: number;
    readonly threshold: number;
  };
  /**
   * The alarm threshold deployed, where this project changed the original's (the template says
   * why next to the alarm).
   */
  readonly deployedAlarmThreshold?: number;
  /**
   * The state machine loops around its function's task (the copy loop, share's rounds) instead of
   * the original's single task; its shape is tested on its own.
   */
  readonly loops?: true;
  /** Environment variable -> the parameter it carries. */
  readonly env: Record<string, string>;
}

const sameZip = (name: string) => ({ crossAccount: name, sameAccount: name });

export const STEPS: readonly StepContract[] = [
  {
    template: "source",
    step: "take",
    fn: "lambdaTakeSnapshotsAurora",
    stateMachine: "stateMachineTakeSnapshotsAurora",
    rule: "cwEventBackupAurora",
    alarm: "alarmcwBackupsFailed",
    zip: sameZip("take_snapshots_aurora.zip"),
    schedule: "cron(0 1 * * ? *)",
    toolRetry: { interval: 300, attempts: 20 },
    anyErrorRetry: { interval: 30, attempts: 20 },
    alarmSettings: { period: 300, evaluationPeriods: 1, threshold: 1 },
    env: {
      PATTERN: "ClusterNamePattern",
      INTERVAL: "BackupInterval",
      SNAPSHOT_NAME_PREFIX: "SnapshotNamePrefix",
      REGION_OVERRIDE: "SourceRegionOverride",
      LOG_LEVEL: "LogLevel",
      MIN_KEEP: "MinKeep",
      SNAPSHOT_SOURCE: "SnapshotSource",
      AUTOMATED_MAX_AGE_HOURS: "AutomatedMaxAgeHours",
      CLUSTER_TAGS_INCLUDE: "ClusterTagsInclude",
      CLUSTER_TAGS_EXCLUDE: "ClusterTagsExclude",
    },
  },
  {
    template: "source",
    step: "share",
    fn: "lambdaShareSnapshotsAurora",
    stateMachine: "statemachineShareSnapshotsAurora",
    rule: "cwEventShareSnapshotsAurora",
    alarm: "alarmcwShareFailed",
    condition: "Share",
    zip: sameZip("share_snapshots_aurora.zip"),
    schedule: "cron(/10 * * * ? *)",
    toolRetry: { interval: 300, attempts: 3 },
    anyErrorRetry: { interval: 30, attempts: 10 },
    alarmSettings: { period: 3600, evaluationPeriods: 2, threshold: 6 },
    env: {
      PATTERN: "ClusterNamePattern",
      DEST_ACCOUNT: "DestinationAccount",
      REGION_OVERRIDE: "SourceRegionOverride",
      LOG_LEVEL: "LogLevel",
      DEST_EVENT_BUS_ARN: "DestinationEventBusArn",
      // Not in the original, whose share and prune ignored the prefix: ownership needs it.
      SNAPSHOT_NAME_PREFIX: "SnapshotNamePrefix",
      REENCRYPT_KMS_KEY: "ReencryptKmsKey",
    },
    loops: true,
  },
  {
    template: "source",
    step: "prune",
    fn: "lambdaDeleteOldSnapshotsAurora",
    stateMachine: "statemachineDeleteOldSnapshotsAurora",
    rule: "cwEventAuroraDeleteOldSnapshotsAurora",
    alarm: "alarmcwDeleteOldFailed",
    condition: "DeleteOld",
    zip: sameZip("delete_old_snapshots_aurora.zip"),
    schedule: "cron(0 /1 * * ? *)",
    toolRetry: { interval: 300, attempts: 7 },
    anyErrorRetry: { interval: 30, attempts: 10 },
    alarmSettings: { period: 3600, evaluationPeriods: 2, threshold: 2 },
    env: {
      PATTERN: "ClusterNamePattern",
      RETENTION_DAYS: "RetentionDays",
      REGION_OVERRIDE: "SourceRegionOverride",
      LOG_LEVEL: "LogLevel",
      MIN_KEEP: "MinKeep",
      SNAPSHOT_NAME_PREFIX: "SnapshotNamePrefix",
      KEEP_DAILY: "KeepDaily",
      KEEP_WEEKLY: "KeepWeekly",
      KEEP_MONTHLY: "KeepMonthly",
      KEEP_YEARLY: "KeepYearly",
    },
  },
  {
    template: "dest",
    step: "copy",
    fn: "lambdaCopySnapshotsAurora",
    stateMachine: "statemachineCopySnapshotsDestAurora",
    rule: "cwEventCopySnapshotsAurora",
    alarm: "alarmcwCopyFailedDest",
    zip: {
      crossAccount: "copy_snapshots_dest_aurora.zip",
      sameAccount: "copy_snapshots_no_x_account_aurora.zip",
    },
    schedule: "cron(/30 * * * ? *)",
    toolRetry: { interval: 300, attempts: 5 },
    anyErrorRetry: { interval: 30, attempts: 20 },
    alarmSettings: { period: 300, evaluationPeriods: 1, threshold: 2 },
    // 2 failed executions in 5 minutes: never reached by executions started 30 minutes apart.
    deployedAlarmThreshold: 1,
    loops: true,
    env: {
      SNAPSHOT_PATTERN: "SnapshotPattern",
      DEST_REGION: "DestinationRegion",
      RETENTION_DAYS: "RetentionDays",
      REGION_OVERRIDE: "SourceRegionOverride",
      KMS_KEY_SOURCE_REGION: "KmsKeySource",
      KMS_KEY_DEST_REGION: "KmsKeyDestination",
      CROSS_ACCOUNT_COPY: "CrossAccountCopy",
      LOG_LEVEL: "LogLevel",
      SOURCE_ACCOUNTS: "SourceAccounts",
      SOURCE_RETENTION_DAYS: "SourceRetentionDays",
      MAX_COPIES_IN_FLIGHT: "MaxCopiesInFlight",
      COPY_POLL_SECONDS: "CopyPollSeconds",
      COPY_MODE: "CopyMode",
      KEEP_DAILY: "KeepDaily",
      KEEP_WEEKLY: "KeepWeekly",
      KEEP_MONTHLY: "KeepMonthly",
      KEEP_YEARLY: "KeepYearly",
    },
  },
  {
    template: "dest",
    step: "prune-dest",
    fn: "lambdaDeleteOldDestAurora",
    stateMachine: "statemachineDeleteOldSnapshotsDestAurora",
    rule: "cwEventDeleteOldSnapshotsAurora",
    alarm: "alarmcwDeleteOldFailedDest",
    condition: "DeleteOld",
    zip: {
      crossAccount: "delete_old_snapshots_dest_aurora.zip",
      sameAccount: "delete_old_snapshots_no_x_account_aurora.zip",
    },
    schedule: "cron(0 /1 * * ? *)",
    toolRetry: { interval: 600, attempts: 3 },
    anyErrorRetry: { interval: 30, attempts: 20 },
    alarmSettings: { period: 3600, evaluationPeriods: 2, threshold: 2 },
    env: {
      SNAPSHOT_PATTERN: "SnapshotPattern",
      DEST_REGION: "DestinationRegion",
      RETENTION_DAYS: "RetentionDays",
      REGION_OVERRIDE: "SourceRegionOverride",
      CROSS_ACCOUNT_COPY: "CrossAccountCopy",
      LOG_LEVEL: "LogLevel",
      MIN_KEEP: "MinKeep",
      KEEP_DAILY: "KeepDaily",
      KEEP_WEEKLY: "KeepWeekly",
      KEEP_MONTHLY: "KeepMonthly",
      KEEP_YEARLY: "KeepYearly",
      SOURCE_ACCOUNTS: "SourceAccounts",
      SOURCE_RETENTION_DAYS: "SourceRetentionDays",
    },
  },
];

export const stepsOf = (template: TemplateName): StepContract[] =>
  STEPS.filter((s) => s.template === template);

/** Every zip name the original tool shipped. */
export const ZIP_NAMES: readonly string[] = [
  ...new Set(STEPS.flatMap((s) => [s.zip.crossAccount, s.zip.sameAccount])),
];
