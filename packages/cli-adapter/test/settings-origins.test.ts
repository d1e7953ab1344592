import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { aCluster } from "@aurora-snapshot-tool/core/testing";
import { describe, expect, it } from "vitest";

import { SCHEMA_VERSION } from "../src/output/json-document.js";
import { ACCOUNT, fakeGateway } from "./support/fake-gateway.js";
import { runInProcess } from "./support/run-in-process.js";

const dir = mkdtempSync(join(tmpdir(), "ast-cli-origins-"));
const CONFIG = join(dir, "tool.json");
writeFileSync(CONFIG, JSON.stringify({ source: { retentionDays: 9 } }));

const world = () => fakeGateway({ clusters: [aCluster({ id: "prod-a", account: ACCOUNT })] });

/** A flag (--pattern), a file key (source.retentionDays) and an env var (INTERVAL) at once. */
const MIXED = ["--pattern", "prod", "--config", CONFIG];
const MIXED_ENV = { INTERVAL: "12" };

interface Doc {
  readonly schemaVersion: number;
  readonly settings: readonly unknown[];
  readonly warnings: readonly string[];
}

const EXPECTED_SETTINGS = [
  {
    key: "source.clusterPattern",
    env: "PATTERN",
    value: "prod",
    origin: { kind: "flag", name: "--pattern" },
  },
  {
    key: "source.intervalHours",
    env: "INTERVAL",
    value: "12",
    origin: { kind: "env", name: "INTERVAL" },
  },
  {
    key: "source.retentionDays",
    env: "RETENTION_DAYS",
    value: 9,
    origin: { kind: "file", name: "source.retentionDays", path: CONFIG },
  },
];

describe("where each setting came from", () => {
  it.each([
    ["plan take", ["plan", "take"]],
    ["doctor", ["doctor"]],
  ])("%s --json lists each setting not left to its default with its origin", async (_, args) => {
    const run = await runInProcess([...args, ...MIXED, "--json"], {
      gateway: world(),
      env: MIXED_ENV,
    });

    expect(run.code).toBe(0);
    expect((JSON.parse(run.stdout) as Doc).settings).toEqual(EXPECTED_SETTINGS);
  });

  it.each([
    ["plan take", ["plan", "take"]],
    ["doctor", ["doctor"]],
  ])(
    "%s's table ends with a settings block naming the flag, the file key and the env var",
    async (_, args) => {
      const run = await runInProcess([...args, ...MIXED], { gateway: world(), env: MIXED_ENV });

      expect(run.code).toBe(0);
      const block = run.stdout.slice(run.stdout.indexOf("Settings (not defaults):"));
      expect(block.split("\n").slice(1, 4)).toEqual([
        expect.stringMatching(/^ {2}source\.clusterPattern\s+prod\s+flag --pattern$/),
        expect.stringMatching(/^ {2}source\.intervalHours\s+12\s+env INTERVAL$/),
        expect.stringMatching(
          new RegExp(`^ {2}source\\.retentionDays\\s+9\\s+file ${CONFIG}: source\\.retentionDays$`),
        ),
      ]);
    },
  );

  it("has no settings block when every setting is a default", async () => {
    const run = await runInProcess(["plan", "take"], { gateway: world() });

    expect(run.stdout).not.toContain("Settings");
  });

  it("a flag wins over the env var, and the origin says so", async () => {
    const run = await runInProcess(["plan", "take", "--interval", "6", "--json"], {
      gateway: world(),
      env: { INTERVAL: "12" },
    });

    expect((JSON.parse(run.stdout) as Doc).settings).toEqual([
      expect.objectContaining({ value: "6", origin: { kind: "flag", name: "--interval" } }),
    ]);
  });
});

describe("unprefixed env vars", () => {
  it("PATTERN=prod in the environment is warned about on stderr and in the JSON, with the fix", async () => {
    const run = await runInProcess(["plan", "take", "--json"], {
      gateway: world(),
      env: { PATTERN: "prod" },
    });

    expect(run.code).toBe(0);
    const warning = run.stderr.split("\n").find((l) => l.includes("PATTERN=prod"));
    expect(warning).toBe(
      "warn: PATTERN=prod was read from the environment (the Lambda's name for " +
        "source.clusterPattern); to silence this, give --pattern or source.clusterPattern in the " +
        "--config file instead, or unset PATTERN",
    );
    expect((JSON.parse(run.stdout) as Doc).warnings).toEqual([warning?.replace(/^warn: /, "")]);
  });

  it("names each policy env var that was read, on the destination side too", async () => {
    const run = await runInProcess(["status", "--side", "dest", "--json"], {
      gateway: world(),
      env: { DEST_REGION: "eu-west-1", SNAPSHOT_PATTERN: "prod", RETENTION_DAYS: "30" },
    });

    const { warnings } = JSON.parse(run.stdout) as Doc;
    expect(warnings.map((w) => w.split(" ")[0]).sort()).toEqual([
      "DEST_REGION=eu-west-1",
      "RETENTION_DAYS=30",
      "SNAPSHOT_PATTERN=prod",
    ]);
  });

  it("says nothing when the same value comes from --pattern, nor about AWS_REGION or AWS_PROFILE", async () => {
    const run = await runInProcess(["plan", "take", "--pattern", "prod", "--json"], {
      gateway: world(),
      env: { AWS_REGION: "us-east-1", AWS_PROFILE: "default", LOG_LEVEL: "INFO" },
    });

    expect(run.code).toBe(0);
    expect(run.stderr).not.toMatch(/^warn:/m);
    expect((JSON.parse(run.stdout) as Doc).warnings).toEqual([]);
  });

  it("an env var a flag overrides is not read, so it is not warned about", async () => {
    const run = await runInProcess(["take", "--dry-run", "--pattern", "prod"], {
      gateway: world(),
      env: { PATTERN: "something-else" },
    });

    expect(run.stderr).not.toContain("PATTERN=");
  });
});

describe("schemaVersion", () => {
  it.each([
    ["plan take", ["plan", "take", "--json"]],
    ["take", ["take", "--json"]],
    ["doctor", ["doctor", "--json"]],
    ["status", ["status", "--json"]],
    ["list", ["list", "--json"]],
    ["wait", ["wait", "--json"]],
    ["plan verify", ["plan", "verify", "--json"]],
    ["an error", ["take", "--interval", "zero", "--json"]],
  ])("%s: the JSON document carries schemaVersion", async (_, args) => {
    const run = await runInProcess(args, { gateway: world() });

    expect((JSON.parse(run.stdout) as Doc).schemaVersion).toBe(SCHEMA_VERSION);
    expect(SCHEMA_VERSION).toBe(1);
  });
});
