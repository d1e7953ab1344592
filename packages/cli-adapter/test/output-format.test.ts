import { aCluster } from "@aurora-snapshot-tool/core/testing";
import { describe, expect, it } from "vitest";

import { ACCOUNT, fakeGateway } from "./support/fake-gateway.js";
import { runInProcess } from "./support/run-in-process.js";

const NOW = new Date("2026-12-01T10:00:00Z");

function world() {
  return fakeGateway({
    clusters: [
      aCluster({ id: "prod-a", account: ACCOUNT }),
      aCluster({ id: "prod-b", account: ACCOUNT }),
    ],
  });
}

function run(args: readonly string[]) {
  return runInProcess(args, { gateway: world(), now: NOW });
}

describe("--output", () => {
  it.each([[["plan", "take"]], [["status"]], [["list"]], [["list", "--all"]]])(
    "--output json prints the same bytes as --json (%j)",
    async (command) => {
      const json = await run([...command, "--json"]);
      const output = await run([...command, "--output", "json"]);
      const before = await run(["--output", "json", ...command]);

      expect(JSON.parse(json.stdout)).toBeTypeOf("object");
      expect(output.stdout).toBe(json.stdout);
      expect(before.stdout).toBe(json.stdout);
      expect(output.code).toBe(json.code);
    },
  );

  it("--output table is the table, as with no --output at all", async () => {
    const table = await run(["plan", "take", "--output", "table"]);
    const plain = await run(["plan", "take"]);

    expect(table.stdout).toBe(plain.stdout);
    expect(table.stdout).toMatch(/^STATUS\s+ACTION\s+CLUSTER/m);
  });

  it("--output text prints one tab-separated line per decision, no header, no colour", async () => {
    const text = await runInProcess(["plan", "take", "--output", "text"], {
      gateway: world(),
      now: NOW,
      tty: true,
    });
    const doc = JSON.parse((await run(["plan", "take", "--json"])).stdout) as {
      decisions: Record<string, unknown>[];
    };

    expect(text.code).toBe(0);
    const lines = text.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(doc.decisions.length);
    expect(text.stdout).not.toContain("\u001b[");
    expect(text.stdout).not.toMatch(/STATUS|CLUSTER/);
    const fields = lines.map((l) => l.split("\t"));
    // The fields in the JSON order: step, action, cluster, snapshot, region, ...
    expect(fields.map((f) => f.slice(0, 3))).toEqual([
      ["take", "take", "prod-a"],
      ["take", "take", "prod-b"],
    ]);
    expect(fields[0]?.[3]).toBe(doc.decisions[0]?.["snapshot"]);
    expect(new Set(fields.map((f) => f.length)).size).toBe(1);
  });

  it("--output text of status gives one line per cluster and place", async () => {
    const text = await run(["status", "--output", "text"]);
    const doc = JSON.parse((await run(["status", "--json"])).stdout) as { places: unknown[] };

    expect(text.stdout.trimEnd().split("\n")).toHaveLength(doc.places.length);
    expect(text.stdout.split("\n")[0]).toMatch(/^prod-a\t/);
  });

  it("refuses a format it does not know, and --json with --output table", async () => {
    const unknown = await run(["plan", "take", "--output", "yaml"]);
    const both = await run(["plan", "take", "--json", "--output", "table"]);

    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/--output.*json, table, text/s);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--output/);
  });
});

describe("--output json on failure", () => {
  it("prints the same error document as --json", async () => {
    const json = await run(["plan", "take", "--region", "nowhere", "--json"]);
    const output = await run(["--output", "json", "plan", "take", "--region", "nowhere"]);

    expect(json.code).toBe(2);
    expect(output.code).toBe(2);
    expect(output.stdout).toBe(json.stdout);
    expect(JSON.parse(output.stdout)).toMatchObject({ error: { kind: "invalid-input" } });
  });
});
