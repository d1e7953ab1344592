import { readFileSync } from "node:fs";

import { REASONS, STATUS_REASONS } from "@aurora-snapshot-tool/core";
import {
  InMemoryRds,
  SimVerifyChecks,
  aCluster,
  simFleetClients,
  simulatedVerifyGateway,
} from "@aurora-snapshot-tool/core/testing";
import { describe, expect, it } from "vitest";

import packageJson from "../package.json" with { type: "json" };
import { ACCOUNT, fakeGateway } from "./support/fake-gateway.js";
import { runInProcess } from "./support/run-in-process.js";

/*
 * output.schema.json checked against the real documents the commands print. The repository has
 * no JSON Schema validator among its dependencies, so this is a small one for the keywords the
 * schema uses; a keyword it does not know is an error, so the schema cannot rely on one silently.
 */
type Schema = { readonly [keyword: string]: unknown };

const SCHEMA = JSON.parse(
  readFileSync(new URL("../output.schema.json", import.meta.url), "utf8"),
) as Schema;

const ANNOTATIONS = new Set(["$schema", "$id", "$defs", "title", "description"]);
const KEYWORDS = new Set([
  "$ref",
  "type",
  "enum",
  "const",
  "properties",
  "required",
  "additionalProperties",
  "items",
  "oneOf",
  "anyOf",
  "allOf",
  "minimum",
]);

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

function resolveRef(ref: string): Schema {
  const name = /^#\/\$defs\/(.+)$/.exec(ref)?.[1];
  const target = name === undefined ? undefined : (SCHEMA["$defs"] as Record<string, Schema>)[name];
  if (target === undefined) throw new Error(`unresolvable $ref ${ref}`);
  return target;
}

/** The problems of `value` against `schema`, each with its JSON pointer; [] when it is valid. */
function validate(schema: Schema, value: unknown, at = ""): string[] {
  for (const keyword of Object.keys(schema)) {
    if (!KEYWORDS.has(keyword) && !ANNOTATIONS.has(keyword)) {
      throw new Error(`${at}: the test's validator does not know the keyword ${keyword}`);
    }
  }
  const problems: string[] = [];
  const where = at === "" ? "/" : at;
  if (typeof schema["$ref"] === "string")
    problems.push(...validate(resolveRef(schema["$ref"]), value, at));
  if (schema["type"] !== undefined) {
    const types = ([] as unknown[]).concat(schema["type"]);
    const actual = typeOf(value);
    if (!types.includes(actual) && !(actual === "integer" && types.includes("number"))) {
      return [...problems, `${where}: ${actual}, expected ${types.join(" or ")}`];
    }
  }
  if ("const" in schema && JSON.stringify(schema["const"]) !== JSON.stringify(value)) {
    problems.push(
      `${where}: ${JSON.stringify(value)}, expected ${JSON.stringify(schema["const"])}`,
    );
  }
  if (Array.isArray(schema["enum"]) && !schema["enum"].includes(value)) {
    problems.push(`${where}: ${JSON.stringify(value)} is not one of the enum`);
  }
  if (
    typeof schema["minimum"] === "number" &&
    typeof value === "number" &&
    value < schema["minimum"]
  ) {
    problems.push(`${where}: ${value} < ${schema["minimum"]}`);
  }
  if (typeOf(value) === "object") {
    const object = value as Record<string, unknown>;
    const properties = (schema["properties"] ?? {}) as Record<string, Schema>;
    for (const key of (schema["required"] ?? []) as string[]) {
      if (!(key in object)) problems.push(`${where}: missing ${key}`);
    }
    for (const [key, item] of Object.entries(object)) {
      const sub = properties[key];
      const extra = schema["additionalProperties"];
      if (sub !== undefined) problems.push(...validate(sub, item, `${at}/${key}`));
      else if (extra === false) problems.push(`${where}: unexpected property ${key}`);
      else if (typeof extra === "object" && extra !== null) {
        problems.push(...validate(extra as Schema, item, `${at}/${key}`));
      }
    }
  }
  if (Array.isArray(value) && schema["items"] !== undefined) {
    value.forEach((item, i) =>
      problems.push(...validate(schema["items"] as Schema, item, `${at}/${i}`)),
    );
  }
  for (const sub of (schema["allOf"] ?? []) as Schema[]) problems.push(...validate(sub, value, at));
  if (Array.isArray(schema["anyOf"])) {
    const results = (schema["anyOf"] as Schema[]).map((s) => validate(s, value, at));
    if (!results.some((r) => r.length === 0)) problems.push(`${where}: matches none of anyOf`);
  }
  if (Array.isArray(schema["oneOf"])) {
    const results = (schema["oneOf"] as Schema[]).map((s) => validate(s, value, at));
    const matching = results.filter((r) => r.length === 0).length;
    if (matching !== 1) {
      const closest = [...results].sort((a, b) => a.length - b.length)[0] ?? [];
      problems.push(`${where}: matches ${matching} of oneOf (closest: ${closest.join("; ")})`);
    }
  }
  return problems;
}

const world = () =>
  fakeGateway({
    clusters: [
      aCluster({ id: "prod-a", account: ACCOUNT }),
      aCluster({ id: "prod-b", account: ACCOUNT, status: "stopped" }),
    ],
  });

function verifyWorld() {
  const sim = new InMemoryRds({ now: new Date("2026-04-05T03:00:00Z") });
  sim.addCluster({ account: ACCOUNT, region: "us-east-1", id: "orders" });
  sim.addSnapshot({
    account: ACCOUNT,
    region: "us-east-1",
    id: "orders-2026-04-05-01-00",
    clusterId: "orders",
    tags: { CreatedBy: "Snapshot Tool for Aurora", shareAndCopy: "YES" },
  });
  return {
    gateway: simulatedVerifyGateway(sim, ACCOUNT, new SimVerifyChecks(sim)),
    now: () => sim.now(),
    sleep: async (ms: number) => {
      sim.advance(ms);
    },
  };
}

/** Two member accounts with a cluster each; the second has no role the central account may assume. */
function fleetWorld() {
  const sim = new InMemoryRds({ now: new Date("2026-04-05T03:00:00Z") });
  const targets = ["111111111111", "222222222222"].map((account) => {
    sim.addCluster({ account, region: "us-east-1", id: "orders" });
    return { account, region: "us-east-1", roleArn: `arn:aws:iam::${account}:role/member` };
  });
  sim.addRole({ account: "111111111111", name: "member", trustedAccounts: ["999999999999"] });
  return {
    targets: JSON.stringify(targets),
    options: { fleetClients: simFleetClients(sim, "999999999999"), now: () => sim.now() },
  };
}

describe("output.schema.json", () => {
  it.each([
    ["plan take", ["plan", "take", "--pattern", "prod"], {}],
    ["take (a step run)", ["take"], { RETENTION_DAYS: "9" }],
    ["plan prune", ["plan", "prune"], {}],
    ["status", ["status"], {}],
    ["doctor", ["doctor", "--interval", "12"], {}],
    ["list --all", ["list", "--all"], {}],
    ["wait, nothing in progress", ["wait"], {}],
    ["an invalid setting", ["take", "--interval", "zero"], {}],
    ["a usage error", ["take", "--bogus"], {}],
  ])("describes what %s prints with --json", async (_, args, env) => {
    const run = await runInProcess([...args, "--json"], { gateway: world(), env });

    const doc: unknown = JSON.parse(run.stdout);
    expect(validate(SCHEMA, doc)).toEqual([]);
  });

  it.each([
    ["plan verify", ["plan", "verify"]],
    ["verify", ["verify", "--timeout", "7200"]],
  ])("describes what %s prints with --json", async (_, args) => {
    const run = await runInProcess([...args, "--json"], verifyWorld());

    expect(run.code, run.stderr).toBe(0);
    expect(validate(SCHEMA, JSON.parse(run.stdout))).toEqual([]);
  });

  it.each([
    ["take --targets (a fleet run, one target unreachable)", ["take"]],
    ["plan take --targets", ["plan", "take"]],
  ])("describes what %s prints with --json", async (_, args) => {
    const { targets, options } = fleetWorld();
    const run = await runInProcess([...args, "--targets", targets, "--json"], options);

    const doc = JSON.parse(run.stdout) as { command: string; targets: object[] };
    expect(doc.command).toBe("fleet");
    expect(doc.targets).toHaveLength(2);
    expect(validate(SCHEMA, doc)).toEqual([]);
  });

  it("refuses a fleet document with an unknown target status or field", async () => {
    const { targets, options } = fleetWorld();
    const run = await runInProcess(["take", "--targets", targets, "--json"], options);
    const doc = JSON.parse(run.stdout) as Record<string, unknown> & { targets: object[] };

    const statuses = doc.targets.map((t) => ({ ...t, status: "partly" }));
    expect(validate(SCHEMA, { ...doc, targets: statuses })).not.toEqual([]);
    const extra = doc.targets.map((t) => ({ ...t, surprise: 1 }));
    expect(validate(SCHEMA, { ...doc, targets: extra })).not.toEqual([]);
  });

  it("refuses a document without schemaVersion, with an unknown field or an unknown reason", async () => {
    const run = await runInProcess(["plan", "take", "--json"], { gateway: world() });
    const doc = JSON.parse(run.stdout) as Record<string, unknown> & { decisions: object[] };

    const { schemaVersion: _dropped, ...unversioned } = doc;
    expect(validate(SCHEMA, unversioned)).not.toEqual([]);
    expect(validate(SCHEMA, { ...doc, surprise: 1 })).not.toEqual([]);
    const decisions = doc.decisions.map((d) => ({ ...d, reason: "no-such-reason" }));
    expect(validate(SCHEMA, { ...doc, decisions })).not.toEqual([]);
  });

  it("is published with the package, under its own export", () => {
    expect(packageJson.files).toContain("output.schema.json");
    expect(packageJson.exports["./output.schema.json"]).toBe("./output.schema.json");
  });

  it("lists exactly core's decision and status reasons", () => {
    const defs = SCHEMA["$defs"] as Record<string, { enum: string[] }>;
    expect(defs["reason"]?.enum).toEqual(Object.keys(REASONS).sort());
    expect(defs["statusReason"]?.enum).toEqual(Object.keys(STATUS_REASONS).sort());
  });
});
