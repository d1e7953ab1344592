import type { DestinationPolicyInput } from "./destination-policy.js";
import type { SourcePolicyInput } from "./source-policy.js";

/*
 * The one description of every setting: the env var (the original tool's name where it had one),
 * the config-file key (the policy input key), the command-line flag, the JSON type a config file
 * may give, the default, the template parameter and the help text. The policy parsers, the CLI's
 * flags and --help, the config file's checks and JSON Schema, and the README's configuration
 * table are all derived from it, so a setting is added in one place.
 */

/** Which account's steps read a setting; also the config file's section name. */
export type PolicySide = "source" | "destination";

/** The JSON a config file may hold for a setting; what the value means is checked by the parser. */
export type SettingShape = "string" | "integer" | "boolean" | "list" | "keys" | "tags";

export interface SettingSpec {
  /** The policy input key, and the key inside the config file's section. */
  readonly key: string;
  /** The Lambda env var; undefined for settings only the CLI reads. */
  readonly env?: string;
  /** Env vars read after `env` when it is not set (AWS_DEFAULT_REGION after AWS_REGION). */
  readonly alsoEnv?: readonly string[];
  /** The command-line flag: the env var in kebab case, so Lambda users can guess it. */
  readonly flag: string;
  /** The flag's value in --help: `--retention-days <days>`. */
  readonly valueName: string;
  readonly shape: SettingShape;
  /** The default as the README and --help show it. */
  readonly defaultText: string;
  readonly help: string;
  /** The CloudFormation parameter that sets the env var, when the templates have one. */
  readonly parameter?: string;
  /** `original`: the Python tool's setting, same name and default; `added`: this project's. */
  readonly since: "original" | "added";
}

type Registry<I> = { readonly [K in keyof I]-?: SettingSpec & { readonly key: K } };

/* The three settings both sides read: one env var, flag and default, a help text per side. */
const RETENTION_DAYS = {
  key: "retentionDays",
  env: "RETENTION_DAYS",
  flag: "--retention-days",
  valueName: "days",
  shape: "integer",
  defaultText: "7",
  parameter: "RetentionDays",
  since: "original",
} as const;

const MIN_KEEP = {
  key: "minKeep",
  env: "MIN_KEEP",
  flag: "--min-keep",
  valueName: "count",
  shape: "integer",
  defaultText: "1",
  help:
    "newest snapshots of each cluster kept whatever their age " +
    "(0 prunes by age alone, like the original tool)",
  parameter: "MinKeep",
  since: "added",
} as const;

const REGION_OVERRIDE = {
  key: "regionOverride",
  env: "REGION_OVERRIDE",
  flag: "--region-override",
  valueName: "region",
  shape: "string",
  defaultText: "NO",
  parameter: "SourceRegionOverride",
  since: "original",
} as const;

/* Calendar (GFS) retention: the same four settings on both sides, each side with its own values. */
function keepRule<K extends "keepDaily" | "keepWeekly" | "keepMonthly" | "keepYearly">(
  key: K,
  env: string,
  parameter: string,
  period: string,
) {
  return {
    key,
    env,
    flag: `--${env.toLowerCase().replace(/_/g, "-")}`,
    valueName: "count",
    shape: "integer",
    defaultText: "0",
    help:
      `also keep the newest snapshot of each of the ${period} that hold one, per cluster ` +
      "(0 = rule not used)",
    parameter,
    since: "added",
  } as const;
}

const KEEP_RULES = {
  keepDaily: keepRule("keepDaily", "KEEP_DAILY", "KeepDaily", "last N UTC days"),
  keepWeekly: keepRule(
    "keepWeekly",
    "KEEP_WEEKLY",
    "KeepWeekly",
    "last N ISO weeks (Monday to Sunday)",
  ),
  keepMonthly: keepRule("keepMonthly", "KEEP_MONTHLY", "KeepMonthly", "last N calendar months"),
  keepYearly: keepRule("keepYearly", "KEEP_YEARLY", "KeepYearly", "last N calendar years"),
} as const;

/* Recovery assurance (status, metrics, verify): the same settings on both sides. */
const ASSURANCE = {
  metricsPerCluster: {
    key: "metricsPerCluster",
    env: "METRICS_PER_CLUSTER",
    flag: "--metrics-per-cluster",
    valueName: "TRUE|FALSE",
    shape: "boolean",
    defaultText: "TRUE",
    help:
      "emit RecoveryPointAgeMinutes per cluster and place; FALSE leaves the fleet-wide maximum " +
      "only (bounded metric cost for large fleets)",
    parameter: "MetricsPerCluster",
    since: "added",
  },
  deploymentName: {
    key: "deploymentName",
    env: "DEPLOYMENT_NAME",
    flag: "--deployment-name",
    valueName: "name",
    shape: "string",
    defaultText: "aurora-snapshot-tool",
    help:
      "this deployment's name, tagged on its verification clusters so that only its own are " +
      "ever deleted (the templates set the stack name)",
    since: "added",
  },
  verifySample: {
    key: "verifySample",
    env: "VERIFY_SAMPLE",
    flag: "--verify-sample",
    valueName: "count",
    shape: "integer",
    defaultText: "0",
    help: "clusters verify restores per run, least recently verified first; 0 = every selected cluster",
    parameter: "VerifySample",
    since: "added",
  },
  verifySubnetGroup: {
    key: "verifySubnetGroup",
    env: "VERIFY_DB_SUBNET_GROUP",
    flag: "--verify-db-subnet-group",
    valueName: "name",
    shape: "string",
    defaultText: "default",
    help: "DB subnet group of verify's temporary cluster",
    parameter: "VerifyDbSubnetGroup",
    since: "added",
  },
  verifySecurityGroups: {
    key: "verifySecurityGroups",
    env: "VERIFY_SECURITY_GROUPS",
    flag: "--verify-security-groups",
    valueName: "sg-ids",
    shape: "list",
    defaultText: "the VPC's default group",
    help: "comma-separated VPC security groups of verify's temporary cluster",
    parameter: "VerifySecurityGroups",
    since: "added",
  },
  verifyInstanceClass: {
    key: "verifyInstanceClass",
    env: "VERIFY_INSTANCE_CLASS",
    flag: "--verify-instance-class",
    valueName: "class",
    shape: "string",
    defaultText: "db.serverless",
    help:
      "class of the one instance verify adds to the restored cluster (db.serverless runs at the " +
      "minimum capacity), or NONE to restore the cluster alone",
    parameter: "VerifyInstanceClass",
    since: "added",
  },
  verifyCheckLambdaArn: {
    key: "verifyCheckLambdaArn",
    env: "VERIFY_CHECK_LAMBDA_ARN",
    flag: "--verify-check-lambda-arn",
    valueName: "arn",
    shape: "string",
    defaultText: "none",
    help:
      "Lambda function verify invokes with the restored cluster's endpoint; its error or " +
      '{"ok": false} fails the verification',
    parameter: "VerifyCheckLambdaArn",
    since: "added",
  },
  verifySecretArn: {
    key: "verifySecretArn",
    env: "VERIFY_SECRET_ARN",
    flag: "--verify-secret-arn",
    valueName: "arn",
    shape: "string",
    defaultText: "none",
    help:
      "Secrets Manager secret with the database credentials: verify enables the Data API on the " +
      "restored cluster and runs SELECT 1",
    parameter: "VerifySecretArn",
    since: "added",
  },
  verifyMaxMinutes: {
    key: "verifyMaxMinutes",
    env: "VERIFY_MAX_MINUTES",
    flag: "--verify-max-minutes",
    valueName: "minutes",
    shape: "integer",
    defaultText: "120",
    help: "a verification not done within this many minutes fails and its cluster is deleted",
    parameter: "VerifyMaxMinutes",
    since: "added",
  },
} as const;

const RPO_HOURS = {
  key: "rpoHours",
  env: "RPO_HOURS",
  flag: "--rpo-hours",
  valueName: "hours",
  shape: "integer",
  parameter: "RpoHours",
  since: "added",
} as const;

/** Source-side settings (take, share, prune), in the order they are validated. */
export const SOURCE_SETTINGS: Registry<SourcePolicyInput> = Object.freeze({
  clusterPattern: {
    key: "clusterPattern",
    env: "PATTERN",
    flag: "--pattern",
    valueName: "regex",
    shape: "string",
    defaultText: "ALL_CLUSTERS",
    help: "regex searched anywhere in each cluster id, or ALL_CLUSTERS for every cluster",
    parameter: "ClusterNamePattern",
    since: "original",
  },
  intervalHours: {
    key: "intervalHours",
    env: "INTERVAL",
    flag: "--interval",
    valueName: "hours",
    shape: "integer",
    defaultText: "24",
    help: "hours between two snapshots of a cluster",
    parameter: "BackupInterval",
    since: "original",
  },
  retentionDays: { ...RETENTION_DAYS, help: "days a snapshot is kept before prune deletes it" },

  minKeep: MIN_KEEP,
  ...KEEP_RULES,

  snapshotSource: {
    key: "snapshotSource",
    env: "SNAPSHOT_SOURCE",
    flag: "--snapshot-source",
    valueName: "create|automated",
    shape: "string",
    defaultText: "create",
    help:
      "create: take calls CreateDBClusterSnapshot on each due cluster; automated: a due cluster " +
      "whose newest available automated snapshot is younger than AUTOMATED_MAX_AGE_HOURS gets a " +
      "same-region copy of it (same name and tags, no load on the cluster), the others a created " +
      "snapshot, as do clusters beyond RDS's 5 copies in progress per region",
    parameter: "SnapshotSource",
    since: "added",
  },
  automatedMaxAgeHours: {
    key: "automatedMaxAgeHours",
    env: "AUTOMATED_MAX_AGE_HOURS",
    flag: "--automated-max-age-hours",
    valueName: "hours",
    shape: "integer",
    defaultText: "INTERVAL",
    help:
      "with SNAPSHOT_SOURCE=automated: an automated snapshot at least this many hours old is not " +
      "copied, a snapshot is created instead",
    parameter: "AutomatedMaxAgeHours",
    since: "added",
  },

  destinationAccount: {
    key: "destinationAccount",
    env: "DEST_ACCOUNT",
    flag: "--dest-account",
    valueName: "accounts",
    shape: "list",
    defaultText: "none",
    help:
      "12-digit account the snapshots are shared with, or up to 20 comma-separated (RDS's limit " +
      "for one snapshot); required by share. Each destination account deploys its own " +
      "destination stack naming this account in SourceAccounts",
    parameter: "DestinationAccount",
    since: "original",
  },
  snapshotNamePrefix: {
    key: "snapshotNamePrefix",
    env: "SNAPSHOT_NAME_PREFIX",
    flag: "--snapshot-name-prefix",
    valueName: "prefix",
    shape: "string",
    defaultText: "NONE",
    help: "prefix of snapshot names; NONE or empty for none",
    parameter: "SnapshotNamePrefix",
    since: "original",
  },
  regionOverride: {
    ...REGION_OVERRIDE,
    help: "region the clusters live in, or NO for the region the tool runs in",
  },

  includeTags: {
    key: "includeTags",
    env: "CLUSTER_TAGS_INCLUDE",
    flag: "--cluster-tags-include",
    valueName: "k=v,...",
    shape: "tags",
    defaultText: "none",
    help: "take snapshots only of clusters carrying all of these key=value tags",
    parameter: "ClusterTagsInclude",
    since: "added",
  },
  excludeTags: {
    key: "excludeTags",
    env: "CLUSTER_TAGS_EXCLUDE",
    flag: "--cluster-tags-exclude",
    valueName: "k=v,...",
    shape: "tags",
    defaultText: "none",
    help: "take no snapshots of clusters carrying any of these key=value tags",
    parameter: "ClusterTagsExclude",
    since: "added",
  },
  destinationEventBus: {
    key: "destinationEventBus",
    env: "DEST_EVENT_BUS_ARN",
    flag: "--dest-event-bus-arn",
    valueName: "arn",
    shape: "string",
    defaultText: "none",
    help:
      "event bus of the destination account that share tells about each snapshot it shares, " +
      "so the copy starts at once instead of at the next copy schedule",
    parameter: "DestinationEventBusArn",
    since: "added",
  },
  reencryptKmsKey: {
    key: "reencryptKmsKey",
    env: "REENCRYPT_KMS_KEY",
    flag: "--reencrypt-kms-key",
    valueName: "key",
    shape: "string",
    defaultText: "None",
    help:
      "customer-managed KMS key (id, ARN, alias/NAME or alias ARN) share re-encrypts aws/rds " +
      "snapshots with, into a cmk-NAME copy it shares instead; None skips them",
    parameter: "ReencryptKmsKey",
    since: "added",
  },
  rpoHours: {
    ...RPO_HOURS,
    defaultText: "INTERVAL + 2",
    help: "a cluster whose newest snapshot is older than this is not protected (status, metrics, the RPO alarm)",
  },
  ...ASSURANCE,
});

/** Destination-side settings (copy, prune-dest), in the order they are validated. */
export const DESTINATION_SETTINGS: Registry<DestinationPolicyInput> = Object.freeze({
  snapshotPattern: {
    key: "snapshotPattern",
    env: "SNAPSHOT_PATTERN",
    flag: "--snapshot-pattern",
    valueName: "regex",
    shape: "string",
    defaultText: "ALL_SNAPSHOTS",
    help: "regex searched in the source cluster id, or ALL_SNAPSHOTS for every snapshot",
    parameter: "SnapshotPattern",
    since: "original",
  },
  retentionDays: { ...RETENTION_DAYS, help: "days a copy is kept before prune-dest deletes it" },

  sourceRetentionDays: {
    key: "sourceRetentionDays",
    env: "SOURCE_RETENTION_DAYS",
    flag: "--source-retention-days",
    valueName: "days",
    shape: "integer",
    defaultText: "none",
    help: "the source stack's RETENTION_DAYS, to check that copies are kept at least as long",
    parameter: "SourceRetentionDays",
    since: "added",
  },
  minKeep: MIN_KEEP,
  ...KEEP_RULES,

  destinationRegions: {
    key: "destinationRegions",
    env: "DEST_REGION",
    flag: "--dest-region",
    valueName: "regions",
    shape: "list",
    defaultText: "(required)",
    help: "comma-separated regions the copies are kept in",
    parameter: "DestinationRegion",
    since: "original",
  },
  regionOverride: {
    ...REGION_OVERRIDE,
    help: "region the snapshots are shared into, or NO for the region the tool runs in",
  },

  kmsKeySource: {
    key: "kmsKeySource",
    env: "KMS_KEY_SOURCE_REGION",
    flag: "--kms-key-source-region",
    valueName: "key",
    shape: "string",
    defaultText: "None",
    help: "KMS key the local copy of a shared snapshot is encrypted with, or None",
    parameter: "KmsKeySource",
    since: "original",
  },
  kmsKeyDestination: {
    key: "kmsKeyDestination",
    env: "KMS_KEY_DEST_REGION",
    flag: "--kms-key-dest-region",
    valueName: "keys",
    shape: "keys",
    defaultText: "None",
    help: "KMS keys of the copies, one per DEST_REGION entry, comma-separated, or None",
    parameter: "KmsKeyDestination",
    since: "original",
  },
  crossAccount: {
    key: "crossAccount",
    env: "CROSS_ACCOUNT_COPY",
    flag: "--cross-account-copy",
    valueName: "TRUE|FALSE",
    shape: "boolean",
    defaultText: "TRUE",
    help: "TRUE: copy snapshots shared from another account; FALSE: this account's own",
    parameter: "CrossAccountCopy",
    since: "original",
  },
  maxCopiesInFlight: {
    key: "maxCopiesInFlight",
    env: "MAX_COPIES_IN_FLIGHT",
    flag: "--max-copies-in-flight",
    valueName: "count",
    shape: "integer",
    defaultText: "5",
    help: "copies running at once per destination region, 1 to 5 (AWS runs at most 5)",
    parameter: "MaxCopiesInFlight",
    since: "added",
  },
  sourceAccounts: {
    key: "sourceAccounts",
    env: "SOURCE_ACCOUNTS",
    flag: "--source-accounts",
    valueName: "accounts",
    shape: "list",
    defaultText: "any",
    help: "only copy snapshots shared by these comma-separated accounts",
    parameter: "SourceAccounts",
    since: "added",
  },
  copyPollSeconds: {
    key: "copyPollSeconds",
    env: "COPY_POLL_SECONDS",
    flag: "--copy-poll-seconds",
    valueName: "seconds",
    shape: "integer",
    defaultText: "30",
    help:
      "how often the copy function (and copy --follow) looks again at the copies it started, " +
      "until its deadline, to start the next stage in the same run (0 = off)",
    parameter: "CopyPollSeconds",
    since: "added",
  },
  copyMode: {
    key: "copyMode",
    env: "COPY_MODE",
    flag: "--copy-mode",
    valueName: "mode",
    shape: "string",
    defaultText: "auto",
    help:
      "how a shared snapshot reaches another region: single-step (one copy, straight from the " +
      "shared snapshot), two-step (a local intermediate copy, then the onward copy), or auto " +
      "(single-step, and two-step in a region where RDS refuses it)",
    parameter: "CopyMode",
    since: "added",
  },
  rpoHours: {
    ...RPO_HOURS,
    defaultText: "each cluster's interval + 2 + 6",
    help:
      "a cluster whose newest copy in a region is older than this is not protected there; by " +
      "default the interval read from the spacing of its snapshots, plus 2, plus 6 hours of copying",
  },
  ...ASSURANCE,
  verifyRegion: {
    key: "verifyRegion",
    env: "VERIFY_REGION",
    flag: "--verify-region",
    valueName: "region",
    shape: "string",
    defaultText: "the first DEST_REGION",
    help: "the destination region whose copies verify restores",
    parameter: "VerifyRegion",
    since: "added",
  },
});

/**
 * Settings of a run rather than of a policy: where to connect and how to report. The CLI reads
 * them from flags, the config file's top level and env vars; the Lambda adapter reads LOG_LEVEL.
 */
export const RUN_SETTINGS = Object.freeze({
  region: {
    key: "region",
    env: "AWS_REGION",
    alsoEnv: ["AWS_DEFAULT_REGION"],
    flag: "--region",
    valueName: "region",
    shape: "string",
    defaultText: "the profile's region in ~/.aws/config, as the SDK resolves it; one is required",
    help: "region the tool runs in",
    since: "added",
  },
  profile: {
    key: "profile",
    flag: "--profile",
    valueName: "name",
    shape: "string",
    defaultText: "the SDK's credential chain, which reads AWS_PROFILE",
    help: "named AWS profile",
    since: "added",
  },
  endpointUrl: {
    key: "endpointUrl",
    flag: "--endpoint-url",
    valueName: "url",
    shape: "string",
    defaultText: "AWS_ENDPOINT_URL, else AWS's endpoints",
    help: "send every AWS call to this endpoint, such as an emulator's",
    since: "added",
  },
  roleArn: {
    key: "roleArn",
    flag: "--role-arn",
    valueName: "arn",
    shape: "string",
    defaultText: "none",
    help: "act in another account through STS AssumeRole on this role",
    since: "added",
  },
  logLevel: {
    key: "logLevel",
    env: "LOG_LEVEL",
    flag: "--log-level",
    valueName: "level",
    shape: "string",
    defaultText: "ERROR in Lambda, INFO in the CLI",
    help: "DEBUG, INFO, WARN (or WARNING), ERROR or CRITICAL, in any letter case",
    parameter: "LogLevel",
    since: "original",
  },
  schedule: {
    key: "schedule",
    flag: "--schedule",
    valueName: "expression",
    shape: "string",
    defaultText: "none",
    help:
      "take's schedule, which doctor checks against the interval: cron(...), " +
      "rate(N minutes|hours|days) or the BackupSchedule body, such as 0 1 * * ? *",
    parameter: "BackupSchedule",
    since: "original",
  },
} as const satisfies Record<string, SettingSpec>);

export type RunSettingKey = keyof typeof RUN_SETTINGS;

/**
 * Fleet mode: the targets (account, region, role) a step fans out over, and how many run at once.
 * Read by the CLI (`--targets FILE`) and the fleet template's functions; no policy reads them.
 */
export const FLEET_SETTINGS = Object.freeze({
  targets: {
    key: "targets",
    env: "FLEET_TARGETS",
    flag: "--targets",
    valueName: "document",
    shape: "string",
    defaultText: "none (no fleet: the one account the credentials are of)",
    help:
      "the targets document: a file path (CLI only), s3://BUCKET/KEY, ssm:PARAMETER (name or ARN) " +
      "or the JSON itself; a list of {account, region, roleArn?, externalId?, overrides?} " +
      "(schema: targets.schema.json)",
    parameter: "FleetTargets",
    since: "added",
  },
  organizationalUnits: {
    key: "organizationalUnits",
    env: "FLEET_ORGANIZATIONAL_UNITS",
    flag: "--organizational-units",
    valueName: "ids",
    shape: "list",
    defaultText: "none",
    help:
      "comma-separated AWS Organizations OU ids (ou-...) or a root id (r-...): every ACTIVE " +
      "account under them, in each of the fleet regions, is a target, acted on through the member role",
    parameter: "OrganizationalUnitIds",
    since: "added",
  },
  regions: {
    key: "regions",
    env: "FLEET_REGIONS",
    flag: "--fleet-regions",
    valueName: "regions",
    shape: "list",
    defaultText: "the region the tool runs in",
    help: "comma-separated regions of the targets found under the organizational units",
    parameter: "FleetRegions",
    since: "added",
  },
  memberRoleName: {
    key: "memberRoleName",
    env: "FLEET_MEMBER_ROLE_NAME",
    flag: "--member-role-name",
    valueName: "name",
    shape: "string",
    defaultText: "aurora-snapshot-tool-member",
    help: "the role (member-role.yaml) assumed in each account found under the organizational units",
    parameter: "MemberRoleName",
    since: "added",
  },
  externalId: {
    key: "externalId",
    env: "FLEET_EXTERNAL_ID",
    flag: "--external-id",
    valueName: "id",
    shape: "string",
    defaultText: "none",
    help: "the sts:ExternalId given when assuming a target's role (a target's own externalId wins)",
    parameter: "ExternalId",
    since: "added",
  },
  maxConcurrency: {
    key: "maxConcurrency",
    env: "FLEET_MAX_CONCURRENCY",
    flag: "--max-concurrency",
    valueName: "count",
    shape: "integer",
    defaultText: "10",
    help:
      "targets run at once, 1 to 1000; inside each target the step keeps its own bound, as " +
      "RDS throttles per account and region",
    parameter: "MaxConcurrency",
    since: "added",
  },
} as const satisfies Record<string, SettingSpec>);

export type FleetSettingKey = keyof typeof FLEET_SETTINGS;

export function settingsOf(side: PolicySide): readonly SettingSpec[] {
  return Object.values(side === "source" ? SOURCE_SETTINGS : DESTINATION_SETTINGS);
}

/** The config file's name for a policy setting: `source.retentionDays`. */
export function fileKeyOf(side: PolicySide | undefined, spec: SettingSpec): string {
  return side === undefined ? spec.key : `${side}.${spec.key}`;
}
