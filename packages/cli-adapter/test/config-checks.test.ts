import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { aCluster } from "@aurora-snapshot-tool/core/testing";
import { describe, expect, it } from "vitest";

import { ACCOUNT, fakeGateway, refusingGateway } from "./support/fake-gateway.js";
import { runInProcess } from "./support/run-in-process.js";

/* What the CLI checks in its settings before it makes any AWS client. */

const dir = mkdtempSync(join(tmpdir(), "ast-cli-checks-"));
function config(content: object): string {
  const path = join(dir, `c${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, JSON.stringify(content));
  return path;
}

interface ErrorDoc {
  error: { kind: string; field: string; value: unknown; message: string };
}

interface PlanDoc {
  decisions: { cluster: string; reason: string }[];
}

async function refused(args: readonly string[], env: Record<string, string> = {}) {
  const { gateway, calls } = refusingGateway();
  const run = await runInProcess([...args, "--json"], { env, gateway });
  expect(run.code).toBe(2);
  expect(calls).toEqual([]);
  return { ...run, error: (JSON.parse(run.stdout) as ErrorDoc).error };
}

describe("the config file, checked whole by every command", () => {
  it.each(["take", "share", "prune", "list", "doctor"])(
    "refuses %s when the file's destination section has a bad value, naming the key and the file",
    async (command) => {
      const file = config({ source: { retentionDays: 7 }, destination: { retentionDays: -1 } });

      const run = await refused([command, "--config", file]);

      expect(run.error).toMatchObject({
        kind: "invalid-input",
        field: "destination.retentionDays",
      });
      expect(run.error.message).toContain(
        `destination.retentionDays (in ${file}): invalid value -1`,
      );
    },
  );

  it.each(["copy", "prune-dest"])(
    "refuses %s when the file's source section has a bad value",
    async (command) => {
      const file = config({ source: { clusterPattern: "(?=x)" }, destination: {} });

      const run = await refused([command, "--dest-region", "us-west-2", "--config", file]);

      expect(run.error.field).toBe("source.clusterPattern");
      expect(run.error.message).toContain("lookahead");
    },
  );

  it("judges a value in the file even when a flag overrides it for this run", async () => {
    const file = config({ source: { intervalHours: "daily" } });

    const run = await refused(["take", "--interval", "6", "--config", file]);

    expect(run.error.field).toBe("source.intervalHours");
  });

  it("refuses destination values of the file that contradict each other, on the source side", async () => {
    const file = config({ destination: { retentionDays: 3, sourceRetentionDays: 7 } });

    const run = await refused(["take", "--config", file]);

    expect(run.error.field).toBe("destination.retentionDays");
  });

  it("refuses a bad run setting of the file that this command does not use", async () => {
    const file = config({ schedule: "cron(0 1 * * * *)" });

    const run = await refused(["take", "--config", file]);

    expect(run.error.field).toBe("schedule");
  });

  it("accepts a destination section that leaves its regions and retention to the env vars", async () => {
    const file = config({
      destination: { kmsKeyDestination: "alias/copies,None", sourceRetentionDays: 14 },
    });
    const gateway = fakeGateway({ clusters: [aCluster({ id: "prod-a", account: ACCOUNT })] });

    const run = await runInProcess(["take", "--dry-run", "--json", "--config", file], { gateway });

    expect(run.code).toBe(0);
  });
});

describe("patterns", () => {
  it("plans take with PATTERN=(a+)+$ over a 40-character cluster id at once", async () => {
    // A backtracking RegExp would take hours over this id; RE2 answers in linear time.
    const long = `${"a".repeat(39)}b`;
    const gateway = fakeGateway({
      clusters: [
        aCluster({ id: long, account: ACCOUNT }),
        aCluster({ id: "aaaa", account: ACCOUNT }),
      ],
    });

    const run = await runInProcess(["plan", "take", "--json"], {
      env: { PATTERN: "(a+)+$" },
      gateway,
    });

    expect(run.code).toBe(0);
    const reasons = (JSON.parse(run.stdout) as PlanDoc).decisions.map((d) => [d.cluster, d.reason]);
    expect(reasons).toEqual([
      ["aaaa", "due"],
      [long, "pattern-mismatch"],
    ]);
  });

  it("refuses a PATTERN that RE2 cannot run, saying which construct", async () => {
    const run = await refused(["plan", "take"], { PATTERN: "(?<=prod-)orders" });

    expect(run.error).toMatchObject({ field: "PATTERN", value: "(?<=prod-)orders" });
    expect(run.error.message).toContain("lookbehind, `(?<=`, which RE2 does not support");
  });
});
