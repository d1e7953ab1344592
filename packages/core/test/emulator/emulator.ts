/**
 * The emulator layer's harness: one moto server (with the test-support extension) per test file,
 * reset and set to the run's clock before every test, and the real engine (AwsGateway over SDK v3
 * clients) pointed at it. Seeding and inspection go through plain SDK clients of their own, so a
 * test's request log holds only what the engine sent.
 */
import { CreateKeyCommand } from "@aws-sdk/client-kms";
import type { KMSClient } from "@aws-sdk/client-kms";
import {
  CopyDBClusterSnapshotCommand,
  CreateDBClusterCommand,
  CreateDBClusterSnapshotCommand,
  DescribeDBClusterSnapshotAttributesCommand,
  DescribeDBClusterSnapshotsCommand,
} from "@aws-sdk/client-rds";
import type { DBClusterSnapshot, RDSClient } from "@aws-sdk/client-rds";
import { afterAll, beforeAll, beforeEach } from "vitest";

import { AwsGateway, createClientFactory } from "../../src/aws/index.js";
import type { ClientFactory, ClientPlugin } from "../../src/aws/index.js";
import {
  startMotoServer,
  timeInSnapshotName,
  type MotoServer,
} from "@aurora-snapshot-tool/test-support";

// A profile could name real credentials or an SSO session; with explicit static credentials the SDK
// never reads it, and removing it makes sure nothing else in the process does either.
delete process.env.AWS_PROFILE;
process.env.AWS_EC2_METADATA_DISABLED = "true";
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

/** moto's default account: what plain (non-assumed) credentials act in. */
export const ACCOUNT_A = "123456789012";
/** The second account, reached by STS AssumeRole (moto acts in the role's account). */
export const ACCOUNT_B = "222222222222";
export const HOME = "us-east-1";
export const AWAY = "us-west-2";

export const TOOL = "Snapshot Tool for Aurora";
/**
 * The run's clock. moto is set to it before every test (it keeps running from there), so the
 * Date header and the SnapshotCreateTime of what the engine creates agree with it; the seeding
 * helpers set a snapshot named at a time before NOW to have been created at that time.
 */
export const NOW = new Date("2026-03-01T12:00:00Z");
/** Retries fast enough that a test never waits on backoff. */
export const FAST = { retry: { minTimeoutMs: 1, maxTimeoutMs: 5 } } as const;

const CREDENTIALS = { accessKeyId: "test", secretAccessKey: "test" };
const HOUR_MS = 3_600_000;

// ------------------------------------------------------------------ middleware

type Handler = (args: { request?: { hostname?: string } }) => Promise<unknown>;
interface StackLike {
  add(
    middleware: (next: Handler, context: { commandName?: string }) => Handler,
    options: { step: "finalizeRequest"; name: string },
  ): void;
}

/**
 * Refuses to send any request that is not addressed to loopback: whatever the environment says,
 * emulator tests must never reach AWS.
 */
export const LOOPBACK_ONLY: ClientPlugin = {
  applyToStack(stack: StackLike) {
    stack.add(
      (next, context) => async (args) => {
        const host = args.request?.hostname;
        if (host !== "127.0.0.1") {
          throw new Error(`${context.commandName ?? "a request"} was addressed to ${host}`);
        }
        return next(args);
      },
      { step: "finalizeRequest", name: "emulatorLoopbackOnly" },
    );
  },
};

/** Every request a set of clients sends, by operation name (`DescribeDBClusterSnapshots`, ...). */
export class RequestLog {
  private readonly sent: string[] = [];

  readonly plugin: ClientPlugin = {
    applyToStack: (stack: StackLike) => {
      stack.add(
        (next, context) => async (args) => {
          this.sent.push((context.commandName ?? "?").replace(/Command$/, ""));
          return next(args);
        },
        { step: "finalizeRequest", name: "emulatorRequestLog" },
      );
    },
  };

  get operations(): readonly string[] {
    return [...this.sent];
  }

  count(operation: string): number {
    return this.sent.filter((o) => o === operation).length;
  }

  clear(): void {
    this.sent.length = 0;
  }
}

/** Operations that only read: what a dry run may send. */
export function isReadOnly(operation: string): boolean {
  return /^(Describe|List|Get|AssumeRole$)/.test(operation);
}

// ------------------------------------------------------------------ accounts

export interface EmulatedAccount {
  readonly id: string;
  /** The engine's gateway, as an adapter would build it. */
  readonly gateway: AwsGateway;
  /** What the gateway sent (seeding and inspection are not counted). */
  readonly requests: RequestLog;
  /** Plain clients for seeding and inspecting, outside the request log. */
  rds(region?: string): RDSClient;
  kms(region?: string): KMSClient;
}

export interface Emulator {
  readonly endpoint: string;
  /** The account plain credentials act in. */
  accountA(): EmulatedAccount;
  /** The second account, through STS AssumeRole. */
  accountB(): EmulatedAccount;
  /** Any other account, through STS AssumeRole (moto answers for any account id in the ARN). */
  accountAs(id: string): EmulatedAccount;
  /**
   * Moves moto's clock (NOW before every test) to `at`, for a test that runs a step at another
   * time: what that step creates is then stamped with its own time.
   */
  setClock(at: Date): Promise<void>;
}

/** The calling test file's moto (vitest gives every test file its own copy of this module). */
let server: MotoServer | undefined;

/**
 * Starts moto for the calling test file; before each test, resets it and sets its clock to NOW.
 * Accounts are built per test: a reset drops moto's STS state, so credentials assumed before it
 * would no longer map to the second account.
 */
export function useMotoServer(): Emulator {
  beforeAll(async () => {
    server = await startMotoServer();
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    server = undefined;
  });
  beforeEach(async () => {
    await server?.reset();
    // A reset puts moto back on real time.
    await server?.setClock(NOW);
  });

  const running = (): MotoServer => {
    if (server === undefined) throw new Error("moto is not running");
    return server;
  };
  const endpoint = (): string => running().endpoint;
  const account = (id: string, roleArn?: string): EmulatedAccount => {
    const requests = new RequestLog();
    const factory = (plugins: readonly ClientPlugin[]): ClientFactory =>
      createClientFactory({
        endpoint: endpoint(),
        credentials: CREDENTIALS,
        maxAttempts: 1,
        plugins: () => plugins,
        ...(roleArn !== undefined && { roleArn }),
      });
    const engine = factory([LOOPBACK_ONLY, requests.plugin]);
    const plain = factory([LOOPBACK_ONLY]);
    return {
      id,
      gateway: new AwsGateway({ clients: engine, homeRegion: HOME }),
      requests,
      rds: (region = HOME) => plain.clients(region).rds,
      kms: (region = HOME) => plain.clients(region).kms,
    };
  };

  return {
    get endpoint() {
      return endpoint();
    },
    accountA: () => account(ACCOUNT_A),
    accountB: () => account(ACCOUNT_B, `arn:aws:iam::${ACCOUNT_B}:role/any`),
    accountAs: (id) => account(id, `arn:aws:iam::${id}:role/any`),
    setClock: (at) => running().setClock(at),
  };
}

// ------------------------------------------------------------------ time and names

export function hoursBefore(hours: number, from: Date = NOW): Date {
  return new Date(from.getTime() - hours * HOUR_MS);
}

export function daysBefore(days: number, from: Date = NOW): Date {
  return hoursBefore(days * 24, from);
}

export function hoursAfter(hours: number, from: Date = NOW): Date {
  return hoursBefore(-hours, from);
}

/** `YYYY-MM-DD-HH-MM` in UTC, written out here rather than borrowed from the code under test. */
export function stamp(at: Date): string {
  return at.toISOString().slice(0, 16).replace(/[T:]/g, "-");
}

/** The original tool's identifier for a snapshot of `clusterId` taken at `at`. */
export function nameOf(clusterId: string, at: Date): string {
  return `${clusterId}-${stamp(at)}`;
}

export function toolTags(at: Date): Record<string, string> {
  return { CreatedBy: TOOL, CreatedOn: stamp(at), shareAndCopy: "YES" };
}

export function copyTags(at: Date): Record<string, string> {
  return { CopiedBy: TOOL, CreatedOn: stamp(at) };
}

// ------------------------------------------------------------------ seeding

export interface ClusterOptions {
  readonly engine?: string;
  readonly kmsKeyId?: string;
}

export async function aCluster(
  rds: RDSClient,
  id: string,
  options: ClusterOptions = {},
): Promise<void> {
  await rds.send(
    new CreateDBClusterCommand({
      DBClusterIdentifier: id,
      Engine: options.engine ?? "aurora-postgresql",
      MasterUsername: "snapadmin",
      MasterUserPassword: "not-a-secret-1",
      ...(options.kmsKeyId !== undefined && { StorageEncrypted: true, KmsKeyId: options.kmsKeyId }),
    }),
  );
}

/**
 * Makes moto say the snapshot `arn` was created at `at`, as a snapshot taken then would say.
 * Only for a time not after NOW: no snapshot is created in the future, so one named after NOW
 * keeps the time moto gave it.
 */
async function createdAt(arn: string, at: Date | undefined): Promise<void> {
  if (at === undefined || at.getTime() > NOW.getTime()) return;
  if (server === undefined) throw new Error("seeding needs useMotoServer() in the test file");
  await server.setSnapshotTime({ arn, time: at });
}

async function createSnapshot(
  rds: RDSClient,
  clusterId: string,
  id: string,
  tags: Record<string, string>,
): Promise<string> {
  const out = await rds.send(
    new CreateDBClusterSnapshotCommand({
      DBClusterIdentifier: clusterId,
      DBClusterSnapshotIdentifier: id,
      Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
    }),
  );
  return out.DBClusterSnapshot?.DBClusterSnapshotArn ?? "";
}

/**
 * A manual snapshot under `id`, tagged as given (none: an untagged manual snapshot). An `id`
 * ending in a `YYYY-MM-DD-HH-MM` stamp before NOW was created at that stamp.
 */
export async function aSnapshot(
  rds: RDSClient,
  clusterId: string,
  id: string,
  tags: Record<string, string> = {},
): Promise<string> {
  const arn = await createSnapshot(rds, clusterId, id, tags);
  await createdAt(arn, timeInSnapshotName(id));
  return arn;
}

/** A snapshot as the tool (or the original Python tool) would have taken it at `at`. */
export async function aToolSnapshot(rds: RDSClient, clusterId: string, at: Date): Promise<string> {
  const arn = await createSnapshot(rds, clusterId, nameOf(clusterId, at), toolTags(at));
  await createdAt(arn, at);
  return arn;
}

/**
 * Copies `sourceArn` into the region `rds` lives in, under `id` with `tags`; like aSnapshot, an
 * `id` stamped before NOW was created at that stamp.
 */
export async function aCopy(
  rds: RDSClient,
  sourceArn: string,
  id: string,
  tags: Record<string, string> = {},
): Promise<void> {
  const out = await rds.send(
    new CopyDBClusterSnapshotCommand({
      SourceDBClusterSnapshotIdentifier: sourceArn,
      TargetDBClusterSnapshotIdentifier: id,
      Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
    }),
  );
  await createdAt(out.DBClusterSnapshot?.DBClusterSnapshotArn ?? "", timeInSnapshotName(id));
}

/** A symmetric customer managed key; returns its ARN. */
export async function aKey(kms: KMSClient): Promise<string> {
  const out = await kms.send(new CreateKeyCommand({ Description: "emulator test key" }));
  const arn = out.KeyMetadata?.Arn;
  if (arn === undefined) throw new Error("CreateKey returned no ARN");
  return arn;
}

// ------------------------------------------------------------------ inspection

export async function snapshotsIn(
  rds: RDSClient,
  type?: "manual" | "automated",
): Promise<DBClusterSnapshot[]> {
  const out = await rds.send(
    new DescribeDBClusterSnapshotsCommand(type === undefined ? {} : { SnapshotType: type }),
  );
  return out.DBClusterSnapshots ?? [];
}

export async function manualIds(rds: RDSClient): Promise<string[]> {
  return (await snapshotsIn(rds, "manual")).map((s) => s.DBClusterSnapshotIdentifier ?? "").sort();
}

export function tagsOf(snapshot: DBClusterSnapshot | undefined): Record<string, string> {
  return Object.fromEntries((snapshot?.TagList ?? []).map((t) => [t.Key ?? "", t.Value ?? ""]));
}

export async function restoreAccounts(rds: RDSClient, snapshotId: string): Promise<string[]> {
  const out = await rds.send(
    new DescribeDBClusterSnapshotAttributesCommand({ DBClusterSnapshotIdentifier: snapshotId }),
  );
  const attributes = out.DBClusterSnapshotAttributesResult?.DBClusterSnapshotAttributes ?? [];
  return attributes.find((a) => a.AttributeName === "restore")?.AttributeValues ?? [];
}
