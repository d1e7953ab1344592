/**
 * `@aurora-snapshot-tool/core`: the library surface. Policies, the five steps (plan and run),
 * the pure planners, the run report, errors, the AWS gateway and its client factory, and the
 * model the decisions are made of. Further entry points:
 * - `@aurora-snapshot-tool/core/settings`: the settings registry, layered lookup, config-file
 *   checks and JSON Schema, and the field parsers (for adapters);
 * - `@aurora-snapshot-tool/core/doctor`: doctor's checks;
 * - `@aurora-snapshot-tool/core/inventory`: the `list` and `wait` views;
 * - `@aurora-snapshot-tool/core/testing`: an in-memory RDS, builders and a fleet simulation.
 */

// Policies
export {
  COPY_MODES,
  ConfigError,
  checkRetentionPair,
  destinationPolicyFrom,
  destinationPolicyFromEnv,
  destinationPolicyFromObject,
  parseConfigDocument,
  sourcePolicyFrom,
  sourcePolicyFromEnv,
  sourcePolicyFromObject,
} from "./policy/index.js";
export type {
  ClusterPattern,
  ConfigDocument,
  CopyMode,
  DestinationPolicy,
  DestinationPolicyInput,
  FieldOrigin,
  PolicySide,
  SettingLayers,
  SourcePolicy,
  SourcePolicyInput,
  TagSelector,
} from "./policy/index.js";

// Steps
export {
  COPY_LOOP_MAX_MS,
  COPY_LOOP_MAX_ROUNDS,
  LAMBDA_SAFETY_MARGIN_MS,
  STEPS,
  STEP_CATALOGUE,
  bindStep,
  bindStepFrom,
  copyLoopFails,
  copyLoopPositionOf,
  copyLoopState,
  followedCopies,
  lambdaDeadline,
  planCopyStep,
  planDestinationSteps,
  planPruneDestStep,
  planPruneStep,
  planShareStep,
  planSourceSteps,
  planTakeStep,
  runCopy,
  runPrune,
  runPruneDest,
  runShare,
  runTake,
  SNAPSHOTS_PER_EVENT,
  SNAPSHOTS_SHARED,
  TOOL_EVENT_SOURCE,
  eventsForBus,
  snapshotsSharedEvents,
} from "./steps/index.js";
export type {
  BoundStep,
  CopyFollowUp,
  CopyLoopPosition,
  CopyLoopReason,
  CopyLoopState,
  CopyRunOptions,
  DestinationStepInput,
  Plan,
  RemainingTime,
  SnapshotsSharedDetail,
  SourceStepInput,
  StepContext,
  StepEntry,
  StepRunContext,
} from "./steps/index.js";

// Planners
export { planCopy, planPrune, planPruneDest, planShare, planTake } from "./plan/index.js";
export type {
  CopyStepDecision,
  PlanCopyInput,
  PlanPruneDestInput,
  PlanPruneInput,
  PlanShareInput,
  PlanTakeInput,
  PruneStepDecision,
  ShareStepDecision,
  TakeStepDecision,
} from "./plan/index.js";

// The run report and errors
export {
  AwsActionError,
  BLOCKED_REASONS,
  blockedLine,
  DEFERRED_REASONS,
  REMEDIES,
  SnapshotToolException,
  assertComplete,
  execute,
  isComplete,
  resultsOf,
  summarize,
} from "./execute/index.js";
export type {
  DecisionResult,
  ExecuteOptions,
  Outcome,
  ReportSummary,
  ResultStatus,
  RetryOptions,
  RunReport,
  CopyBacklog,
  CopyBacklogCounts,
} from "./execute/index.js";

// The gateway to AWS
export {
  AssumeRoleError,
  AwsGateway,
  awsObjectStore,
  awsTargetsReaders,
  createClientFactory,
  isActiveAccount,
  sdkDefaultRegion,
} from "./aws/index.js";
export type { AwsTargetsReadersOptions, ObjectStore } from "./aws/index.js";
export type {
  AssumeRoleOptions,
  AwsClients,
  AwsGatewayOptions,
  ClientFactory,
  ClientFactoryOptions,
  ClientPlugin,
} from "./aws/index.js";
export type {
  CopySnapshotInput,
  CreateSnapshotInput,
  Gateway,
  ToolEvent,
  SnapshotQuery,
} from "./execute/index.js";

// The model: snapshots, names, tags, decisions
export {
  REASONS,
  TAG_COPIED_BY,
  TAG_CREATED_BY,
  TAG_CREATED_ON,
  TAG_INTERMEDIATE,
  TAG_SHARED_WITH,
  TAG_SHARED_WITH_2,
  TAG_SHARE_AND_COPY,
  TOOL_NAME,
  isAction,
  isToolCopy,
  isToolSnapshot,
  parseArn,
  sharedWithOf,
} from "./model/index.js";
export type {
  Action,
  ActionDecision,
  Cluster,
  CopyDecision,
  Decision,
  DeleteDecision,
  Facts,
  KeyInfo,
  ParsedArn,
  Reason,
  ShareDecision,
  SkipDecision,
  Snapshot,
  SnapshotStatus,
  SnapshotType,
  Step,
  Tags,
  TakeDecision,
} from "./model/index.js";
export {
  checkIdentifier,
  formatSnapshotName,
  formatTimestamp,
  parseSnapshotTime,
} from "./naming/index.js";
export type { IdentifierProblem } from "./naming/index.js";

// Recovery status and metrics
export * from "./status/index.js";

// Restore verification
export * from "./verify/index.js";
export type {
  CreateInstanceInput,
  DbClusterDetail,
  DbInstanceDetail,
  ExecuteStatementInput,
  InvokeResult,
  RestoreClusterInput,
  VerifyGateway,
} from "./execute/index.js";

// The orchestration port (one step at one target) and fleet mode (one step over many targets)
export * from "./orchestration/index.js";
export * from "./fleet/index.js";
