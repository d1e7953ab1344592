import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { startMotoServer, type MotoServer } from "@aurora-snapshot-tool/test-support";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { COPY_TAGS, HOME_ACCOUNT, MotoWorld, roleIn } from "./support/moto-world.js";
import { runBuiltCli, type CliRun } from "./support/run-built-cli.js";

/*
 * The built CLI, spawned as a process, against moto_server: every step, its dry run, and what a
 * script reads from --json and the exit code.
 */

interface Decision {
  step: string;
  action: string;
  cluster: string;
  snapshot: string | null;
  region: string;
  account: string;
  reason: string;
  status: string;
  note?: string;
  errorCode?: string;
  facts: Record<string, unknown>;
}

interface StepDoc {
  step: string;
  dryRun: boolean;
  decisions: Decision[];
  summary: {
    done: number;
    failed: number;
    pending: number;
    deferred: number;
    skipped: number;
    complete: boolean;
  };
}

let moto: MotoServer;
let world: MotoWorld;

beforeAll(async () => {
  moto = await startMotoServer();
  world = new MotoWorld(moto);
});

afterAll(async () => {
  await moto?.stop();
});

beforeEach(async () => {
  await moto.reset();
});

function cli(
  args: readonly string[],
  env: Record<string, string | undefined> = {},
): Promise<CliRun> {
  return runBuiltCli([...args, "--endpoint-url", moto.endpoint], env);
}

async function step(args: readonly string[], env: Record<string, string | undefined> = {}) {
  const run = await cli([...args, "--json"], env);
  return { run, doc: run.json<StepDoc>() };
}

function of(doc: StepDoc, action: string): Decision[] {
  return doc.decisions.filter((d) => d.action === action);
}

describe("take", () => {
  it("behaves like the original take function with PATTERN from the environment", async () => {
    await world.cluster("prod-orders");
    await world.cluster("prod-users", { engine: "aurora-postgresql" });
    await world.cluster("staging-web");
    await world.cluster("prod-graph", { engine: "neptune" });

    const { run, doc } = await step(["take"], { PATTERN: "prod" });

    expect(run.code).toBe(0);
    expect(doc.step).toBe("take");
    expect(doc.dryRun).toBe(false);
    expect(of(doc, "take").map((d) => [d.cluster, d.status])).toEqual([
      ["prod-orders", "done"],
      ["prod-users", "done"],
    ]);
    const skips = Object.fromEntries(of(doc, "skip").map((d) => [d.cluster, d.reason]));
    expect(skips).toEqual({ "staging-web": "pattern-mismatch", "prod-graph": "not-aurora" });
    expect(doc.summary).toEqual({
      done: 2,
      failed: 0,
      pending: 0,
      deferred: 0,
      blocked: 0,
      skipped: 2,
      complete: true,
    });
    const taken = await world.manualSnapshots();
    expect(taken).toHaveLength(2);
    for (const s of taken) {
      const tags = Object.fromEntries((s.TagList ?? []).map((t) => [t.Key, t.Value]));
      expect(tags).toMatchObject({ CreatedBy: "Snapshot Tool for Aurora", shareAndCopy: "YES" });
      expect(tags["CreatedOn"]).toMatch(/^\d{4}-\d{2}-\d{2}-\d{2}-\d{2}$/);
    }
  });

  it("--dry-run plans the same snapshots and takes none", async () => {
    await world.cluster("prod-orders");

    const { run, doc } = await step(["take", "--dry-run"]);

    expect(run.code).toBe(0);
    expect(doc.dryRun).toBe(true);
    expect(of(doc, "take")).toEqual([
      expect.objectContaining({
        cluster: "prod-orders",
        status: "pending",
        note: "dry-run",
        reason: "due",
      }),
    ]);
    expect(await world.manualSnapshotIds()).toEqual([]);
  });

  it("`plan take` is the same as `take --dry-run`", async () => {
    await world.cluster("prod-orders");

    const { run, doc } = await step(["plan", "take"]);

    expect(run.code).toBe(0);
    expect(doc.dryRun).toBe(true);
    expect(of(doc, "take").map((d) => d.status)).toEqual(["pending"]);
    expect(await world.manualSnapshotIds()).toEqual([]);
  });

  it("exits 3 when a due cluster is not available, and says so in the decision", async () => {
    await world.cluster("prod-orders");
    await world.cluster("prod-stopped");
    await world.stopCluster("prod-stopped");

    const { run, doc } = await step(["take"]);

    expect(run.code).toBe(3);
    const stopped = doc.decisions.find((d) => d.cluster === "prod-stopped");
    expect(stopped).toMatchObject({
      action: "skip",
      reason: "cluster-unavailable",
      status: "deferred",
    });
    expect(doc.summary).toMatchObject({ done: 1, pending: 0, deferred: 1, complete: false });
  });
});

describe("share", () => {
  it("shares the tool's snapshots with --dest-account, and a second run has nothing to do", async () => {
    await world.cluster("prod-orders");
    await world.snapshot("prod-orders", "prod-orders-2026-01-01-00-00");
    await world.snapshot("prod-orders", "manual-by-hand", { tags: [] });

    const first = await step(["share", "--dest-account", "222222222222"]);

    expect(first.run.code).toBe(0);
    expect(of(first.doc, "share")).toEqual([
      expect.objectContaining({ snapshot: "prod-orders-2026-01-01-00-00", status: "done" }),
    ]);
    expect(await world.sharedWith("prod-orders-2026-01-01-00-00")).toEqual(["222222222222"]);
    expect(await world.sharedWith("manual-by-hand")).toEqual([]);

    const second = await step(["share", "--dest-account", "222222222222"]);
    expect(second.run.code).toBe(0);
    expect(of(second.doc, "share")).toEqual([]);
    expect(
      second.doc.decisions.find((d) => d.snapshot === "prod-orders-2026-01-01-00-00")?.reason,
    ).toBe("already-shared");
  });

  it("--dry-run shares nothing", async () => {
    await world.cluster("prod-orders");
    await world.snapshot("prod-orders", "prod-orders-2026-01-01-00-00");

    const { run, doc } = await step(["share", "--dry-run"], { DEST_ACCOUNT: "222222222222" });

    expect(run.code).toBe(0);
    expect(of(doc, "share").map((d) => d.status)).toEqual(["pending"]);
    expect(await world.sharedWith("prod-orders-2026-01-01-00-00")).toEqual([]);
  });
});

describe("prune", () => {
  beforeEach(async () => {
    await world.cluster("prod-orders");
    await world.snapshot("prod-orders", "prod-orders-2020-01-01-00-00");
    await world.snapshot("prod-orders", "prod-orders-2020-01-02-00-00");
    await world.snapshot("prod-orders", "prod-orders-2019-01-01-00-00", { tags: [] });
  });

  it("deletes the tool's expired snapshots, keeps the newest (MIN_KEEP) and never an untagged one", async () => {
    const { run, doc } = await step(["prune"]);

    expect(run.code).toBe(0);
    expect(of(doc, "delete").map((d) => [d.snapshot, d.status])).toEqual([
      ["prod-orders-2020-01-01-00-00", "done"],
    ]);
    const reasons = Object.fromEntries(of(doc, "skip").map((d) => [d.snapshot, d.reason]));
    expect(reasons).toEqual({
      "prod-orders-2020-01-02-00-00": "min-keep",
      "prod-orders-2019-01-01-00-00": "no-tool-tag",
    });
    expect(await world.manualSnapshotIds()).toEqual([
      "prod-orders-2019-01-01-00-00",
      "prod-orders-2020-01-02-00-00",
    ]);
  });

  it("--dry-run deletes nothing", async () => {
    const { run, doc } = await step(["prune", "--dry-run", "--min-keep", "0"]);

    expect(run.code).toBe(0);
    expect(of(doc, "delete")).toHaveLength(2);
    expect(await world.manualSnapshotIds()).toHaveLength(3);
  });
});

describe("copy", () => {
  it("copies the account's own snapshots to --dest-region when cross-account copy is off", async () => {
    await world.cluster("prod-orders");
    await world.snapshot("prod-orders", "prod-orders-2026-01-01-00-00");
    const args = ["copy", "--dest-region", "us-west-2", "--cross-account-copy", "FALSE"];

    const { run, doc } = await step(args, { RETENTION_DAYS: "36500" });

    expect(run.code).toBe(0);
    expect(of(doc, "copy")).toEqual([
      expect.objectContaining({
        snapshot: "prod-orders-2026-01-01-00-00",
        region: "us-west-2",
        status: "done",
      }),
    ]);
    const copies = await world.manualSnapshots({ region: "us-west-2" });
    expect(copies.map((s) => s.DBClusterSnapshotIdentifier)).toEqual([
      "prod-orders-2026-01-01-00-00",
    ]);
    expect(copies[0]?.TagList).toEqual(expect.arrayContaining(COPY_TAGS));

    const again = await step(args, { RETENTION_DAYS: "36500" });
    expect(again.run.code).toBe(0);
    expect(of(again.doc, "copy")).toEqual([]);
  });

  it("--dry-run copies nothing", async () => {
    await world.cluster("prod-orders");
    await world.snapshot("prod-orders", "prod-orders-2026-01-01-00-00");

    const { run, doc } = await step(["copy", "--dry-run"], {
      DEST_REGION: "us-west-2",
      CROSS_ACCOUNT_COPY: "FALSE",
      RETENTION_DAYS: "36500",
    });

    expect(run.code).toBe(0);
    expect(of(doc, "copy").map((d) => d.status)).toEqual(["pending"]);
    expect(await world.manualSnapshots({ region: "us-west-2" })).toEqual([]);
  });

  it("exits 3 and names the error when the destination KMS key does not exist", async () => {
    const key = await world.key();
    await world.cluster("prod-orders", { kmsKeyId: key });
    await world.snapshot("prod-orders", "prod-orders-2026-01-01-00-00");

    const { run, doc } = await step(
      ["copy", "--dest-region", "us-west-2", "--cross-account-copy", "FALSE"],
      { KMS_KEY_DEST_REGION: "0b5c1f9e-1111-4222-8333-944445555666", RETENTION_DAYS: "36500" },
    );

    expect(run.code).toBe(3);
    expect(of(doc, "copy")).toEqual([
      expect.objectContaining({ status: "failed", errorCode: "KMSKeyNotFound" }),
    ]);
    expect(doc.summary.failed).toBe(1);
  });

  it("acts in another account with --role-arn", async () => {
    const other = "333333333333";
    await world.cluster("prod-orders", { account: other });
    await world.snapshot("prod-orders", "prod-orders-2026-01-01-00-00", { account: other });

    const { run, doc } = await step(
      [
        "copy",
        "--role-arn",
        roleIn(other),
        "--dest-region",
        "us-west-2",
        "--cross-account-copy",
        "FALSE",
      ],
      { RETENTION_DAYS: "36500" },
    );

    expect(run.code).toBe(0);
    expect(of(doc, "copy")).toEqual([expect.objectContaining({ account: other, status: "done" })]);
    expect(await world.manualSnapshotIds({ region: "us-west-2", account: other })).toEqual([
      "prod-orders-2026-01-01-00-00",
    ]);
    expect(await world.manualSnapshotIds({ region: "us-west-2" })).toEqual([]);
  });
});

describe("prune-dest", () => {
  it("deletes expired copies in the destination region and keeps the newest", async () => {
    await world.cluster("prod-orders", { region: "us-west-2" });
    await world.snapshot("prod-orders", "prod-orders-2020-01-01-00-00", {
      region: "us-west-2",
      tags: COPY_TAGS,
    });
    await world.snapshot("prod-orders", "prod-orders-2020-01-05-00-00", {
      region: "us-west-2",
      tags: COPY_TAGS,
    });

    const dry = await step(["prune-dest", "--dest-region", "us-west-2", "--dry-run"]);
    expect(dry.run.code).toBe(0);
    expect(of(dry.doc, "delete").map((d) => d.status)).toEqual(["pending"]);
    expect(await world.manualSnapshotIds({ region: "us-west-2" })).toHaveLength(2);

    const { run, doc } = await step(["prune-dest", "--dest-region", "us-west-2"]);
    expect(run.code).toBe(0);
    expect(of(doc, "delete").map((d) => [d.snapshot, d.status])).toEqual([
      ["prod-orders-2020-01-01-00-00", "done"],
    ]);
    expect(await world.manualSnapshotIds({ region: "us-west-2" })).toEqual([
      "prod-orders-2020-01-05-00-00",
    ]);
  });
});

interface ListDoc {
  command: string;
  side: string;
  rows: {
    kind: string;
    account: string;
    region: string;
    cluster: string;
    snapshot: string | null;
    status: string;
    ageHours: number | null;
    toolTags: Record<string, string>;
    next: { step: string; action: string; reason: string }[];
  }[];
}

describe("list", () => {
  it("shows each cluster and tool snapshot with the next run's decision", async () => {
    await world.cluster("prod-orders");
    await world.cluster("staging-web");
    await world.snapshot("prod-orders", "prod-orders-2020-01-01-00-00");
    await world.snapshot("prod-orders", "by-hand", { tags: [] });

    const run = await cli(["list", "--json"], { PATTERN: "prod", DEST_ACCOUNT: "222222222222" });

    expect(run.code).toBe(0);
    const doc = run.json<ListDoc>();
    expect(doc).toMatchObject({ command: "list", side: "source" });
    expect(doc.rows.map((r) => [r.kind, r.cluster, r.snapshot])).toEqual([
      ["cluster", "prod-orders", null],
      ["snapshot", "prod-orders", "prod-orders-2020-01-01-00-00"],
    ]);
    const [cluster, snapshot] = doc.rows;
    expect(cluster?.next).toEqual([
      {
        step: "take",
        action: "take",
        reason: "due",
        region: "us-east-1",
        snapshot: expect.stringMatching(/^prod-orders-\d{4}-\d{2}-\d{2}-\d{2}-\d{2}$/),
      },
    ]);
    expect(snapshot).toMatchObject({
      account: HOME_ACCOUNT,
      region: "us-east-1",
      status: "available",
    });
    expect(snapshot?.toolTags).toEqual({
      CreatedBy: "Snapshot Tool for Aurora",
      shareAndCopy: "YES",
    });
    expect(snapshot?.ageHours).toBeGreaterThan(24 * 365);
    expect(snapshot?.next.map((n) => `${n.step}:${n.action}:${n.reason}`).sort()).toEqual([
      "prune:skip:min-keep",
      "share:share:not-shared",
    ]);
  });

  it("--all also shows what the tool leaves alone, and a table by default", async () => {
    await world.cluster("prod-orders");
    await world.cluster("staging-web");
    await world.snapshot("prod-orders", "by-hand", { tags: [] });

    const run = await cli(["list", "--all"], { PATTERN: "prod" });

    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`account ${HOME_ACCOUNT}, us-east-1`);
    expect(run.stdout).toMatch(/CLUSTER\s+SNAPSHOT\s+TYPE\s+STATUS\s+AGE\s+TOOL TAGS\s+NEXT RUN/);
    expect(run.stdout).toMatch(/staging-web .*take: skip \(pattern-mismatch\)/);
    expect(run.stdout).toMatch(/by-hand .*prune: skip \(no-tool-tag\)/);
    expect(run.stdout).toContain(
      "pattern-mismatch  the cluster id does not match the configured pattern",
    );
    expect(run.stdout).not.toContain("\u001b[");
  });

  it("--side destination in another account shows what is shared with it", async () => {
    await world.cluster("prod-orders");
    await world.snapshot("prod-orders", "prod-orders-2026-01-01-00-00");
    await step(["share", "--dest-account", "222222222222"]);

    const run = await cli(
      [
        "list",
        "--side",
        "dest",
        "--dest-region",
        "us-east-1",
        "--role-arn",
        roleIn("222222222222"),
        "--json",
      ],
      { RETENTION_DAYS: "36500", KMS_KEY_DEST_REGION: "None" },
    );

    expect(run.code).toBe(0);
    const doc = run.json<ListDoc>();
    expect(doc.side).toBe("destination");
    expect(doc.rows).toEqual([
      expect.objectContaining({
        snapshot: "prod-orders-2026-01-01-00-00",
        account: HOME_ACCOUNT,
        next: [expect.objectContaining({ step: "copy", action: "copy", reason: "not-copied" })],
      }),
    ]);
  });
});

interface DoctorDoc {
  command: string;
  checks: { id: string; status: string; detail: string; fix?: string }[];
  summary: { pass: number; warn: number; fail: number };
}

describe("doctor", () => {
  it("passes a working setup: credentials, clusters, identifiers, sharing, schedule", async () => {
    await world.cluster("prod-orders");

    const run = await cli([
      "doctor",
      "--json",
      "--pattern",
      "prod",
      "--dest-account",
      "222222222222",
      "--schedule",
      "cron(0 1 * * ? *)",
    ]);

    expect(run.code).toBe(0);
    const doc = run.json<DoctorDoc>();
    expect(doc.checks.map((c) => [c.id, c.status])).toEqual([
      ["credentials", "pass"],
      ["clusters", "pass"],
      ["identifiers", "pass"],
      ["sharing-keys", "pass"],
      ["schedule", "pass"],
    ]);
    expect(doc.checks[0]?.detail).toContain(HOME_ACCOUNT);
  });

  it("warns when the calendar rules may keep more snapshots than RDS's default quota of 100 per region", async () => {
    await world.cluster("prod-orders");

    // Hourly snapshots kept a week (169) plus 12 monthlies, for one cluster.
    const run = await cli(["doctor", "--json", "--interval", "1", "--keep-monthly", "12"]);

    const quota = run.json<DoctorDoc>().checks.find((c) => c.id === "snapshot-quota");
    expect(quota).toMatchObject({ status: "warn" });
    expect(quota?.detail).toContain("1 cluster(s) × up to 181 snapshots each");
    expect(quota?.fix).toContain("--keep-monthly");
    const without = await cli(["doctor", "--json", "--interval", "1"]);
    expect(without.json<DoctorDoc>().checks.map((c) => c.id)).not.toContain("snapshot-quota");
  });

  it("fails when the pattern selects nothing, and names the near misses", async () => {
    await world.cluster("prod-orders");
    await world.cluster("staging-web");

    const run = await cli(["doctor", "--json"], { PATTERN: "prod-ordrs" });

    expect(run.code).toBe(3);
    const doc = run.json<DoctorDoc>();
    const clusters = doc.checks.find((c) => c.id === "clusters");
    expect(clusters).toMatchObject({ status: "fail" });
    expect(clusters?.fix).toContain("PATTERN");
    const near = doc.checks.find((c) => c.id === "near-misses");
    expect(near?.status).toBe("warn");
    expect(near?.detail).toContain("prod-orders (1 edit away)");
    expect(near?.detail).not.toContain("staging-web");
  });

  it("fails a schedule that fires less often than the interval, and a missing KMS key on the destination", async () => {
    await world.cluster("prod-orders");

    const weekly = await cli(["doctor", "--json", "--schedule", "0 1 ? * MON *"]);
    expect(weekly.code).toBe(3);
    expect(weekly.json<DoctorDoc>().checks.find((c) => c.id === "schedule")).toMatchObject({
      status: "fail",
    });

    const dest = await cli([
      "doctor",
      "--side",
      "destination",
      "--json",
      "--dest-region",
      "us-west-2",
      "--kms-key-dest-region",
      "alias/missing",
    ]);
    expect(dest.code).toBe(3);
    const keyCheck = dest
      .json<DoctorDoc>()
      .checks.find((c) => c.id.startsWith("kms-key:us-west-2"));
    expect(keyCheck).toMatchObject({ status: "fail" });
    expect(keyCheck?.detail).toContain("alias/missing was not found in us-west-2");
  });

  it("prints a readable report by default", async () => {
    await world.cluster("prod-orders");

    const run = await cli(["doctor"]);

    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^PASS\s+credentials\s+acting in account 123456789012/m);
    expect(run.stdout).toMatch(/passed, \d+ warned, 0 failed/);
  });
});

describe("wait", () => {
  it("has nothing to wait for when every snapshot is available", async () => {
    await world.cluster("prod-orders");
    await world.snapshot("prod-orders", "prod-orders-2026-01-01-00-00");

    const run = await cli(["wait", "--json"]);

    expect(run.code).toBe(0);
    expect(run.json()).toMatchObject({ command: "wait", snapshots: [] });
  });

  it("follows named snapshots: available exits 0, one that does not exist exits 3", async () => {
    await world.cluster("prod-orders");
    await world.snapshot("prod-orders", "prod-orders-2026-01-01-00-00");

    const ok = await cli(["wait", "prod-orders-2026-01-01-00-00"]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/prod-orders-2026-01-01-00-00 us-east-1 available 100%/);
    expect(ok.stdout).toContain("1 available, 0 failed or gone, 0 still in progress");

    const missing = await cli(["wait", "no-such-snapshot", "--timeout", "0", "--json"]);
    expect(missing.code).toBe(3);
    expect(missing.json()).toMatchObject({
      snapshots: [{ snapshot: "no-such-snapshot", outcome: "failed", status: "not-found" }],
      summary: { done: 0, failed: 1, pending: 0 },
    });
  });
});

describe("credentials", () => {
  it("--profile reads that profile, even with no keys in the environment", async () => {
    const home = mkdtempSync(join(tmpdir(), "ast-cli-profile-"));
    mkdirSync(join(home, ".aws"));
    writeFileSync(
      join(home, ".aws", "credentials"),
      "[ops]\naws_access_key_id = testing\naws_secret_access_key = testing\n",
    );
    await world.cluster("prod-orders");
    const noKeys = { HOME: home, AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined };

    const ok = await cli(["take", "--dry-run", "--json", "--profile", "ops"], noKeys);
    expect(ok.code).toBe(0);
    expect(ok.json<StepDoc>().decisions).toEqual([
      expect.objectContaining({ account: HOME_ACCOUNT, action: "take" }),
    ]);

    const missing = await cli(["take", "--dry-run", "--profile", "nobody"], noKeys);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("no usable AWS credentials");
  });
});
