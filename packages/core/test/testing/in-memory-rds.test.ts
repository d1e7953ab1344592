import { DescribeKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import {
  AddTagsToResourceCommand,
  CopyDBClusterSnapshotCommand,
  CreateDBClusterSnapshotCommand,
  DBClusterSnapshotNotFoundFault,
  DeleteDBClusterSnapshotCommand,
  DescribeDBClusterSnapshotAttributesCommand,
  DescribeDBClusterSnapshotsCommand,
  DescribeDBClustersCommand,
  ListTagsForResourceCommand,
  ModifyDBClusterSnapshotAttributeCommand,
  paginateDescribeDBClusters,
  paginateDescribeDBClusterSnapshots,
  RDSClient,
  RemoveTagsFromResourceCommand,
} from "@aws-sdk/client-rds";
import type {
  CopyDBClusterSnapshotCommandInput,
  DBClusterSnapshot,
  DescribeDBClusterSnapshotsCommandInput,
} from "@aws-sdk/client-rds";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { describe, expect, it } from "vitest";

import { InMemoryRds, SimulatedRetryStrategy } from "../../src/testing/index.js";
import type { InMemoryRdsOptions, SimSnapshotInit } from "../../src/testing/index.js";

const SOURCE = "111111111111";
const DEST = "222222222222";
const HOME = "eu-west-1";
const AWAY = "us-east-1";
const CREDENTIALS = { accessKeyId: "x", secretAccessKey: "y" };

// ---------------------------------------------------------------- builders

function aSim(options: InMemoryRdsOptions = {}): InMemoryRds {
  return new InMemoryRds({ now: new Date("2026-03-01T12:00:00Z"), ...options });
}

/** A client through the simulator; the SDK's own retries run, waiting on the simulated clock. */
function rds(sim: InMemoryRds, account = SOURCE, region = HOME): RDSClient {
  const client = new RDSClient({
    region,
    credentials: CREDENTIALS,
    retryStrategy: sim.retryStrategy(),
  });
  client.middlewareStack.use(sim.plugin(account, region));
  return client;
}

function kms(sim: InMemoryRds, account = SOURCE, region = HOME): KMSClient {
  const client = new KMSClient({
    region,
    credentials: CREDENTIALS,
    retryStrategy: sim.retryStrategy(),
  });
  client.middlewareStack.use(sim.plugin(account, region));
  return client;
}

function aCluster(sim: InMemoryRds, over: Partial<Parameters<InMemoryRds["addCluster"]>[0]> = {}) {
  return sim.addCluster({ account: SOURCE, region: HOME, id: "orders", ...over });
}

function aSnapshot(sim: InMemoryRds, over: Partial<SimSnapshotInit> = {}) {
  return sim.addSnapshot({
    account: SOURCE,
    region: HOME,
    id: "orders-2026-03-01-00-00",
    clusterId: "orders",
    ...over,
  });
}

async function list(
  client: RDSClient,
  input: DescribeDBClusterSnapshotsCommandInput = {},
): Promise<DBClusterSnapshot[]> {
  const out = await client.send(new DescribeDBClusterSnapshotsCommand(input));
  return out.DBClusterSnapshots ?? [];
}

const ids = (snapshots: DBClusterSnapshot[]) => snapshots.map((s) => s.DBClusterSnapshotIdentifier);

function copy(client: RDSClient, input: Partial<CopyDBClusterSnapshotCommandInput>) {
  return client.send(
    new CopyDBClusterSnapshotCommand({
      SourceDBClusterSnapshotIdentifier: "orders-2026-03-01-00-00",
      TargetDBClusterSnapshotIdentifier: "orders-copy",
      ...input,
    }),
  );
}

// ---------------------------------------------------------------- specifications

describe("InMemoryRds behind real SDK v3 clients", () => {
  it("serves paginateDescribeDBClusterSnapshots page by page through Marker", async () => {
    const sim = aSim();
    for (let i = 0; i < 250; i += 1) aSnapshot(sim, { id: `snap-${String(i).padStart(3, "0")}` });
    const client = rds(sim);

    const pages: number[] = [];
    const seen: string[] = [];
    for await (const page of paginateDescribeDBClusterSnapshots(
      { client, pageSize: 100 },
      { SnapshotType: "manual" },
    )) {
      pages.push(page.DBClusterSnapshots?.length ?? 0);
      seen.push(...ids(page.DBClusterSnapshots ?? []).map(String));
    }

    expect(pages).toEqual([100, 100, 50]);
    expect(new Set(seen).size).toBe(250);
    expect(sim.callCounts()).toEqual({ DescribeDBClusterSnapshots: 3 });
    expect(sim.calls[1]?.input).toMatchObject({ MaxRecords: 100, SnapshotType: "manual" });
  });

  it("keeps paging correct when a snapshot is deleted between pages", async () => {
    const sim = aSim();
    for (let i = 0; i < 40; i += 1) aSnapshot(sim, { id: `snap-${String(i).padStart(2, "0")}` });
    const client = rds(sim);

    const first = await client.send(new DescribeDBClusterSnapshotsCommand({ MaxRecords: 20 }));
    await client.send(
      new DeleteDBClusterSnapshotCommand({ DBClusterSnapshotIdentifier: "snap-03" }),
    );
    const second = await client.send(
      new DescribeDBClusterSnapshotsCommand({ MaxRecords: 20, Marker: first.Marker }),
    );

    expect(ids(second.DBClusterSnapshots ?? [])[0]).toBe("snap-20");
    expect(second.DBClusterSnapshots).toHaveLength(20);
    expect(second.Marker).toBeUndefined();
  });

  it("refuses MaxRecords outside 20..100", async () => {
    const client = rds(aSim());
    await expect(list(client, { MaxRecords: 10 })).rejects.toMatchObject({
      name: "InvalidParameterValue",
    });
    await expect(list(client, { MaxRecords: 101 })).rejects.toMatchObject({
      name: "InvalidParameterValue",
    });
  });

  it("rejects with errors shaped like SDK service exceptions", async () => {
    const client = rds(aSim());
    const error = await client
      .send(new DeleteDBClusterSnapshotCommand({ DBClusterSnapshotIdentifier: "missing" }))
      .then(
        () => undefined,
        (e: unknown) => e,
      );

    expect(error).toBeInstanceOf(DBClusterSnapshotNotFoundFault);
    expect(error).toMatchObject({
      name: "DBClusterSnapshotNotFoundFault",
      $fault: "client",
      $metadata: { httpStatusCode: 404 },
    });
  });

  it("pages DescribeDBClusters and reports each cluster with its tags", async () => {
    const sim = aSim();
    for (let i = 0; i < 30; i += 1) aCluster(sim, { id: `c${i}`, tags: { team: "a" } });
    const clusters = [];
    for await (const page of paginateDescribeDBClusters({ client: rds(sim), pageSize: 20 }, {})) {
      clusters.push(...(page.DBClusters ?? []));
    }

    expect(clusters).toHaveLength(30);
    expect(clusters[0]).toMatchObject({
      Engine: "aurora-postgresql",
      Status: "available",
      DBClusterArn: `arn:aws:rds:${HOME}:${SOURCE}:cluster:c0`,
      TagList: [{ Key: "team", Value: "a" }],
    });
  });

  it("answers DescribeDBClusters for an unknown cluster with DBClusterNotFoundFault", async () => {
    await expect(
      rds(aSim()).send(new DescribeDBClustersCommand({ DBClusterIdentifier: "nope" })),
    ).rejects.toMatchObject({ name: "DBClusterNotFoundFault" });
  });

  it("answers STS GetCallerIdentity with the plugin's account", async () => {
    const sim = aSim();
    const sts = new STSClient({ region: HOME, credentials: CREDENTIALS });
    sts.middlewareStack.use(sim.plugin(DEST, HOME));

    const identity = await sts.send(new GetCallerIdentityCommand({}));

    expect(identity.Account).toBe(DEST);
    expect(identity.Arn).toContain(DEST);
  });

  it("refuses operations it does not implement with InvalidAction", async () => {
    await expect(
      aSim().request({ account: SOURCE, region: HOME }, "RebootDBClusterCommand", {}),
    ).rejects.toMatchObject({ name: "InvalidAction" });
  });
});

describe("KMS DescribeKey", () => {
  it("knows the AWS-managed aws/rds key in every account and region", async () => {
    const out = await kms(aSim(), DEST, AWAY).send(
      new DescribeKeyCommand({ KeyId: "alias/aws/rds" }),
    );
    expect(out.KeyMetadata).toMatchObject({
      KeyManager: "AWS",
      Enabled: true,
      KeyState: "Enabled",
      AWSAccountId: DEST,
    });
    expect(out.KeyMetadata?.Arn).toMatch(new RegExp(`^arn:aws:kms:${AWAY}:${DEST}:key/`));
  });

  it("resolves a customer key by alias, alias ARN, key id and key ARN", async () => {
    const sim = aSim();
    const arn = sim.addKey({ account: SOURCE, region: HOME, alias: "snapshots" });
    const keyId = arn.split("/")[1] ?? "";
    const client = kms(sim);

    for (const ref of [
      "alias/snapshots",
      `arn:aws:kms:${HOME}:${SOURCE}:alias/snapshots`,
      keyId,
      arn,
    ]) {
      const out = await client.send(new DescribeKeyCommand({ KeyId: ref }));
      expect(out.KeyMetadata).toMatchObject({ Arn: arn, KeyId: keyId, KeyManager: "CUSTOMER" });
    }
  });

  it("reports disabled keys as such", async () => {
    const sim = aSim();
    const arn = sim.addKey({ account: SOURCE, region: HOME, enabled: false });
    const out = await kms(sim).send(new DescribeKeyCommand({ KeyId: arn }));
    expect(out.KeyMetadata).toMatchObject({ Enabled: false, KeyState: "Disabled" });
  });

  it("does not find keys of another region or unknown keys", async () => {
    const sim = aSim();
    const arn = sim.addKey({ account: SOURCE, region: AWAY, alias: "far" });
    const client = kms(sim);
    await expect(client.send(new DescribeKeyCommand({ KeyId: arn }))).rejects.toMatchObject({
      name: "NotFoundException",
    });
    await expect(client.send(new DescribeKeyCommand({ KeyId: "alias/far" }))).rejects.toMatchObject(
      { name: "NotFoundException" },
    );
  });
});

describe("CreateDBClusterSnapshot", () => {
  it("starts `creating`, with the cluster's key, and becomes available after createMinutes", async () => {
    const sim = aSim({ createMinutes: 10 });
    const keyArn = sim.addKey({ account: SOURCE, region: HOME, alias: "db" });
    aCluster(sim, { kmsKeyId: "alias/db" });
    const client = rds(sim);

    const out = await client.send(
      new CreateDBClusterSnapshotCommand({
        DBClusterIdentifier: "orders",
        DBClusterSnapshotIdentifier: "Orders-Manual-1",
        Tags: [{ Key: "CreatedBy", Value: "me" }],
      }),
    );
    expect(out.DBClusterSnapshot).toMatchObject({
      DBClusterSnapshotIdentifier: "orders-manual-1",
      Status: "creating",
      PercentProgress: 0,
      StorageEncrypted: true,
      KmsKeyId: keyArn,
      SnapshotType: "manual",
      SnapshotCreateTime: new Date("2026-03-01T12:00:00Z"),
      TagList: [{ Key: "CreatedBy", Value: "me" }],
    });

    sim.advance({ minutes: 5 });
    expect((await list(client))[0]).toMatchObject({ Status: "creating", PercentProgress: 50 });
    sim.advance({ minutes: 5 });
    expect((await list(client))[0]).toMatchObject({ Status: "available", PercentProgress: 100 });
  });

  it("refuses a cluster that is not available, or does not exist", async () => {
    const sim = aSim();
    aCluster(sim, { status: "stopped" });
    const client = rds(sim);
    const create = (cluster: string) =>
      client.send(
        new CreateDBClusterSnapshotCommand({
          DBClusterIdentifier: cluster,
          DBClusterSnapshotIdentifier: "s1",
        }),
      );

    await expect(create("orders")).rejects.toMatchObject({ name: "InvalidDBClusterStateFault" });
    await expect(create("ghost")).rejects.toMatchObject({ name: "DBClusterNotFoundFault" });
    sim.setClusterStatus({ account: SOURCE, region: HOME, id: "orders" }, "available");
    await expect(create("orders")).resolves.toBeDefined();
  });

  it("refuses an identifier that exists already, in any letter case", async () => {
    const sim = aSim();
    aCluster(sim);
    aSnapshot(sim, { id: "taken" });
    await expect(
      rds(sim).send(
        new CreateDBClusterSnapshotCommand({
          DBClusterIdentifier: "orders",
          DBClusterSnapshotIdentifier: "TAKEN",
        }),
      ),
    ).rejects.toMatchObject({ name: "DBClusterSnapshotAlreadyExistsFault" });
  });

  it.each(["1abc", "a--b", "a-", "a_b", "x".repeat(64)])(
    "refuses the invalid identifier %s",
    async (id) => {
      const sim = aSim();
      aCluster(sim);
      await expect(
        rds(sim).send(
          new CreateDBClusterSnapshotCommand({
            DBClusterIdentifier: "orders",
            DBClusterSnapshotIdentifier: id,
          }),
        ),
      ).rejects.toMatchObject({ name: "InvalidParameterValue" });
    },
  );

  it("refuses tags with the reserved aws: prefix", async () => {
    const sim = aSim();
    aCluster(sim);
    await expect(
      rds(sim).send(
        new CreateDBClusterSnapshotCommand({
          DBClusterIdentifier: "orders",
          DBClusterSnapshotIdentifier: "s1",
          Tags: [{ Key: "aws:owner", Value: "x" }],
        }),
      ),
    ).rejects.toMatchObject({ name: "InvalidParameterValue" });
  });

  it("counts manual and AWS Backup snapshots, not automated ones, against the quota", async () => {
    const sim = aSim({ manualSnapshotQuota: 2 });
    aCluster(sim);
    aSnapshot(sim, { id: "rds:orders-2026-02-28", type: "automated" });
    aSnapshot(sim, { id: "awsbackup:job-1", type: "awsbackup" });
    const client = rds(sim);
    const create = (id: string) =>
      client.send(
        new CreateDBClusterSnapshotCommand({
          DBClusterIdentifier: "orders",
          DBClusterSnapshotIdentifier: id,
        }),
      );

    await expect(create("first")).resolves.toBeDefined();
    await expect(create("second")).rejects.toMatchObject({ name: "SnapshotQuotaExceededFault" });
  });
});

describe("DescribeDBClusterSnapshots", () => {
  function seeded() {
    const sim = aSim();
    aCluster(sim);
    aCluster(sim, { id: "billing", engine: "aurora-mysql" });
    aSnapshot(sim, { id: "orders-manual" });
    aSnapshot(sim, { id: "rds:orders-auto", type: "automated" });
    aSnapshot(sim, { id: "billing-manual", clusterId: "billing" });
    aSnapshot(sim, { id: "awsbackup:job-7", type: "awsbackup" });
    return sim;
  }

  it("lists automated and manual snapshots by default", async () => {
    expect(ids(await list(rds(seeded()))).sort()).toEqual([
      "awsbackup:job-7",
      "billing-manual",
      "orders-manual",
      "rds:orders-auto",
    ]);
  });

  it("narrows by SnapshotType, cluster and filters", async () => {
    const client = rds(seeded());
    expect(ids(await list(client, { SnapshotType: "automated" }))).toEqual(["rds:orders-auto"]);
    expect(
      ids(await list(client, { SnapshotType: "manual", DBClusterIdentifier: "ORDERS" })),
    ).toEqual(["awsbackup:job-7", "orders-manual"]);
    expect(
      ids(await list(client, { Filters: [{ Name: "engine", Values: ["aurora-mysql"] }] })),
    ).toEqual(["billing-manual"]);
    expect(
      ids(
        await list(client, {
          Filters: [
            { Name: "db-cluster-id", Values: [`arn:aws:rds:${HOME}:${SOURCE}:cluster:orders`] },
            { Name: "snapshot-type", Values: ["automated"] },
          ],
        }),
      ),
    ).toEqual(["rds:orders-auto"]);
  });

  it("reports AWS Backup snapshots with their own SnapshotType", async () => {
    const found = await list(rds(seeded()), { DBClusterSnapshotIdentifier: "awsbackup:job-7" });
    expect(found[0]?.SnapshotType).toBe("awsbackup");
  });

  it("finds one snapshot by id or ARN and faults on an unknown one", async () => {
    const client = rds(seeded());
    const arn = `arn:aws:rds:${HOME}:${SOURCE}:cluster-snapshot:orders-manual`;
    expect(ids(await list(client, { DBClusterSnapshotIdentifier: "orders-manual" }))).toEqual([
      "orders-manual",
    ]);
    expect(ids(await list(client, { DBClusterSnapshotIdentifier: arn }))).toEqual([
      "orders-manual",
    ]);
    await expect(list(client, { DBClusterSnapshotIdentifier: "nope" })).rejects.toMatchObject({
      name: "DBClusterSnapshotNotFoundFault",
    });
  });

  it("refuses an unknown filter name", async () => {
    await expect(
      list(rds(seeded()), { Filters: [{ Name: "tag:CreatedBy", Values: ["x"] }] }),
    ).rejects.toMatchObject({ name: "InvalidParameterValue" });
  });

  it("carries every field the gateway reads", async () => {
    const sim = aSim();
    aCluster(sim, { encrypted: true, tags: { a: "b" } });
    aSnapshot(sim, { tags: { CreatedBy: "tool" } });
    const [snap] = await list(rds(sim));
    expect(snap).toMatchObject({
      DBClusterSnapshotIdentifier: "orders-2026-03-01-00-00",
      DBClusterIdentifier: "orders",
      DBClusterSnapshotArn: `arn:aws:rds:${HOME}:${SOURCE}:cluster-snapshot:orders-2026-03-01-00-00`,
      Engine: "aurora-postgresql",
      Status: "available",
      PercentProgress: 100,
      SnapshotType: "manual",
      StorageEncrypted: true,
      SnapshotCreateTime: new Date("2026-03-01T12:00:00Z"),
      TagList: [{ Key: "CreatedBy", Value: "tool" }],
    });
    expect(snap?.KmsKeyId).toMatch(/^arn:aws:kms:eu-west-1:111111111111:key\//);
  });
});

describe("sharing", () => {
  async function shared() {
    const sim = aSim();
    aCluster(sim);
    aSnapshot(sim, { tags: { CreatedBy: "tool" } });
    await rds(sim).send(
      new ModifyDBClusterSnapshotAttributeCommand({
        DBClusterSnapshotIdentifier: "orders-2026-03-01-00-00",
        AttributeName: "restore",
        ValuesToAdd: [DEST],
      }),
    );
    return sim;
  }
  const sharedArn = `arn:aws:rds:${HOME}:${SOURCE}:cluster-snapshot:orders-2026-03-01-00-00`;

  it("shows a shared snapshot to the other account as `shared`, by ARN, without the owner's tags", async () => {
    const client = rds(await shared(), DEST, HOME);
    const [snap] = await list(client, { SnapshotType: "shared" });
    expect(snap).toMatchObject({
      DBClusterSnapshotIdentifier: sharedArn,
      DBClusterSnapshotArn: sharedArn,
      SnapshotType: "shared",
      Status: "available",
      TagList: [],
    });
  });

  it("shows it only with SnapshotType shared or IncludeShared, and only in its region", async () => {
    const sim = await shared();
    const dest = rds(sim, DEST, HOME);
    expect(await list(dest)).toEqual([]);
    expect(await list(dest, { SnapshotType: "manual" })).toEqual([]);
    expect(ids(await list(dest, { IncludeShared: true }))).toEqual([sharedArn]);
    expect(ids(await list(dest, { DBClusterSnapshotIdentifier: sharedArn }))).toEqual([sharedArn]);
    expect(await list(rds(sim, DEST, AWAY), { SnapshotType: "shared" })).toEqual([]);
    expect(await list(rds(sim, "333333333333", HOME), { SnapshotType: "shared" })).toEqual([]);
  });

  it("reads and removes accounts in the restore attribute", async () => {
    const sim = await shared();
    const client = rds(sim);
    const attrs = await client.send(
      new DescribeDBClusterSnapshotAttributesCommand({
        DBClusterSnapshotIdentifier: "orders-2026-03-01-00-00",
      }),
    );
    expect(attrs.DBClusterSnapshotAttributesResult?.DBClusterSnapshotAttributes).toEqual([
      { AttributeName: "restore", AttributeValues: [DEST] },
    ]);

    await client.send(
      new ModifyDBClusterSnapshotAttributeCommand({
        DBClusterSnapshotIdentifier: "orders-2026-03-01-00-00",
        AttributeName: "restore",
        ValuesToRemove: [DEST],
      }),
    );
    expect(await list(rds(sim, DEST, HOME), { SnapshotType: "shared" })).toEqual([]);
  });

  function share(sim: InMemoryRds, id: string, values: string[]) {
    return rds(sim).send(
      new ModifyDBClusterSnapshotAttributeCommand({
        DBClusterSnapshotIdentifier: id,
        AttributeName: "restore",
        ValuesToAdd: values,
      }),
    );
  }

  it("refuses to share with more than 20 accounts", async () => {
    const sim = aSim();
    aSnapshot(sim);
    const accounts = Array.from({ length: 21 }, (_, i) => String(300000000000 + i));
    await expect(
      share(sim, "orders-2026-03-01-00-00", accounts.slice(0, 20)),
    ).resolves.toBeDefined();
    await expect(share(sim, "orders-2026-03-01-00-00", accounts.slice(20))).rejects.toMatchObject({
      name: "SharedSnapshotQuotaExceededFault",
    });
  });

  it("refuses to make an encrypted snapshot public", async () => {
    const sim = aSim();
    const key = sim.addKey({ account: SOURCE, region: HOME });
    aSnapshot(sim, { kmsKeyId: key });
    await expect(share(sim, "orders-2026-03-01-00-00", ["all"])).rejects.toMatchObject({
      name: "InvalidParameterValue",
    });
  });

  it("refuses to share a snapshot encrypted with the AWS-managed key", async () => {
    const sim = aSim();
    aSnapshot(sim, { encrypted: true });
    await expect(share(sim, "orders-2026-03-01-00-00", [DEST])).rejects.toMatchObject({
      name: "InvalidParameterValue",
    });
  });

  it("shares only manual, available snapshots", async () => {
    const sim = aSim();
    aSnapshot(sim, { id: "rds:auto", type: "automated" });
    aSnapshot(sim, { id: "busy", status: "creating" });
    await expect(share(sim, "rds:auto", [DEST])).rejects.toMatchObject({
      name: "InvalidDBClusterSnapshotStateFault",
    });
    await expect(share(sim, "busy", [DEST])).rejects.toMatchObject({
      name: "InvalidDBClusterSnapshotStateFault",
    });
  });
});

describe("CopyDBClusterSnapshot", () => {
  it("copies within the region: `pending`, then `copying`, source ARN and source time, then available", async () => {
    const sim = aSim({ copyMinutes: 4 });
    aSnapshot(sim, { createTime: new Date("2026-02-01T00:00:00Z"), tags: { CreatedBy: "tool" } });
    const client = rds(sim);

    const out = await copy(client, { CopyTags: true, Tags: [{ Key: "CopiedBy", Value: "tool" }] });

    expect(out.DBClusterSnapshot).toMatchObject({
      DBClusterSnapshotIdentifier: "orders-copy",
      Status: "pending",
      PercentProgress: 0,
      SnapshotType: "manual",
      SnapshotCreateTime: new Date("2026-02-01T00:00:00Z"),
      SourceDBClusterSnapshotArn: `arn:aws:rds:${HOME}:${SOURCE}:cluster-snapshot:orders-2026-03-01-00-00`,
      TagList: [
        { Key: "CreatedBy", Value: "tool" },
        { Key: "CopiedBy", Value: "tool" },
      ],
    });
    const target = { account: SOURCE, region: HOME, id: "orders-copy" };
    // One minute pending (copyStartMinutes), then four copying.
    sim.advance({ minutes: 2 });
    expect(sim.snapshot(target)).toMatchObject({ status: "copying", percentProgress: 25 });
    sim.advance({ minutes: 3 });
    expect(sim.snapshot(target)?.status).toBe("available");
  });

  it("gives a copy the time of the copy as SnapshotCreateTime when copyCreateTime is `copy`", async () => {
    const sim = aSim({ copyCreateTime: "copy" });
    aSnapshot(sim, { createTime: new Date("2026-02-01T00:00:00Z") });
    const out = await copy(rds(sim), {});
    expect(out.DBClusterSnapshot?.SnapshotCreateTime).toEqual(sim.now());
  });

  it("queues copies beyond copiesRunningAtOnce with no progress, and starts them in order as copies finish", async () => {
    const sim = aSim({ copiesRunningAtOnce: 1, copyMinutes: 10, copyStartMinutes: 0 });
    aSnapshot(sim);
    const client = rds(sim);
    await copy(client, { TargetDBClusterSnapshotIdentifier: "c1" });
    await copy(client, { TargetDBClusterSnapshotIdentifier: "c2" });
    const state = (id: string) => {
      const s = sim.snapshot({ account: SOURCE, region: HOME, id });
      return [s?.status, s?.percentProgress];
    };
    sim.advance({ minutes: 5 });
    expect([state("c1"), state("c2")]).toEqual([
      ["copying", 50],
      ["pending", 0],
    ]);
    // A long jump: c2 starts when c1 ends (minute 10), not when the clock is looked at.
    sim.advance({ minutes: 10 });
    expect([state("c1"), state("c2")]).toEqual([
      ["available", 100],
      ["copying", 50],
    ]);
    sim.advance({ minutes: 5 });
    expect(state("c2")).toEqual(["available", 100]);
  });

  it("refuses a source that is not available", async () => {
    const sim = aSim();
    aSnapshot(sim, { status: "creating" });
    await expect(copy(rds(sim), {})).rejects.toMatchObject({
      name: "InvalidDBClusterSnapshotStateFault",
    });
  });

  it("refuses a KmsKeyId for an unencrypted source", async () => {
    const sim = aSim();
    aSnapshot(sim);
    await expect(copy(rds(sim), { KmsKeyId: "alias/aws/rds" })).rejects.toMatchObject({
      name: "InvalidParameterValue",
    });
  });

  it("refuses a target identifier that exists", async () => {
    const sim = aSim();
    aSnapshot(sim);
    aSnapshot(sim, { id: "orders-copy" });
    await expect(copy(rds(sim), {})).rejects.toMatchObject({
      name: "DBClusterSnapshotAlreadyExistsFault",
    });
  });

  it("allows at most copiesInFlightLimit copies in flight per account and region", async () => {
    const sim = aSim({ copiesInFlightLimit: 2, copyMinutes: 5 });
    aSnapshot(sim);
    const client = rds(sim);
    await copy(client, { TargetDBClusterSnapshotIdentifier: "c1" });
    await copy(client, { TargetDBClusterSnapshotIdentifier: "c2" });

    // Counted from the moment they are accepted, while still pending.
    await expect(copy(client, { TargetDBClusterSnapshotIdentifier: "c3" })).rejects.toMatchObject({
      name: "SnapshotQuotaExceededFault",
    });
    sim.advance({ minutes: 5 });
    // Still copying (1 minute pending, 5 copying): still refused.
    await expect(copy(client, { TargetDBClusterSnapshotIdentifier: "c3" })).rejects.toMatchObject({
      name: "SnapshotQuotaExceededFault",
    });
    sim.advance({ minutes: 1 });
    await expect(copy(client, { TargetDBClusterSnapshotIdentifier: "c3" })).resolves.toBeDefined();
  });

  it("counts copies against the manual snapshot quota", async () => {
    const sim = aSim({ manualSnapshotQuota: 1 });
    aSnapshot(sim);
    await expect(copy(rds(sim), {})).rejects.toMatchObject({ name: "SnapshotQuotaExceededFault" });
  });

  describe("from another account", () => {
    const sourceArn = `arn:aws:rds:${HOME}:${SOURCE}:cluster-snapshot:orders-2026-03-01-00-00`;

    /** Encrypted with a key the owner grants to `usableBy` (default: the destination). */
    function sharedEncrypted(usableBy: string[] = [DEST]) {
      const sim = aSim();
      const key = sim.addKey({ account: SOURCE, region: HOME, alias: "share", usableBy });
      aSnapshot(sim, { kmsKeyId: key, sharedWith: [DEST], tags: { CreatedBy: "tool" } });
      sim.addKey({ account: DEST, region: HOME, alias: "dest" });
      return sim;
    }

    it("needs the snapshot to be shared with the caller", async () => {
      const sim = aSim();
      aSnapshot(sim);
      await expect(
        copy(rds(sim, DEST), { SourceDBClusterSnapshotIdentifier: sourceArn }),
      ).rejects.toMatchObject({ name: "DBClusterSnapshotNotFoundFault" });
    });

    it("needs a KmsKeyId for an encrypted source", async () => {
      await expect(
        copy(rds(sharedEncrypted(), DEST), { SourceDBClusterSnapshotIdentifier: sourceArn }),
      ).rejects.toMatchObject({ name: "InvalidParameterValue" });
    });

    it("re-encrypts with the caller's key and does not bring the owner's tags along", async () => {
      const sim = sharedEncrypted();
      const out = await copy(rds(sim, DEST), {
        SourceDBClusterSnapshotIdentifier: sourceArn,
        KmsKeyId: "alias/dest",
        CopyTags: true,
        Tags: [{ Key: "CopiedBy", Value: "tool" }],
      });
      expect(out.DBClusterSnapshot).toMatchObject({
        DBClusterSnapshotArn: `arn:aws:rds:${HOME}:${DEST}:cluster-snapshot:orders-copy`,
        KmsKeyId: sim.keys({ account: DEST, region: HOME })[0]?.arn,
        TagList: [{ Key: "CopiedBy", Value: "tool" }],
        SourceDBClusterSnapshotArn: sourceArn,
      });
    });

    it("fails with KMSKeyNotAccessibleFault when the source key is not granted to the caller", async () => {
      for (const grantees of [["999999999999"], []]) {
        await expect(
          copy(rds(sharedEncrypted(grantees), DEST), {
            SourceDBClusterSnapshotIdentifier: sourceArn,
            KmsKeyId: "alias/dest",
          }),
        ).rejects.toMatchObject({ name: "KMSKeyNotAccessibleFault" });
      }
    });

    it("fails with KMSKeyNotAccessibleFault for an unknown or disabled target key", async () => {
      const sim = sharedEncrypted();
      const client = rds(sim, DEST);
      await expect(
        copy(client, { SourceDBClusterSnapshotIdentifier: sourceArn, KmsKeyId: "alias/nope" }),
      ).rejects.toMatchObject({ name: "KMSKeyNotAccessibleFault" });
      sim.setKeyEnabled(sim.keys({ account: DEST })[0]?.arn ?? "", false);
      await expect(
        copy(client, { SourceDBClusterSnapshotIdentifier: sourceArn, KmsKeyId: "alias/dest" }),
      ).rejects.toMatchObject({ name: "KMSKeyNotAccessibleFault" });
    });

    it("copies straight into another region (RDS since 2025-09) unless allowSharedCrossRegionCopy refuses it", async () => {
      const input = { SourceDBClusterSnapshotIdentifier: sourceArn };
      const current = aSim();
      aSnapshot(current, { sharedWith: [DEST] });
      await expect(copy(rds(current, DEST, AWAY), input)).resolves.toMatchObject({
        DBClusterSnapshot: { SourceDBClusterSnapshotArn: sourceArn },
      });

      const older = aSim({ allowSharedCrossRegionCopy: false });
      aSnapshot(older, { sharedWith: [DEST] });
      await expect(copy(rds(older, DEST, AWAY), input)).rejects.toMatchObject({
        name: "InvalidParameterCombination",
      });

      const oneRegion = aSim({ allowSharedCrossRegionCopy: (c) => c.targetRegion !== AWAY });
      aSnapshot(oneRegion, { sharedWith: [DEST] });
      await expect(copy(rds(oneRegion, DEST, AWAY), input)).rejects.toMatchObject({
        name: "InvalidParameterCombination",
      });
      // Within the shared snapshot's own region, the copy is always allowed.
      await expect(copy(rds(oneRegion, DEST), input)).resolves.toBeDefined();
    });
  });

  describe("into another region", () => {
    const sourceArn = `arn:aws:rds:${HOME}:${SOURCE}:cluster-snapshot:orders-2026-03-01-00-00`;

    it("needs a KmsKeyId of the target region for an encrypted source", async () => {
      const sim = aSim();
      const homeKey = sim.addKey({ account: SOURCE, region: HOME, alias: "home" });
      aSnapshot(sim, { kmsKeyId: homeKey });
      const away = rds(sim, SOURCE, AWAY);

      await expect(
        copy(away, { SourceDBClusterSnapshotIdentifier: sourceArn }),
      ).rejects.toMatchObject({
        name: "InvalidParameterValue",
      });
      await expect(
        copy(away, { SourceDBClusterSnapshotIdentifier: sourceArn, KmsKeyId: homeKey }),
      ).rejects.toMatchObject({ name: "KMSKeyNotAccessibleFault" });
    });

    it("takes crossRegionCopyMinutes and lands in the target region", async () => {
      const sim = aSim({ crossRegionCopyMinutes: 30 });
      aSnapshot(sim, { encrypted: true });
      const awayKey = sim.addKey({ account: SOURCE, region: AWAY, alias: "away" });

      await copy(rds(sim, SOURCE, AWAY), {
        SourceDBClusterSnapshotIdentifier: sourceArn,
        KmsKeyId: "alias/away",
      });
      sim.advance({ minutes: 30 });
      const target = { account: SOURCE, region: AWAY, id: "orders-copy" };
      expect(sim.snapshot(target)).toMatchObject({ status: "copying", kmsKeyId: awayKey });
      sim.advance({ minutes: 1 });
      expect(sim.snapshot(target)?.status).toBe("available");
    });

    it("does not find a source named by id in another region", async () => {
      const sim = aSim();
      aSnapshot(sim);
      await expect(copy(rds(sim, SOURCE, AWAY), {})).rejects.toMatchObject({
        name: "DBClusterSnapshotNotFoundFault",
      });
    });
  });
});

describe("DeleteDBClusterSnapshot", () => {
  const del = (client: RDSClient, id: string) =>
    client.send(new DeleteDBClusterSnapshotCommand({ DBClusterSnapshotIdentifier: id }));

  it("removes an available manual snapshot", async () => {
    const sim = aSim();
    aSnapshot(sim);
    await del(rds(sim), "ORDERS-2026-03-01-00-00");
    expect(sim.snapshots()).toEqual([]);
  });

  it("refuses snapshots that are creating, automated or not there", async () => {
    const sim = aSim();
    aSnapshot(sim, { id: "busy", status: "creating" });
    aSnapshot(sim, { id: "rds:auto", type: "automated" });
    const client = rds(sim);
    await expect(del(client, "busy")).rejects.toMatchObject({
      name: "InvalidDBClusterSnapshotStateFault",
    });
    await expect(del(client, "rds:auto")).rejects.toMatchObject({
      name: "InvalidDBClusterSnapshotStateFault",
    });
    await expect(del(client, "gone")).rejects.toMatchObject({
      name: "DBClusterSnapshotNotFoundFault",
    });
  });

  it("deletes only the caller's own snapshots", async () => {
    const sim = aSim();
    aSnapshot(sim, { sharedWith: [DEST] });
    await expect(
      del(rds(sim, DEST), `arn:aws:rds:${HOME}:${SOURCE}:cluster-snapshot:orders-2026-03-01-00-00`),
    ).rejects.toMatchObject({ name: "DBClusterSnapshotNotFoundFault" });
    expect(sim.snapshots()).toHaveLength(1);
  });

  it("cancels a copy when its target is deleted while copying", async () => {
    const sim = aSim();
    aSnapshot(sim);
    const client = rds(sim);
    await copy(client, {});
    await del(client, "orders-copy");
    sim.advance({ hours: 1 });
    expect(sim.snapshots().map((s) => s.id)).toEqual(["orders-2026-03-01-00-00"]);
  });

  it("fails a running copy whose source is deleted", async () => {
    const sim = aSim();
    aSnapshot(sim);
    const client = rds(sim);
    await copy(client, {});
    await del(client, "orders-2026-03-01-00-00");
    sim.advance({ hours: 1 });
    expect(sim.snapshot({ account: SOURCE, region: HOME, id: "orders-copy" })?.status).toBe(
      "failed",
    );
  });
});

describe("tag operations", () => {
  it("adds, lists and removes tags by ARN", async () => {
    const sim = aSim();
    const { arn } = aSnapshot(sim, { tags: { a: "1" } });
    const client = rds(sim);

    await client.send(
      new AddTagsToResourceCommand({ ResourceName: arn, Tags: [{ Key: "b", Value: "2" }] }),
    );
    await client.send(new RemoveTagsFromResourceCommand({ ResourceName: arn, TagKeys: ["a"] }));
    const out = await client.send(new ListTagsForResourceCommand({ ResourceName: arn }));

    expect(out.TagList).toEqual([{ Key: "b", Value: "2" }]);
  });

  it("does not tag another account's snapshot", async () => {
    const sim = aSim();
    const { arn } = aSnapshot(sim, { sharedWith: [DEST] });
    await expect(
      rds(sim, DEST).send(
        new AddTagsToResourceCommand({ ResourceName: arn, Tags: [{ Key: "b", Value: "2" }] }),
      ),
    ).rejects.toMatchObject({ name: "DBClusterSnapshotNotFoundFault" });
  });
});

describe("fault injection", () => {
  async function throttledPattern(seed: number): Promise<boolean[]> {
    const sim = aSim();
    sim.throttle({ fraction: 0.2, seed });
    const client = rds(sim);
    const outcomes: boolean[] = [];
    for (let i = 0; i < 500; i += 1) {
      outcomes.push(
        await list(client).then(
          () => false,
          (e: { name?: string }) => e.name === "Throttling",
        ),
      );
    }
    return outcomes;
  }

  it("throttles about the given fraction of attempts, the same ones for the same seed; the SDK retries each", async () => {
    const first = await throttledPattern(7);
    const again = await throttledPattern(7);
    const other = await throttledPattern(8);
    // A call fails only when all 3 of the SDK's attempts are throttled: 0.2³ = 0.8 % of 500 ≈ 4.
    const throttled = first.filter(Boolean).length;
    expect(throttled).toBeLessThan(15);
    expect(again).toEqual(first);
    expect(other).not.toEqual(first);
  });

  it("a call throttled twice succeeds on the SDK's third attempt: three calls seen, back-off on the simulated clock", async () => {
    const sim = aSim();
    sim.failOn({ operation: "DescribeDBClusterSnapshots", error: "Throttling", times: 2 });
    const strategy = sim.retryStrategy();
    const client = new RDSClient({
      region: HOME,
      credentials: CREDENTIALS,
      retryStrategy: strategy,
    });
    client.middlewareStack.use(sim.plugin(SOURCE, HOME));
    const before = sim.now().getTime();

    const out = await client.send(new DescribeDBClusterSnapshotsCommand({}));

    expect(out.$metadata.attempts).toBe(3);
    expect(sim.calls.map((c) => c.error)).toEqual(["Throttling", "Throttling", undefined]);
    expect(strategy.waits).toHaveLength(2);
    // Throttling back-off (Retry.throttlingDelay(), 1 s): full jitter below 1 s, then below 2 s.
    expect(strategy.waits[0]).toBeLessThan(1_000);
    expect(strategy.waits[1]).toBeLessThan(2_000);
    expect(sim.now().getTime() - before).toBe(strategy.waits[0]! + strategy.waits[1]!);
  });

  it("backs off as the SDK's StandardRetryStrategy: 1 s throttling and 50 ms base, full jitter", async () => {
    // Over many calls, the first wait spans the whole jitter range [0, base) and never past it.
    const firstWaits = async (errorType: "THROTTLING" | "TRANSIENT") => {
      const strategy = new SimulatedRetryStrategy(() => {});
      for (let call = 0; call < 200; call++) {
        await strategy.refreshRetryTokenForRetry(await strategy.acquireInitialRetryToken(), {
          errorType,
        });
      }
      return strategy.waits;
    };
    const throttling = await firstWaits("THROTTLING");
    expect(Math.max(...throttling)).toBeLessThan(1_000);
    expect(Math.max(...throttling)).toBeGreaterThanOrEqual(900);
    const transient = await firstWaits("TRANSIENT");
    expect(Math.max(...transient)).toBeLessThan(50);
    expect(Math.max(...transient)).toBeGreaterThanOrEqual(45);
  });

  it("retries throttling and transient errors only, as the SDK's isRetryableError", async () => {
    const strategy = new SimulatedRetryStrategy(() => {});
    const first = await strategy.acquireInitialRetryToken();
    await expect(
      strategy.refreshRetryTokenForRetry(first, { errorType: "SERVER_ERROR" }),
    ).rejects.toThrow("No retry token available");
    await expect(
      strategy.refreshRetryTokenForRetry(first, { errorType: "CLIENT_ERROR" }),
    ).rejects.toThrow("No retry token available");
    const second = await strategy.refreshRetryTokenForRetry(first, { errorType: "TRANSIENT" });
    const third = await strategy.refreshRetryTokenForRetry(second, { errorType: "THROTTLING" });
    // DEFAULT_MAX_ATTEMPTS is 3: no fourth attempt.
    await expect(
      strategy.refreshRetryTokenForRetry(third, { errorType: "THROTTLING" }),
    ).rejects.toThrow("No retry token available");
  });

  it("throttles with a retryable Throttling error, only for the named operations", async () => {
    const sim = aSim();
    sim.throttle({ fraction: 1, operations: ["DescribeDBClusterSnapshotsCommand"] });
    const client = rds(sim);

    await expect(list(client)).rejects.toMatchObject({
      name: "Throttling",
      $retryable: { throttling: true },
      $metadata: { httpStatusCode: 400 },
    });
    await expect(client.send(new DescribeDBClustersCommand({}))).resolves.toBeDefined();
    sim.clearFaults();
    await expect(list(client)).resolves.toEqual([]);
  });

  it("fails calls naming a target the given number of times", async () => {
    const sim = aSim();
    aSnapshot(sim);
    sim.failOn({
      operation: "CopyDBClusterSnapshot",
      target: "orders-2026-03-01-00-00",
      error: "KMSKeyNotAccessibleFault",
      times: 1,
    });
    const client = rds(sim);

    await expect(copy(client, { TargetDBClusterSnapshotIdentifier: "a" })).rejects.toMatchObject({
      name: "KMSKeyNotAccessibleFault",
    });
    await expect(copy(client, { TargetDBClusterSnapshotIdentifier: "b" })).resolves.toBeDefined();
  });

  it("matches a target given by id against an ARN in the request", async () => {
    const sim = aSim();
    const { arn } = aSnapshot(sim);
    sim.failOn({
      operation: "ListTagsForResource",
      target: "orders-2026-03-01-00-00",
      error: "InternalFailure",
    });

    await expect(
      rds(sim).send(new ListTagsForResourceCommand({ ResourceName: arn })),
    ).rejects.toMatchObject({ name: "InternalFailure", $fault: "server" });
  });

  it("records every call, failed ones with their error name", async () => {
    const sim = aSim();
    sim.failOn({ operation: "DescribeDBClusters", error: "InternalFailure" });
    const client = rds(sim, DEST, AWAY);
    await list(client);
    await client.send(new DescribeDBClustersCommand({})).catch(() => undefined);

    // A server error is retried by the SDK: three attempts, each recorded.
    expect(sim.calls.map((c) => [c.account, c.region, c.operation, c.error])).toEqual([
      [DEST, AWAY, "DescribeDBClusterSnapshots", undefined],
      [DEST, AWAY, "DescribeDBClusters", "InternalFailure"],
      [DEST, AWAY, "DescribeDBClusters", "InternalFailure"],
      [DEST, AWAY, "DescribeDBClusters", "InternalFailure"],
    ]);
    sim.resetCalls();
    expect(sim.callCounts()).toEqual({});
  });
});

describe("simulated clock", () => {
  it("starts at the given time and advances by durations", () => {
    const sim = aSim();
    expect(sim.advance({ days: 1, hours: 2 })).toEqual(new Date("2026-03-02T14:00:00Z"));
    sim.setNow(new Date("2026-03-03T00:00:00Z"));
    expect(sim.now()).toEqual(new Date("2026-03-03T00:00:00Z"));
  });

  it("never moves backwards", () => {
    const sim = aSim();
    expect(() => sim.setNow(new Date("2026-01-01T00:00:00Z"))).toThrow(RangeError);
    expect(() => sim.advance(-1)).toThrow(RangeError);
  });

  it("completes a seeded `copying` snapshot at its readyAt", () => {
    const sim = aSim();
    const ref = { account: SOURCE, region: HOME, id: "pending" };
    aSnapshot(sim, { id: "pending", status: "copying", readyAt: new Date("2026-03-01T13:00:00Z") });
    sim.advance({ minutes: 59 });
    expect(sim.snapshot(ref)?.status).toBe("copying");
    sim.advance({ minutes: 1 });
    expect(sim.snapshot(ref)).toMatchObject({ status: "available", percentProgress: 100 });
  });
  it("starts a seeded `pending` copy, finishes it, and runs a copy asked for after it", async () => {
    const sim = aSim({ copiesRunningAtOnce: 1, copyMinutes: 10, copyStartMinutes: 0 });
    aSnapshot(sim);
    const source = `arn:aws:rds:${HOME}:${SOURCE}:cluster-snapshot:orders-2026-03-01-00-00`;
    const seeded = { account: SOURCE, region: HOME, id: "seeded-copy" };
    aSnapshot(sim, { id: "seeded-copy", status: "pending", sourceArn: source });
    await copy(rds(sim), { TargetDBClusterSnapshotIdentifier: "later-copy" });
    const later = { account: SOURCE, region: HOME, id: "later-copy" };

    sim.advance({ minutes: 5 });
    expect(sim.snapshot(seeded)).toMatchObject({ status: "copying", percentProgress: 50 });
    expect(sim.snapshot(later)?.status).toBe("pending");
    sim.advance({ minutes: 5 });
    expect(sim.snapshot(seeded)).toMatchObject({ status: "available", percentProgress: 100 });
    expect(sim.snapshot(later)?.status).toBe("copying");
    sim.advance({ minutes: 10 });
    expect(sim.snapshot(later)).toMatchObject({ status: "available", percentProgress: 100 });
  });
});
