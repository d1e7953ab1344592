/**
 * The step handlers' CloudWatch metrics: after every run, core's runMetrics of its report as EMF
 * lines (before SnapshotToolException when work is left), and failedRunMetrics for a run that
 * ended without a report. Real runs over the in-memory RDS, the EMF lines captured through the
 * handler's `writeMetrics`.
 */
import { ConfigError, SnapshotToolException, type Step } from "@aurora-snapshot-tool/core";
import { InMemoryRds } from "@aurora-snapshot-tool/core/testing";
import { describe, expect, it } from "vitest";

import { createStepHandler } from "../src/runtime/step-handler.js";
import { optionsOverSim } from "./support/sim-handlers.js";
import type { EmfMetric } from "./support/emf.js";

const A = "111111111111"; // source account
const B = "222222222222"; // destination account
const HOME = "us-east-1";
const DR = "us-west-2";
const DR2 = "eu-west-1";
const START = new Date("2026-04-01T02:00:00Z");
const TOOL_TAGS = { CreatedBy: "Snapshot Tool for Aurora", shareAndCopy: "YES" };

/** A handler of `step` as `account` over `sim`, its logs and EMF lines recorded. */
function aHandler(
  step: Step,
  sim: InMemoryRds,
  account: string,
  env: Record<string, string>,
  writeMetrics?: (line: string) => void,
) {
  const { options, logged, emf } = optionsOverSim(
    sim,
    account,
    { AWS_REGION: HOME, ...env },
    writeMetrics,
  );
  const handler = createStepHandler(step, options);
  return { handler, logged, emf };
}

/** The metrics by name, each with its value, unit and dimensions. */
function byName(metrics: readonly EmfMetric[]): Record<string, Omit<EmfMetric, "name">> {
  return Object.fromEntries(metrics.map(({ name, ...rest }) => [name, rest]));
}

function twoClusters(): InMemoryRds {
  const sim = new InMemoryRds({ now: START });
  sim.addCluster({ account: A, region: HOME, id: "orders" });
  sim.addCluster({ account: A, region: HOME, id: "billing" });
  return sim;
}

describe("a step handler's metrics", () => {
  it("after a take run that snapshots two clusters: ActionsDone 2 and RunsSucceeded 1, dimensions {Deployment, Step}", async () => {
    const sim = twoClusters();
    const { handler, emf } = aHandler("take", sim, A, { DEPLOYMENT_NAME: "prod-backups" });

    await handler({});

    expect(emf.lines).toHaveLength(1);
    const line = emf.lines[0]!;
    expect(line._aws.CloudWatchMetrics).toHaveLength(1);
    expect(line._aws.CloudWatchMetrics[0]).toMatchObject({
      Namespace: "AuroraSnapshotTool",
      Dimensions: [["Deployment", "Step"]],
    });
    const RUN = { Deployment: "prod-backups", Step: "take" };
    expect(byName(emf.metrics())).toEqual({
      ActionsDone: { unit: "Count", value: 2, dimensions: RUN },
      ActionsFailed: { unit: "Count", value: 0, dimensions: RUN },
      ActionsPending: { unit: "Count", value: 0, dimensions: RUN },
      ActionsDeferred: { unit: "Count", value: 0, dimensions: RUN },
      ActionsBlocked: { unit: "Count", value: 0, dimensions: RUN },
      ActionsSkipped: { unit: "Count", value: 0, dimensions: RUN },
      RunsSucceeded: { unit: "Count", value: 1, dimensions: RUN },
      RunsFailed: { unit: "Count", value: 0, dimensions: RUN },
    });
    expect(line).not.toHaveProperty("service");
  });

  it("names the default deployment when DEPLOYMENT_NAME is not set", async () => {
    const { handler, emf } = aHandler("take", twoClusters(), A, {});

    await handler({});

    expect(emf.lines[0]).toMatchObject({ Deployment: "aurora-snapshot-tool", Step: "take" });
  });

  it("after a copy run: CopiesInFlight and CopyBacklog per destination region, dimensions {Deployment, Region}", async () => {
    const sim = new InMemoryRds({ now: START, copyMinutes: 5, crossRegionCopyMinutes: 30 });
    for (let i = 1; i <= 7; i++) {
      sim.addCluster({ account: A, region: HOME, id: `db${i}` });
      sim.addSnapshot({
        account: A,
        region: HOME,
        id: `db${i}-2026-04-01-01-00`,
        clusterId: `db${i}`,
        sharedWith: [B],
        tags: TOOL_TAGS,
      });
    }
    const { handler, emf } = aHandler("copy", sim, B, {
      DEST_REGION: `${DR},${DR2}`,
      SOURCE_ACCOUNTS: A,
      DEPLOYMENT_NAME: "dr",
    });

    const result = await handler({ copyLoop: { round: 1, startedAt: START.toISOString() } });

    // One line per region, each carrying exactly {Deployment, Region}.
    const perRegion = emf
      .metrics()
      .filter((m) => m.name === "CopiesInFlight" || m.name === "CopyBacklog")
      .map((m) => {
        expect(Object.keys(m.dimensions)).toEqual(["Deployment", "Region"]);
        expect(m.dimensions["Deployment"]).toBe("dr");
        return `${m.name} ${String(m.dimensions["Region"])} ${String(m.value)}`;
      });
    // RDS runs 5 copies per destination region at a time; the other 2 of 7 wait for a slot.
    // (The report's backlog may also name the home region, where two-step copies begin.)
    expect(perRegion.filter((m) => !m.includes(HOME)).sort()).toEqual(
      [
        `CopiesInFlight ${DR} 5`,
        `CopyBacklog ${DR} 2`,
        `CopiesInFlight ${DR2} 5`,
        `CopyBacklog ${DR2} 2`,
      ].sort(),
    );
    for (const line of emf.lines) {
      const dimensions = line._aws.CloudWatchMetrics[0]?.Dimensions;
      expect([[["Deployment", "Step"]], [["Deployment", "Region"]]]).toContainEqual(dimensions);
    }
    // The heartbeat follows the report: 1 unless an action failed (waiting copies are progress).
    expect(byName(emf.metrics())["RunsSucceeded"]).toMatchObject({
      value: result.failed === 0 ? 1 : 0,
      dimensions: { Deployment: "dr", Step: "copy" },
    });
  });

  it("publishes RunsFailed 1 before throwing SnapshotToolException for an incomplete run", async () => {
    const sim = twoClusters();
    sim.failOn({
      operation: "CreateDBClusterSnapshot",
      target: "orders",
      error: "InvalidDBClusterStateFault",
    });
    const { handler, emf } = aHandler("take", sim, A, { DEPLOYMENT_NAME: "prod-backups" });

    await expect(handler({})).rejects.toBeInstanceOf(SnapshotToolException);

    expect(byName(emf.metrics())).toMatchObject({
      ActionsDone: { value: 1 },
      ActionsFailed: { value: 1 },
      RunsSucceeded: { value: 0 },
      RunsFailed: { value: 1, dimensions: { Deployment: "prod-backups", Step: "take" } },
    });
    expect(emf.lines).toHaveLength(1);
  });

  it("publishes RunsFailed 1 (and RunsSucceeded 0) when an AWS error ends the run without a report", async () => {
    const sim = twoClusters();
    sim.failOn({ operation: "DescribeDBClusters", error: "AccessDenied" });
    const { handler, emf } = aHandler("take", sim, A, { DEPLOYMENT_NAME: "prod-backups" });

    await expect(handler({})).rejects.toThrow();

    const RUN = { Deployment: "prod-backups", Step: "take" };
    expect(byName(emf.metrics())).toEqual({
      RunsSucceeded: { unit: "Count", value: 0, dimensions: RUN },
      RunsFailed: { unit: "Count", value: 1, dimensions: RUN },
    });
  });

  it("publishes RunsFailed 1 for a ConfigError, under DEPLOYMENT_NAME as given", async () => {
    const sim = twoClusters();
    const { handler, emf } = aHandler("take", sim, A, {
      DEPLOYMENT_NAME: "prod-backups",
      RETENTION_DAYS: "0",
    });

    await expect(handler({})).rejects.toBeInstanceOf(ConfigError);

    expect(sim.calls).toEqual([]);
    expect(byName(emf.metrics())["RunsFailed"]).toEqual({
      unit: "Count",
      value: 1,
      dimensions: { Deployment: "prod-backups", Step: "take" },
    });
  });

  it("finishes the run when the metrics cannot be published, with a WARN saying so", async () => {
    const sim = twoClusters();
    const { handler, logged } = aHandler("take", sim, A, {}, () => {
      throw new Error("stdout closed");
    });

    const result = await handler({});

    expect(result).toMatchObject({ step: "take", done: 2, failed: 0 });
    expect(sim.snapshots({ account: A, type: "manual" })).toHaveLength(2);
    expect(logged.filter((l) => l.level === "WARN")).toEqual([
      expect.objectContaining({
        message: "metrics not published",
        fields: expect.objectContaining({ errorMessage: "stdout closed" }),
      }),
    ]);
  });
});
