import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/*
 * What a user of the published packages gets: both packages packed as `pnpm publish` would pack
 * them, checked with publint and attw, then installed with npm into an empty project, where the
 * library is imported and the command is run. This is the one test that reaches the npm registry:
 * npm fetches the tarballs' own dependencies (the SDK clients, commander, date-fns, ...).
 */

const run = promisify(execFile);
const repo = fileURLToPath(new URL("../../..", import.meta.url));
const bin = (name: string): string => join(repo, "node_modules", ".bin", name);
const PACKAGES = [
  { name: "@aurora-snapshot-tool/core", dir: join(repo, "packages", "core") },
  { name: "@aurora-snapshot-tool/cli", dir: join(repo, "packages", "cli-adapter") },
] as const;
const PROJECT_CLIENT_RDS = "3.1168.0";
const COMMANDS = [
  ...["take", "share", "prune", "copy", "prune-dest", "plan", "list", "doctor", "wait"],
  ...["verify", "status"],
];

/** npm and pnpm hand their settings to child processes as npm_* variables; a consumer has none. */
function consumerEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key) && key !== "PNPM_HOME"),
  );
  return { ...env, NO_COLOR: "1", NODE_NO_WARNINGS: "1" };
}

interface Packed {
  name: string;
  version: string;
  tarball: string;
  files: string[];
  manifest: { version: string; dependencies?: Record<string, string> };
}

let work: string;
let consumer: string;
const packed = new Map<string, Packed>();
const started = Date.now();

async function inConsumer(command: string, args: string[]) {
  return run(command, args, { cwd: consumer, env: consumerEnv(), maxBuffer: 64 * 1024 * 1024 });
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "ast-pack-"));
  for (const { name, dir } of PACKAGES) {
    const version = (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as Packed).version;
    await run("pnpm", ["pack", "--pack-destination", work], { cwd: dir, env: consumerEnv() });
    const tarball = join(work, `${name.replace("@", "").replace("/", "-")}-${version}.tgz`);
    const { stdout: listing } = await run("tar", ["-tzf", tarball]);
    const { stdout: manifest } = await run("tar", ["-xzOf", tarball, "package/package.json"]);
    packed.set(name, {
      name,
      version,
      tarball,
      files: listing.split("\n").filter(Boolean),
      manifest: JSON.parse(manifest) as Packed["manifest"],
    });
  }
  consumer = join(work, "consumer");
  mkdirSync(consumer);
  // A project that already uses the SDK, at a release other than the one the lockfile holds.
  const project = {
    name: "consumer",
    version: "1.0.0",
    private: true,
    type: "module",
    dependencies: { "@aws-sdk/client-rds": PROJECT_CLIENT_RDS },
  };
  writeFileSync(join(consumer, "package.json"), `${JSON.stringify(project, null, 2)}\n`);
  await inConsumer("npm", [
    "install",
    "--no-audit",
    "--no-fund",
    "--prefer-offline",
    "--loglevel=error",
    ...PACKAGES.map(({ name }) => packed.get(name)!.tarball),
  ]);
}, 600_000);

afterAll(() => {
  console.log(`pack-install: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (work) rmSync(work, { recursive: true, force: true });
});

describe.each(PACKAGES)("the $name tarball", ({ name, dir }) => {
  it("holds the README, the LICENSE of the repository and the built entry points", () => {
    const { files } = packed.get(name)!;
    // pnpm would add the root LICENSE to a package without one; npm publish would not
    expect(readFileSync(join(dir, "LICENSE"), "utf8")).toBe(
      readFileSync(join(repo, "LICENSE"), "utf8"),
    );
    expect(files).toContain("package/README.md");
    expect(files).toContain("package/LICENSE");
    expect(files).toContain("package/dist/index.js");
    expect(files).toContain("package/dist/index.d.ts");
    const license = readFileSync(join(consumer, "node_modules", name, "LICENSE"), "utf8");
    expect(license).toBe(readFileSync(join(repo, "LICENSE"), "utf8"));
    expect(license).toContain("Apache License\n                           Version 2.0");
    // no sources, tests or configs: only what a consumer runs or reads
    expect(files.filter((f) => /^package\/(src|test|scripts|bench)\//.test(f))).toEqual([]);
  });

  it("passes publint", { timeout: 120_000 }, async () => {
    const { stdout } = await run(bin("publint"), ["run", packed.get(name)!.tarball, "--strict"]);
    expect(stdout).toContain("All good!");
  });

  // Both packages are ESM only ("type": "module", exports with no "require" condition), so the
  // esm-only profile: node16 resolution from ESM and bundler resolution must be clean. It ignores
  // node10 (no exports support) and node16 from CommonJS, where attw reports any ESM-only package
  // as "CJS resolves to ESM"; at run time Node 20.19+ loads it with require(esm), tested below.
  it("passes attw for ESM consumers", { timeout: 120_000 }, async () => {
    await expect(
      run(bin("attw"), [packed.get(name)!.tarball, "--profile", "esm-only", "--format", "ascii"]),
    ).resolves.toBeDefined();
  });
});

describe("installed with npm into an empty project", () => {
  it("resolves the CLI's dependency on core to the packed core, not to a workspace link", async () => {
    const cli = packed.get("@aurora-snapshot-tool/cli")!;
    const core = packed.get("@aurora-snapshot-tool/core")!;
    expect(cli.manifest.dependencies?.["@aurora-snapshot-tool/core"]).toBe(core.version);
    const lock = JSON.parse(readFileSync(join(consumer, "package-lock.json"), "utf8")) as {
      packages: Record<string, { resolved?: string; version?: string }>;
    };
    const installed = lock.packages["node_modules/@aurora-snapshot-tool/core"];
    expect(installed?.version).toBe(core.version);
    expect(installed?.resolved).toMatch(/^file:/);
    // The whole tree is consistent: no missing or invalid peer or regular dependency.
    await expect(inConsumer("npm", ["ls", "--all"])).resolves.toBeDefined();
  });

  it("gets one copy of each SDK client: the project's own client-rds is the one core uses", async () => {
    const { stdout } = await inConsumer("npm", [
      "ls",
      "--all",
      "--parseable",
      "@aws-sdk/client-rds",
      "@aws-sdk/client-sts",
      "@aws-sdk/client-kms",
      "@aws-sdk/core",
    ]);
    const copies = stdout.split("\n").filter((line) => line.includes("node_modules/@aws-sdk/"));
    expect(copies.map((line) => line.slice(consumer.length)).sort()).toEqual([
      "/node_modules/@aws-sdk/client-kms",
      "/node_modules/@aws-sdk/client-rds",
      "/node_modules/@aws-sdk/client-sts",
      "/node_modules/@aws-sdk/core",
    ]);
    const rds = JSON.parse(
      readFileSync(join(consumer, "node_modules/@aws-sdk/client-rds/package.json"), "utf8"),
    ) as { version: string };
    expect(rds.version).toBe(PROJECT_CLIENT_RDS);
  });

  it("runs the core README's example as an ES module and prints what the README says", async () => {
    const readme = readFileSync(
      join(consumer, "node_modules", "@aurora-snapshot-tool", "core", "README.md"),
      "utf8",
    );
    const blocks = [...readme.matchAll(/```(\w+)\n([\s\S]*?)```/g)];
    const example = blocks.find(([, lang, code]) => lang === "js" && code!.includes("InMemoryRds"));
    const expected = blocks[blocks.indexOf(example!) + 1];
    expect(example).toBeDefined();
    expect(expected?.[1]).toBe("text");
    writeFileSync(join(consumer, "take.mjs"), example![2]!);
    const { stdout } = await inConsumer("node", ["take.mjs"]);
    expect(stdout).toBe(expected![2]);
    expect(stdout).toContain("take prod-orders prod-orders-2026-11-25-01-00 due");
  });

  it("plans with the pure planner through the main entry point", async () => {
    const script = `
      import { planTakeStep, sourcePolicyFromObject, REASONS } from "@aurora-snapshot-tool/core";
      import { InMemoryRds, simulatedGateway } from "@aurora-snapshot-tool/core/testing";
      const rds = new InMemoryRds({ now: new Date("2026-11-25T01:00:00Z") });
      rds.addCluster({ account: "111111111111", region: "eu-west-1", id: "orders", engine: "aurora-mysql" });
      rds.addCluster({ account: "111111111111", region: "eu-west-1", id: "graph", engine: "neptune" });
      const plan = await planTakeStep({
        gateway: simulatedGateway(rds, "111111111111"),
        policy: sourcePolicyFromObject({}),
        region: "eu-west-1",
        now: rds.now(),
      });
      console.log(JSON.stringify(plan.decisions.map((d) => [d.cluster, d.action, d.reason, typeof REASONS[d.reason]])));
      console.log(rds.snapshots({ type: "manual" }).length);`;
    const { stdout } = await inConsumer("node", ["--input-type=module", "-e", script]);
    expect(stdout.trim().split("\n")).toEqual([
      JSON.stringify([
        ["graph", "skip", "not-aurora", "string"],
        ["orders", "take", "due", "string"],
      ]),
      "0",
    ]);
  });

  // engines says >=20.19: the first Node 20 that loads an ES module with require() unflagged.
  it("loads the library with require() as well (require(esm))", async () => {
    const { stdout } = await inConsumer("node", [
      "-e",
      `const core = require("@aurora-snapshot-tool/core");
       const p = core.sourcePolicyFromObject({ retentionDays: 9 });
       console.log(typeof core.planTake, p.retentionDays);`,
    ]);
    expect(stdout.trim()).toBe("function 9");
  });

  it("runs `npx aurora-snapshot-tool --version` and prints the package version", async () => {
    const { stdout } = await inConsumer("npx", [
      "--no-install",
      "aurora-snapshot-tool",
      "--version",
    ]);
    expect(stdout.trim()).toBe(packed.get("@aurora-snapshot-tool/cli")!.version);
  });

  it("runs `npx aurora-snapshot-tool --help`, exit 0, listing every command", async () => {
    // execFile rejects on a non-zero exit, so resolving is the exit-0 check
    const { stdout } = await inConsumer("npx", ["--no-install", "aurora-snapshot-tool", "--help"]);
    const listed = [...stdout.matchAll(/^ {2}([a-z-]+)/gm)].map((m) => m[1]);
    expect(listed).toEqual(expect.arrayContaining(COMMANDS));
    expect(stdout).toContain("Usage: aurora-snapshot-tool");
  });
});
