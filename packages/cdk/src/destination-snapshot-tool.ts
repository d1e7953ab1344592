import {
  destinationPolicyFromObject,
  type DestinationPolicyInput,
} from "@aurora-snapshot-tool/core";
import { DESTINATION_SETTINGS } from "@aurora-snapshot-tool/core/settings";
import type { CfnEventBus } from "aws-cdk-lib/aws-events";
import type { CfnFunction } from "aws-cdk-lib/aws-lambda";
import type { CfnTopic } from "aws-cdk-lib/aws-sns";
import type { CfnStateMachine } from "aws-cdk-lib/aws-stepfunctions";
import type { CfnInclude } from "aws-cdk-lib/cloudformation-include";
import { Construct } from "constructs";
import { includeTemplate } from "./included-template.js";
import {
  deploymentParameters,
  policyParameters,
  type DeploymentProps,
  type DerivedSetting,
  type PolicyProps,
} from "./template-parameters.js";

type DestinationPolicyProps = PolicyProps<Omit<DestinationPolicyInput, DerivedSetting>>;

/**
 * The destination account's settings: every destination policy setting (named as in the policy
 * and the config file, such as `destinationRegions` for DEST_REGION), and the template's own
 * switches. `destinationRegions` is required, as DestinationRegion is in the template.
 */
export interface DestinationSnapshotToolProps
  extends Omit<DestinationPolicyProps, "destinationRegions">, DeploymentProps {
  /** DestinationRegion: the regions copies are kept in, as a list or comma-separated. */
  readonly destinationRegions: string | readonly string[];
}

/**
 * The destination side (copy, prune-dest, status and, opted in, verify) as the destination
 * template deploys it: the same functions, state machines, schedules, alarms, roles and (with
 * `sourceAccounts`) event bus, with each function's code a CDK asset.
 */
export class DestinationSnapshotTool extends Construct {
  /** The included template, for anything not exposed below (`getResource(logicalId)`). */
  readonly template: CfnInclude;
  readonly copyFunction: CfnFunction;
  /** Exists only with `deleteOldSnapshots` (condition `DeleteOld`). */
  readonly pruneFunction: CfnFunction;
  readonly statusFunction: CfnFunction;
  /** Exists only with `verifyEnabled` (condition `Verify`). */
  readonly verifyFunction: CfnFunction;
  readonly copyStateMachine: CfnStateMachine;
  readonly pruneStateMachine: CfnStateMachine;
  readonly verifyStateMachine: CfnStateMachine;
  /**
   * The bus the source accounts' share events arrive on (a copy starts on each); exists only
   * with `sourceAccounts` (condition `HasSourceAccounts`).
   */
  readonly eventBus: CfnEventBus;
  /** The alarm topic the construct creates; exists only when `snsTopicArn` is not given. */
  readonly alarmTopic: CfnTopic;
  /** The topic the alarms notify: `snsTopicArn`, or the created topic's ARN. */
  readonly alarmTopicArn: string;

  constructor(scope: Construct, id: string, props: DestinationSnapshotToolProps) {
    super(scope, id);
    const {
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
    destinationPolicyFromObject(policy);
    const parameters: Record<string, string> = {
      ...policyParameters(policy, DESTINATION_SETTINGS),
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

    this.template = includeTemplate(this, {
      template: "dest.yaml",
      parameters,
      codeDirectory,
      functions: {
        lambdaCopySnapshotsAurora: {
          condition: "CrossAccount",
          whenTrue: "copy_snapshots_dest_aurora.zip",
          whenFalse: "copy_snapshots_no_x_account_aurora.zip",
        },
        lambdaDeleteOldDestAurora: {
          condition: "CrossAccount",
          whenTrue: "delete_old_snapshots_dest_aurora.zip",
          whenFalse: "delete_old_snapshots_no_x_account_aurora.zip",
        },
        lambdaStatusDestAurora: { zip: "status_dest_aurora.zip" },
        lambdaVerifyDestAurora: { zip: "verify_dest_aurora.zip" },
      },
    });
    const get = <T>(logicalId: string): T => this.template.getResource(logicalId) as T;
    this.copyFunction = get("lambdaCopySnapshotsAurora");
    this.pruneFunction = get("lambdaDeleteOldDestAurora");
    this.statusFunction = get("lambdaStatusDestAurora");
    this.verifyFunction = get("lambdaVerifyDestAurora");
    this.copyStateMachine = get("statemachineCopySnapshotsDestAurora");
    this.pruneStateMachine = get("statemachineDeleteOldSnapshotsDestAurora");
    this.verifyStateMachine = get("statemachineVerifyDestAurora");
    this.eventBus = get("eventBusSnapshotsAuroraDest");
    this.alarmTopic = get("snsTopicSnapshotsAuroraToolDest");
    this.alarmTopicArn = snsTopicArn ?? this.alarmTopic.ref;
  }
}
