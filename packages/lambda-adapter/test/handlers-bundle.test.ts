/**
 * The deployable zips as `pnpm package` writes them: names, contents, reproducibility, and each
 * bundle loaded by a fresh Node process from a folder with no node_modules anywhere above it,
 * as Lambda loads it. Timings and sizes are printed for the record, never asserted.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";

import { startMotoServer, type MotoServer } from "@aurora-snapshot-tool/test-support";
import type { RDSClient } from "@aws-sdk/client-rds";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import {
  BUNDLE_FILE,
  LAMBDA_ARTIFACTS,
  contentAddressTemplate,
  packageLambdas,
  type PackageResult,
} from "../scripts/package.js";
import {
  AWAY,
  HOME,
  TOOL,
  aSnapshot,
  anAuroraCluster,
  manualSnapshots,
  namesOf,
  rdsClient,
  tagsOf,
  takeTags,
  toolName,
} from "./support/handlers-fixtures.js";

const run = promisify(execFile);
const ORIGINAL_ZIPS = [
  "copy_snapshots_dest_aurora.zip",
  "copy_snapshots_no_x_account_aurora.zip",
  "delete_old_snapshots_aurora.zip",
  "delete_old_snapshots_dest_aurora.zip",
  "delete_old_snapshots_no_x_account_aurora.zip",
  "share_snapshots_aurora.zip",
  "take_snapshots_aurora.zip",
];
/** The functions this tool adds, each zip with the TOOL_SIDE it defaults to (fleet's: none). */
const ADDED_ZIPS: Record<string, Record<string, string>> = {
  "status_aurora.zip": { TOOL_SIDE: "source" },
  "status_dest_aurora.zip": { TOOL_SIDE: "destination" },
  "verify_aurora.zip": { TOOL_SIDE: "source" },
  "verify_dest_aurora.zip": { TOOL_SIDE: "destination" },
  "fleet_targets_aurora.zip": {},
  "fleet_step_aurora.zip": {},
  "fleet_report_aurora.zip": {},
};
const ALL_ZIPS = [...ORIGINAL_ZIPS, ...Object.keys(ADDED_ZIPS)].sort();
const TEMPLATES_DIR = new URL("../templates/", import.meta.url);

let workDir: string;
let packaged: PackageResult;
/** Where each zip was unpacked, by zip name. */
const unpacked = new Map<string, string>();
const importTimes = new Map<string, number>();

/** Entries and integrity of a zip as Python's zipfile (an independent reader) sees them. */
async function pythonZipInfo(
  zip: string,
  extractTo?: string,
): Promise<{ names: string[]; corrupt: string | null; modes: number[] }> {
  const script = [
    "import json, sys, zipfile",
    "z = zipfile.ZipFile(sys.argv[1])",
    "info = {'names': z.namelist(), 'corrupt': z.testzip(),",
    "        'modes': [i.external_attr >> 16 for i in z.infolist()]}",
    "if len(sys.argv) > 2: z.extractall(sys.argv[2])",
    "print(json.dumps(info))",
  ].join("\n");
  const args = ["-c", script, zip, ...(extractTo ? [extractTo] : [])];
  const { stdout } = await run("python3", args);
  return JSON.parse(stdout) as { names: string[]; corrupt: string | null; modes: number[] };
}

/**
 * Runs `code` as an ES module in a fresh Node process whose environment holds only PATH and
 * `env`, with BUNDLE set to the file URL of the unpacked index.mjs; returns its last stdout line.
 */
async function inFreshNode(zip: string, code: string, env: Record<string, string> = {}) {
  const dir = unpacked.get(zip);
  if (!dir) throw new Error(`${zip} was not unpacked`);
  const { stdout } = await run(process.execPath, ["--input-type=module", "-e", code], {
    cwd: dir,
    env: {
      PATH: process.env["PATH"] ?? "",
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      BUNDLE: pathToFileURL(join(dir, BUNDLE_FILE)).href,
      ...env,
    },
  });
  const last = stdout.trim().split("\n").at(-1) ?? "";
  return JSON.parse(last) as Record<string, unknown>;
}

beforeAll(async () => {
  // Under the OS temp folder, outside the checkout: a bare import that esbuild failed to bundle
  // cannot be rescued by a node_modules folder further up.
  workDir = await mkdtemp(join(tmpdir(), "snapshot-tool-bundles-"));
  packaged = await packageLambdas({ outDir: join(workDir, "artifacts") });
  for (const artifact of packaged.artifacts) {
    const dir = join(workDir, "unpacked", basename(artifact.zip, ".zip"));
    await pythonZipInfo(artifact.path, dir);
    unpacked.set(artifact.zip, dir);
  }
}, 180_000);

afterAll(async () => {
  if (packaged) {
    const rows = packaged.artifacts.map((a) => ({
      zip: a.zip,
      "zip KiB": +(a.zipBytes / 1024).toFixed(1),
      "index.mjs KiB": +(a.bundleBytes / 1024).toFixed(1),
      "cold import ms": importTimes.has(a.zip) ? +importTimes.get(a.zip)!.toFixed(0) : null,
    }));
    console.log("bundles (for the record, not asserted):");
    console.table(rows);
  }
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe("pnpm package", () => {
  it("writes the seven zips under the original tool's names, and the added functions' zips", () => {
    expect(packaged.artifacts.map((a) => a.zip).sort()).toEqual(ALL_ZIPS);
    expect(LAMBDA_ARTIFACTS.map((a) => a.zip).sort()).toEqual(ALL_ZIPS);
  });

  it("puts index.mjs, and nothing else, at the root of every zip, intact and world-readable", async () => {
    for (const artifact of packaged.artifacts) {
      const info = await pythonZipInfo(artifact.path);
      expect(info, artifact.zip).toEqual({
        names: ["index.mjs"],
        corrupt: null,
        modes: [0o100644],
      });
    }
  });

  it("builds byte-identical zips from the same sources", async () => {
    const again = await packageLambdas({ outDir: join(workDir, "again") });
    const digest = (r: PackageResult) => r.artifacts.map((a) => [a.zip, a.sha256]);
    expect(digest(again)).toEqual(digest(packaged));
    const first = await readFile(packaged.artifacts[0]!.path);
    expect(createHash("sha256").update(first).digest("hex")).toBe(packaged.artifacts[0]!.sha256);
  }, 180_000);

  it("writes every template next to the zips, its S3Keys content-addressed, so one folder is uploaded", async () => {
    const templates = (await readdir(TEMPLATES_DIR)).filter((n) => n.endsWith(".yaml")).sort();
    expect(packaged.templates.map((p) => basename(p)).sort()).toEqual(templates);
    const keys = new Map(packaged.artifacts.map((a) => [a.zip, a.key]));
    for (const name of templates) {
      const written = await readFile(join(packaged.outDir, name), "utf8");
      const source = await readFile(new URL(name, TEMPLATES_DIR), "utf8");
      expect(written).toBe(contentAddressTemplate(source, keys));
    }
  });

  it("builds the no_x_account zips with CROSS_ACCOUNT_COPY defaulting to FALSE, and only them", () => {
    const defaults = Object.fromEntries(packaged.artifacts.map((a) => [a.zip, a.envDefaults]));
    for (const zip of ORIGINAL_ZIPS) {
      expect(defaults[zip], zip).toEqual(
        zip.includes("no_x_account") ? { CROSS_ACCOUNT_COPY: "FALSE" } : {},
      );
    }
  });

  it("builds each added function's zip with its TOOL_SIDE default", () => {
    const defaults = Object.fromEntries(packaged.artifacts.map((a) => [a.zip, a.envDefaults]));
    for (const [zip, expected] of Object.entries(ADDED_ZIPS)) {
      expect(defaults[zip], zip).toEqual(expected);
    }
  });
});

describe("each bundled index.mjs", () => {
  it.each(ALL_ZIPS)(
    "of %s loads standalone in a fresh Node process and exports handler",
    async (zip) => {
      const loaded = await inFreshNode(
        zip,
        [
          "const started = performance.now();",
          "const m = await import(process.env.BUNDLE);",
          "const ms = performance.now() - started;",
          "console.log(JSON.stringify({ handler: typeof m.handler, exports: Object.keys(m), ms }));",
        ].join("\n"),
      );
      expect(loaded).toMatchObject({ handler: "function", exports: ["handler"] });
      importTimes.set(zip, loaded["ms"] as number);
    },
    30_000,
  );
});

describe("the zips against moto_server", () => {
  let moto: MotoServer;
  let rds: RDSClient;
  let rdsAway: RDSClient;
  let snapshot: string;

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
    await anAuroraCluster(rds, "orders");
    snapshot = toolName("orders", 0);
    await aSnapshot(rds, "orders", snapshot, takeTags(snapshot));
  });

  /** The bundled handler of `zip`, invoked as Lambda would, with the original env vars. */
  function invokeBundled(zip: string, vars: Record<string, string>) {
    return inFreshNode(
      zip,
      [
        "const { handler } = await import(process.env.BUNDLE);",
        "const context = { awsRequestId: 'bundle-test', functionName: 'bundle-test',",
        "  getRemainingTimeInMillis: () => 300000 };",
        "try {",
        "  console.log(JSON.stringify(await handler({}, context)));",
        "} catch (error) {",
        "  console.log(JSON.stringify({ error: error.name, message: error.message }));",
        "}",
      ].join("\n"),
      {
        AWS_ENDPOINT_URL: moto.endpoint,
        AWS_REGION: HOME,
        AWS_ACCESS_KEY_ID: "testing",
        AWS_SECRET_ACCESS_KEY: "testing",
        AWS_EC2_METADATA_DISABLED: "true",
        SNAPSHOT_PATTERN: "ALL_SNAPSHOTS",
        DEST_REGION: AWAY,
        RETENTION_DAYS: "7",
        COPY_POLL_SECONDS: "0",
        ...vars,
      },
    );
  }

  it("copy_snapshots_no_x_account_aurora.zip copies the account's own snapshots when CROSS_ACCOUNT_COPY is unset", async () => {
    const result = await invokeBundled("copy_snapshots_no_x_account_aurora.zip", {});

    expect(result).toMatchObject({ step: "copy", done: 1, failed: 0, pending: 0 });
    const copies = await manualSnapshots(rdsAway);
    expect(namesOf(copies)).toEqual([snapshot]);
    expect(tagsOf(copies[0]!)).toMatchObject({ CopiedBy: TOOL });
  }, 30_000);

  it("copy_snapshots_dest_aurora.zip, with the same environment, copies only what is shared in", async () => {
    const result = await invokeBundled("copy_snapshots_dest_aurora.zip", {});

    expect(result).toMatchObject({ step: "copy", done: 0, failed: 0, pending: 0 });
    expect(await manualSnapshots(rdsAway)).toEqual([]);
  }, 30_000);

  it("an explicit CROSS_ACCOUNT_COPY=TRUE wins over the no_x_account zip's default", async () => {
    const result = await invokeBundled("copy_snapshots_no_x_account_aurora.zip", {
      CROSS_ACCOUNT_COPY: "TRUE",
    });

    expect(result).toMatchObject({ done: 0 });
    expect(await manualSnapshots(rdsAway)).toEqual([]);
  }, 30_000);

  it("status_aurora.zip reads the source side, status_dest_aurora.zip the destination's, each by its TOOL_SIDE default", async () => {
    const source = await invokeBundled("status_aurora.zip", {});
    const dest = await invokeBundled("status_dest_aurora.zip", {});
    const explicit = await invokeBundled("status_dest_aurora.zip", { TOOL_SIDE: "source" });

    expect(source).toMatchObject({ side: "source" });
    expect(source["places"]).toContainEqual(
      expect.objectContaining({ cluster: "orders", place: "source", state: "protected" }),
    );
    expect(dest).toMatchObject({ side: "destination" });
    expect(explicit).toMatchObject({ side: "source" });
  }, 30_000);

  it("a bundled handler rejects a bad value with a ConfigError, as the sources do", async () => {
    const result = await invokeBundled("delete_old_snapshots_no_x_account_aurora.zip", {
      RETENTION_DAYS: "0",
    });

    expect(result).toMatchObject({ error: "ConfigError" });
    expect(String(result["message"])).toContain("RETENTION_DAYS");
  }, 30_000);
});
