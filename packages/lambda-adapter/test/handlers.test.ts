/**
 * The five handlers as Lambda runs them: the original tool's environment variables, the SDK's
 * default credentials, AWS_ENDPOINT_URL pointing every call at moto_server.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

import { formatTimestamp } from "@aurora-snapshot-tool/core";
import { startMotoServer, type MotoServer } from "@aurora-snapshot-tool/test-support";
import {
  DescribeDBClusterSnapshotAttributesCommand,
  DescribeDBClusterSnapshotsCommand,
  type RDSClient,
} from "@aws-sdk/client-rds";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { handler as copy } from "../src/handlers/copy.js";
import { handler as pruneDest } from "../src/handlers/prune-dest.js";
import { handler as prune } from "../src/handlers/prune.js";
import { handler as share } from "../src/handlers/share.js";
import { handler as take } from "../src/handlers/take.js";
import type { StepHandler } from "../src/runtime/index.js";
import {
  AWAY,
  DEST_ACCOUNT,
  HOME,
  SOURCE_ACCOUNT,
  TOOL,
  aLambdaContext,
  aSnapshot,
  anAuroraCluster,
  captureLogs,
  manualSnapshots,
  namesOf,
  rdsClient,
  rdsClientIn,
  tagsOf,
  takeTags,
  toolName,
  useFunctionEnv,
  type LogLine,
} from "./support/handlers-fixtures.js";

let moto: MotoServer;
let rds: RDSClient;
let rdsAway: RDSClient;
let restoreEnv: (() => void) | undefined;
let logs: ReturnType<typeof captureLogs> | undefined;

beforeAll(async () => {
  moto = await startMotoServer();
  rds = rdsClient(moto.endpoint, HOME);
  rdsAway = rdsClient(moto.endpoint, AWAY);
}, 60_000);

afterAll(async () => {
  rds?.destroy();
  rdsAway?.destroy();
  await moto?.stop();
});

beforeEach(async () => {
  await moto.reset();
});

afterEach(() => {
  logs?.stop();
  logs = undefined;
  restoreEnv?.();
  restoreEnv = undefined;
});

/** Runs a handler with the function's env set to `vars`, capturing what it logs. */
async function invoke(
  handler: StepHandler,
  vars: Record<string, string>,
  context = aLambdaContext(),
): Promise<Awaited<ReturnType<StepHandler>>> {
  restoreEnv?.();
  restoreEnv = useFunctionEnv(moto.endpoint, vars);
  logs?.stop();
  logs = captureLogs();
  try {
    return await handler({}, context);
  } finally {
    logs.stop();
  }
}

function logged(level?: string): LogLine[] {
  return (logs?.lines ?? []).filter((line) => level === undefined || line.level === level);
}

describe("take handler", () => {
  it("snapshots every Aurora cluster as CLUSTER-YYYY-MM-DD-HH-MM with the original three tags", async () => {
    await anAuroraCluster(rds, "orders", "aurora-postgresql");
    await anAuroraCluster(rds, "billing", "aurora-mysql");
    const before = formatTimestamp(new Date());

    const result = await invoke(take, { PATTERN: "ALL_CLUSTERS", INTERVAL: "24" });

    const after = formatTimestamp(new Date());
    expect(result).toMatchObject({ step: "take", done: 2, failed: 0, pending: 0 });
    const taken = await manualSnapshots(rds);
    expect(taken.map((s) => s.DBClusterIdentifier).sort()).toEqual(["billing", "orders"]);
    for (const snapshot of taken) {
      const name = snapshot.DBClusterSnapshotIdentifier ?? "";
      const stamp = name.slice(-16);
      expect(name).toBe(`${snapshot.DBClusterIdentifier}-${stamp}`);
      expect(stamp >= before && stamp <= after).toBe(true);
      expect(tagsOf(snapshot)).toEqual({ CreatedBy: TOOL, CreatedOn: stamp, shareAndCopy: "YES" });
    }
  });

  it("takes nothing more while the newest snapshot is within INTERVAL", async () => {
    await anAuroraCluster(rds, "orders");
    await invoke(take, { INTERVAL: "24" });

    const second = await invoke(take, { INTERVAL: "24" });

    expect(second).toMatchObject({ done: 0, skipped: 1 });
    expect(await manualSnapshots(rds)).toHaveLength(1);
  });

  it("takes only the clusters PATTERN matches, named with SNAPSHOT_NAME_PREFIX", async () => {
    await anAuroraCluster(rds, "orders-prod");
    await anAuroraCluster(rds, "orders-test");

    await invoke(take, { PATTERN: "-prod$", SNAPSHOT_NAME_PREFIX: "nightly" });

    const names = namesOf(await manualSnapshots(rds));
    expect(names).toHaveLength(1);
    expect(names[0]).toMatch(/^nightly-orders-prod-\d{4}-\d{2}-\d{2}-\d{2}-\d{2}$/);
  });
});

describe("share handler", () => {
  it("adds DEST_ACCOUNT to the restore attribute, so that account sees the snapshot as shared", async () => {
    await anAuroraCluster(rds, "orders");
    const name = toolName("orders", 0);
    await aSnapshot(rds, "orders", name, takeTags(name), moto);

    const result = await invoke(share, { DEST_ACCOUNT });

    expect(result).toMatchObject({ step: "share", done: 1, failed: 0, pending: 0 });
    const { DBClusterSnapshotAttributesResult: attributes } = await rds.send(
      new DescribeDBClusterSnapshotAttributesCommand({ DBClusterSnapshotIdentifier: name }),
    );
    const restore = attributes?.DBClusterSnapshotAttributes?.find(
      (a) => a.AttributeName === "restore",
    );
    expect(restore?.AttributeValues).toEqual([DEST_ACCOUNT]);

    const destination = await rdsClientIn(moto.endpoint, DEST_ACCOUNT);
    const { DBClusterSnapshots: sharedIn = [] } = await destination.send(
      new DescribeDBClusterSnapshotsCommand({ SnapshotType: "shared", IncludeShared: true }),
    );
    const ownInDestination = await manualSnapshots(destination);
    destination.destroy();
    // moto 5.2.1 labels it SnapshotType "manual" (AWS says "shared"); what counts is that the
    // destination's shared pass returns the source account's snapshot and its own pass does not.
    expect(sharedIn.map((s) => s.DBClusterSnapshotArn)).toEqual([
      `arn:aws:rds:${HOME}:${SOURCE_ACCOUNT}:cluster-snapshot:${name}`,
    ]);
    expect(ownInDestination).toEqual([]);
  });

  it("leaves snapshots the tool did not take unshared", async () => {
    await anAuroraCluster(rds, "orders");
    await aSnapshot(rds, "orders", toolName("orders", 0), {}, moto);

    const result = await invoke(share, { DEST_ACCOUNT });

    expect(result).toMatchObject({ done: 0, skipped: 1 });
  });
});

describe("prune handler", () => {
  it("deletes the tool's snapshots older than RETENTION_DAYS and nothing else", async () => {
    await anAuroraCluster(rds, "orders");
    const expired = toolName("orders", 10);
    const recent = toolName("orders", 1);
    const untagged = toolName("orders", 20);
    await aSnapshot(rds, "orders", expired, takeTags(expired), moto);
    await aSnapshot(rds, "orders", recent, takeTags(recent), moto);
    await aSnapshot(rds, "orders", untagged, {}, moto);

    const result = await invoke(prune, { RETENTION_DAYS: "7" });

    expect(result).toMatchObject({ step: "prune", done: 1, failed: 0, pending: 0 });
    expect(namesOf(await manualSnapshots(rds))).toEqual([untagged, recent].sort());
  });

  it("keeps a cluster's newest snapshot past retention (MIN_KEEP default 1)", async () => {
    await anAuroraCluster(rds, "orders");
    const older = toolName("orders", 12);
    const newest = toolName("orders", 9);
    await aSnapshot(rds, "orders", older, takeTags(older), moto);
    await aSnapshot(rds, "orders", newest, takeTags(newest), moto);

    await invoke(prune, { RETENTION_DAYS: "7" });

    expect(namesOf(await manualSnapshots(rds))).toEqual([newest]);
  });
});

describe("copy handler", () => {
  it("with CROSS_ACCOUNT_COPY=FALSE copies the account's own snapshots into DEST_REGION, tagged CopiedBy", async () => {
    await anAuroraCluster(rds, "orders");
    const name = toolName("orders", 0);
    await aSnapshot(rds, "orders", name, takeTags(name), moto);

    const result = await invoke(copy, {
      SNAPSHOT_PATTERN: "ALL_SNAPSHOTS",
      DEST_REGION: AWAY,
      RETENTION_DAYS: "7",
      CROSS_ACCOUNT_COPY: "FALSE",
      KMS_KEY_SOURCE_REGION: "None",
      KMS_KEY_DEST_REGION: "None",
      COPY_POLL_SECONDS: "0",
    });

    expect(result).toMatchObject({ step: "copy", done: 1, failed: 0, pending: 0 });
    const copies = await manualSnapshots(rdsAway);
    expect(namesOf(copies)).toEqual([name]);
    expect(tagsOf(copies[0]!)).toMatchObject({ CopiedBy: TOOL });
    expect(namesOf(await manualSnapshots(rds))).toEqual([name]);
  });

  it("in the default cross-account mode leaves the account's own snapshots alone", async () => {
    await anAuroraCluster(rds, "orders");
    const name = toolName("orders", 0);
    await aSnapshot(rds, "orders", name, takeTags(name), moto);

    const result = await invoke(copy, { DEST_REGION: AWAY });

    expect(result).toMatchObject({ done: 0, failed: 0, pending: 0 });
    expect(await manualSnapshots(rdsAway)).toEqual([]);
  });
});

describe("prune-dest handler", () => {
  it("deletes the tool's copies in DEST_REGION older than RETENTION_DAYS and nothing else", async () => {
    await anAuroraCluster(rdsAway, "orders");
    const expired = toolName("orders", 10);
    const recent = toolName("orders", 1);
    const notCopied = toolName("orders", 20);
    await aSnapshot(rdsAway, "orders", expired, { CopiedBy: TOOL }, moto);
    await aSnapshot(rdsAway, "orders", recent, { CopiedBy: TOOL }, moto);
    await aSnapshot(rdsAway, "orders", notCopied, takeTags(notCopied), moto);

    const result = await invoke(pruneDest, {
      SNAPSHOT_PATTERN: "ALL_SNAPSHOTS",
      DEST_REGION: AWAY,
      RETENTION_DAYS: "7",
    });

    expect(result).toMatchObject({ step: "prune-dest", done: 1, failed: 0, pending: 0 });
    expect(namesOf(await manualSnapshots(rdsAway))).toEqual([notCopied, recent].sort());
  });
});

describe("a bad configuration", () => {
  /** An endpoint that counts requests and answers none of them usefully. */
  let counter: Server;
  let requests = 0;
  let counterUrl = "";

  beforeAll(async () => {
    counter = createServer((_req, res) => {
      requests++;
      res.statusCode = 400;
      res.end();
    });
    await new Promise<void>((resolve) => counter.listen(0, "127.0.0.1", resolve));
    counterUrl = `http://127.0.0.1:${(counter.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => counter.close(resolve));
  });

  beforeEach(() => {
    requests = 0;
  });

  async function invokeAgainstCounter(
    handler: StepHandler,
    vars: Record<string, string>,
  ): Promise<unknown> {
    restoreEnv?.();
    restoreEnv = useFunctionEnv(counterUrl, vars);
    logs = captureLogs();
    try {
      return await handler({}, aLambdaContext());
    } catch (error) {
      return error;
    } finally {
      logs.stop();
    }
  }

  interface BadCase {
    step: string;
    handler: StepHandler;
    vars: Record<string, string>;
    field: string;
  }

  it.each<BadCase>([
    { step: "take", handler: take, vars: { RETENTION_DAYS: "0" }, field: "RETENTION_DAYS" },
    { step: "take", handler: take, vars: { INTERVAL: "daily" }, field: "INTERVAL" },
    { step: "share", handler: share, vars: { DEST_ACCOUNT: "all" }, field: "DEST_ACCOUNT" },
    { step: "share", handler: share, vars: {}, field: "DEST_ACCOUNT" },
    { step: "prune", handler: prune, vars: { PATTERN: "(unclosed" }, field: "PATTERN" },
    { step: "copy", handler: copy, vars: {}, field: "DEST_REGION" },
    {
      step: "copy",
      handler: copy,
      vars: { DEST_REGION: AWAY, CROSS_ACCOUNT_COPY: "maybe" },
      field: "CROSS_ACCOUNT_COPY",
    },
    {
      step: "copy",
      handler: copy,
      vars: { DEST_REGION: AWAY, COPY_POLL_SECONDS: "soon" },
      field: "COPY_POLL_SECONDS",
    },
    {
      step: "prune-dest",
      handler: pruneDest,
      vars: { DEST_REGION: AWAY, LOG_LEVEL: "VERBOSE" },
      field: "LOG_LEVEL",
    },
  ])(
    "$step with $field bad rejects with a ConfigError naming it, before any AWS call",
    async ({ handler, vars, field }) => {
      const error = await invokeAgainstCounter(handler, vars);

      expect(error).toMatchObject({ name: "ConfigError", field });
      expect(requests).toBe(0);
      expect(logged()).toEqual([
        expect.objectContaining({ level: "ERROR", message: "configuration rejected", field }),
      ]);
    },
  );

  it("is what stops the calls: the same handler with a good value reaches the endpoint", async () => {
    const error = await invokeAgainstCounter(take, { RETENTION_DAYS: "7" });

    expect(error).toBeInstanceOf(Error);
    expect(requests).toBeGreaterThan(0);
  });
});

describe("work left for a later run", () => {
  it("rejects with SnapshotToolException when the time left is inside the safety margin", async () => {
    await anAuroraCluster(rds, "orders");

    const run = invoke(take, { LOG_LEVEL: "WARNING" }, aLambdaContext({ remainingMs: 5_000 }));

    await expect(run).rejects.toMatchObject({ name: "SnapshotToolException" });
    expect(await manualSnapshots(rds)).toEqual([]);
    expect(logged("WARN")).toEqual([
      expect.objectContaining({
        message: "action pending",
        action: "take",
        reason: "due",
        note: "deadline",
      }),
    ]);
    expect(logged("ERROR")).toEqual([
      expect.objectContaining({ errorName: "SnapshotToolException", pending: 1 }),
    ]);
  });

  it("rejects with SnapshotToolException and logs the error code when an action fails", async () => {
    await anAuroraCluster(rds, "vault", "aurora-postgresql", { encrypted: true });
    const name = toolName("vault", 0);
    await aSnapshot(rds, "vault", name, takeTags(name), moto);

    const run = invoke(copy, {
      DEST_REGION: AWAY,
      CROSS_ACCOUNT_COPY: "FALSE",
      KMS_KEY_DEST_REGION: "alias/no-such-key",
    });

    await expect(run).rejects.toMatchObject({ name: "SnapshotToolException" });
    expect(await manualSnapshots(rdsAway)).toEqual([]);
    expect(logged("ERROR")).toEqual([
      expect.objectContaining({
        message: "action failed",
        action: "copy",
        reason: "not-copied",
        snapshot: name,
        errorCode: "KMSKeyNotFound",
      }),
      expect.objectContaining({ errorName: "SnapshotToolException", failed: 1 }),
    ]);
  });
});

describe("logging", () => {
  it("writes nothing on success at the default level (ERROR), as the original did", async () => {
    await anAuroraCluster(rds, "orders");

    await invoke(take, {});

    expect(logged()).toEqual([]);
  });

  it("at DEBUG writes every decision, each action done and one summary line with the counts", async () => {
    await anAuroraCluster(rds, "orders");
    await anAuroraCluster(rds, "billing");

    await invoke(take, { LOG_LEVEL: "debug", PATTERN: "orders" });

    const decisions = logged("DEBUG").filter((line) => line.message === "decision");
    expect(decisions.map((line) => [line["action"], line["reason"]]).sort()).toEqual([
      ["skip", "pattern-mismatch"],
      ["take", "due"],
    ]);
    expect(logged("INFO")).toEqual([
      expect.objectContaining({ message: "action done", action: "take", step: "take" }),
      expect.objectContaining({
        message: "take finished",
        done: 1,
        failed: 0,
        pending: 0,
        skipped: 1,
        service: "aurora-snapshot-tool",
        function_request_id: "00000000-0000-4000-8000-000000000000",
      }),
    ]);
  });
});

describe("metrics", () => {
  it("writes the run's EMF line to stdout, as Lambda ships it to CloudWatch, with no service dimension", async () => {
    await anAuroraCluster(rds, "orders");
    await anAuroraCluster(rds, "billing");

    await invoke(take, { DEPLOYMENT_NAME: "prod-backups", POWERTOOLS_SERVICE_NAME: "backups" });

    expect(logs?.metrics).toEqual([
      expect.objectContaining({
        _aws: expect.objectContaining({
          CloudWatchMetrics: [
            expect.objectContaining({
              Namespace: "AuroraSnapshotTool",
              Dimensions: [["Deployment", "Step"]],
            }),
          ],
        }) as unknown,
        Deployment: "prod-backups",
        Step: "take",
        ActionsDone: 2,
        RunsSucceeded: 1,
        RunsFailed: 0,
      }),
    ]);
    expect(logs?.metrics[0]).not.toHaveProperty("service");
  });
});
