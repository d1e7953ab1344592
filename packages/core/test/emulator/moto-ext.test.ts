/**
 * The moto extension the emulator tests run (packages/test-support/moto/moto_ext.py), through the
 * real SDK: a clock a test can move and snapshot create times a test can set.
 */
import {
  CreateDBClusterCommand,
  CreateDBClusterSnapshotCommand,
  DescribeDBClusterSnapshotsCommand,
  RDSClient,
} from "@aws-sdk/client-rds";
import {
  startMotoServer,
  timeInSnapshotName,
  type MotoServer,
} from "@aurora-snapshot-tool/test-support";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { HOME, LOOPBACK_ONLY } from "./emulator.js";

const ACCOUNT = "123456789012";
const MARCH = new Date("2026-03-01T12:00:00Z");
const MINUTE_MS = 60_000;

let moto: MotoServer;
let rds: RDSClient;
/** The Date header of every response the client above received, oldest first. */
let dateHeaders: string[] = [];

beforeAll(async () => {
  moto = await startMotoServer();
  rds = new RDSClient({
    region: HOME,
    endpoint: moto.endpoint,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
  });
  rds.middlewareStack.use(LOOPBACK_ONLY);
  rds.middlewareStack.add(
    (next) => async (args) => {
      const out = await next(args);
      const headers = (out.response as { headers?: Record<string, string> }).headers ?? {};
      if (headers["date"] !== undefined) dateHeaders.push(headers["date"]);
      return out;
    },
    { step: "deserialize", name: "motoExtDateHeader" },
  );
}, 60_000);

afterAll(async () => {
  rds?.destroy();
  await moto?.stop();
});

beforeEach(async () => {
  await moto.reset();
  dateHeaders = [];
});

async function aClusterAndSnapshot(snapshotId: string) {
  const { DBCluster } = await rds.send(
    new CreateDBClusterCommand({
      DBClusterIdentifier: "orders",
      Engine: "aurora-postgresql",
      MasterUsername: "snapadmin",
      MasterUserPassword: "not-a-secret-1",
    }),
  );
  const { DBClusterSnapshot } = await rds.send(
    new CreateDBClusterSnapshotCommand({
      DBClusterIdentifier: "orders",
      DBClusterSnapshotIdentifier: snapshotId,
    }),
  );
  return { cluster: DBCluster, snapshot: DBClusterSnapshot };
}

async function createTimeOf(snapshotId: string): Promise<Date | undefined> {
  const { DBClusterSnapshots = [] } = await rds.send(
    new DescribeDBClusterSnapshotsCommand({ DBClusterSnapshotIdentifier: snapshotId }),
  );
  return DBClusterSnapshots[0]?.SnapshotCreateTime;
}

function msFrom(at: Date, time: Date | string | undefined): number {
  return Math.abs(new Date(time ?? Number.NaN).getTime() - at.getTime());
}

describe("the moto extension's clock", () => {
  it("stamps new clusters and snapshots with the time setClock gave", async () => {
    await moto.setClock(MARCH);

    const { cluster, snapshot } = await aClusterAndSnapshot("orders-by-hand");

    expect(msFrom(MARCH, cluster?.ClusterCreateTime)).toBeLessThan(MINUTE_MS);
    expect(msFrom(MARCH, snapshot?.SnapshotCreateTime)).toBeLessThan(MINUTE_MS);
    expect(msFrom(MARCH, await createTimeOf("orders-by-hand"))).toBeLessThan(MINUTE_MS);
  });

  it("sends the shifted time in the Date header, to the SDK and to plain HTTP alike", async () => {
    await moto.setClock(MARCH);

    await rds.send(new DescribeDBClusterSnapshotsCommand({}));
    const plain = await fetch(`${moto.endpoint}/moto-api/`);

    expect(dateHeaders).toHaveLength(1);
    expect(msFrom(MARCH, dateHeaders[0])).toBeLessThan(MINUTE_MS);
    expect(msFrom(MARCH, plain.headers.get("date") ?? undefined)).toBeLessThan(MINUTE_MS);
  });

  it("shifts by an offset: moto's time keeps running after setClock", async () => {
    await moto.setClock(MARCH);
    await aClusterAndSnapshot("first");
    await new Promise((r) => setTimeout(r, 50));
    await rds.send(
      new CreateDBClusterSnapshotCommand({
        DBClusterIdentifier: "orders",
        DBClusterSnapshotIdentifier: "second",
      }),
    );

    const first = (await createTimeOf("first"))?.getTime() ?? Number.NaN;
    const second = (await createTimeOf("second"))?.getTime() ?? Number.NaN;
    expect(second - first).toBeGreaterThanOrEqual(40);
  });

  it("goes back to real time on setClock(null) and on reset", async () => {
    await moto.setClock(MARCH);
    await moto.setClock(null);
    await aClusterAndSnapshot("after-null");
    expect(msFrom(new Date(), await createTimeOf("after-null"))).toBeLessThan(MINUTE_MS);

    await moto.setClock(MARCH);
    await moto.reset();
    await aClusterAndSnapshot("after-reset");
    expect(msFrom(new Date(), await createTimeOf("after-reset"))).toBeLessThan(MINUTE_MS);
    expect(msFrom(new Date(), dateHeaders.at(-1))).toBeLessThan(MINUTE_MS);
  });
});

describe("the moto extension's setSnapshotTime", () => {
  const at = new Date("2020-01-01T00:00:00Z");

  it("sets SnapshotCreateTime as DescribeDBClusterSnapshots reports it", async () => {
    await aClusterAndSnapshot("orders-2020-01-01-00-00");

    await moto.setSnapshotTime({
      account: ACCOUNT,
      region: HOME,
      identifier: "orders-2020-01-01-00-00",
      time: at,
    });

    expect(await createTimeOf("orders-2020-01-01-00-00")).toEqual(at);
  });

  it("finds the snapshot by its ARN too", async () => {
    const { snapshot } = await aClusterAndSnapshot("by-arn");

    await moto.setSnapshotTime({ arn: snapshot?.DBClusterSnapshotArn ?? "", time: at });

    expect(await createTimeOf("by-arn")).toEqual(at);
  });

  it("refuses a snapshot that does not exist, saying which", async () => {
    await expect(
      moto.setSnapshotTime({ account: ACCOUNT, region: HOME, identifier: "nowhere", time: at }),
    ).rejects.toThrow(/HTTP 404: no DB cluster snapshot nowhere in account 123456789012/);
  });
});

describe("timeInSnapshotName", () => {
  it("reads the original tool's trailing YYYY-MM-DD-HH-MM stamp as UTC", () => {
    expect(timeInSnapshotName("prod-orders-2020-01-02-03-04")).toEqual(
      new Date("2020-01-02T03:04:00Z"),
    );
  });

  it("is undefined for a name without a stamp or with an impossible one", () => {
    expect(timeInSnapshotName("orders-before-upgrade")).toBeUndefined();
    expect(timeInSnapshotName("orders-2026-02-30-00-00")).toBeUndefined();
    expect(timeInSnapshotName("orders-2026-01-01-24-00")).toBeUndefined();
  });
});
