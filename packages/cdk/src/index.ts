/**
 * `@aurora-snapshot-tool/cdk`: the source and destination sides as CDK constructs, built from the
 * project's CloudFormation templates so both deploy the same resources.
 */
export { SourceSnapshotTool, type SourceSnapshotToolProps } from "./source-snapshot-tool.js";
export {
  DestinationSnapshotTool,
  type DestinationSnapshotToolProps,
} from "./destination-snapshot-tool.js";
export { DEFAULT_CODE_DIRECTORY } from "./included-template.js";
export type { DeploymentProps, PolicyProps } from "./template-parameters.js";
