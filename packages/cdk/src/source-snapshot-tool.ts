import {
  ConfigError,
  sourcePolicyFromObject,
  type SourcePolicyInput,
} from "@aurora-snapshot-tool/core";
import { SOURCE_SETTINGS } from "@aurora-snapshot-tool/core/settings";
import type { CfnFunction } from "aws-cdk-lib/aws-lambda";
import type { CfnTopic } from "aws-cdk-lib/aws-sns";
import type { CfnStateMachine } from "aws-cdk-lib/aws-stepfunctions";
import type { CfnInclude } from "aws-cdk-lib/cloudformation-include";
import { Construct } from "constructs";
import { includeTemplate } from "./included-template.js";
import {
  deploymentParameters,
  flag,
  policyParameters,
  type DeploymentProps,
  type DerivedSetting,
  type PolicyProps,
} from "./template-parameters.js";

/**
 * The source account's settings: every source policy setting (named as in the policy and the
 * config file, such as `retentionDays` for RETENTION_DAYS), and the template's own switches.
 */
export interface SourceSnapshotToolProps
  extends PolicyProps<Omit<SourcePolicyInput, DerivedSetting>>, DeploymentProps {
  /**
   * BackupSchedule: the EventBridge cron body take runs on (six fields, UTC; default
   * `0 1 * * ? *`). It must fire at least once per `intervalHours`.
   */
  readonly backupSchedule?: string;
  /** ShareSnapshots: deploy share, which shares each new snapshot with `destinationAccount` (default true). */
  readonly shareSnapshots?: boolean;
}

/**
 * The source side (take, share, prune, status and, opted in, verify) as the source template
 * deploys it: the same functions, state machines, schedules, alarms and roles, with each
 * function's code a CDK asset.
 */
export class SourceSnapshotTool extends Construct {
  /** The included template, for anything not exposed below (`getResource(logicalId)`). */
  readonly template: CfnInclude;
  readonly takeFunction: CfnFunction;
  /** Exists only with `shareSnapshots` (its CloudFormation condition is `Share`). */
  readonly shareFunction: CfnFunction;
  /** Exists only with `deleteOldSnapshots` (condition `DeleteOld`). */
  readonly pruneFunction: CfnFunction;
  readonly statusFunction: CfnFunction;
  /** Exists only with `verifyEnabled` (condition `Verify`). */
  readonly verifyFunction: CfnFunction;
  readonly takeStateMachine: CfnStateMachine;
  readonly shareStateMachine: CfnStateMachine;
  readonly pruneStateMachine: CfnStateMachine;
  readonly verifyStateMachine: CfnStateMachine;
  /** The alarm topic the construct creates; exists only when `snsTopicArn` is not given. */
  readonly alarmTopic: CfnTopic;
  /** The topic the alarms notify: `snsTopicArn`, or the created topic's ARN. */
  readonly alarmTopicArn: string;

  constructor(scope: Construct, id: string, props: SourceSnapshotToolProps = {}) {
    super(scope, id);
    const {
      backupSchedule,
      shareSnapshots,
      logLevel,
      deleteOldSnapshots,
      snsTopicArn,
      statusSchedule,
      heartbeatHours,
      verifyEnabled,
      verifySchedule,
      codeDirectory,
      ...policy
    } = props;
    // The same parser the functions run, so a value they would refuse fails the synth instead.
    sourcePolicyFromObject(policy);
    const parameters: Record<string, string> = {
      ...policyParameters(policy, SOURCE_SETTINGS),
      ...deploymentParameters({
        logLevel,
        deleteOldSnapshots,
        snsTopicArn,
        statusSchedule,
        heartbeatHours,
        verifyEnabled,
        verifySchedule,
      }),
    };
    if (backupSchedule !== undefined) {
      // The template wraps the body as cron(...); an expression given whole is refused.
      if (backupSchedule.trim().split(/\s+/).length !== 6 || /[()]/.test(backupSchedule)) {
        throw new ConfigError(
          "backupSchedule",
          backupSchedule,
          "the six fields of a cron body, such as 0 1 * * ? * (the template wraps it as cron(...))",
        );
      }
      parameters.BackupSchedule = backupSchedule;
    }
    if (shareSnapshots !== undefined)
      parameters.ShareSnapshots = flag("shareSnapshots", shareSnapshots);

    this.template = includeTemplate(this, {
      template: "source.yaml",
      parameters,
      codeDirectory,
      functions: {
        lambdaTakeSnapshotsAurora: { zip: "take_snapshots_aurora.zip" },
        lambdaShareSnapshotsAurora: { zip: "share_snapshots_aurora.zip" },
        lambdaDeleteOldSnapshotsAurora: { zip: "delete_old_snapshots_aurora.zip" },
        lambdaStatusAurora: { zip: "status_aurora.zip" },
        lambdaVerifyAurora: { zip: "verify_aurora.zip" },
      },
    });
    const get = <T>(logicalId: string): T => this.template.getResource(logicalId) as T;
    this.takeFunction = get("lambdaTakeSnapshotsAurora");
    this.shareFunction = get("lambdaShareSnapshotsAurora");
    this.pruneFunction = get("lambdaDeleteOldSnapshotsAurora");
    this.statusFunction = get("lambdaStatusAurora");
    this.verifyFunction = get("lambdaVerifyAurora");
    this.takeStateMachine = get("stateMachineTakeSnapshotsAurora");
    this.shareStateMachine = get("statemachineShareSnapshotsAurora");
    this.pruneStateMachine = get("statemachineDeleteOldSnapshotsAurora");
    this.verifyStateMachine = get("statemachineVerifyAurora");
    this.alarmTopic = get("snsTopicSnapshotsAuroraTool");
    this.alarmTopicArn = snsTopicArn ?? this.alarmTopic.ref;
  }
}
