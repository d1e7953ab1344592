/**
 * One scenario, two adapters: the same in-memory fleet is run through the CLI (in-process, `--json`)
 * and through the Lambda handler (injected env, clients, clock and logger), each on its own fresh
 * copy of the fleet, and what they report is compared. No emulator and no process.env are involved.
 */

import {
  BLOCKED_REASONS,
  ConfigError,
  DEFERRED_REASONS,
  createClientFactory,
  type ClientFactory,
  type Decision,
  type ReportSummary,
  type ResultStatus,
} from "@aurora-snapshot-tool/core";
import { InMemoryRds, simulatedGateway } from "@aurora-snapshot-tool/core/testing";
import { afterEach, describe, expect, it, vi } from "vitest";

import { runCli } from "@aurora-snapshot-tool/cli";
import { createStepHandler, type HandlerResult } from "../src/runtime/step-handler.js";
import type { ReportLogger } from "../src/runtime/report-log.js";

const ACCOUNT = "111111111111";
const REGION = "us-east-1";
const START = new Date("2026-05-20T12:00:00Z");
const UP = "orders";
const DOWN = "billing";

/** A fresh fleet: two clusters with no snapshot yet (so both are due), `DOWN` stopped if asked. */
function aFleet(options: { stopped: boolean }): InMemoryRds {
  const sim = new InMemoryRds({ now: START });
  sim.addCluster({ account: ACCOUNT, region: REGION, id: UP });
  sim.addCluster({ account: ACCOUNT, region: REGION, id: DOWN });
  if (options.stopped)
    sim.setClusterStatus({ account: ACCOUNT, region: REGION, id: DOWN }, "stopped");
  return sim;
}

/** SDK clients for ACCOUNT that talk to `sim` only. */
function clientsOver(sim: InMemoryRds): ClientFactory {
  return createClientFactory({
    credentials: { accessKeyId: "x", secretAccessKey: "x" },
    plugins: (region) => [sim.plugin(ACCOUNT, region)],
    retryStrategy: sim.retryStrategy(),
  });
}

interface DecisionJson {
  readonly cluster: string;
  readonly action: string;
  readonly reason: string;
  readonly snapshot: string | null;
  readonly status: ResultStatus;
}

interface CliRun {
  readonly code: number;
  readonly doc: { decisions: DecisionJson[]; summary: ReportSummary };
  readonly stderr: string;
}

async function takeThroughCli(sim: InMemoryRds): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(["take", "--json"], {
    stdout: { write: (t: string) => (stdout += t), isTTY: false },
    stderr: { write: (t: string) => (stderr += t), isTTY: false },
    env: { AWS_REGION: REGION },
    gateway: () => simulatedGateway(sim, ACCOUNT),
    now: () => sim.now(),
    retry: { retries: 0 },
  });
  return { code, doc: JSON.parse(stdout) as CliRun["doc"], stderr };
}

interface LogEntry {
  readonly level: "debug" | "info" | "warn" | "error";
  readonly message: string;
  readonly fields: Record<string, unknown>;
}

/** A logger factory that records every line at every level, and the level the handler asked for. */
function aRecordingLogger() {
  const entries: LogEntry[] = [];
  const levels: string[] = [];
  const record =
    (level: LogEntry["level"]) =>
    (message: string, fields: Record<string, unknown>): void => {
      entries.push({ level, message, fields });
    };
  const logger: ReportLogger = {
    debug: record("debug"),
    info: record("info"),
    warn: record("warn"),
    error: record("error"),
  };
  return {
    entries,
    levels,
    factory: (level: string): ReportLogger => {
      levels.push(level);
      return logger;
    },
  };
}

function takeHandlerOver(
  sim: InMemoryRds,
  log: ReturnType<typeof aRecordingLogger>,
  env: Record<string, string> = {},
) {
  return createStepHandler("take", {
    env: { AWS_REGION: REGION, LOG_LEVEL: "INFO", ...env },
    clients: clientsOver(sim),
    clock: () => sim.now().getTime(),
    logger: log.factory,
  });
}

const SUMMARY_KEYS = [
  "done",
  "failed",
  "pending",
  "deferred",
  "blocked",
  "skipped",
  "complete",
] as const;

/** The summary fields of the handler's `take finished` line. */
function finishedSummary(entries: readonly LogEntry[]): Record<string, unknown> {
  const finished = entries.filter((e) => e.message === "take finished");
  expect(finished).toHaveLength(1);
  const [line] = finished;
  expect(line?.level).toBe("info");
  return Object.fromEntries(SUMMARY_KEYS.map((key) => [key, line?.fields[key]]));
}

/**
 * What became of each decision, read from the handler's log alone: each decision is logged at
 * DEBUG, each action's outcome on its own line; a decision with no outcome line is a skip, deferred
 * when its reason is work left for a later run.
 */
function statusesFromLog(entries: readonly LogEntry[]): Record<string, string> {
  const outcomeOf = new Map<Decision, string>();
  const outcomes = {
    "action done": "done",
    "action pending": "pending",
    "action failed": "failed",
  };
  for (const entry of entries) {
    const status = outcomes[entry.message as keyof typeof outcomes];
    if (status !== undefined) outcomeOf.set(entry.fields["decision"] as Decision, status);
  }
  const decisions = entries
    .filter((e) => e.message === "decision")
    .map((e) => e.fields["decision"] as Decision);
  return Object.fromEntries(
    decisions.map((d) => [
      d.cluster,
      outcomeOf.get(d) ??
        (DEFERRED_REASONS.has(d.reason)
          ? "deferred"
          : BLOCKED_REASONS.has(d.reason)
            ? "blocked"
            : "skipped"),
    ]),
  );
}

function statusesFromCli(doc: CliRun["doc"]): Record<string, string> {
  return Object.fromEntries(doc.decisions.map((d) => [d.cluster, d.status]));
}

describe("the same take through the CLI and the Lambda handler", () => {
  it("a selected cluster whose snapshot name would be too long is a gap in both: CLI exit 3 with a warning, handler throws naming it", async () => {
    const long = "orders-" + "x".repeat(43); // 50 characters: the identifier would be 67
    const fleet = (): InMemoryRds => {
      const sim = new InMemoryRds({ now: START });
      sim.addCluster({ account: ACCOUNT, region: REGION, id: UP });
      sim.addCluster({ account: ACCOUNT, region: REGION, id: long });
      return sim;
    };
    const log = aRecordingLogger();

    const cli = await takeThroughCli(fleet());
    const outcome = await takeHandlerOver(
      fleet(),
      log,
    )({}).then(
      () => undefined,
      (error: unknown) => error as Error,
    );

    expect(cli.code).toBe(3);
    expect(cli.doc.summary).toMatchObject({ done: 1, blocked: 1, complete: false });
    expect(statusesFromCli(cli.doc)).toEqual({ [UP]: "done", [long]: "blocked" });
    expect(cli.stderr).toContain(`(${long}) in ${REGION}: identifier-too-long; fix: shorten`);

    expect(outcome?.name).toBe("SnapshotToolException");
    // At the default level (ERROR) the failure line is all an operator sees: it names the gap.
    expect(outcome?.message).toContain(`${long}`);
    expect(outcome?.message).toContain("identifier-too-long");
    const warn = log.entries.find((e) => e.level === "warn" && e.fields["cluster"] === long);
    expect(warn?.fields).toMatchObject({ reason: "identifier-too-long" });
    expect(String(warn?.fields["fix"])).toMatch(/SNAPSHOT_NAME_PREFIX/);
    expect(finishedSummary(log.entries)).toEqual(cli.doc.summary);
  });

  it("a due cluster that is stopped leaves both incomplete: CLI exit 3, handler throws SnapshotToolException, and the same summary", async () => {
    const cliSim = aFleet({ stopped: true });
    const lambdaSim = aFleet({ stopped: true });
    const log = aRecordingLogger();

    const cli = await takeThroughCli(cliSim);
    const outcome = await takeHandlerOver(
      lambdaSim,
      log,
    )({}).then(
      (result) => ({ result, error: undefined }),
      (error: unknown) => ({ result: undefined, error }),
    );

    expect(cli.code).toBe(3);
    expect(outcome.result).toBeUndefined();
    expect(outcome.error).toBeInstanceOf(Error);
    expect((outcome.error as Error).name).toBe("SnapshotToolException");

    const expected: ReportSummary = {
      done: 1,
      failed: 0,
      pending: 0,
      deferred: 1,
      blocked: 0,
      skipped: 0,
      complete: false,
    };
    expect(cli.doc.summary).toEqual(expected);
    expect(finishedSummary(log.entries)).toEqual(cli.doc.summary);
    // The handler's failure line carries the same counts as its summary line.
    const failure = log.entries.find((e) => e.level === "error");
    expect(failure?.fields).toMatchObject({ errorName: "SnapshotToolException", ...expected });
  });

  it("a stopped cluster is deferred and the available one done, decision by decision, in both adapters", async () => {
    const cliSim = aFleet({ stopped: true });
    const lambdaSim = aFleet({ stopped: true });
    const log = aRecordingLogger();

    const cli = await takeThroughCli(cliSim);
    await expect(takeHandlerOver(lambdaSim, log)({})).rejects.toMatchObject({
      name: "SnapshotToolException",
    });

    expect(statusesFromCli(cli.doc)).toEqual({ [UP]: "done", [DOWN]: "deferred" });
    expect(cli.doc.decisions.find((d) => d.cluster === DOWN)).toMatchObject({
      action: "skip",
      reason: "cluster-unavailable",
      status: "deferred",
    });
    expect(statusesFromLog(log.entries)).toEqual(statusesFromCli(cli.doc));

    // Both planned the same decisions, same snapshot names included (both run at the sim's time).
    const loggedDecisions = log.entries
      .filter((e) => e.message === "decision")
      .map((e) => e.fields["decision"] as Decision);
    const shape = (d: { cluster: string; action: string; reason: string; snapshot?: unknown }) => ({
      cluster: d.cluster,
      action: d.action,
      reason: d.reason,
      snapshot: d.snapshot ?? null,
    });
    expect(loggedDecisions.map(shape)).toEqual(cli.doc.decisions.map(shape));

    // And each changed its own fleet alike: one snapshot, of the available cluster.
    const made = (sim: InMemoryRds) =>
      sim.snapshots({ account: ACCOUNT, type: "manual" }).map((s) => [s.clusterId, s.id]);
    expect(made(lambdaSim)).toEqual(made(cliSim));
    expect(made(cliSim).map(([cluster]) => cluster)).toEqual([UP]);
  });

  it("with both clusters available both complete: CLI exit 0 and the handler resolves with the summary the CLI printed", async () => {
    const cliSim = aFleet({ stopped: false });
    const lambdaSim = aFleet({ stopped: false });
    const log = aRecordingLogger();

    const cli = await takeThroughCli(cliSim);
    const result: HandlerResult = await takeHandlerOver(lambdaSim, log)({});

    expect(cli.code).toBe(0);
    expect(cli.doc.summary).toEqual({
      done: 2,
      failed: 0,
      pending: 0,
      deferred: 0,
      blocked: 0,
      skipped: 0,
      complete: true,
    });
    const { step, startedAt, finishedAt, ...summary } = result;
    expect(step).toBe("take");
    expect(summary).toEqual(cli.doc.summary);
    expect(finishedSummary(log.entries)).toEqual(cli.doc.summary);
    expect(statusesFromLog(log.entries)).toEqual(statusesFromCli(cli.doc));
    expect(statusesFromCli(cli.doc)).toEqual({ [UP]: "done", [DOWN]: "done" });
    // The handler's run is timed by the injected clock.
    expect(startedAt).toBe(START.toISOString());
    expect(finishedAt).toBe(START.toISOString());
  });
});

describe("createStepHandler with everything injected", () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it("needs no emulator and no process.env: every call goes through the injected clients, and the injected logger gets the LOG_LEVEL", async () => {
    // Values that would fail the run, or send it elsewhere, were process.env read.
    vi.stubEnv("AWS_REGION", "eu-west-3");
    vi.stubEnv("RETENTION_DAYS", "0");
    vi.stubEnv("LOG_LEVEL", "VERBOSE");
    vi.stubEnv("AWS_ENDPOINT_URL", "http://127.0.0.1:9");
    const sim = aFleet({ stopped: false });
    const log = aRecordingLogger();

    await takeHandlerOver(sim, log)({});

    expect(log.levels).toEqual(["INFO"]);
    expect(sim.calls.length).toBeGreaterThan(0);
    expect(sim.calls.every((c) => c.account === ACCOUNT && c.region === REGION)).toBe(true);
    expect(sim.calls.filter((c) => c.error !== undefined)).toEqual([]);
    expect(sim.callCounts()).toMatchObject({ CreateDBClusterSnapshot: 2 });
    expect(
      sim
        .snapshots({ account: ACCOUNT, type: "manual" })
        .map((s) => s.clusterId)
        .sort(),
    ).toEqual([DOWN, UP].sort());
  });

  it("rejects a bad RETENTION_DAYS with a ConfigError naming it, logged, before any call reaches the clients", async () => {
    const sim = aFleet({ stopped: false });
    const log = aRecordingLogger();

    const run = takeHandlerOver(sim, log, { RETENTION_DAYS: "0" })({});

    await expect(run).rejects.toBeInstanceOf(ConfigError);
    await expect(run).rejects.toMatchObject({ field: "RETENTION_DAYS", value: "0" });
    expect(sim.calls).toEqual([]);
    expect(log.entries).toEqual([
      expect.objectContaining({
        level: "error",
        message: "configuration rejected",
        fields: expect.objectContaining({ errorName: "ConfigError", field: "RETENTION_DAYS" }),
      }),
    ]);
  });
});

describe("the copy handler without SOURCE_ACCOUNTS", () => {
  const copyHandler = (env: Record<string, string>, log: ReturnType<typeof aRecordingLogger>) =>
    createStepHandler("copy", {
      env: { AWS_REGION: REGION, DEST_REGION: "us-west-2", LOG_LEVEL: "WARN", ...env },
      clients: clientsOver(new InMemoryRds({ now: START })),
      clock: () => START.getTime(),
      logger: log.factory,
    });

  it("logs one WARN per run saying any account's shares are copied, and none once it is set", async () => {
    const unset = aRecordingLogger();
    await copyHandler({}, unset)({});
    const warnings = unset.entries.filter(
      (e) => e.level === "warn" && e.message.includes("SOURCE_ACCOUNTS"),
    );
    expect(warnings).toHaveLength(1);

    const set = aRecordingLogger();
    await copyHandler({ SOURCE_ACCOUNTS: "333333333333" }, set)({});
    expect(set.entries.filter((e) => e.level === "warn")).toEqual([]);
  });
});
