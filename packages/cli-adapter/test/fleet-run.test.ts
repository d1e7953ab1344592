import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { InMemoryRds, simFleetClients } from "@aurora-snapshot-tool/core/testing";
import { describe, expect, it } from "vitest";

import { runInProcess } from "./support/run-in-process.js";

/*
 * Fleet mode in-process over core's in-memory RDS and STS: the CLI resolves the targets, reaches
 * each account through its role (simFleetClients assumes it as the central account would) and
 * reports per target.
 */

const CENTRAL = "999999999999";
const MEMBERS = ["111111111111", "222222222222", "333333333333"];
const REGIONS = ["us-east-1", "eu-west-1"];
const ROLE = "aurora-snapshot-tool-member";
const NOW = new Date("2026-06-01T02:00:00Z");

interface TargetDoc {
  account: string;
  region: string;
  roleArn?: string;
  status: string;
  summary?: { done: number; failed: number; complete: boolean };
  error?: { code: string; message: string };
  results?: { action: string; cluster: string; account: string; region: string; status: string }[];
}

interface FleetDoc {
  schemaVersion: number;
  command: string;
  step: string;
  dryRun: boolean;
  counts: Record<string, number>;
  targets: TargetDoc[];
}

const roleArn = (account: string) => `arn:aws:iam::${account}:role/${ROLE}`;

/** Three member accounts, each with two clusters in two regions and the member role (or not). */
function anOrganisation(options: { noRoleIn?: string } = {}) {
  const sim = new InMemoryRds({ now: NOW });
  const targets: Record<string, unknown>[] = [];
  for (const account of MEMBERS) {
    if (account !== options.noRoleIn) {
      sim.addRole({ account, name: ROLE, trustedAccounts: [CENTRAL] });
    }
    for (const region of REGIONS) {
      sim.addCluster({ account, region, id: `orders-${account.slice(0, 3)}` });
      sim.addCluster({ account, region, id: "billing" });
      targets.push({ account, region, roleArn: roleArn(account) });
    }
  }
  return { sim, targets };
}

function aFile(content: string, name = "targets.json"): string {
  const path = join(mkdtempSync(join(tmpdir(), "ast-fleet-")), name);
  writeFileSync(path, content);
  return path;
}

function fleet(sim: InMemoryRds, args: readonly string[], env: Record<string, string> = {}) {
  return runInProcess(args, {
    fleetClients: simFleetClients(sim, CENTRAL),
    now: () => sim.now(),
    env: { PATTERN: "ALL_CLUSTERS", ...env },
  });
}

const manual = (sim: InMemoryRds, account: string, region?: string) =>
  sim
    .snapshots({ account, ...(region !== undefined && { region }), type: "manual" })
    .map((s) => s.clusterId)
    .sort();

describe("share --targets with the destination account set per target", () => {
  it("reads DEST_ACCOUNT from each target's overrides, as the Lambda fleet does", async () => {
    const { sim, targets } = anOrganisation();
    await fleet(sim, ["take", "--targets", aFile(JSON.stringify(targets))]);
    sim.advance({ minutes: 30 });
    const withDest = targets.map((t) => ({
      ...t,
      overrides: { destinationAccount: "444444444444" },
    }));
    const run = await fleet(sim, ["share", "--targets", aFile(JSON.stringify(withDest)), "--json"]);
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout) as FleetDoc;
    expect(doc.counts["complete"]).toBe(6);
    const shared = sim.snapshots({ account: MEMBERS[0]!, type: "manual" });
    expect(shared.length).toBeGreaterThan(0);
    expect(shared.every((s) => s.sharedWith.includes("444444444444"))).toBe(true);
  });
});

describe("take --targets (in-memory RDS)", () => {
  it("takes the snapshots of 3 accounts × 2 regions, each in its own account, and exits 0", async () => {
    const { sim, targets } = anOrganisation();
    const run = await fleet(sim, ["take", "--targets", aFile(JSON.stringify(targets)), "--json"]);

    expect(run.code, run.stderr).toBe(0);
    const doc = JSON.parse(run.stdout) as FleetDoc;
    expect(doc).toMatchObject({ schemaVersion: 1, command: "fleet", step: "take", dryRun: false });
    expect(doc.counts).toEqual({
      targets: 6,
      complete: 6,
      incomplete: 0,
      unreachable: 0,
      failed: 0,
    });
    expect(doc.targets.map((t) => `${t.account}/${t.region}`)).toEqual(
      MEMBERS.flatMap((a) => REGIONS.map((r) => `${a}/${r}`)),
    );
    for (const t of doc.targets) {
      expect(t.roleArn).toBe(roleArn(t.account));
      expect(t.summary?.done).toBe(2);
      expect(t.results?.every((d) => d.account === t.account && d.region === t.region)).toBe(true);
    }
    for (const account of MEMBERS) {
      for (const region of REGIONS) {
        expect(manual(sim, account, region)).toEqual(["billing", `orders-${account.slice(0, 3)}`]);
      }
    }
    expect(manual(sim, CENTRAL)).toEqual([]);
    // One progress line per finished target, on stderr.
    expect(run.stderr).toContain("take: 111111111111/us-east-1: complete (2 done)");
    expect(run.stderr.match(/^take: \d{12}\/[a-z0-9-]+: complete/gm)).toHaveLength(6);
  });

  it("prints one table line per target and a summary line", async () => {
    const { sim, targets } = anOrganisation();
    const run = await fleet(sim, [
      "take",
      "--targets",
      JSON.stringify(targets),
      "--max-concurrency",
      "2",
    ]);

    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.split("\n");
    expect(lines[0]).toBe("take over 6 targets");
    expect(lines[2]).toMatch(
      /^ACCOUNT\s+REGION\s+STATUS\s+DONE\s+FAILED\s+PENDING\s+SKIPPED\s+ERROR$/,
    );
    expect(lines[3]).toMatch(/^111111111111\s+us-east-1\s+complete\s+2\s+0\s+0\s+0\s+-$/);
    expect(run.stdout).toContain(
      "take: 6 targets: 6 complete, 0 incomplete, 0 unreachable, 0 failed\n",
    );
  });

  it("prints one tab-separated record per target with --output text", async () => {
    const { sim, targets } = anOrganisation();
    const run = await fleet(sim, [
      "take",
      "--targets",
      JSON.stringify(targets),
      "--output",
      "text",
    ]);

    expect(run.code, run.stderr).toBe(0);
    const records = run.stdout.trimEnd().split("\n");
    expect(records).toHaveLength(6);
    expect(records[0]?.split("\t").slice(0, 4)).toEqual([
      "111111111111",
      "us-east-1",
      roleArn("111111111111"),
      "complete",
    ]);
  });

  it("names a target whose role cannot be assumed unreachable, completes the others and exits 3", async () => {
    const { sim, targets } = anOrganisation({ noRoleIn: MEMBERS[1] });
    const file = aFile(JSON.stringify({ targets }));
    const json = await fleet(sim, ["take", "--targets", file, "--json"]);

    expect(json.code, json.stderr).toBe(3);
    const doc = JSON.parse(json.stdout) as FleetDoc;
    expect(doc.counts).toMatchObject({ targets: 6, complete: 4, unreachable: 2 });
    const bad = doc.targets.filter((t) => t.status !== "complete");
    expect(bad.map((t) => `${t.account}/${t.region}/${t.status}/${t.error?.code}`)).toEqual([
      `${MEMBERS[1]}/us-east-1/unreachable/AssumeRoleFailed`,
      `${MEMBERS[1]}/eu-west-1/unreachable/AssumeRoleFailed`,
    ]);
    expect(bad[0]?.summary).toBeUndefined();
    expect(bad[0]?.results).toBeUndefined();
    expect(json.stderr).toMatch(/take: 222222222222\/us-east-1: unreachable: AssumeRoleFailed: /);
    expect(manual(sim, MEMBERS[1]!)).toEqual([]);
    expect(manual(sim, MEMBERS[0]!)).toHaveLength(4);

    const table = await fleet(sim, ["take", "--targets", file]);
    expect(table.code).toBe(3);
    expect(table.stdout).toMatch(
      /^222222222222\s+us-east-1\s+unreachable\s+-\s+-\s+-\s+-\s+AssumeRoleFailed: /m,
    );
    expect(table.stdout).toContain(
      "take: 6 targets: 4 complete, 0 incomplete, 2 unreachable, 0 failed (incomplete: ",
    );
  });

  it("fails the one target with a bad override (ConfigError), runs the rest, and exits 3", async () => {
    const { sim, targets } = anOrganisation();
    targets[2] = { ...targets[2], overrides: { retentionDays: "soon" } };
    const run = await fleet(sim, ["take", "--targets", aFile(JSON.stringify(targets)), "--json"]);

    expect(run.code, run.stderr).toBe(3);
    const doc = JSON.parse(run.stdout) as FleetDoc;
    expect(doc.targets[2]).toMatchObject({
      account: MEMBERS[1],
      region: "us-east-1",
      status: "failed",
    });
    expect(doc.targets[2]?.error?.code).toBe("ConfigError");
    expect(doc.targets[2]?.error?.message).toContain("retentionDays");
    expect(doc.counts).toMatchObject({ complete: 5, failed: 1 });
    expect(manual(sim, MEMBERS[1]!, "us-east-1")).toEqual([]);
  });

  it("plans everywhere and exits 0 with plan take, changing nothing", async () => {
    const { sim, targets } = anOrganisation();
    const run = await fleet(sim, ["plan", "take", "--targets", JSON.stringify(targets), "--json"]);

    expect(run.code, run.stderr).toBe(0);
    const doc = JSON.parse(run.stdout) as FleetDoc;
    expect(doc.dryRun).toBe(true);
    expect(doc.targets.every((t) => (t.results ?? []).length === 2)).toBe(true);
    for (const account of MEMBERS) expect(manual(sim, account)).toEqual([]);
  });

  it("reads the targets from FLEET_TARGETS and the config file's top-level targets", async () => {
    const { sim, targets } = anOrganisation();
    const env = await fleet(sim, ["take", "--json"], {
      FLEET_TARGETS: JSON.stringify(targets.slice(0, 2)),
    });
    expect(env.code, env.stderr).toBe(0);
    expect((JSON.parse(env.stdout) as FleetDoc).counts.targets).toBe(2);

    const config = aFile(
      JSON.stringify({ targets: aFile(JSON.stringify(targets.slice(2, 5))) }),
      "config.json",
    );
    const file = await fleet(sim, ["take", "--config", config, "--json"]);
    expect(file.code, file.stderr).toBe(0);
    expect((JSON.parse(file.stdout) as FleetDoc).targets.map((t) => t.account)).toEqual([
      MEMBERS[1],
      MEMBERS[1],
      MEMBERS[2],
    ]);
  });
});

describe("take --targets: a bad targets document changes nothing and exits 2", () => {
  const target = (account: string, region = "us-east-1", role = account) => ({
    account,
    region,
    roleArn: roleArn(role),
  });

  it.each([
    ["a missing file", () => "/nonexistent/targets.json", ["--targets", "no such file"]],
    ["bad JSON", () => aFile("[{"), ["--targets", "a JSON targets document"]],
    [
      "a target listed twice",
      () => aFile(JSON.stringify([target(MEMBERS[0]!), target(MEMBERS[0]!)])),
      ["targets[1]", "each account and region once"],
    ],
    [
      "a role of another account",
      () => aFile(JSON.stringify([target(MEMBERS[0]!, "us-east-1", MEMBERS[1])])),
      ["targets[0].roleArn", "a role in the target's account"],
    ],
    [
      "an unknown key",
      () => aFile(JSON.stringify([{ ...target(MEMBERS[0]!), role: "x" }])),
      ["targets[0].role"],
    ],
  ])("%s", async (_, path, names) => {
    const { sim } = anOrganisation();
    const run = await fleet(sim, ["take", "--targets", path(), "--json"]);

    expect(run.code, run.stderr).toBe(2);
    const doc = JSON.parse(run.stdout) as { error: { kind: string; message: string } };
    expect(doc.error.kind).toBe("invalid-input");
    for (const name of names) expect(doc.error.message).toContain(name);
    expect(sim.calls).toEqual([]);
  });

  it("refuses --role-arn with --targets: each target names its own role", async () => {
    const { sim, targets } = anOrganisation();
    const run = await fleet(sim, [
      "take",
      "--targets",
      JSON.stringify(targets),
      "--role-arn",
      roleArn(MEMBERS[0]!),
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--role-arn");
    expect(sim.calls).toEqual([]);
  });

  it("refuses a --max-concurrency out of range, naming it", async () => {
    const { sim, targets } = anOrganisation();
    const run = await fleet(sim, [
      "take",
      "--targets",
      JSON.stringify(targets),
      "--max-concurrency",
      "0",
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--max-concurrency");
  });
});
