/**
 * The fleet template's three functions over the in-memory RDS and STS: targets resolved and
 * written as the Map's items, one step per target through the port (role assumed, overrides
 * applied, errors named as the state machine's retriers expect), and the Map's results read back.
 */
import { ConfigError, SnapshotToolException, type ObjectStore } from "@aurora-snapshot-tool/core";
import { InMemoryRds, simFleetClients } from "@aurora-snapshot-tool/core/testing";
import { describe, expect, it } from "vitest";

import {
  TargetUnreachable,
  createFleetReportHandler,
  createFleetStepHandler,
  createFleetTargetsHandler,
} from "../src/runtime/index.js";
import { optionsOverSim } from "./support/sim-handlers.js";

const CENTRAL = "999999999999";
const MEMBER = "111111111111";
const OTHER = "222222222222";
const ROLE = "aurora-snapshot-tool-member";
const ENV = {
  AWS_REGION: "us-east-1",
  PATTERN: "ALL_CLUSTERS",
  INTERVAL: "24",
  FLEET_RESULTS_BUCKET: "fleet-results",
  DEPLOYMENT_NAME: "fleet",
};

function memoryStore(): ObjectStore & { objects: Map<string, string> } {
  const objects = new Map<string, string>();
  return {
    objects,
    get: async (bucket, key) => {
      const text = objects.get(`${bucket}/${key}`);
      if (text === undefined) throw new Error(`NoSuchKey: ${bucket}/${key}`);
      return text;
    },
    put: async (bucket, key, text) => {
      objects.set(`${bucket}/${key}`, text);
    },
  };
}

function aFleet() {
  const sim = new InMemoryRds({ now: new Date("2026-06-01T02:00:00Z") });
  sim.addRole({ account: MEMBER, name: ROLE, trustedAccounts: [CENTRAL] });
  sim.addCluster({ account: MEMBER, region: "eu-west-1", id: "orders" });
  sim.addCluster({ account: OTHER, region: "eu-west-1", id: "ledger" });
  return sim;
}

const stepHandler = (sim: InMemoryRds, env: Record<string, string> = ENV) => {
  const { options, logged, emf } = optionsOverSim(sim, CENTRAL, env);
  return {
    handler: createFleetStepHandler({ ...options, targetClients: simFleetClients(sim, CENTRAL) }),
    logged,
    emf,
  };
};

const roleOf = (account: string) => `arn:aws:iam::${account}:role/${ROLE}`;

describe("fleet-step", () => {
  it("runs the step in the target's account through its role and returns the counts", async () => {
    const sim = aFleet();
    const { handler } = stepHandler(sim);
    const out = await handler({
      step: "take",
      target: { account: MEMBER, region: "eu-west-1", roleArn: roleOf(MEMBER) },
    });
    expect(out).toMatchObject({
      step: "take",
      account: MEMBER,
      region: "eu-west-1",
      status: "complete",
      done: 1,
    });
    expect(sim.snapshots({ account: MEMBER, type: "manual" }).map((s) => s.clusterId)).toEqual([
      "orders",
    ]);
    expect(sim.snapshots({ account: CENTRAL, type: "manual" })).toEqual([]);
  });

  it("throws TargetUnreachable for a role that cannot be assumed, acting nowhere", async () => {
    const sim = aFleet();
    const { handler } = stepHandler(sim);
    const run = handler({
      step: "take",
      target: { account: OTHER, region: "eu-west-1", roleArn: roleOf(OTHER) },
    });
    await expect(run).rejects.toBeInstanceOf(TargetUnreachable);
    await expect(run).rejects.toMatchObject({ name: "TargetUnreachable" });
    expect(sim.snapshots({ type: "manual" })).toEqual([]);
  });

  it("throws TargetUnreachable when the credentials act in another account than the target's", async () => {
    const sim = aFleet();
    const { handler } = stepHandler(sim);
    await expect(
      handler({ step: "take", target: { account: OTHER, region: "eu-west-1" } }),
    ).rejects.toMatchObject({
      name: "TargetUnreachable",
    });
    expect(sim.snapshots({ type: "manual" })).toEqual([]);
  });

  it("applies the target's overrides, and refuses a bad one with ConfigError before any call", async () => {
    const sim = aFleet();
    const { handler } = stepHandler(sim);
    await expect(
      handler({
        step: "take",
        target: {
          account: MEMBER,
          region: "eu-west-1",
          roleArn: roleOf(MEMBER),
          overrides: { intervalHours: "x" },
        },
      }),
    ).rejects.toBeInstanceOf(ConfigError);
    expect(sim.calls).toEqual([]);
    const out = await handler({
      step: "take",
      target: {
        account: MEMBER,
        region: "eu-west-1",
        roleArn: roleOf(MEMBER),
        overrides: { clusterPattern: "^none$" },
      },
    });
    expect(out.done).toBe(0);
  });

  it("throws SnapshotToolException when the run left work, and publishes per-target metrics only when asked", async () => {
    const sim = aFleet();
    sim.failOn({
      operation: "CreateDBClusterSnapshot",
      error: "SnapshotQuotaExceeded",
      account: MEMBER,
    });
    const quiet = stepHandler(sim);
    const event = {
      step: "take",
      target: { account: MEMBER, region: "eu-west-1", roleArn: roleOf(MEMBER) },
    };
    await expect(quiet.handler(event)).rejects.toBeInstanceOf(SnapshotToolException);
    expect(quiet.emf.lines).toEqual([]);
    const loud = stepHandler(sim, { ...ENV, FLEET_PER_TARGET_METRICS: "TRUE" });
    await expect(loud.handler(event)).rejects.toBeInstanceOf(SnapshotToolException);
    const dims = loud.emf.metrics().map((m) => m.dimensions);
    expect(dims).toContainEqual({
      Deployment: "fleet",
      Step: "take",
      Account: MEMBER,
      Region: "eu-west-1",
    });
  });
});

describe("fleet-targets and fleet-report", () => {
  it("writes the targets as Map items and reads the Map's results back into the report", async () => {
    const sim = aFleet();
    const store = memoryStore();
    const { options } = optionsOverSim(sim, CENTRAL, {
      ...ENV,
      FLEET_TARGETS: JSON.stringify([
        { account: MEMBER, region: "eu-west-1", roleArn: roleOf(MEMBER) },
        { account: OTHER, region: "eu-west-1", roleArn: roleOf(OTHER) },
        { account: OTHER, region: "us-east-1", roleArn: roleOf(OTHER) },
      ]),
    });
    const targets = createFleetTargetsHandler({ ...options, store });
    const out = await targets({ step: "take", execution: "run-1" });
    expect(out).toEqual({ bucket: "fleet-results", key: "targets/take/run-1.json", count: 3 });
    const items = JSON.parse(
      store.objects.get("fleet-results/targets/take/run-1.json")!,
    ) as unknown[];
    expect(items[0]).toEqual({
      step: "take",
      target: { account: MEMBER, region: "eu-west-1", roleArn: roleOf(MEMBER) },
    });

    // The Map ran the first two items (one succeeded, one failed); the third never started.
    const entry = (item: unknown, status: string, extra: object) => ({
      ExecutionArn: "arn:aws:states:us-east-1:999999999999:execution:x:y",
      Input: JSON.stringify(item),
      Status: status,
      ...extra,
    });
    store.objects.set(
      "fleet-results/results/m/SUCCEEDED_0.json",
      JSON.stringify([
        entry(items[0], "SUCCEEDED", {
          Output: JSON.stringify({
            step: "take",
            account: MEMBER,
            region: "eu-west-1",
            status: "complete",
            done: 1,
          }),
        }),
      ]),
    );
    store.objects.set(
      "fleet-results/results/m/FAILED_0.json",
      JSON.stringify([
        entry(items[1], "FAILED", { Error: "TargetUnreachable", Cause: "AssumeRole denied" }),
      ]),
    );
    store.objects.set(
      "fleet-results/results/m/manifest.json",
      JSON.stringify({
        ResultFiles: {
          SUCCEEDED: [{ Key: "results/m/SUCCEEDED_0.json", Size: 1 }],
          FAILED: [{ Key: "results/m/FAILED_0.json", Size: 1 }],
          PENDING: [],
        },
      }),
    );
    const reportOptions = optionsOverSim(sim, CENTRAL, ENV);
    const report = createFleetReportHandler({ ...reportOptions.options, store });
    const summary = await report({
      step: "take",
      execution: "run-1",
      results: { ResultWriterDetails: { Bucket: "fleet-results", Key: "results/m/manifest.json" } },
      targets: { bucket: "fleet-results", key: "targets/take/run-1.json" },
    });
    expect(summary).toMatchObject({
      targets: 3,
      complete: 1,
      unreachable: 1,
      incomplete: 2,
      reportKey: "reports/take/run-1.json",
    });
    expect(
      summary.incompleteTargets.map((t) => `${t.account}/${t.region}:${t.status}:${t.error}`),
    ).toEqual([
      `${OTHER}/eu-west-1:unreachable:TargetUnreachable`,
      `${OTHER}/us-east-1:incomplete:NotRun`,
    ]);
    expect(store.objects.has("fleet-results/reports/take/run-1.json")).toBe(true);
    const metrics = reportOptions.emf.metrics().map((m) => [m.name, m.value]);
    expect(metrics).toEqual(
      expect.arrayContaining([
        ["TargetsComplete", 1],
        ["TargetsUnreachable", 1],
        ["TargetsIncomplete", 1],
      ]),
    );
  });

  it("refuses an execution name that could leave the prefix, and an unknown step", async () => {
    const sim = aFleet();
    const { options } = optionsOverSim(sim, CENTRAL, { ...ENV, FLEET_TARGETS: "[]" });
    const targets = createFleetTargetsHandler({ ...options, store: memoryStore() });
    await expect(targets({ step: "take", execution: "../x" })).rejects.toBeInstanceOf(ConfigError);
    await expect(targets({ step: "destroy", execution: "x" })).rejects.toBeInstanceOf(ConfigError);
  });
});
