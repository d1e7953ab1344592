/** Where a snapshot or cluster lives: an AWS account and a region. */
export interface Place {
  readonly account: string;
  readonly region: string;
}

/**
 * The kinds of cluster snapshot RDS reports. `awsbackup` is a manual-looking snapshot made by AWS
 * Backup (identifier starts with `awsbackup:`); the tool never touches it.
 */
export type SnapshotType = "manual" | "automated" | "shared" | "public" | "awsbackup";

/** Snapshot states the tool reasons about; anything else RDS reports is kept verbatim. */
export type SnapshotStatus =
  "available" | "creating" | "copying" | "deleting" | "deleted" | "failed" | (string & {});

export type Tags = Readonly<Record<string, string>>;

export interface Snapshot {
  /** DBClusterSnapshotIdentifier as RDS reports it (for a snapshot shared in, RDS reports the ARN). */
  readonly id: string;
  /** The bare identifier: the last segment of the ARN (equal to `id` for the account's own snapshots). */
  readonly name: string;
  readonly arn: string;
  readonly clusterId: string;
  readonly engine: string;
  readonly type: SnapshotType;
  readonly status: SnapshotStatus;
  /** SnapshotCreateTime; a copy may carry its source's time, so ages come from the name first. */
  readonly createTime?: Date;
  readonly encrypted: boolean;
  readonly kmsKeyId?: string;
  readonly tags: Tags;
  /** Owner account and region, parsed from the ARN. */
  readonly account: string;
  readonly region: string;
  readonly percentProgress?: number;
  /** SourceDBClusterSnapshotArn: set on a copy. */
  readonly sourceArn?: string;
}

export interface Cluster {
  readonly id: string;
  readonly arn: string;
  readonly engine: string;
  readonly status: string;
  readonly encrypted: boolean;
  readonly kmsKeyId?: string;
  readonly tags: Tags;
  readonly account: string;
  readonly region: string;
}

/** What KMS says about a key the tool depends on. */
export interface KeyInfo {
  /** The reference as configured or as found on a snapshot (id, alias or ARN). */
  readonly ref: string;
  readonly arn: string;
  readonly region: string;
  readonly account: string;
  readonly enabled: boolean;
  /** `AWS` for AWS-managed keys such as `aws/rds`, which cannot be shared across accounts. */
  readonly manager: "AWS" | "CUSTOMER";
  /** KeySpec (`SYMMETRIC_DEFAULT` for the keys RDS encrypts with), when KMS reported it. */
  readonly spec?: string;
  /** KeyUsage (`ENCRYPT_DECRYPT` for the keys RDS encrypts with), when KMS reported it. */
  readonly usage?: string;
}

export interface ParsedArn {
  readonly partition: string;
  readonly service: string;
  readonly region: string;
  readonly account: string;
  readonly resourceType: string;
  readonly resource: string;
}

/** Splits `arn:partition:service:region:account:type:name`; undefined when the text is not such an ARN. */
export function parseArn(arn: string): ParsedArn | undefined {
  const parts = arn.split(":");
  if (parts.length < 6 || parts[0] !== "arn") return undefined;
  const [, partition, service, region, account, ...rest] = parts as [
    string,
    string,
    string,
    string,
    string,
    ...string[],
  ];
  const tail = rest.join(":");
  // RDS uses `type:name`, KMS uses `type/name`.
  const sep = /[:/]/.exec(tail);
  const resourceType = sep ? tail.slice(0, sep.index) : tail;
  const resource = sep ? tail.slice(sep.index + 1) : "";
  return { partition, service, region, account, resourceType, resource };
}
