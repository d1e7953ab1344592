/**
 * The demo's scenario against moto_server, through the `aurora-snapshot-tool` command: real SDK
 * calls over HTTP to a local AWS emulator, the CLI's JSON output read back. Started by
 * `pnpm demo -- --endpoint-url http://127.0.0.1:5000` (an emulator already running) or
 * `pnpm demo -- --moto` (starts one on a free loopback port and stops it after).
 *
 * moto cannot copy a snapshot shared from another account (it answers
 * DBClusterSnapshotNotFoundFault), so here the copy runs in same-account mode into the DR region;
 * the cross-account copy path is what the in-memory demo shows. The history is seeded: tool
 * snapshots named as if taken on each of the last ten days, whose SnapshotCreateTime the
 * test-support moto extension sets to match. Plain moto_server cannot (it stamps every snapshot
 * with the time it was made), so an emulator given by --endpoint-url is best started as
 * `python3 packages/test-support/moto/moto_ext.py -p 5000`.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import {
  CreateDBClusterCommand,
  CreateDBClusterSnapshotCommand,
  DescribeDBClusterSnapshotsCommand,
  RDSClient,
} from "@aws-sdk/client-rds";
import { formatSnapshotName, formatTimestamp } from "@aurora-snapshot-tool/core";
import { setMotoSnapshotTime, startMotoServer } from "@aurora-snapshot-tool/test-support";

const CLI = fileURLToPath(new URL("../packages/cli-adapter/dist/cli.js", import.meta.url));
const HOME = "us-east-1";
const DR = "us-west-2";
const DEST = "222222222222";
const DAY = 86_400_000;

interface StepJson {
  step: string;
  decisions: {
    action: string;
    cluster: string;
    snapshot: string | null;
    region: string;
    reason: string;
    status: string;
  }[];
  summary: { done: number; failed: number; pending: number; skipped: number };
}

function cli(endpoint: string, args: string[]): { code: number; json: StepJson } {
  const run = spawnSync(
    process.execPath,
    [CLI, ...args, "--json", "--endpoint-url", endpoint, "--region", HOME],
    {
      encoding: "utf8",
      env: {
        ...process.env,
        AWS_ACCESS_KEY_ID: "demo",
        AWS_SECRET_ACCESS_KEY: "demo",
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
        NO_COLOR: "1",
      },
    },
  );
  if (run.status !== 0 && run.status !== 3) {
    throw new Error(
      `aurora-snapshot-tool ${args.join(" ")} exited ${run.status}:\n${run.stderr}${run.stdout}`,
    );
  }
  return { code: run.status, json: JSON.parse(run.stdout) as StepJson };
}

/** Sets a seeded snapshot's SnapshotCreateTime to the time in its name. */
type CreatedAt = (arn: string, at: Date) => Promise<void>;

async function seed(endpoint: string, createdAt: CreatedAt): Promise<RDSClient> {
  const rds = new RDSClient({
    region: HOME,
    endpoint,
    credentials: { accessKeyId: "demo", secretAccessKey: "demo" },
  });
  for (const [id, engine] of [
    ["orders", "aurora-postgresql"],
    ["payments", "aurora-mysql"],
    ["graph", "neptune"],
  ] as const) {
    await rds.send(
      new CreateDBClusterCommand({
        DBClusterIdentifier: id,
        Engine: engine,
        MasterUsername: "admin",
        MasterUserPassword: "password123",
      }),
    );
  }
  const now = Date.now();
  for (const id of ["orders", "payments"]) {
    for (let d = 1; d <= 10; d++) {
      const at = new Date(now - d * DAY);
      const out = await rds.send(
        new CreateDBClusterSnapshotCommand({
          DBClusterIdentifier: id,
          DBClusterSnapshotIdentifier: formatSnapshotName(id, at),
          Tags: [
            { Key: "CreatedBy", Value: "Snapshot Tool for Aurora" },
            { Key: "CreatedOn", Value: formatTimestamp(at) },
            { Key: "shareAndCopy", Value: "YES" },
          ],
        }),
      );
      await createdAt(out.DBClusterSnapshot?.DBClusterSnapshotArn ?? "", at);
    }
  }
  await rds.send(
    new CreateDBClusterSnapshotCommand({
      DBClusterIdentifier: "orders",
      DBClusterSnapshotIdentifier: "orders-before-migration",
    }),
  );
  return rds;
}

export async function runMotoDemo(options: {
  endpoint?: string;
  log: (line: string) => void;
}): Promise<string[]> {
  const { log } = options;
  const moto = options.endpoint ? undefined : await startMotoServer();
  const endpoint = options.endpoint ?? moto!.endpoint;
  const problems: string[] = [];
  try {
    log(
      `moto_server at ${endpoint}; clusters orders, payments (Aurora) and graph (neptune) in ${HOME},`,
    );
    log("each Aurora cluster with ten days of tool snapshots and one hand-made snapshot.\n");
    let warned = false;
    const createdAt: CreatedAt = async (arn, time) => {
      if (moto) return moto.setSnapshotTime({ arn, time });
      // An emulator someone else started may be plain moto_server: say so once and go on.
      if (warned) return;
      await setMotoSnapshotTime(endpoint, { arn, time }).catch((error: unknown) => {
        warned = true;
        log(`note: ${String(error)}; the seeded snapshots keep moto's create time (now).\n`);
      });
    };
    const rds = await seed(endpoint, createdAt);
    const steps: [string, string[]][] = [
      ["take", ["take"]],
      ["take again", ["take"]],
      ["share", ["share", "--dest-account", DEST]],
      ["prune", ["prune", "--retention-days", "7"]],
      // At most five copies run at once per region: the rest wait for the next run (exit 3).
      ...[1, 2, 3].map((n): [string, string[]] => [
        `copy #${n}`,
        ["copy", "--dest-region", DR, "--cross-account-copy", "FALSE", "--retention-days", "7"],
      ]),
      [
        "prune-dest",
        [
          "prune-dest",
          "--dest-region",
          DR,
          "--cross-account-copy",
          "FALSE",
          "--retention-days",
          "7",
        ],
      ],
    ];
    for (const [label, args] of steps) {
      const { code, json } = cli(endpoint, args);
      if (label.startsWith("copy #") && json.summary.done === 0 && json.summary.pending === 0)
        continue;
      if (label.startsWith("copy #") && json.summary.done === 0 && json.summary.pending === 0)
        continue;
      const acted = json.decisions.filter((d) => d.action !== "skip");
      log(
        `${label.padEnd(11)} exit ${code}  done ${json.summary.done}  failed ${json.summary.failed}  ` +
          `pending ${json.summary.pending}  skipped ${json.summary.skipped}`,
      );
      for (const d of acted)
        log(
          `              ${d.action} ${d.snapshot ?? d.cluster} in ${d.region}: ${d.reason}, ${d.status}`,
        );
      if (label === "take again" && acted.length > 0)
        problems.push("a second take within the interval acted");
      if (json.summary.failed > 0) problems.push(`${label}: ${json.summary.failed} failed`);
    }
    const left = async (region: string) => {
      const client =
        region === HOME
          ? rds
          : new RDSClient({
              region,
              endpoint,
              credentials: { accessKeyId: "demo", secretAccessKey: "demo" },
            });
      const out = await client.send(
        new DescribeDBClusterSnapshotsCommand({ SnapshotType: "manual" }),
      );
      return (out.DBClusterSnapshots ?? []).map((s) => s.DBClusterSnapshotIdentifier ?? "").sort();
    };
    const home = await left(HOME);
    const dr = await left(DR);
    log(`\n${HOME}: ${home.length} manual snapshots; ${DR}: ${dr.length} copies`);
    if (!home.includes("orders-before-migration"))
      problems.push("the hand-made snapshot was deleted");
    if (home.some((id) => id.startsWith("graph-"))) problems.push("a neptune snapshot was taken");
    for (const id of ["orders", "payments"]) {
      const kept = home.filter((s) => s.startsWith(`${id}-2`)).length;
      if (kept !== 7)
        problems.push(`${id}: ${kept} snapshots kept in ${HOME}, expected 7 (today, 6 days back)`);
      const copies = dr.filter((s) => s.startsWith(`${id}-2`)).length;
      if (copies !== 7) problems.push(`${id}: ${copies} copies in ${DR}, expected 7`);
    }
    log(
      problems.length === 0 ? "all checks held" : problems.map((p) => `PROBLEM: ${p}`).join("\n"),
    );
    return problems;
  } finally {
    await moto?.stop();
  }
}
