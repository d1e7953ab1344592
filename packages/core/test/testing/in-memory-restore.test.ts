import {
  CreateDBInstanceCommand,
  DBClusterAlreadyExistsFault,
  DBClusterNotFoundFault,
  DBInstanceNotFoundFault,
  DeleteDBClusterCommand,
  DeleteDBInstanceCommand,
  DescribeDBClusterSnapshotsCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  paginateDescribeDBInstances,
  RDSClient,
  RestoreDBClusterFromSnapshotCommand,
} from "@aws-sdk/client-rds";
import type {
  CreateDBInstanceCommandInput,
  DBCluster,
  DBInstance,
  RestoreDBClusterFromSnapshotCommandInput,
} from "@aws-sdk/client-rds";
import { describe, expect, it } from "vitest";

import { InMemoryRds } from "../../src/testing/index.js";
import type { InMemoryRdsOptions, SimSnapshotInit } from "../../src/testing/index.js";

const OWNER = "111111111111";
const VERIFIER = "222222222222";
const HOME = "eu-west-1";
const AWAY = "us-east-1";
const CREDENTIALS = { accessKeyId: "x", secretAccessKey: "y" };
const SNAPSHOT = "orders-2026-03-01-00-00";
const SHARED_ARN = `arn:aws:rds:${HOME}:${OWNER}:cluster-snapshot:${SNAPSHOT}`;

// ---------------------------------------------------------------- builders

function aSim(options: InMemoryRdsOptions = {}): InMemoryRds {
  return new InMemoryRds({ now: new Date("2026-03-01T12:00:00Z"), ...options });
}

/** A client through the simulator; the SDK's own retries run, waiting on the simulated clock. */
function rds(sim: InMemoryRds, account = OWNER, region = HOME): RDSClient {
  const client = new RDSClient({
    region,
    credentials: CREDENTIALS,
    retryStrategy: sim.retryStrategy(),
  });
  client.middlewareStack.use(sim.plugin(account, region));
  return client;
}

/** A sim holding the `orders` cluster and one available snapshot of it. */
function withSnapshot(over: Partial<SimSnapshotInit> = {}, options: InMemoryRdsOptions = {}) {
  const sim = aSim(options);
  sim.addCluster({ account: OWNER, region: HOME, id: "orders" });
  sim.addSnapshot({ account: OWNER, region: HOME, id: SNAPSHOT, clusterId: "orders", ...over });
  return sim;
}

function restore(client: RDSClient, input: Partial<RestoreDBClusterFromSnapshotCommandInput> = {}) {
  return client.send(
    new RestoreDBClusterFromSnapshotCommand({
      DBClusterIdentifier: "verify-orders",
      SnapshotIdentifier: SNAPSHOT,
      Engine: "aurora-postgresql",
      ...input,
    }),
  );
}

function createInstance(client: RDSClient, input: Partial<CreateDBInstanceCommandInput> = {}) {
  return client.send(
    new CreateDBInstanceCommand({
      DBInstanceIdentifier: "verify-orders-1",
      DBInstanceClass: "db.serverless",
      Engine: "aurora-postgresql",
      DBClusterIdentifier: "verify-orders",
      ...input,
    }),
  );
}

async function cluster(client: RDSClient, id = "verify-orders"): Promise<DBCluster | undefined> {
  const out = await client.send(new DescribeDBClustersCommand({ DBClusterIdentifier: id }));
  return out.DBClusters?.[0];
}

async function instances(client: RDSClient, clusterId = "verify-orders"): Promise<DBInstance[]> {
  const out = await client.send(
    new DescribeDBInstancesCommand({ Filters: [{ Name: "db-cluster-id", Values: [clusterId] }] }),
  );
  return out.DBInstances ?? [];
}

/** A sim whose `verify-orders` cluster is restored and available, with its instance available. */
async function restoredWithInstance(options: InMemoryRdsOptions = {}) {
  const sim = withSnapshot({}, options);
  const client = rds(sim);
  await restore(client);
  sim.advance({ minutes: 30 });
  await createInstance(client);
  sim.advance({ minutes: 10 });
  return { sim, client };
}

// ---------------------------------------------------------------- specifications

describe("restore verification against the in-memory RDS", () => {
  it("restores, adds an instance, and deletes both, each step taking its configured time", async () => {
    const sim = withSnapshot(
      {},
      {
        restoreMinutes: 20,
        instanceCreateMinutes: 8,
        instanceDeleteMinutes: 4,
        clusterDeleteMinutes: 6,
      },
    );
    const client = rds(sim);

    const restored = await restore(client, {
      Tags: [{ Key: "Purpose", Value: "restore-check" }],
      DBSubnetGroupName: "default",
    });
    expect(restored.DBCluster).toMatchObject({
      DBClusterIdentifier: "verify-orders",
      Status: "creating",
      Engine: "aurora-postgresql",
      DBClusterMembers: [],
      DeletionProtection: false,
      TagList: [{ Key: "Purpose", Value: "restore-check" }],
    });
    sim.advance({ minutes: 19 });
    expect((await cluster(client))?.Status).toBe("creating");
    sim.advance({ minutes: 1 });
    expect((await cluster(client))?.Status).toBe("available");

    const created = await createInstance(client);
    expect(created.DBInstance).toMatchObject({
      DBInstanceIdentifier: "verify-orders-1",
      DBInstanceStatus: "creating",
      DBClusterIdentifier: "verify-orders",
      DBInstanceArn: `arn:aws:rds:${HOME}:${OWNER}:db:verify-orders-1`,
    });
    expect(created.DBInstance?.Endpoint).toBeUndefined();
    sim.advance({ minutes: 8 });
    const [up] = await instances(client);
    expect(up).toMatchObject({ DBInstanceStatus: "available", Endpoint: { Port: 5432 } });
    expect(await cluster(client)).toMatchObject({
      Status: "available",
      DBClusterMembers: [{ DBInstanceIdentifier: "verify-orders-1", IsClusterWriter: true }],
    });

    const deleting = await client.send(
      new DeleteDBInstanceCommand({ DBInstanceIdentifier: "verify-orders-1" }),
    );
    expect(deleting.DBInstance?.DBInstanceStatus).toBe("deleting");
    // As soon as the instance is `deleting`, the cluster can be deleted (USER_DeleteCluster).
    const deleted = await client.send(
      new DeleteDBClusterCommand({ DBClusterIdentifier: "verify-orders", SkipFinalSnapshot: true }),
    );
    expect(deleted.DBCluster?.Status).toBe("available");
    expect((await cluster(client))?.Status).toBe("deleting");

    sim.advance({ minutes: 4 });
    expect(await instances(client)).toEqual([]);
    expect((await cluster(client))?.Status).toBe("deleting");
    sim.advance({ minutes: 2 });
    await expect(cluster(client)).rejects.toBeInstanceOf(DBClusterNotFoundFault);
    expect(sim.clusters().map((c) => c.id)).toEqual(["orders"]);
    expect(sim.snapshots().map((s) => s.id)).toEqual([SNAPSHOT]);
  });

  it("keeps a deleting cluster until its last deleting instance is gone", async () => {
    const { sim, client } = await restoredWithInstance({
      instanceDeleteMinutes: 30,
      clusterDeleteMinutes: 5,
    });
    await client.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: "verify-orders-1" }));
    await client.send(
      new DeleteDBClusterCommand({ DBClusterIdentifier: "verify-orders", SkipFinalSnapshot: true }),
    );

    sim.advance({ minutes: 10 });
    expect((await cluster(client))?.DBClusterMembers).toHaveLength(1);
    sim.advance({ minutes: 20 });
    await expect(cluster(client)).rejects.toMatchObject({ name: "DBClusterNotFoundFault" });
  });

  it("uses 30, 10, 5 and 5 minutes when no durations are configured", async () => {
    const sim = withSnapshot();
    const client = rds(sim);
    await restore(client);
    sim.advance({ minutes: 29 });
    expect((await cluster(client))?.Status).toBe("creating");
    sim.advance({ minutes: 1 });
    await createInstance(client);
    sim.advance({ minutes: 10 });
    expect(sim.instances()[0]?.status).toBe("available");
    await client.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: "verify-orders-1" }));
    expect(sim.instances()[0]?.readyAt).toEqual(new Date(sim.now().getTime() + 5 * 60_000));
    await client.send(
      new DeleteDBClusterCommand({ DBClusterIdentifier: "verify-orders", SkipFinalSnapshot: true }),
    );
    sim.advance({ minutes: 5 });
    expect(sim.instances()).toEqual([]);
    expect(sim.clusters({ region: HOME }).map((c) => c.id)).toEqual(["orders"]);
  });
});

describe("RestoreDBClusterFromSnapshot", () => {
  it("keeps the snapshot's engine version, key and the given network settings", async () => {
    const sim = aSim();
    const key = sim.addKey({ account: OWNER, region: HOME, alias: "data" });
    sim.addCluster({ account: OWNER, region: HOME, id: "orders", kmsKeyId: key });
    sim.addSnapshot({ account: OWNER, region: HOME, id: SNAPSHOT, clusterId: "orders" });
    sim.addSubnetGroup({ account: OWNER, region: HOME, name: "restore-check" });

    const out = await restore(rds(sim), {
      DBSubnetGroupName: "restore-check",
      VpcSecurityGroupIds: ["sg-0123456789abcdef0"],
      DeletionProtection: true,
      Port: 6432,
    });

    expect(out.DBCluster).toMatchObject({
      EngineVersion: "16.6",
      StorageEncrypted: true,
      KmsKeyId: sim
        .keys({ account: OWNER, region: HOME })
        .find((k) => k.aliases.includes("alias/data"))?.arn,
      DBSubnetGroup: "restore-check",
      VpcSecurityGroups: [{ VpcSecurityGroupId: "sg-0123456789abcdef0", Status: "active" }],
      DeletionProtection: true,
      Port: 6432,
    });
  });

  it("accepts the snapshot by ARN, and an automated snapshot", async () => {
    const sim = withSnapshot();
    sim.addSnapshot({
      account: OWNER,
      region: HOME,
      id: "rds:orders-2026-03-01-03-00",
      clusterId: "orders",
      type: "automated",
    });
    const client = rds(sim);
    await restore(client, { SnapshotIdentifier: SHARED_ARN });
    await restore(client, {
      DBClusterIdentifier: "verify-automated",
      SnapshotIdentifier: "rds:orders-2026-03-01-03-00",
    });
    expect(sim.clusters({ region: HOME }).map((c) => [c.id, c.status])).toEqual([
      ["orders", "available"],
      ["verify-automated", "creating"],
      ["verify-orders", "creating"],
    ]);
  });

  it("refuses a cluster identifier that exists, in any letter case, with DBClusterAlreadyExistsFault", async () => {
    const client = rds(withSnapshot());
    await restore(client);
    await expect(restore(client, { DBClusterIdentifier: "Verify-Orders" })).rejects.toBeInstanceOf(
      DBClusterAlreadyExistsFault,
    );
    await expect(restore(client, { DBClusterIdentifier: "orders" })).rejects.toMatchObject({
      name: "DBClusterAlreadyExistsFault",
    });
  });

  it("refuses identifiers that break RDS's rules with InvalidParameterValue", async () => {
    const client = rds(withSnapshot());
    for (const id of ["1orders", "orders-", "or--ders", "orders_1", "a".repeat(64)]) {
      await expect(restore(client, { DBClusterIdentifier: id })).rejects.toMatchObject({
        name: "InvalidParameterValue",
      });
    }
  });

  it("needs DBClusterIdentifier, SnapshotIdentifier and Engine", async () => {
    const client = rds(withSnapshot());
    for (const missing of ["DBClusterIdentifier", "SnapshotIdentifier", "Engine"]) {
      await expect(restore(client, { [missing]: undefined })).rejects.toMatchObject({
        name: "MissingParameter",
      });
    }
  });

  it("answers DBClusterSnapshotNotFoundFault for an unknown, unshared or other-region snapshot", async () => {
    const sim = withSnapshot();
    sim.addSnapshot({ account: OWNER, region: AWAY, id: "far-away", clusterId: "orders" });
    await expect(restore(rds(sim), { SnapshotIdentifier: "nope" })).rejects.toMatchObject({
      name: "DBClusterSnapshotNotFoundFault",
    });
    await expect(
      restore(rds(sim, VERIFIER), { SnapshotIdentifier: SHARED_ARN }),
    ).rejects.toMatchObject({ name: "DBClusterSnapshotNotFoundFault" });
    await expect(
      restore(rds(sim), {
        SnapshotIdentifier: `arn:aws:rds:${AWAY}:${OWNER}:cluster-snapshot:far-away`,
      }),
    ).rejects.toMatchObject({ name: "DBClusterSnapshotNotFoundFault" });
  });

  it("refuses a snapshot that is not available with InvalidDBClusterSnapshotStateFault", async () => {
    for (const status of ["creating", "copying", "failed"]) {
      const sim = withSnapshot({ status });
      await expect(restore(rds(sim))).rejects.toMatchObject({
        name: "InvalidDBClusterSnapshotStateFault",
      });
    }
  });

  it("refuses an engine other than the snapshot's", async () => {
    await expect(restore(rds(withSnapshot()), { Engine: "aurora-mysql" })).rejects.toMatchObject({
      name: "InvalidParameterCombination",
    });
  });

  it("refuses an unknown DB subnet group with DBSubnetGroupNotFoundFault", async () => {
    await expect(
      restore(rds(withSnapshot()), { DBSubnetGroupName: "no-such-group" }),
    ).rejects.toMatchObject({ name: "DBSubnetGroupNotFoundFault" });
  });

  it("refuses a port outside 1150-65535 and malformed security group ids", async () => {
    const client = rds(withSnapshot());
    await expect(restore(client, { Port: 80 })).rejects.toMatchObject({
      name: "InvalidParameterValue",
    });
    await expect(restore(client, { VpcSecurityGroupIds: ["default"] })).rejects.toMatchObject({
      name: "InvalidParameterValue",
    });
  });

  it("refuses tags with the reserved aws: prefix", async () => {
    await expect(
      restore(rds(withSnapshot()), { Tags: [{ Key: "aws:owner", Value: "x" }] }),
    ).rejects.toMatchObject({ name: "InvalidParameterValue" });
  });

  describe("encryption", () => {
    /** OWNER's snapshot, encrypted with a key granted to `usableBy`, shared with VERIFIER. */
    function sharedEncrypted(usableBy: string[] = [VERIFIER]) {
      const sim = aSim();
      const key = sim.addKey({ account: OWNER, region: HOME, alias: "share", usableBy });
      sim.addSnapshot({
        account: OWNER,
        region: HOME,
        id: SNAPSHOT,
        clusterId: "orders",
        kmsKeyId: key,
        sharedWith: [VERIFIER],
      });
      return { sim, key };
    }

    it("restores a shared snapshot by ARN in the other account, with the owner's key when granted", async () => {
      const { sim, key } = sharedEncrypted();
      const out = await restore(rds(sim, VERIFIER), { SnapshotIdentifier: SHARED_ARN });
      expect(out.DBCluster).toMatchObject({
        DBClusterArn: `arn:aws:rds:${HOME}:${VERIFIER}:cluster:verify-orders`,
        StorageEncrypted: true,
        KmsKeyId: key,
      });
    });

    it("re-encrypts with the caller's own key when one is given", async () => {
      const { sim } = sharedEncrypted();
      const own = sim.addKey({ account: VERIFIER, region: HOME, alias: "verify" });
      const out = await restore(rds(sim, VERIFIER), {
        SnapshotIdentifier: SHARED_ARN,
        KmsKeyId: "alias/verify",
      });
      expect(out.DBCluster?.KmsKeyId).toBe(own);
    });

    it("fails with KMSKeyNotAccessibleFault when the snapshot's key is not granted or disabled", async () => {
      for (const grantees of [[], ["999999999999"]]) {
        const { sim } = sharedEncrypted(grantees);
        await expect(
          restore(rds(sim, VERIFIER), { SnapshotIdentifier: SHARED_ARN }),
        ).rejects.toMatchObject({ name: "KMSKeyNotAccessibleFault" });
      }
      const { sim, key } = sharedEncrypted();
      sim.setKeyEnabled(key, false);
      await expect(
        restore(rds(sim, VERIFIER), { SnapshotIdentifier: SHARED_ARN }),
      ).rejects.toMatchObject({ name: "KMSKeyNotAccessibleFault" });
    });

    it("fails with KMSKeyNotAccessibleFault for a snapshot under another account's aws/rds key", async () => {
      const sim = aSim();
      sim.addSnapshot({
        account: OWNER,
        region: HOME,
        id: SNAPSHOT,
        clusterId: "orders",
        encrypted: true,
        sharedWith: [VERIFIER],
      });
      await expect(
        restore(rds(sim, VERIFIER), { SnapshotIdentifier: SHARED_ARN }),
      ).rejects.toMatchObject({ name: "KMSKeyNotAccessibleFault" });
    });

    it("fails with KMSKeyNotAccessibleFault for an unknown KmsKeyId", async () => {
      await expect(restore(rds(withSnapshot()), { KmsKeyId: "alias/nope" })).rejects.toMatchObject({
        name: "KMSKeyNotAccessibleFault",
      });
    });

    it("encrypts the restore of an unencrypted snapshot when a key is given", async () => {
      const sim = withSnapshot();
      const key = sim.addKey({ account: OWNER, region: HOME, alias: "data" });
      const out = await restore(rds(sim), { KmsKeyId: key });
      expect(out.DBCluster).toMatchObject({ StorageEncrypted: true, KmsKeyId: key });
      const plain = await restore(rds(sim), { DBClusterIdentifier: "plain" });
      expect(plain.DBCluster?.StorageEncrypted).toBe(false);
    });
  });
});

describe("CreateDBInstance", () => {
  it("refuses a cluster that is still creating with InvalidDBClusterStateFault", async () => {
    const client = rds(withSnapshot());
    await restore(client);
    await expect(createInstance(client)).rejects.toMatchObject({
      name: "InvalidDBClusterStateFault",
    });
  });

  it("refuses an unknown cluster with DBClusterNotFoundFault", async () => {
    await expect(
      createInstance(rds(withSnapshot()), { DBClusterIdentifier: "nope" }),
    ).rejects.toMatchObject({ name: "DBClusterNotFoundFault" });
  });

  it("refuses an identifier in use with DBInstanceAlreadyExistsFault", async () => {
    const { client } = await restoredWithInstance();
    await expect(
      createInstance(client, { DBInstanceIdentifier: "VERIFY-ORDERS-1" }),
    ).rejects.toMatchObject({ name: "DBInstanceAlreadyExistsFault" });
  });

  it("refuses an engine other than the cluster's, a bad class or identifier", async () => {
    const { client } = await restoredWithInstance();
    const input = { DBInstanceIdentifier: "verify-orders-2" };
    await expect(
      createInstance(client, { ...input, Engine: "aurora-mysql" }),
    ).rejects.toMatchObject({ name: "InvalidParameterCombination" });
    await expect(
      createInstance(client, { ...input, DBInstanceClass: "r6g.large" }),
    ).rejects.toMatchObject({ name: "InvalidParameterValue" });
    await expect(
      createInstance(client, { DBInstanceIdentifier: "verify--2" }),
    ).rejects.toMatchObject({ name: "InvalidParameterValue" });
    await expect(
      createInstance(client, { ...input, DBClusterIdentifier: undefined }),
    ).rejects.toMatchObject({ name: "MissingParameter" });
  });

  it("makes the oldest member the writer", async () => {
    const { sim, client } = await restoredWithInstance();
    await createInstance(client, { DBInstanceIdentifier: "verify-orders-2" });
    sim.advance({ minutes: 10 });
    expect((await cluster(client))?.DBClusterMembers).toEqual([
      expect.objectContaining({ DBInstanceIdentifier: "verify-orders-1", IsClusterWriter: true }),
      expect.objectContaining({ DBInstanceIdentifier: "verify-orders-2", IsClusterWriter: false }),
    ]);
  });
});

describe("DescribeDBInstances", () => {
  it("finds an instance by identifier or ARN and faults on an unknown one", async () => {
    const { client } = await restoredWithInstance();
    const byId = await client.send(
      new DescribeDBInstancesCommand({ DBInstanceIdentifier: "verify-orders-1" }),
    );
    const byArn = await client.send(
      new DescribeDBInstancesCommand({
        DBInstanceIdentifier: `arn:aws:rds:${HOME}:${OWNER}:db:verify-orders-1`,
      }),
    );
    expect(byId.DBInstances?.map((i) => i.DBInstanceIdentifier)).toEqual(["verify-orders-1"]);
    expect(byArn.DBInstances).toEqual(byId.DBInstances);
    const missing = client.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: "nope" }));
    await expect(missing).rejects.toBeInstanceOf(DBInstanceNotFoundFault);
    await expect(missing).rejects.toMatchObject({ $metadata: { httpStatusCode: 404 } });
  });

  it("filters by db-cluster-id (identifier or ARN) and pages through Marker", async () => {
    const sim = aSim();
    sim.addCluster({ account: OWNER, region: HOME, id: "a" });
    sim.addCluster({ account: OWNER, region: HOME, id: "b" });
    for (let i = 0; i < 25; i += 1) {
      sim.addInstance({ account: OWNER, region: HOME, id: `a-${i}`, clusterId: "a" });
    }
    sim.addInstance({ account: OWNER, region: HOME, id: "b-0", clusterId: "b" });
    const client = rds(sim);

    expect((await instances(client, "b")).map((i) => i.DBInstanceIdentifier)).toEqual(["b-0"]);
    expect(await instances(client, `arn:aws:rds:${HOME}:${OWNER}:cluster:b`)).toHaveLength(1);
    const pages: number[] = [];
    for await (const page of paginateDescribeDBInstances(
      { client, pageSize: 20 },
      { Filters: [{ Name: "db-cluster-id", Values: ["a"] }] },
    )) {
      pages.push(page.DBInstances?.length ?? 0);
    }
    expect(pages).toEqual([20, 5]);
    await expect(
      client.send(new DescribeDBInstancesCommand({ Filters: [{ Name: "tag:x", Values: ["y"] }] })),
    ).rejects.toMatchObject({ name: "InvalidParameterValue" });
  });
});

describe("DeleteDBInstance", () => {
  it("deletes a member of a protected cluster, without a final snapshot", async () => {
    const { sim, client } = await restoredWithInstance();
    sim.setDeletionProtection({ account: OWNER, region: HOME, id: "verify-orders" }, true);
    const out = await client.send(
      new DeleteDBInstanceCommand({ DBInstanceIdentifier: "verify-orders-1" }),
    );
    expect(out.DBInstance?.DBInstanceStatus).toBe("deleting");
    sim.advance({ minutes: 5 });
    expect(sim.instances()).toEqual([]);
    expect((await cluster(client))?.Status).toBe("available");
  });

  it("refuses an unknown instance, one being deleted, and one still creating", async () => {
    const { sim, client } = await restoredWithInstance();
    const del = (id: string) =>
      client.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: id }));
    await expect(del("nope")).rejects.toMatchObject({ name: "DBInstanceNotFoundFault" });
    await del("verify-orders-1");
    await expect(del("verify-orders-1")).rejects.toMatchObject({
      name: "InvalidDBInstanceStateFault",
    });
    await createInstance(client, { DBInstanceIdentifier: "verify-orders-2" });
    await expect(del("verify-orders-2")).rejects.toMatchObject({
      name: "InvalidDBInstanceStateFault",
    });
    sim.advance({ minutes: 10 });
    await expect(del("verify-orders-2")).resolves.toBeDefined();
  });

  it("deletes an instance that failed to come up", async () => {
    const sim = withSnapshot();
    const client = rds(sim);
    await restore(client);
    sim.advance({ minutes: 30 });
    await createInstance(client);
    sim.setInstanceStatus(
      { account: OWNER, region: HOME, id: "verify-orders-1" },
      "incompatible-restore",
    );
    sim.advance({ minutes: 60 });
    expect(sim.instances()[0]?.status).toBe("incompatible-restore");
    await client.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: "verify-orders-1" }));
    sim.advance({ minutes: 5 });
    expect(sim.instances()).toEqual([]);
  });
});

describe("DeleteDBCluster", () => {
  it("refuses while an instance is not yet deleting, with AWS's message", async () => {
    const { client } = await restoredWithInstance();
    await expect(
      client.send(
        new DeleteDBClusterCommand({
          DBClusterIdentifier: "verify-orders",
          SkipFinalSnapshot: true,
        }),
      ),
    ).rejects.toMatchObject({
      name: "InvalidDBClusterStateFault",
      message: "Cluster cannot be deleted, it still contains DB instances in non-deleting state.",
    });
  });

  it("refuses a cluster with deletion protection", async () => {
    const client = rds(withSnapshot());
    await restore(client, { DeletionProtection: true });
    await expect(
      client.send(
        new DeleteDBClusterCommand({
          DBClusterIdentifier: "verify-orders",
          SkipFinalSnapshot: true,
        }),
      ),
    ).rejects.toMatchObject({
      name: "InvalidParameterCombination",
      message: "Cannot delete protected Cluster, please disable deletion protection and try again.",
    });
  });

  it("refuses a creating, stopped or already deleting cluster, and an unknown one", async () => {
    const sim = withSnapshot();
    const client = rds(sim);
    const del = (id = "verify-orders") =>
      client.send(new DeleteDBClusterCommand({ DBClusterIdentifier: id, SkipFinalSnapshot: true }));
    await restore(client);
    await expect(del()).rejects.toMatchObject({ name: "InvalidDBClusterStateFault" });
    sim.advance({ minutes: 30 });
    sim.setClusterStatus({ account: OWNER, region: HOME, id: "verify-orders" }, "stopped");
    await expect(del()).rejects.toMatchObject({ name: "InvalidDBClusterStateFault" });
    sim.setClusterStatus({ account: OWNER, region: HOME, id: "verify-orders" }, "available");
    await del();
    await expect(del()).rejects.toMatchObject({ name: "InvalidDBClusterStateFault" });
    await expect(del("nope")).rejects.toMatchObject({ name: "DBClusterNotFoundFault" });
  });

  it("needs exactly one of SkipFinalSnapshot and FinalDBSnapshotIdentifier", async () => {
    const client = rds(withSnapshot());
    const input = { DBClusterIdentifier: "orders" };
    await expect(client.send(new DeleteDBClusterCommand(input))).rejects.toMatchObject({
      name: "InvalidParameterCombination",
    });
    await expect(
      client.send(
        new DeleteDBClusterCommand({
          ...input,
          SkipFinalSnapshot: true,
          FinalDBSnapshotIdentifier: "orders-final",
        }),
      ),
    ).rejects.toMatchObject({ name: "InvalidParameterCombination" });
  });

  it("takes the final snapshot first and deletes the cluster once it is taken", async () => {
    const sim = withSnapshot({}, { createMinutes: 10, clusterDeleteMinutes: 5 });
    const client = rds(sim);
    await client.send(
      new DeleteDBClusterCommand({
        DBClusterIdentifier: "orders",
        FinalDBSnapshotIdentifier: "orders-final",
      }),
    );
    const final = await client.send(
      new DescribeDBClusterSnapshotsCommand({ DBClusterSnapshotIdentifier: "orders-final" }),
    );
    expect(final.DBClusterSnapshots?.[0]).toMatchObject({
      Status: "creating",
      SnapshotType: "manual",
      DBClusterIdentifier: "orders",
    });
    sim.advance({ minutes: 14 });
    expect((await cluster(client, "orders"))?.Status).toBe("deleting");
    sim.advance({ minutes: 1 });
    await expect(cluster(client, "orders")).rejects.toMatchObject({
      name: "DBClusterNotFoundFault",
    });
    expect(sim.snapshot({ account: OWNER, region: HOME, id: "orders-final" })?.status).toBe(
      "available",
    );
  });

  it("refuses a final snapshot identifier in use and leaves the cluster as it was", async () => {
    const client = rds(withSnapshot());
    await expect(
      client.send(
        new DeleteDBClusterCommand({
          DBClusterIdentifier: "orders",
          FinalDBSnapshotIdentifier: SNAPSHOT,
        }),
      ),
    ).rejects.toMatchObject({ name: "DBClusterSnapshotAlreadyExistsFault" });
    expect((await cluster(client, "orders"))?.Status).toBe("available");
  });
});

describe("DescribeDBClusters", () => {
  it("keeps the shape of seeded clusters that no restore or instance touched", async () => {
    const client = rds(withSnapshot());
    const seeded = await cluster(client, "orders");
    expect(seeded).not.toHaveProperty("DBClusterMembers");
    expect(seeded?.DeletionProtection).toBe(false);
  });
});

describe("fault injection", () => {
  it("fails the new operations through failOn, by operation and target", async () => {
    const { sim, client } = await restoredWithInstance();
    sim.failOn({ operation: "CreateDBInstance", error: "InsufficientDBInstanceCapacityFault" });
    sim.failOn({
      operation: "DeleteDBInstanceCommand",
      target: "verify-orders-1",
      error: "InternalFailure",
      // A server error is retried by the SDK: three times fails the call once.
      times: 3,
    });
    sim.failOn({
      operation: "RestoreDBClusterFromSnapshot",
      target: SNAPSHOT,
      error: "InsufficientDBClusterCapacityFault",
    });

    await expect(createInstance(client, { DBInstanceIdentifier: "x" })).rejects.toMatchObject({
      name: "InsufficientDBInstanceCapacityFault",
    });
    await expect(restore(client, { DBClusterIdentifier: "again" })).rejects.toMatchObject({
      name: "InsufficientDBClusterCapacityFault",
    });
    const del = () =>
      client.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: "verify-orders-1" }));
    await expect(del()).rejects.toMatchObject({ name: "InternalFailure", $fault: "server" });
    await expect(del()).resolves.toBeDefined();
    expect(sim.calls.filter((c) => c.error !== undefined).map((c) => c.operation)).toEqual([
      "CreateDBInstance",
      "RestoreDBClusterFromSnapshot",
      "DeleteDBInstance",
      "DeleteDBInstance",
      "DeleteDBInstance",
    ]);
  });
});
