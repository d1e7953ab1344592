import {
  DescribeKeyCommand,
  KMSClient,
  KMSServiceException,
  NotFoundException,
} from "@aws-sdk/client-kms";
import type { KeyMetadata } from "@aws-sdk/client-kms";
import {
  AddTagsToResourceCommand,
  CopyDBClusterSnapshotCommand,
  CreateDBClusterSnapshotCommand,
  DBClusterSnapshotAlreadyExistsFault,
  DBClusterSnapshotNotFoundFault,
  DeleteDBClusterSnapshotCommand,
  DescribeDBClustersCommand,
  DescribeDBClusterSnapshotsCommand,
  InvalidDBClusterStateFault,
  KMSKeyNotAccessibleFault,
  ListTagsForResourceCommand,
  ModifyDBClusterSnapshotAttributeCommand,
  RDSClient,
  RDSServiceException,
  SnapshotQuotaExceededFault,
} from "@aws-sdk/client-rds";
import type {
  DBCluster,
  DBClusterSnapshot,
  DescribeDBClustersCommandInput,
  DescribeDBClusterSnapshotsCommandInput,
  DBClusterSnapshotMessage,
} from "@aws-sdk/client-rds";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, afterEach, describe, expect, it } from "vitest";

import { AwsGateway, createClientFactory } from "../../src/aws/index.js";
import { AwsActionError } from "../../src/execute/errors.js";

const ACCOUNT = "111122223333";
const OTHER_ACCOUNT = "444455556666";
const REGION = "eu-west-1";
const KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

const rdsMock = mockClient(RDSClient);
const kmsMock = mockClient(KMSClient);
const stsMock = mockClient(STSClient);

afterEach(() => {
  rdsMock.reset();
  kmsMock.reset();
  stsMock.reset();
});

afterAll(() => {
  rdsMock.restore();
  kmsMock.restore();
  stsMock.restore();
});

function aGateway(): AwsGateway {
  const clients = createClientFactory({
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  return new AwsGateway({ clients });
}

function snapshotArn(id: string, account = ACCOUNT, region = REGION): string {
  return `arn:aws:rds:${region}:${account}:cluster-snapshot:${id}`;
}

function aRawSnapshot(overrides: Partial<DBClusterSnapshot> = {}): DBClusterSnapshot {
  const id = overrides.DBClusterSnapshotIdentifier ?? "prod-orders-2026-11-24-01-00";
  return {
    DBClusterSnapshotIdentifier: id,
    DBClusterSnapshotArn: snapshotArn(id),
    DBClusterIdentifier: "prod-orders",
    Engine: "aurora-mysql",
    SnapshotType: "manual",
    Status: "available",
    SnapshotCreateTime: new Date("2026-11-24T01:00:00Z"),
    StorageEncrypted: true,
    KmsKeyId: KEY_ARN,
    PercentProgress: 100,
    TagList: [],
    ...overrides,
  };
}

function aRawCluster(overrides: Partial<DBCluster> = {}): DBCluster {
  const id = overrides.DBClusterIdentifier ?? "prod-orders";
  return {
    DBClusterIdentifier: id,
    DBClusterArn: `arn:aws:rds:${REGION}:${ACCOUNT}:cluster:${id}`,
    Engine: "aurora-postgresql",
    Status: "available",
    StorageEncrypted: true,
    KmsKeyId: KEY_ARN,
    TagList: [],
    ...overrides,
  };
}

function aKey(overrides: Partial<KeyMetadata> = {}): KeyMetadata {
  return {
    KeyId: "1234abcd-12ab-34cd-56ef-1234567890ab",
    Arn: KEY_ARN,
    AWSAccountId: ACCOUNT,
    KeyState: "Enabled",
    Enabled: true,
    KeyManager: "CUSTOMER",
    ...overrides,
  };
}

const meta = (httpStatusCode: number) => ({ $metadata: { httpStatusCode } });

function throttling(): RDSServiceException {
  return new RDSServiceException({
    name: "Throttling",
    $fault: "client",
    message: "Rate exceeded",
    ...meta(400),
  });
}

function serverError(): RDSServiceException {
  return new RDSServiceException({
    name: "InternalFailure",
    $fault: "server",
    message: "internal error",
    ...meta(503),
  });
}

async function rejectionOf(promise: Promise<unknown>): Promise<AwsActionError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(AwsActionError);
  return error as AwsActionError;
}

describe("AwsGateway.listSnapshots", () => {
  it("asks for the account's manual snapshots only, 100 per page", async () => {
    rdsMock.on(DescribeDBClusterSnapshotsCommand).resolves({ DBClusterSnapshots: [] });

    await aGateway().listSnapshots(REGION, { type: "manual" });

    const calls = rdsMock.commandCalls(DescribeDBClusterSnapshotsCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input).toEqual({ SnapshotType: "manual", MaxRecords: 100 });
  });

  it("narrows the pass to one cluster server-side when a cluster id is given", async () => {
    rdsMock.on(DescribeDBClusterSnapshotsCommand).resolves({ DBClusterSnapshots: [] });

    await aGateway().listSnapshots(REGION, { type: "manual", clusterId: "prod-orders" });

    expect(rdsMock.commandCalls(DescribeDBClusterSnapshotsCommand)[0]?.args[0].input).toEqual({
      SnapshotType: "manual",
      Filters: [{ Name: "db-cluster-id", Values: ["prod-orders"] }],
      MaxRecords: 100,
    });
  });

  it("asks for snapshots shared in by other accounts with IncludeShared", async () => {
    rdsMock.on(DescribeDBClusterSnapshotsCommand).resolves({ DBClusterSnapshots: [] });

    await aGateway().listSnapshots(REGION, { type: "shared" });

    expect(rdsMock.commandCalls(DescribeDBClusterSnapshotsCommand)[0]?.args[0].input).toEqual({
      SnapshotType: "shared",
      IncludeShared: true,
      MaxRecords: 100,
    });
  });

  it("follows Marker across three pages and returns every snapshot in order", async () => {
    // The paginator reuses one input object, so each request is copied as it arrives.
    const requests: DescribeDBClusterSnapshotsCommandInput[] = [];
    const pages: Record<string, DBClusterSnapshotMessage> = {
      first: {
        DBClusterSnapshots: [aRawSnapshot({ DBClusterSnapshotIdentifier: "a" })],
        Marker: "p2",
      },
      p2: {
        DBClusterSnapshots: [aRawSnapshot({ DBClusterSnapshotIdentifier: "b" })],
        Marker: "p3",
      },
      p3: {
        DBClusterSnapshots: [aRawSnapshot({ DBClusterSnapshotIdentifier: "c" })],
      },
    };
    rdsMock
      .on(DescribeDBClusterSnapshotsCommand)
      .callsFake((input: DescribeDBClusterSnapshotsCommandInput) => {
        requests.push({ ...input });
        return pages[input.Marker ?? "first"];
      });

    const snapshots = await aGateway().listSnapshots(REGION, { type: "manual" });

    expect(snapshots.map((s) => s.id)).toEqual(["a", "b", "c"]);
    expect(requests).toEqual([
      { SnapshotType: "manual", MaxRecords: 100 },
      { SnapshotType: "manual", MaxRecords: 100, Marker: "p2" },
      { SnapshotType: "manual", MaxRecords: 100, Marker: "p3" },
    ]);
  });

  it("maps every field and takes the tags from the response's TagList", async () => {
    rdsMock.on(DescribeDBClusterSnapshotsCommand).resolves({
      DBClusterSnapshots: [
        aRawSnapshot({
          Status: "copying",
          PercentProgress: 40,
          SourceDBClusterSnapshotArn: snapshotArn("prod-orders-2026-11-24-01-00", OTHER_ACCOUNT),
          TagList: [
            { Key: "CreatedBy", Value: "Snapshot Tool for Aurora" },
            { Key: "shareAndCopy", Value: "YES" },
          ],
        }),
      ],
    });

    const [snapshot] = await aGateway().listSnapshots(REGION, { type: "manual" });

    expect(snapshot).toEqual({
      id: "prod-orders-2026-11-24-01-00",
      name: "prod-orders-2026-11-24-01-00",
      arn: snapshotArn("prod-orders-2026-11-24-01-00"),
      clusterId: "prod-orders",
      engine: "aurora-mysql",
      type: "manual",
      status: "copying",
      createTime: new Date("2026-11-24T01:00:00Z"),
      encrypted: true,
      kmsKeyId: KEY_ARN,
      tags: { CreatedBy: "Snapshot Tool for Aurora", shareAndCopy: "YES" },
      account: ACCOUNT,
      region: REGION,
      percentProgress: 40,
      sourceArn: snapshotArn("prod-orders-2026-11-24-01-00", OTHER_ACCOUNT),
    });
  });

  it("names a shared snapshot by the last segment of the ARN RDS reports as its identifier", async () => {
    const arn = snapshotArn("prod-orders-2026-11-24-01-00", OTHER_ACCOUNT, "us-east-1");
    rdsMock.on(DescribeDBClusterSnapshotsCommand).resolves({
      DBClusterSnapshots: [
        aRawSnapshot({
          DBClusterSnapshotIdentifier: arn,
          DBClusterSnapshotArn: arn,
          SnapshotType: "shared",
        }),
      ],
    });

    const [snapshot] = await aGateway().listSnapshots("us-east-1", { type: "shared" });

    expect(snapshot).toMatchObject({
      id: arn,
      name: "prod-orders-2026-11-24-01-00",
      type: "shared",
      account: OTHER_ACCOUNT,
      region: "us-east-1",
    });
  });

  it("recognises an AWS Backup snapshot by its identifier prefix", async () => {
    const id = "awsbackup:job-0123456789abcdef";
    rdsMock.on(DescribeDBClusterSnapshotsCommand).resolves({
      DBClusterSnapshots: [aRawSnapshot({ DBClusterSnapshotIdentifier: id })],
    });

    const [snapshot] = await aGateway().listSnapshots(REGION, { type: "manual" });

    expect(snapshot).toMatchObject({ id, name: id, type: "awsbackup" });
  });

  it("never asks ListTagsForResource, however many snapshots there are", async () => {
    rdsMock.on(DescribeDBClusterSnapshotsCommand).resolves({
      DBClusterSnapshots: [
        aRawSnapshot({ DBClusterSnapshotIdentifier: "a-2026-11-24-01-00" }),
        aRawSnapshot({ DBClusterSnapshotIdentifier: "b-2026-11-24-01-00" }),
      ],
    });

    await aGateway().listSnapshots(REGION, { type: "manual" });

    expect(rdsMock.commandCalls(ListTagsForResourceCommand)).toHaveLength(0);
  });

  it("reports a throttled page as a retryable AwsActionError", async () => {
    rdsMock.on(DescribeDBClusterSnapshotsCommand).rejects(throttling());

    const error = await rejectionOf(aGateway().listSnapshots(REGION, { type: "manual" }));

    expect(error).toMatchObject({
      code: "Throttling",
      retryable: true,
      operation: "DescribeDBClusterSnapshots",
    });
  });
});

describe("AwsGateway.listClusters", () => {
  it("pages through DescribeDBClusters 100 at a time and maps tags, account and region", async () => {
    const requests: DescribeDBClustersCommandInput[] = [];
    rdsMock.on(DescribeDBClustersCommand).callsFake((input: DescribeDBClustersCommandInput) => {
      requests.push({ ...input });
      return input.Marker === undefined
        ? {
            DBClusters: [aRawCluster({ TagList: [{ Key: "team", Value: "orders" }] })],
            Marker: "next",
          }
        : { DBClusters: [aRawCluster({ DBClusterIdentifier: "graph", Engine: "neptune" })] };
    });

    const clusters = await aGateway().listClusters(REGION);

    expect(clusters).toEqual([
      {
        id: "prod-orders",
        arn: `arn:aws:rds:${REGION}:${ACCOUNT}:cluster:prod-orders`,
        engine: "aurora-postgresql",
        status: "available",
        encrypted: true,
        kmsKeyId: KEY_ARN,
        tags: { team: "orders" },
        account: ACCOUNT,
        region: REGION,
      },
      expect.objectContaining({ id: "graph", engine: "neptune", tags: {} }),
    ]);
    expect(requests).toEqual([{ MaxRecords: 100 }, { MaxRecords: 100, Marker: "next" }]);
  });

  it("reports a 5xx answer as retryable", async () => {
    rdsMock.on(DescribeDBClustersCommand).rejects(serverError());

    const error = await rejectionOf(aGateway().listClusters(REGION));

    expect(error).toMatchObject({
      code: "InternalFailure",
      retryable: true,
      operation: "DescribeDBClusters",
    });
  });
});

describe("AwsGateway.describeSnapshot", () => {
  it("asks for one snapshot by identifier", async () => {
    rdsMock
      .on(DescribeDBClusterSnapshotsCommand)
      .resolves({ DBClusterSnapshots: [aRawSnapshot()] });

    const snapshot = await aGateway().describeSnapshot(REGION, "prod-orders-2026-11-24-01-00");

    expect(snapshot?.id).toBe("prod-orders-2026-11-24-01-00");
    expect(rdsMock.commandCalls(DescribeDBClusterSnapshotsCommand)[0]?.args[0].input).toEqual({
      DBClusterSnapshotIdentifier: "prod-orders-2026-11-24-01-00",
    });
  });

  it("includes shared snapshots when given another account's ARN", async () => {
    const arn = snapshotArn("prod-orders-2026-11-24-01-00", OTHER_ACCOUNT);
    rdsMock.on(DescribeDBClusterSnapshotsCommand).resolves({
      DBClusterSnapshots: [
        aRawSnapshot({ DBClusterSnapshotIdentifier: arn, DBClusterSnapshotArn: arn }),
      ],
    });

    const snapshot = await aGateway().describeSnapshot(REGION, arn);

    expect(snapshot).toMatchObject({ type: "shared", account: OTHER_ACCOUNT });
    expect(rdsMock.commandCalls(DescribeDBClusterSnapshotsCommand)[0]?.args[0].input).toEqual({
      DBClusterSnapshotIdentifier: arn,
      IncludeShared: true,
    });
  });

  it("returns undefined when RDS says the snapshot does not exist", async () => {
    rdsMock
      .on(DescribeDBClusterSnapshotsCommand)
      .rejects(new DBClusterSnapshotNotFoundFault({ message: "not found", ...meta(404) }));

    await expect(aGateway().describeSnapshot(REGION, "gone")).resolves.toBeUndefined();
  });

  it("returns undefined when the answer holds no snapshot", async () => {
    rdsMock.on(DescribeDBClusterSnapshotsCommand).resolves({ DBClusterSnapshots: [] });

    await expect(aGateway().describeSnapshot(REGION, "gone")).resolves.toBeUndefined();
  });

  it("rethrows any other failure as AwsActionError", async () => {
    rdsMock.on(DescribeDBClusterSnapshotsCommand).rejects(throttling());

    const error = await rejectionOf(aGateway().describeSnapshot(REGION, "x"));

    expect(error).toMatchObject({ code: "Throttling", retryable: true });
  });
});

describe("AwsGateway.describeKey", () => {
  it("resolves a key reference to its ARN, account, region, state and manager", async () => {
    kmsMock.on(DescribeKeyCommand).resolves({ KeyMetadata: aKey() });

    const key = await aGateway().describeKey(REGION, "alias/snapshots");

    expect(key).toEqual({
      ref: "alias/snapshots",
      arn: KEY_ARN,
      region: REGION,
      account: ACCOUNT,
      enabled: true,
      manager: "CUSTOMER",
    });
    expect(kmsMock.commandCalls(DescribeKeyCommand)[0]?.args[0].input).toEqual({
      KeyId: "alias/snapshots",
    });
  });

  it("reports the AWS-managed aws/rds key as managed by AWS", async () => {
    kmsMock.on(DescribeKeyCommand).resolves({ KeyMetadata: aKey({ KeyManager: "AWS" }) });

    const key = await aGateway().describeKey(REGION, "alias/aws/rds");

    expect(key?.manager).toBe("AWS");
  });

  it.each([
    ["Disabled", false],
    ["PendingDeletion", false],
  ] as const)("treats a key in state %s as not enabled", async (KeyState, Enabled) => {
    kmsMock.on(DescribeKeyCommand).resolves({ KeyMetadata: aKey({ KeyState, Enabled }) });

    const key = await aGateway().describeKey(REGION, KEY_ARN);

    expect(key?.enabled).toBe(false);
  });

  it("returns undefined when KMS does not know the key", async () => {
    kmsMock
      .on(DescribeKeyCommand)
      .rejects(new NotFoundException({ message: "Alias not found", ...meta(400) }));

    await expect(aGateway().describeKey(REGION, "alias/missing")).resolves.toBeUndefined();
  });

  it("reports a key it may not read as a terminal error", async () => {
    kmsMock.on(DescribeKeyCommand).rejects(
      new KMSServiceException({
        name: "AccessDeniedException",
        $fault: "client",
        message: "not authorized",
        ...meta(400),
      }),
    );

    const error = await rejectionOf(aGateway().describeKey(REGION, KEY_ARN));

    expect(error).toMatchObject({
      code: "AccessDeniedException",
      retryable: false,
      operation: "DescribeKey",
    });
  });
});

describe("AwsGateway.createSnapshot", () => {
  const input = {
    region: REGION,
    clusterId: "prod-orders",
    snapshotId: "prod-orders-2026-11-24-01-00",
    tags: { CreatedBy: "Snapshot Tool for Aurora", CreatedOn: "2026-11-24-01-00" },
  };

  it("creates the snapshot with the tool's tags in the same call", async () => {
    rdsMock.on(CreateDBClusterSnapshotCommand).resolves({
      DBClusterSnapshot: aRawSnapshot({ Status: "creating", TagList: undefined }),
    });

    const snapshot = await aGateway().createSnapshot(input);

    expect(rdsMock.commandCalls(CreateDBClusterSnapshotCommand)[0]?.args[0].input).toEqual({
      DBClusterIdentifier: "prod-orders",
      DBClusterSnapshotIdentifier: "prod-orders-2026-11-24-01-00",
      Tags: [
        { Key: "CreatedBy", Value: "Snapshot Tool for Aurora" },
        { Key: "CreatedOn", Value: "2026-11-24-01-00" },
      ],
    });
    expect(snapshot).toMatchObject({ status: "creating", tags: input.tags });
  });

  it("reports an existing snapshot of that name as DBClusterSnapshotAlreadyExistsFault", async () => {
    rdsMock
      .on(CreateDBClusterSnapshotCommand)
      .rejects(new DBClusterSnapshotAlreadyExistsFault({ message: "exists", ...meta(400) }));

    const error = await rejectionOf(aGateway().createSnapshot(input));

    expect(error).toMatchObject({
      code: "DBClusterSnapshotAlreadyExistsFault",
      retryable: false,
      operation: "CreateDBClusterSnapshot",
    });
  });

  it("reports the snapshot quota as terminal", async () => {
    rdsMock
      .on(CreateDBClusterSnapshotCommand)
      .rejects(new SnapshotQuotaExceededFault({ message: "quota", ...meta(400) }));

    const error = await rejectionOf(aGateway().createSnapshot(input));

    expect(error).toMatchObject({ code: "SnapshotQuotaExceededFault", retryable: false });
  });

  it("reports a cluster that cannot be snapshotted now as terminal", async () => {
    rdsMock
      .on(CreateDBClusterSnapshotCommand)
      .rejects(new InvalidDBClusterStateFault({ message: "stopped", ...meta(400) }));

    const error = await rejectionOf(aGateway().createSnapshot(input));

    expect(error).toMatchObject({ code: "InvalidDBClusterStateFault", retryable: false });
  });
});

describe("AwsGateway.shareSnapshot", () => {
  it("adds the account to the snapshot's restore attribute", async () => {
    rdsMock.on(ModifyDBClusterSnapshotAttributeCommand).resolves({});

    await aGateway().shareSnapshot(REGION, "prod-orders-2026-11-24-01-00", OTHER_ACCOUNT);

    expect(rdsMock.commandCalls(ModifyDBClusterSnapshotAttributeCommand)[0]?.args[0].input).toEqual(
      {
        DBClusterSnapshotIdentifier: "prod-orders-2026-11-24-01-00",
        AttributeName: "restore",
        ValuesToAdd: [OTHER_ACCOUNT],
      },
    );
  });

  it.each(["all", "ALL", "", "12345678901", "1234567890123", "12345678901a", " 444455556666"])(
    "refuses to share with %j and makes no call",
    async (account) => {
      await expect(aGateway().shareSnapshot(REGION, "snap", account)).rejects.toThrow(/refusing/);

      expect(rdsMock.calls()).toHaveLength(0);
    },
  );

  it("reports the per-snapshot share quota as terminal", async () => {
    rdsMock.on(ModifyDBClusterSnapshotAttributeCommand).rejects(
      new RDSServiceException({
        name: "SharedSnapshotQuotaExceededFault",
        $fault: "client",
        message: "too many accounts",
        ...meta(400),
      }),
    );

    const error = await rejectionOf(aGateway().shareSnapshot(REGION, "snap", OTHER_ACCOUNT));

    expect(error).toMatchObject({
      code: "SharedSnapshotQuotaExceededFault",
      retryable: false,
      operation: "ModifyDBClusterSnapshotAttribute",
    });
  });
});

describe("AwsGateway.addTags", () => {
  it("tags the resource by ARN", async () => {
    rdsMock.on(AddTagsToResourceCommand).resolves({});

    await aGateway().addTags(REGION, snapshotArn("snap"), {
      SnapshotToolSharedWith: OTHER_ACCOUNT,
    });

    expect(rdsMock.commandCalls(AddTagsToResourceCommand)[0]?.args[0].input).toEqual({
      ResourceName: snapshotArn("snap"),
      Tags: [{ Key: "SnapshotToolSharedWith", Value: OTHER_ACCOUNT }],
    });
  });
});

describe("AwsGateway.copySnapshot", () => {
  const sourceArn = snapshotArn("prod-orders-2026-11-24-01-00", OTHER_ACCOUNT, "eu-west-1");

  it("copies with the given key, without CopyTags, setting the tool's tags explicitly", async () => {
    rdsMock.on(CopyDBClusterSnapshotCommand).resolves({
      DBClusterSnapshot: aRawSnapshot({ Status: "copying" }),
    });

    await aGateway().copySnapshot({
      targetRegion: REGION,
      sourceArn,
      targetId: "prod-orders-2026-11-24-01-00",
      kmsKeyId: KEY_ARN,
      tags: { CopiedBy: "Snapshot Tool for Aurora", "aws:backup:source": "x", "rds:origin": "y" },
    });

    expect(rdsMock.commandCalls(CopyDBClusterSnapshotCommand)[0]?.args[0].input).toEqual({
      SourceDBClusterSnapshotIdentifier: sourceArn,
      TargetDBClusterSnapshotIdentifier: "prod-orders-2026-11-24-01-00",
      KmsKeyId: KEY_ARN,
      CopyTags: false,
      Tags: [{ Key: "CopiedBy", Value: "Snapshot Tool for Aurora" }],
    });
  });

  it("leaves KmsKeyId out when no key is given", async () => {
    rdsMock.on(CopyDBClusterSnapshotCommand).resolves({ DBClusterSnapshot: aRawSnapshot() });

    await aGateway().copySnapshot({
      targetRegion: REGION,
      sourceArn,
      targetId: "copy",
      tags: {},
    });

    const sent = rdsMock.commandCalls(CopyDBClusterSnapshotCommand)[0]?.args[0].input;
    expect(sent).not.toHaveProperty("KmsKeyId");
    expect(sent).toEqual({
      SourceDBClusterSnapshotIdentifier: sourceArn,
      TargetDBClusterSnapshotIdentifier: "copy",
      CopyTags: false,
      Tags: [],
    });
  });

  it("sends the copy through a client of the target region, not the source's", async () => {
    const remoteSource = snapshotArn("prod-orders-2026-11-24-01-00", ACCOUNT, "eu-west-1");
    rdsMock.on(CopyDBClusterSnapshotCommand).resolves({
      DBClusterSnapshot: aRawSnapshot({
        DBClusterSnapshotArn: snapshotArn("prod-orders-2026-11-24-01-00", ACCOUNT, "us-west-2"),
      }),
    });

    const copy = await aGateway().copySnapshot({
      targetRegion: "us-west-2",
      sourceArn: remoteSource,
      targetId: "prod-orders-2026-11-24-01-00",
      kmsKeyId: "arn:aws:kms:us-west-2:111122223333:key/dest",
      tags: {},
    });

    const client = rdsMock.commandCalls(CopyDBClusterSnapshotCommand)[0]?.thisValue as RDSClient;
    await expect(client.config.region()).resolves.toBe("us-west-2");
    expect(copy.region).toBe("us-west-2");
  });

  it("reports a KMS key the account may not use as terminal", async () => {
    rdsMock
      .on(CopyDBClusterSnapshotCommand)
      .rejects(new KMSKeyNotAccessibleFault({ message: "key not accessible", ...meta(400) }));

    const error = await rejectionOf(
      aGateway().copySnapshot({ targetRegion: REGION, sourceArn, targetId: "copy", tags: {} }),
    );

    expect(error).toMatchObject({
      code: "KMSKeyNotAccessibleFault",
      retryable: false,
      operation: "CopyDBClusterSnapshot",
    });
  });
});

describe("AwsGateway.deleteSnapshot", () => {
  it("deletes the snapshot by identifier", async () => {
    rdsMock.on(DeleteDBClusterSnapshotCommand).resolves({});

    await aGateway().deleteSnapshot(REGION, "prod-orders-2026-11-01-01-00");

    expect(rdsMock.commandCalls(DeleteDBClusterSnapshotCommand)[0]?.args[0].input).toEqual({
      DBClusterSnapshotIdentifier: "prod-orders-2026-11-01-01-00",
    });
  });

  it("passes a snapshot that is already gone on as its code, for the executor to judge", async () => {
    rdsMock
      .on(DeleteDBClusterSnapshotCommand)
      .rejects(new DBClusterSnapshotNotFoundFault({ message: "not found", ...meta(404) }));

    const error = await rejectionOf(aGateway().deleteSnapshot(REGION, "gone"));

    expect(error).toMatchObject({
      code: "DBClusterSnapshotNotFoundFault",
      retryable: false,
      operation: "DeleteDBClusterSnapshot",
    });
  });
});

describe("AwsGateway.accountId", () => {
  it("asks STS once however often and however concurrently it is called", async () => {
    stsMock.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT });
    const gateway = aGateway();

    const ids = await Promise.all([gateway.accountId(), gateway.accountId()]);
    const again = await gateway.accountId();

    expect([...ids, again]).toEqual([ACCOUNT, ACCOUNT, ACCOUNT]);
    expect(stsMock.commandCalls(GetCallerIdentityCommand)).toHaveLength(1);
  });

  it("asks again after a failed lookup instead of keeping the failure", async () => {
    stsMock
      .on(GetCallerIdentityCommand)
      .rejectsOnce(throttling())
      .resolvesOnce({ Account: ACCOUNT });
    const gateway = aGateway();

    const error = await rejectionOf(gateway.accountId());

    expect(error).toMatchObject({ code: "Throttling", operation: "GetCallerIdentity" });
    await expect(gateway.accountId()).resolves.toBe(ACCOUNT);
  });
});
