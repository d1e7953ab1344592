import { PutEventsCommand } from "@aws-sdk/client-eventbridge";
import type { PutEventsRequestEntry } from "@aws-sdk/client-eventbridge";
import { DescribeKeyCommand, GetKeyPolicyCommand } from "@aws-sdk/client-kms";
import { InvokeCommand } from "@aws-sdk/client-lambda";
import {
  AddTagsToResourceCommand,
  CopyDBClusterSnapshotCommand,
  CreateDBClusterSnapshotCommand,
  CreateDBInstanceCommand,
  DeleteDBClusterCommand,
  DeleteDBClusterSnapshotCommand,
  DeleteDBInstanceCommand,
  DescribeDBClustersCommand,
  DescribeDBClusterSnapshotsCommand,
  EnableHttpEndpointCommand,
  RestoreDBClusterFromSnapshotCommand,
  ModifyDBClusterSnapshotAttributeCommand,
  paginateDescribeDBClusters,
  paginateDescribeDBClusterSnapshots,
  paginateDescribeDBInstances,
} from "@aws-sdk/client-rds";
import { ExecuteStatementCommand } from "@aws-sdk/client-rds-data";
import type {
  DBCluster,
  DBClusterSnapshot,
  DescribeDBClusterSnapshotsCommandInput,
  RDSClient,
  Tag,
} from "@aws-sdk/client-rds";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";

import { AwsActionError } from "../execute/errors.js";
import type {
  CopySnapshotInput,
  CreateInstanceInput,
  CreateSnapshotInput,
  DbClusterDetail,
  DbInstanceDetail,
  ExecuteStatementInput,
  Gateway,
  InvokeResult,
  RestoreClusterInput,
  SnapshotQuery,
  ToolEvent,
} from "../execute/gateway.js";
import { parseArn } from "../model/index.js";
import type { Cluster, KeyInfo, Snapshot, SnapshotType, Tags } from "../model/index.js";
import type { ClientFactory } from "./client-factory.js";
import { dbClusterFromRds, dbInstanceFromRds, parseInvokePayload } from "./db-resources.js";
import { toAwsActionError } from "./errors.js";

/** The largest page DescribeDBClusters and DescribeDBClusterSnapshots return. */
export const PAGE_SIZE = 100;

/** Safety rule 3: a share goes to one 12-digit account, never to `all` (public). */
const ACCOUNT_ID = /^\d{12}$/;

/** PutEvents takes at most 10 entries a call (API_PutEvents). */
export const PUT_EVENTS_MAX_ENTRIES = 10;
/**
 * PutEvents refuses an entry, and a call, whose size is 256 KB or more (eb-putevents, "Calculating
 * PutEvents event entry sizes"); batches are kept below it.
 */
export const PUT_EVENTS_MAX_BYTES = 256 * 1024;

/** Entry-level PutEvents error codes that a later attempt may get through (PutEventsResultEntry). */
const RETRYABLE_ENTRY_CODES = new Set(["InternalFailure", "ThrottlingException"]);

/** Tag key prefixes AWS reserves; RDS rejects a request that tries to set them. */
const RESERVED_TAG_PREFIXES = ["aws:", "rds:"];

export interface AwsGatewayOptions {
  readonly clients: ClientFactory;
  /**
   * Region for account-wide calls (STS GetCallerIdentity). Default: the first region the gateway
   * is asked about, else `us-east-1`.
   */
  readonly homeRegion?: string;
}

export function tagsFromList(list: readonly Tag[] | undefined): Tags {
  const tags: Record<string, string> = {};
  for (const tag of list ?? []) {
    if (tag.Key !== undefined) tags[tag.Key] = tag.Value ?? "";
  }
  return tags;
}

export function tagListFrom(tags: Tags): Tag[] {
  return Object.entries(tags)
    .filter(([key]) => !RESERVED_TAG_PREFIXES.some((prefix) => key.startsWith(prefix)))
    .map(([Key, Value]) => ({ Key, Value }));
}

function snapshotType(raw: DBClusterSnapshot, id: string): SnapshotType {
  // AWS Backup's snapshots look manual; the identifier prefix is what tells them apart.
  if (id.startsWith("awsbackup:") || raw.SnapshotType === "awsbackup") return "awsbackup";
  if (raw.SnapshotType === "automated" || raw.SnapshotType === "public") return raw.SnapshotType;
  // RDS reports a snapshot shared in from another account under its ARN.
  if (raw.SnapshotType === "shared" || id.startsWith("arn:")) return "shared";
  return "manual";
}

/** Maps a DescribeDBClusterSnapshots entry; `region` stands in when RDS leaves out the ARN. */
export function snapshotFromRds(raw: DBClusterSnapshot, region: string, tags?: Tags): Snapshot {
  const id = raw.DBClusterSnapshotIdentifier ?? "";
  const arn = raw.DBClusterSnapshotArn ?? (id.startsWith("arn:") ? id : "");
  const parsed = parseArn(arn);
  const name = id.startsWith("arn:") ? (parseArn(id)?.resource ?? id) : id;
  return {
    id,
    name,
    arn,
    clusterId: raw.DBClusterIdentifier ?? "",
    engine: raw.Engine ?? "",
    type: snapshotType(raw, id),
    status: raw.Status ?? "",
    createTime: raw.SnapshotCreateTime,
    encrypted: raw.StorageEncrypted ?? false,
    kmsKeyId: raw.KmsKeyId,
    tags: tags ?? tagsFromList(raw.TagList),
    account: parsed?.account ?? "",
    region: parsed?.region ?? region,
    percentProgress: raw.PercentProgress,
    sourceArn: raw.SourceDBClusterSnapshotArn,
  };
}

export function clusterFromRds(raw: DBCluster, region: string): Cluster {
  const arn = raw.DBClusterArn ?? "";
  const parsed = parseArn(arn);
  return {
    id: raw.DBClusterIdentifier ?? "",
    arn,
    engine: raw.Engine ?? "",
    status: raw.Status ?? "",
    encrypted: raw.StorageEncrypted ?? false,
    kmsKeyId: raw.KmsKeyId,
    tags: tagsFromList(raw.TagList),
    account: parsed?.account ?? "",
    region: parsed?.region ?? region,
  };
}

/**
 * An entry's size as EventBridge counts it: 14 bytes for a Time, plus the UTF-8 bytes of Source,
 * DetailType, Detail and each of Resources (eb-putevents, "Calculating PutEvents event entry sizes").
 */
export function putEventsEntrySize(entry: PutEventsRequestEntry): number {
  const bytes = (text: string | undefined): number =>
    text === undefined ? 0 : Buffer.byteLength(text, "utf8");
  return (
    (entry.Time === undefined ? 0 : 14) +
    bytes(entry.Source) +
    bytes(entry.DetailType) +
    bytes(entry.Detail) +
    (entry.Resources ?? []).reduce((sum, r) => sum + bytes(r), 0)
  );
}

/** Consecutive batches of at most 10 entries and below 256 KB each, in order. */
function putEventsBatches(entries: readonly PutEventsRequestEntry[]): PutEventsRequestEntry[][] {
  const batches: PutEventsRequestEntry[][] = [];
  let current: PutEventsRequestEntry[] = [];
  let size = 0;
  for (const entry of entries) {
    const entrySize = putEventsEntrySize(entry);
    if (
      current.length > 0 &&
      (current.length >= PUT_EVENTS_MAX_ENTRIES || size + entrySize >= PUT_EVENTS_MAX_BYTES)
    ) {
      batches.push(current);
      current = [];
      size = 0;
    }
    current.push(entry);
    size += entrySize;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

function errorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

/**
 * The `Gateway` over the AWS SDK v3: one paginated describe pass per listing (tags from the
 * response's `TagList`), one call per action, and every SDK failure rethrown as `AwsActionError`.
 */
export class AwsGateway implements Gateway {
  protected readonly factory: ClientFactory;
  private homeRegion: string | undefined;
  private account: Promise<string> | undefined;

  constructor(options: AwsGatewayOptions) {
    this.factory = options.clients;
    this.homeRegion = options.homeRegion;
  }

  serverClock(): { serverMs: number; receivedAtMs: number } | undefined {
    return this.factory.serverClock?.();
  }

  protected rds(region: string): RDSClient {
    this.homeRegion ??= region;
    return this.factory.clients(region).rds;
  }

  /** Runs one SDK call (or paginated pass) and turns whatever it throws into `AwsActionError`. */
  protected async attempt<T>(operation: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw toAwsActionError(error, operation);
    }
  }

  /** One paginated DescribeDBClusterSnapshots pass, every page collected. */
  protected async describeSnapshotPages(
    region: string,
    input: DescribeDBClusterSnapshotsCommandInput,
  ): Promise<DBClusterSnapshot[]> {
    const client = this.rds(region);
    return this.attempt("DescribeDBClusterSnapshots", async () => {
      const found: DBClusterSnapshot[] = [];
      for await (const page of paginateDescribeDBClusterSnapshots(
        { client, pageSize: PAGE_SIZE },
        input,
      )) {
        found.push(...(page.DBClusterSnapshots ?? []));
      }
      return found;
    });
  }

  accountId(): Promise<string> {
    if (this.account === undefined) {
      const sts = this.factory.clients(this.homeRegion ?? "us-east-1").sts;
      const asked = this.attempt("GetCallerIdentity", async () => {
        const output = await sts.send(new GetCallerIdentityCommand({}));
        if (output.Account === undefined) {
          throw new AwsActionError({
            code: "MissingAccount",
            message: "GetCallerIdentity returned no account",
            retryable: false,
            operation: "GetCallerIdentity",
          });
        }
        return output.Account;
      });
      // A failed lookup (throttled, say) must not stick: the next caller asks again.
      asked.catch(() => {
        if (this.account === asked) this.account = undefined;
      });
      this.account = asked;
    }
    return this.account;
  }

  async listClusters(region: string): Promise<Cluster[]> {
    const client = this.rds(region);
    return this.attempt("DescribeDBClusters", async () => {
      const clusters: Cluster[] = [];
      for await (const page of paginateDescribeDBClusters({ client, pageSize: PAGE_SIZE }, {})) {
        for (const raw of page.DBClusters ?? []) clusters.push(clusterFromRds(raw, region));
      }
      return clusters;
    });
  }

  async listSnapshots(region: string, query: SnapshotQuery): Promise<Snapshot[]> {
    // The type filter keeps automated snapshots (never the tool's business) out of the pass.
    // IncludeShared only counts together with SnapshotType "shared" (API_DescribeDBClusterSnapshots).
    const input: DescribeDBClusterSnapshotsCommandInput =
      query.type === "shared"
        ? { SnapshotType: "shared", IncludeShared: true }
        : { SnapshotType: query.type };
    // The db-cluster-id filter rather than DBClusterIdentifier: the parameter must name an existing
    // cluster, and prune must still find the snapshots of a cluster that has been deleted.
    if (query.clusterId !== undefined) {
      input.Filters = [{ Name: "db-cluster-id", Values: [query.clusterId] }];
    }
    const found = await this.describeSnapshotPages(region, input);
    return found.map((raw) => {
      const snapshot = snapshotFromRds(raw, region);
      // Whatever SnapshotType an emulator reports, a "shared" pass holds nothing but shared-in ones.
      return query.type === "shared" && snapshot.type === "manual"
        ? { ...snapshot, type: "shared" }
        : snapshot;
    });
  }

  async describeSnapshot(region: string, snapshotId: string): Promise<Snapshot | undefined> {
    const client = this.rds(region);
    const input: DescribeDBClusterSnapshotsCommandInput = {
      DBClusterSnapshotIdentifier: snapshotId,
    };
    // Another account's snapshot is only found by its ARN and with IncludeShared; RDS wants the
    // type spelled out for an automated one.
    if (snapshotId.startsWith("arn:")) input.IncludeShared = true;
    if (snapshotId.startsWith("rds:")) input.SnapshotType = "automated";
    try {
      const output = await client.send(new DescribeDBClusterSnapshotsCommand(input));
      const raw = output.DBClusterSnapshots?.[0];
      return raw === undefined ? undefined : snapshotFromRds(raw, region);
    } catch (error) {
      if (errorName(error) === "DBClusterSnapshotNotFoundFault") return undefined;
      throw toAwsActionError(error, "DescribeDBClusterSnapshots");
    }
  }

  async describeKey(region: string, keyRef: string): Promise<KeyInfo | undefined> {
    this.homeRegion ??= region;
    const kms = this.factory.clients(region).kms;
    try {
      const output = await kms.send(new DescribeKeyCommand({ KeyId: keyRef }));
      const meta = output.KeyMetadata;
      if (meta?.Arn === undefined) return undefined;
      const parsed = parseArn(meta.Arn);
      return {
        ref: keyRef,
        arn: meta.Arn,
        region: parsed?.region ?? region,
        account: parsed?.account ?? meta.AWSAccountId ?? "",
        enabled: meta.KeyState === "Enabled" && meta.Enabled !== false,
        manager: meta.KeyManager === "AWS" ? "AWS" : "CUSTOMER",
        ...(meta.KeySpec !== undefined && { spec: meta.KeySpec }),
        ...(meta.KeyUsage !== undefined && { usage: meta.KeyUsage }),
      };
    } catch (error) {
      if (errorName(error) === "NotFoundException") return undefined;
      throw toAwsActionError(error, "DescribeKey");
    }
  }

  async keyPolicy(region: string, keyRef: string): Promise<string | undefined> {
    this.homeRegion ??= region;
    const kms = this.factory.clients(region).kms;
    try {
      // `default` is the only policy name KMS has (API_GetKeyPolicy).
      const output = await kms.send(
        new GetKeyPolicyCommand({ KeyId: keyRef, PolicyName: "default" }),
      );
      return output.Policy;
    } catch (error) {
      if (errorName(error) === "NotFoundException") return undefined;
      throw toAwsActionError(error, "GetKeyPolicy");
    }
  }

  async createSnapshot(input: CreateSnapshotInput): Promise<Snapshot> {
    const client = this.rds(input.region);
    const tags = tagListFrom(input.tags);
    const output = await this.attempt("CreateDBClusterSnapshot", () =>
      client.send(
        new CreateDBClusterSnapshotCommand({
          DBClusterIdentifier: input.clusterId,
          DBClusterSnapshotIdentifier: input.snapshotId,
          Tags: tags,
        }),
      ),
    );
    return this.created(output.DBClusterSnapshot, input.region, tags, "CreateDBClusterSnapshot");
  }

  async shareSnapshot(region: string, snapshotId: string, account: string): Promise<void> {
    if (!ACCOUNT_ID.test(account)) {
      throw new Error(
        `refusing to share ${snapshotId} with ${JSON.stringify(account)}: ` +
          `only a 12-digit account id is allowed ("all" would make the snapshot public)`,
      );
    }
    const client = this.rds(region);
    await this.attempt("ModifyDBClusterSnapshotAttribute", () =>
      client.send(
        new ModifyDBClusterSnapshotAttributeCommand({
          DBClusterSnapshotIdentifier: snapshotId,
          AttributeName: "restore",
          ValuesToAdd: [account],
        }),
      ),
    );
  }

  async addTags(region: string, arn: string, tags: Tags): Promise<void> {
    const client = this.rds(region);
    await this.attempt("AddTagsToResource", () =>
      client.send(new AddTagsToResourceCommand({ ResourceName: arn, Tags: tagListFrom(tags) })),
    );
  }

  async copySnapshot(input: CopySnapshotInput): Promise<Snapshot> {
    // The client must live in the target region: SDK v3 builds the PreSignedUrl for a
    // cross-region copy from the source ARN's region, and a client built in the source region
    // makes encrypted copies fail (aws-sdk-js-v3#2269).
    const client = this.rds(input.targetRegion);
    const tags = tagListFrom(input.tags);
    const output = await this.attempt("CopyDBClusterSnapshot", () =>
      client.send(
        new CopyDBClusterSnapshotCommand({
          SourceDBClusterSnapshotIdentifier: input.sourceArn,
          TargetDBClusterSnapshotIdentifier: input.targetId,
          ...(input.kmsKeyId !== undefined && { KmsKeyId: input.kmsKeyId }),
          // A shared snapshot's tags do not come along anyway; the tool sets its own explicitly.
          CopyTags: false,
          Tags: tags,
        }),
      ),
    );
    return this.created(
      output.DBClusterSnapshot,
      input.targetRegion,
      tags,
      "CopyDBClusterSnapshot",
    );
  }

  async deleteSnapshot(region: string, snapshotId: string): Promise<void> {
    const client = this.rds(region);
    await this.attempt("DeleteDBClusterSnapshot", () =>
      client.send(new DeleteDBClusterSnapshotCommand({ DBClusterSnapshotIdentifier: snapshotId })),
    );
  }

  /**
   * PutEvents with a client in the bus's region (EventBridge refuses cross-region API calls), the
   * bus named by its ARN in every entry, so a bus in another account is reached directly when its
   * policy admits this account. At most 10 entries and under 256 KB a call, in order; the first
   * refused call or entry (FailedEntryCount > 0) rejects with its error code, later batches unsent.
   */
  async publishEvents(busArn: string, events: readonly ToolEvent[]): Promise<void> {
    const bus = parseArn(busArn);
    if (bus?.service !== "events" || bus.resourceType !== "event-bus" || bus.region === "") {
      throw new AwsActionError({
        code: "InvalidEventBusArn",
        message: `${JSON.stringify(busArn)} is not an EventBridge event bus ARN`,
        retryable: false,
        operation: "PutEvents",
      });
    }
    if (events.length === 0) return;
    const client = this.factory.clients(bus.region).events;
    if (client === undefined) {
      throw new AwsActionError({
        code: "NoEventBridgeClient",
        message: "the client factory gives no EventBridge client",
        retryable: false,
        operation: "PutEvents",
      });
    }
    const entries = events.map((event): PutEventsRequestEntry => ({
      EventBusName: busArn,
      Source: event.source,
      DetailType: event.detailType,
      Detail: JSON.stringify(event.detail),
      ...(event.resources !== undefined && { Resources: [...event.resources] }),
      ...(event.time !== undefined && { Time: event.time }),
    }));
    const oversized = entries.find((e) => putEventsEntrySize(e) >= PUT_EVENTS_MAX_BYTES);
    if (oversized !== undefined) {
      throw new AwsActionError({
        code: "EventTooLarge",
        message: `a ${oversized.DetailType ?? ""} event of ${putEventsEntrySize(oversized)} bytes is over PutEvents' 256 KB limit`,
        retryable: false,
        operation: "PutEvents",
      });
    }
    for (const batch of putEventsBatches(entries)) {
      const output = await this.attempt("PutEvents", () =>
        client.send(new PutEventsCommand({ Entries: batch })),
      );
      const failedCount = output.FailedEntryCount ?? 0;
      if (failedCount > 0) {
        const failed = output.Entries?.find((e) => Boolean(e.ErrorCode));
        const code = failed?.ErrorCode ?? "FailedEntry";
        throw new AwsActionError({
          code,
          message:
            `${failedCount} of ${batch.length} events refused by ${busArn}` +
            (failed?.ErrorMessage ? `: ${failed.ErrorMessage}` : ""),
          retryable: RETRYABLE_ENTRY_CODES.has(code),
          operation: "PutEvents",
        });
      }
    }
  }

  // ------------------------------------------------------------ restore verification

  async describeDbCluster(region: string, clusterId: string): Promise<DbClusterDetail | undefined> {
    const client = this.rds(region);
    try {
      const output = await client.send(
        new DescribeDBClustersCommand({ DBClusterIdentifier: clusterId }),
      );
      const raw = output.DBClusters?.[0];
      return raw === undefined ? undefined : dbClusterFromRds(raw);
    } catch (error) {
      if (errorName(error) === "DBClusterNotFoundFault") return undefined;
      throw toAwsActionError(error, "DescribeDBClusters");
    }
  }

  async listDbClusters(region: string): Promise<DbClusterDetail[]> {
    const client = this.rds(region);
    return this.attempt("DescribeDBClusters", async () => {
      const found: DbClusterDetail[] = [];
      for await (const page of paginateDescribeDBClusters({ client, pageSize: PAGE_SIZE }, {})) {
        for (const raw of page.DBClusters ?? []) found.push(dbClusterFromRds(raw));
      }
      return found;
    });
  }

  async restoreClusterFromSnapshot(input: RestoreClusterInput): Promise<DbClusterDetail> {
    const client = this.rds(input.region);
    const output = await this.attempt("RestoreDBClusterFromSnapshot", () =>
      client.send(
        new RestoreDBClusterFromSnapshotCommand({
          DBClusterIdentifier: input.clusterId,
          SnapshotIdentifier: input.snapshotArn,
          Engine: input.engine,
          DBSubnetGroupName: input.subnetGroup,
          ...(input.securityGroups.length > 0 && {
            VpcSecurityGroupIds: [...input.securityGroups],
          }),
          ...(input.kmsKeyId !== undefined && { KmsKeyId: input.kmsKeyId }),
          ...(input.serverlessV2 !== undefined && {
            ServerlessV2ScalingConfiguration: {
              MinCapacity: input.serverlessV2.minCapacity,
              MaxCapacity: input.serverlessV2.maxCapacity,
            },
          }),
          // A verification cluster must always be deletable by the next clean-up pass.
          DeletionProtection: false,
          CopyTagsToSnapshot: false,
          Tags: tagListFrom(input.tags),
        }),
      ),
    );
    if (output.DBCluster === undefined) {
      throw new AwsActionError({
        code: "MissingCluster",
        message: "the response carried no DBCluster",
        retryable: false,
        operation: "RestoreDBClusterFromSnapshot",
      });
    }
    const cluster = dbClusterFromRds(output.DBCluster);
    // Some responses (and emulators) leave TagList out; the request's tags are what was set.
    return Object.keys(cluster.tags).length > 0 ? cluster : { ...cluster, tags: input.tags };
  }

  async createInstance(input: CreateInstanceInput): Promise<DbInstanceDetail> {
    const client = this.rds(input.region);
    const output = await this.attempt("CreateDBInstance", () =>
      client.send(
        new CreateDBInstanceCommand({
          DBInstanceIdentifier: input.instanceId,
          DBClusterIdentifier: input.clusterId,
          Engine: input.engine,
          DBInstanceClass: input.instanceClass,
          PubliclyAccessible: false,
          Tags: tagListFrom(input.tags),
        }),
      ),
    );
    return output.DBInstance === undefined
      ? {
          id: input.instanceId,
          arn: "",
          clusterId: input.clusterId,
          status: "creating",
          instanceClass: input.instanceClass,
          tags: input.tags,
        }
      : dbInstanceFromRds(output.DBInstance);
  }

  async describeInstances(region: string, clusterId: string): Promise<DbInstanceDetail[]> {
    const client = this.rds(region);
    return this.attempt("DescribeDBInstances", async () => {
      const found: DbInstanceDetail[] = [];
      for await (const page of paginateDescribeDBInstances(
        { client, pageSize: PAGE_SIZE },
        { Filters: [{ Name: "db-cluster-id", Values: [clusterId] }] },
      )) {
        for (const raw of page.DBInstances ?? []) found.push(dbInstanceFromRds(raw));
      }
      // An emulator may ignore the filter; only this cluster's members count.
      return found.filter((i) => i.clusterId.toLowerCase() === clusterId.toLowerCase());
    });
  }

  async deleteInstance(region: string, instanceId: string): Promise<void> {
    const client = this.rds(region);
    await this.attempt("DeleteDBInstance", () =>
      // No SkipFinalSnapshot: it does not apply to an Aurora cluster member (API_DeleteDBInstance).
      client.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: instanceId })),
    );
  }

  async deleteCluster(region: string, clusterId: string): Promise<void> {
    const client = this.rds(region);
    await this.attempt("DeleteDBCluster", () =>
      client.send(
        new DeleteDBClusterCommand({ DBClusterIdentifier: clusterId, SkipFinalSnapshot: true }),
      ),
    );
  }

  async enableHttpEndpoint(region: string, clusterArn: string): Promise<void> {
    const client = this.rds(region);
    await this.attempt("EnableHttpEndpoint", () =>
      client.send(new EnableHttpEndpointCommand({ ResourceArn: clusterArn })),
    );
  }

  async executeStatement(input: ExecuteStatementInput): Promise<number> {
    this.homeRegion ??= input.region;
    const client = this.factory.clients(input.region).rdsData;
    if (client === undefined) throw missingClient("RDS Data API", "ExecuteStatement");
    const output = await this.attempt("ExecuteStatement", () =>
      client.send(
        new ExecuteStatementCommand({
          resourceArn: input.clusterArn,
          secretArn: input.secretArn,
          sql: input.sql,
        }),
      ),
    );
    return output.records?.length ?? 0;
  }

  async invokeFunction(functionArn: string, payload: unknown): Promise<InvokeResult> {
    // A function ARN names its region; a bare name runs in the gateway's home region.
    const region = parseArn(functionArn)?.region || (this.homeRegion ?? "us-east-1");
    const client = this.factory.clients(region).lambda;
    if (client === undefined) throw missingClient("Lambda", "Invoke");
    const output = await this.attempt("Invoke", () =>
      client.send(
        new InvokeCommand({
          FunctionName: functionArn,
          InvocationType: "RequestResponse",
          Payload: new TextEncoder().encode(JSON.stringify(payload)),
        }),
      ),
    );
    return {
      ...(output.FunctionError !== undefined && { functionError: output.FunctionError }),
      payload: parseInvokePayload(output.Payload),
    };
  }

  private created(
    raw: DBClusterSnapshot | undefined,
    region: string,
    requested: Tag[],
    operation: string,
  ): Snapshot {
    if (raw === undefined) {
      throw new AwsActionError({
        code: "MissingSnapshot",
        message: "the response carried no DBClusterSnapshot",
        retryable: false,
        operation,
      });
    }
    // Some responses (and emulators) leave TagList out; the request's tags are what was set.
    return snapshotFromRds(raw, region, raw.TagList ? undefined : tagsFromList(requested));
  }
}

function missingClient(service: string, operation: string): AwsActionError {
  return new AwsActionError({
    code: "NoClient",
    message: `the client factory gives no ${service} client`,
    retryable: false,
    operation,
  });
}
