import { aCluster } from "@aurora-snapshot-tool/core/testing";
import { describe, expect, it } from "vitest";

import packageJson from "../package.json" with { type: "json" };
import { ACCOUNT, fakeGateway } from "./support/fake-gateway.js";
import { runInProcess } from "./support/run-in-process.js";

const ESC = "\u001b[";

function takeWorld() {
  return fakeGateway({
    clusters: [
      aCluster({ id: "prod-a", account: ACCOUNT }),
      aCluster({ id: "prod-b", account: ACCOUNT, status: "stopped" }),
    ],
  });
}

describe("output", () => {
  it("--json prints exactly one JSON document on stdout and the progress on stderr", async () => {
    const run = await runInProcess(["take", "--json"], { gateway: takeWorld() });

    expect(run.code).toBe(3);
    const doc = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(Object.keys(doc)).toEqual([
      "schemaVersion",
      "step",
      "dryRun",
      "region",
      "regions",
      "startedAt",
      "finishedAt",
      "decisions",
      "summary",
      "settings",
      "warnings",
    ]);
    expect(doc["summary"]).toEqual({
      done: 1,
      failed: 0,
      pending: 0,
      deferred: 1,
      blocked: 0,
      skipped: 0,
      complete: false,
    });
    expect(doc["decisions"]).toEqual([
      expect.objectContaining({
        step: "take",
        action: "take",
        cluster: "prod-a",
        snapshot: expect.stringMatching(/^prod-a-/),
        region: "us-east-1",
        account: "123456789012",
        reason: "due",
        status: "done",
        facts: expect.any(Object),
        tags: expect.objectContaining({ CreatedBy: "Snapshot Tool for Aurora" }),
      }),
      expect.objectContaining({
        cluster: "prod-b",
        action: "skip",
        snapshot: null,
        status: "deferred",
      }),
    ]);
    expect(run.stderr).toMatch(/^done take prod-a-.* in us-east-1$/m);
  });

  it("prints a table with a legend of the reasons and a summary line by default", async () => {
    const run = await runInProcess(["take", "--dry-run"], { gateway: takeWorld() });

    expect(run.code).toBe(0);
    const lines = run.stdout.split("\n");
    expect(lines[0]).toBe("take --dry-run in us-east-1");
    expect(lines[2]).toMatch(
      /^STATUS\s+ACTION\s+CLUSTER\s+SNAPSHOT\s+ACCOUNT\s+REGION\s+REASON\s+DETAIL$/,
    );
    expect(run.stdout).toMatch(
      /^pending\s+take\s+prod-a\s+prod-a-\S+\s+123456789012\s+us-east-1\s+due\s+\(dry-run\)/m,
    );
    expect(run.stdout).toContain(
      "cluster-unavailable  the cluster is not in the `available` state",
    );
    expect(run.stdout).toContain(
      "take: 0 done, 0 failed, 1 pending, 1 deferred, 0 blocked, 0 skipped (dry run: nothing was changed)",
    );
  });

  it("colours the table on a terminal", async () => {
    const run = await runInProcess(["take", "--dry-run"], { gateway: takeWorld(), tty: true });
    expect(run.stdout).toContain(`${ESC}33mpending`);
  });

  it.each([
    ["NO_COLOR is set", { NO_COLOR: "1" }, []],
    ["--no-color is given", {}, ["--no-color"]],
  ])("never colours when %s", async (_name, env, flags) => {
    const run = await runInProcess(["take", "--dry-run", ...flags], {
      gateway: takeWorld(),
      tty: true,
      env,
    });
    expect(run.stdout).not.toContain(ESC);
  });

  it("ignores an empty NO_COLOR, as no-color.org says", async () => {
    const run = await runInProcess(["take", "--dry-run"], {
      gateway: takeWorld(),
      tty: true,
      env: { NO_COLOR: "" },
    });
    expect(run.stdout).toContain(ESC);
  });

  it("never colours when stdout is not a terminal", async () => {
    const run = await runInProcess(["list", "--all"], { gateway: takeWorld() });
    expect(run.stdout).not.toContain(ESC);
  });
});

describe("help and version", () => {
  it("prints the package version", async () => {
    const run = await runInProcess(["--version"]);
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe(packageJson.version);
  });

  it.each([
    [["take"], ["PATTERN", "INTERVAL", "SNAPSHOT_NAME_PREFIX", "MIN_KEEP"]],
    [["share"], ["DEST_ACCOUNT"]],
    [["prune"], ["RETENTION_DAYS", "MIN_KEEP"]],
    [
      ["copy"],
      ["DEST_REGION", "KMS_KEY_SOURCE_REGION", "KMS_KEY_DEST_REGION", "CROSS_ACCOUNT_COPY"],
    ],
    [["prune-dest"], ["SNAPSHOT_PATTERN", "RETENTION_DAYS"]],
    [["plan", "copy"], ["DEST_REGION"]],
    [["list"], ["PATTERN", "DEST_REGION"]],
    [["doctor"], ["PATTERN", "DEST_REGION"]],
    [["wait"], ["PATTERN"]],
  ])("%j --help explains every option with its env var", async (command, envVars) => {
    const run = await runInProcess([...command, "--help"]);

    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Usage: aurora-snapshot-tool ${command.join(" ")}`);
    // Commander wraps help at 80 columns; the words are what matter.
    const text = run.stdout.replace(/\s+/g, " ");
    for (const name of envVars) expect(text).toContain(`env ${name}`);
    for (const common of [
      "--region",
      "--profile",
      "--endpoint-url",
      "--role-arn",
      "--config",
      "--json",
    ]) {
      expect(run.stdout).toContain(common);
    }
  });
});
