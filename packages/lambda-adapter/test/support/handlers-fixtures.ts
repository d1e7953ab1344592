/**
 * Builders for the handler tests: a Lambda context, the function's environment pointed at
 * moto_server, captured log lines, and seeding and inspection over plain SDK clients (so what
 * the handler sends is the only traffic of the tool under test).
 */
import { formatTimestamp } from "@aurora-snapshot-tool/core";
import { timeInSnapshotName, type MotoServer } from "@aurora-snapshot-tool/test-support";
import {
  CreateDBClusterCommand,
  CreateDBClusterSnapshotCommand,
  DescribeDBClusterSnapshotsCommand,
  RDSClient,
  type DBClusterSnapshot,
} from "@aws-sdk/client-rds";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import type { Context } from "aws-lambda";
import { vi } from "vitest";

export const TOOL = "Snapshot Tool for Aurora";
/** moto's default account: what the static test credentials act in. */
export const SOURCE_ACCOUNT = "123456789012";
export const DEST_ACCOUNT = "210987654321";
export const HOME = "us-east-1";
export const AWAY = "us-west-2";
const CREDENTIALS = { accessKeyId: "testing", secretAccessKey: "testing" };
const DAY_MS = 86_400_000;

/** A Lambda context with `remainingMs` left (default: the templates' full 300 s timeout). */
export function aLambdaContext(options: { remainingMs?: number } = {}): Context {
  const remainingMs = options.remainingMs ?? 300_000;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: "snapshot-tool-test",
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:${HOME}:${SOURCE_ACCOUNT}:function:snapshot-tool-test`,
    memoryLimitInMB: "512",
    awsRequestId: "00000000-0000-4000-8000-000000000000",
    logGroupName: "/aws/lambda/snapshot-tool-test",
    logStreamName: "test",
    getRemainingTimeInMillis: () => remainingMs,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** Variables the handlers read; cleared before each test so one test's setting never leaks. */
const TOOL_VARIABLES = [
  "PATTERN",
  "INTERVAL",
  "DEST_ACCOUNT",
  "RETENTION_DAYS",
  "MIN_KEEP",
  "SNAPSHOT_NAME_PREFIX",
  "REGION_OVERRIDE",
  "CLUSTER_TAGS_INCLUDE",
  "CLUSTER_TAGS_EXCLUDE",
  "SNAPSHOT_PATTERN",
  "DEST_REGION",
  "KMS_KEY_SOURCE_REGION",
  "KMS_KEY_DEST_REGION",
  "CROSS_ACCOUNT_COPY",
  "SOURCE_RETENTION_DAYS",
  "MAX_COPIES_IN_FLIGHT",
  "SOURCE_ACCOUNTS",
  "COPY_POLL_SECONDS",
  "COPY_MODE",
  "DEST_EVENT_BUS_ARN",
  "LOG_LEVEL",
  "AWS_LAMBDA_LOG_LEVEL",
  "POWERTOOLS_SERVICE_NAME",
];

/**
 * The environment of a function in HOME whose SDK calls go to `endpoint`, with `vars` on top.
 * Returns a function that restores process.env as it was.
 */
export function useFunctionEnv(endpoint: string, vars: Record<string, string> = {}): () => void {
  const saved = { ...process.env };
  for (const name of [...TOOL_VARIABLES, "AWS_PROFILE", "AWS_SESSION_TOKEN"]) {
    delete process.env[name];
  }
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: HOME,
    AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    AWS_EC2_METADATA_DISABLED: "true",
    ...vars,
  });
  return () => {
    for (const name of Object.keys(process.env)) {
      if (!(name in saved)) delete process.env[name];
    }
    Object.assign(process.env, saved);
  };
}

export type LogLine = Record<string, unknown> & { level: string; message: string };

/**
 * Collects the JSON lines the handlers write until `stop()` is called. Powertools writes WARN and
 * above to stderr and the rest to stdout (Lambda sends both to CloudWatch), so both are caught.
 * The CloudWatch EMF lines (an `_aws` key) are metrics, not logs: they go to `metrics`.
 */
export function captureLogs(): {
  lines: LogLine[];
  metrics: Record<string, unknown>[];
  stop: () => void;
} {
  const lines: LogLine[] = [];
  const metrics: Record<string, unknown>[] = [];
  const collect = (chunk: unknown): boolean => {
    for (const text of String(chunk).split("\n")) {
      if (!text.trim().startsWith("{")) continue;
      const line = JSON.parse(text) as Record<string, unknown>;
      if ("_aws" in line) metrics.push(line);
      else lines.push(line as LogLine);
    }
    return true;
  };
  const spies = [
    vi.spyOn(process.stdout, "write").mockImplementation(collect),
    vi.spyOn(process.stderr, "write").mockImplementation(collect),
  ];
  return { lines, metrics, stop: () => spies.forEach((spy) => spy.mockRestore()) };
}

export function rdsClient(
  endpoint: string,
  region: string = HOME,
  credentials: typeof CREDENTIALS & { sessionToken?: string } = CREDENTIALS,
): RDSClient {
  return new RDSClient({ endpoint, region, credentials });
}

/** RDS clients acting in `account`, through STS AssumeRole as moto supports it. */
export async function rdsClientIn(
  endpoint: string,
  account: string,
  region: string = HOME,
): Promise<RDSClient> {
  const sts = new STSClient({ endpoint, region, credentials: CREDENTIALS });
  const { Credentials: issued } = await sts.send(
    new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/any`, RoleSessionName: "test" }),
  );
  sts.destroy();
  if (!issued?.AccessKeyId || !issued.SecretAccessKey) throw new Error("AssumeRole failed");
  return rdsClient(endpoint, region, {
    accessKeyId: issued.AccessKeyId,
    secretAccessKey: issued.SecretAccessKey,
    ...(issued.SessionToken !== undefined && { sessionToken: issued.SessionToken }),
  });
}

export async function anAuroraCluster(
  rds: RDSClient,
  id: string,
  engine: "aurora-postgresql" | "aurora-mysql" = "aurora-postgresql",
  options: { encrypted?: boolean } = {},
): Promise<void> {
  await rds.send(
    new CreateDBClusterCommand({
      DBClusterIdentifier: id,
      Engine: engine,
      MasterUsername: "snapshot_tool",
      MasterUserPassword: "not-a-secret-1",
      ...(options.encrypted && { StorageEncrypted: true }),
    }),
  );
}

/** `CLUSTER-YYYY-MM-DD-HH-MM` for a time `daysAgo` before now, as the tool names snapshots. */
export function toolName(cluster: string, daysAgo: number): string {
  return `${cluster}-${formatTimestamp(new Date(Date.now() - daysAgo * DAY_MS))}`;
}

/** The three tags the source's take puts on a snapshot. */
export function takeTags(name: string): Record<string, string> {
  return {
    CreatedBy: TOOL,
    CreatedOn: name.slice(-16),
    shareAndCopy: "YES",
  };
}

/**
 * A manual snapshot of `cluster` named `name` with `tags`. moto stamps every snapshot with the
 * current time; given `moto`, a name stamped in the past (`toolName(cluster, 10)`) also reports
 * that stamp as its SnapshotCreateTime, as a snapshot taken then would.
 */
export async function aSnapshot(
  rds: RDSClient,
  cluster: string,
  name: string,
  tags: Record<string, string>,
  moto?: MotoServer,
): Promise<void> {
  const out = await rds.send(
    new CreateDBClusterSnapshotCommand({
      DBClusterIdentifier: cluster,
      DBClusterSnapshotIdentifier: name,
      Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
    }),
  );
  const stamped = timeInSnapshotName(name);
  if (moto === undefined || stamped === undefined || stamped.getTime() >= Date.now()) return;
  await moto.setSnapshotTime({
    arn: out.DBClusterSnapshot?.DBClusterSnapshotArn ?? "",
    time: stamped,
  });
}

/**
 * The account's manual snapshots; CreateDBCluster also makes an automated one in moto, which this
 * leaves out.
 */
export async function manualSnapshots(rds: RDSClient): Promise<DBClusterSnapshot[]> {
  const { DBClusterSnapshots = [] } = await rds.send(
    new DescribeDBClusterSnapshotsCommand({ SnapshotType: "manual" }),
  );
  return DBClusterSnapshots.filter((s) => s.SnapshotType === "manual");
}

export function tagsOf(snapshot: DBClusterSnapshot): Record<string, string> {
  return Object.fromEntries((snapshot.TagList ?? []).map((t) => [t.Key ?? "", t.Value ?? ""]));
}

export function namesOf(snapshots: readonly DBClusterSnapshot[]): string[] {
  return snapshots.map((s) => s.DBClusterSnapshotIdentifier ?? "").sort();
}
