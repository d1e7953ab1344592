/**
 * The IAM permissions restore verification needs, as data the templates (and anyone writing their
 * own policy) read. Each statement says which resource it applies to and the tag condition that
 * confines it: verification may create clusters and instances only when they carry this
 * deployment's marker tag, and may modify or delete only clusters and instances that already carry
 * it. That is the second safety net under the engine's own rule (it never touches a cluster without
 * `SnapshotToolVerification = <deploymentName>`).
 *
 * Sources: Service Authorization Reference, Amazon RDS
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonrds.html) and
 * Amazon RDS Data API (.../list_amazonrdsdataapi.html): rds-data actions take the `cluster`
 * resource with `aws:ResourceTag/${TagKey}`. EnableHttpEndpoint is its own action for Serverless v2
 * and provisioned clusters (RestoreDBClusterFromSnapshot has no EnableHttpEndpoint parameter;
 * ModifyDBCluster's only applies to Serverless v1): https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_EnableHttpEndpoint.html
 */

/** The tag that marks a verification cluster (and its instance) as this deployment's. */
export const VERIFICATION_TAG = "SnapshotToolVerification";
/** The tag written on a verified snapshot: `<ISO time> passed` or `<ISO time> failed: <reason>`. */
export const VERIFIED_TAG = "SnapshotToolVerified";

/** Which tag condition an IAM statement for verification carries. */
export type VerifyIamCondition =
  /** None: read-only calls that IAM only authorises on `*`. */
  | "none"
  /** `aws:RequestTag/SnapshotToolVerification` = the deployment name (create calls: the new resource carries the marker). */
  | "request-tag-verification"
  /** `rds:cluster-tag/SnapshotToolVerification` = the deployment name (only this deployment's verification clusters). */
  | "cluster-tag-verification"
  /** `rds:db-tag/SnapshotToolVerification` = the deployment name (only this deployment's verification instances). */
  | "db-tag-verification"
  /** `aws:ResourceTag/SnapshotToolVerification` = the deployment name (rds-data on the cluster). */
  | "resource-tag-verification"
  /**
   * `rds:cluster-snapshot-tag/CreatedBy` = `Snapshot Tool for Aurora` (source side) or
   * `rds:cluster-snapshot-tag/CopiedBy` = `Snapshot Tool for Aurora` (destination side): only the
   * tool's own snapshots are restored from or tagged with the outcome.
   */
  | "tool-snapshot-tag"
  /** `kms:GrantIsForAWSResource` = true (RDS creates the grant for the restored cluster). */
  | "grant-for-aws-resource"
  /** No tag condition: scope the Resource to the one configured ARN (secret, function). */
  | "configured-arn";

export interface VerifyIamStatement {
  /** The gateway method (or step) that needs it. */
  readonly usedBy: string;
  readonly actions: readonly string[];
  /** The resource type(s) in the Service Authorization Reference's terms. */
  readonly resource:
    "cluster" | "db" | "cluster-snapshot" | "*" | "kms-key" | "secret" | "function";
  readonly condition: VerifyIamCondition;
  /** Only needed when this setting is set. */
  readonly onlyWhen?: "verifySecretArn" | "verifyCheckLambdaArn" | "verifyInstanceClass";
}

/**
 * Every statement restore verification needs. A policy built from this list lets the tool restore
 * the tool's own snapshots into clusters it must tag as its own, and nothing else destructive.
 */
export const VERIFY_IAM_ACTIONS: readonly VerifyIamStatement[] = Object.freeze([
  {
    usedBy: "listDbClusters, describeInstances (clean-up pass, waits)",
    actions: ["rds:DescribeDBClusters", "rds:DescribeDBInstances"],
    resource: "*",
    condition: "none",
  },
  {
    usedBy: "restoreClusterFromSnapshot: the new cluster",
    actions: ["rds:RestoreDBClusterFromSnapshot", "rds:AddTagsToResource"],
    resource: "cluster",
    condition: "request-tag-verification",
  },
  {
    usedBy: "restoreClusterFromSnapshot: the snapshot restored from",
    actions: ["rds:RestoreDBClusterFromSnapshot"],
    resource: "cluster-snapshot",
    condition: "tool-snapshot-tag",
  },
  {
    usedBy: "restoreClusterFromSnapshot: an encrypted snapshot's key",
    actions: ["kms:CreateGrant", "kms:DescribeKey", "kms:Decrypt"],
    resource: "kms-key",
    condition: "grant-for-aws-resource",
  },
  {
    usedBy: "createInstance: the new instance",
    actions: ["rds:CreateDBInstance", "rds:AddTagsToResource"],
    resource: "db",
    condition: "request-tag-verification",
    onlyWhen: "verifyInstanceClass",
  },
  {
    usedBy: "createInstance: the cluster it joins",
    actions: ["rds:CreateDBInstance"],
    resource: "cluster",
    condition: "cluster-tag-verification",
    onlyWhen: "verifyInstanceClass",
  },
  {
    usedBy: "deleteInstance",
    actions: ["rds:DeleteDBInstance"],
    resource: "db",
    condition: "db-tag-verification",
  },
  {
    usedBy: "deleteCluster (SkipFinalSnapshot), enableHttpEndpoint",
    actions: ["rds:DeleteDBCluster", "rds:EnableHttpEndpoint"],
    resource: "cluster",
    condition: "cluster-tag-verification",
  },
  {
    usedBy: "addTags: the outcome tag on the verified snapshot",
    actions: ["rds:AddTagsToResource"],
    resource: "cluster-snapshot",
    condition: "tool-snapshot-tag",
  },
  {
    usedBy: "executeStatement (Data API check)",
    actions: ["rds-data:ExecuteStatement"],
    resource: "cluster",
    condition: "resource-tag-verification",
    onlyWhen: "verifySecretArn",
  },
  {
    usedBy: "executeStatement: the Data API reads the secret with the caller's credentials",
    actions: ["secretsmanager:GetSecretValue"],
    resource: "secret",
    condition: "configured-arn",
    onlyWhen: "verifySecretArn",
  },
  {
    usedBy: "invokeFunction (user-supplied check)",
    actions: ["lambda:InvokeFunction"],
    resource: "function",
    condition: "configured-arn",
    onlyWhen: "verifyCheckLambdaArn",
  },
] satisfies VerifyIamStatement[]);
