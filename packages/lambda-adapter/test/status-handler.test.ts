/**
 * The status function: TOOL_SIDE's policy, core's recovery status over the in-memory RDS, its
 * metrics as EMF lines, a summary at INFO and each place not protected at WARN. Unprotected
 * places are reported, not thrown; configuration and AWS errors are thrown.
 */
import { ConfigError } from "@aurora-snapshot-tool/core";
import { InMemoryRds } from "@aurora-snapshot-tool/core/testing";
import { describe, expect, it } from "vitest";

import { createStatusHandler } from "../src/runtime/status-handler.js";
import { optionsOverSim } from "./support/sim-handlers.js";

const A = "111111111111"; // source account
const B = "222222222222"; // destination account
const HOME = "us-east-1";
const DR = "us-west-2";
const START = new Date("2026-04-01T02:00:00Z");
const TOOL_TAGS = { CreatedBy: "Snapshot Tool for Aurora", shareAndCopy: "YES" };

/** `orders` with a snapshot an hour old (shared with B), `billing` with none yet. */
function aFleet(): InMemoryRds {
  const sim = new InMemoryRds({ now: START });
  sim.addCluster({ account: A, region: HOME, id: "orders" });
  sim.addCluster({ account: A, region: HOME, id: "billing" });
  sim.addSnapshot({
    account: A,
    region: HOME,
    id: "orders-2026-04-01-01-00",
    clusterId: "orders",
    sharedWith: [B],
    tags: TOOL_TAGS,
  });
  return sim;
}

function aStatusFunction(
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
  const handler = createStatusHandler(options);
  return { handler, logged, emf };
}

const SOURCE_ENV = { DEST_ACCOUNT: B, DEPLOYMENT_NAME: "prod-backups" };

describe("the status function", () => {
  it("returns the source side's report by default, without throwing for unprotected places", async () => {
    const { handler } = aStatusFunction(aFleet(), A, SOURCE_ENV);

    const report = await handler({});

    expect(report).toMatchObject({ side: "source", generatedAt: START.toISOString() });
    const orders = report.places.find((p) => p.cluster === "orders" && p.place === "source");
    expect(orders).toMatchObject({ state: "protected", newest: { ageMinutes: 60 } });
    const billing = report.places.find((p) => p.cluster === "billing" && p.place === "source");
    expect(billing).toMatchObject({ state: "unprotected", reasons: ["never-taken"] });
    const { summary } = report;
    expect(summary.protected + summary.atRisk + summary.unprotected).toBe(report.places.length);
  });

  it("logs a summary at INFO and each place not protected at WARN, with its reasons spelled out", async () => {
    const { handler, logged } = aStatusFunction(aFleet(), A, SOURCE_ENV);

    const report = await handler({});

    const notProtected = report.places.filter((p) => p.state !== "protected");
    const warnings = logged.filter((l) => l.level === "WARN");
    expect(
      warnings.map((w) => [w.fields["cluster"], w.fields["place"], w.fields["state"]]),
    ).toEqual(notProtected.map((p) => [p.cluster, p.place, p.state]));
    expect(warnings[0]?.message).toBe("billing unprotected (source, us-east-1)");
    expect(warnings[0]?.fields).toMatchObject({
      reasons: ["never-taken"],
      why: ["the tool has no available snapshot of the cluster yet"],
    });
    expect(logged.filter((l) => l.level === "INFO")).toEqual([
      {
        level: "INFO",
        message: "status",
        fields: expect.objectContaining({ side: "source", ...report.summary }) as unknown,
      },
    ]);
  });

  it("publishes the side's counts with {Deployment, Side} and each cluster-place's age with {Deployment, Side, Place, Region, Cluster}", async () => {
    const { handler, emf } = aStatusFunction(aFleet(), A, SOURCE_ENV);

    const report = await handler({});

    const SIDE = { Deployment: "prod-backups", Side: "source" };
    const metrics = emf.metrics();
    const { summary } = report;
    expect(metrics.filter((m) => m.name.startsWith("Places"))).toEqual([
      { name: "PlacesProtected", unit: "Count", value: summary.protected, dimensions: SIDE },
      { name: "PlacesAtRisk", unit: "Count", value: summary.atRisk, dimensions: SIDE },
      { name: "PlacesUnprotected", unit: "Count", value: summary.unprotected, dimensions: SIDE },
      {
        name: "PlacesBeyondRpo",
        unit: "Count",
        value: summary.atRisk + summary.unprotected,
        dimensions: SIDE,
      },
    ]);
    const ages = metrics.filter((m) => m.name === "RecoveryPointAgeMinutes");
    expect(ages).toContainEqual({
      name: "RecoveryPointAgeMinutes",
      unit: "None",
      value: 60,
      dimensions: SIDE,
    });
    // One per cluster and place that has a recovery point: here orders at the source.
    expect(ages.filter((m) => "Cluster" in m.dimensions)).toEqual([
      {
        name: "RecoveryPointAgeMinutes",
        unit: "None",
        value: 60,
        dimensions: { ...SIDE, Place: "source", Region: HOME, Cluster: "orders" },
      },
    ]);
    for (const line of emf.lines) expect(line).not.toHaveProperty("service");
  });

  it("with METRICS_PER_CLUSTER=FALSE publishes no Cluster dimension, only the side's", async () => {
    const { handler, emf } = aStatusFunction(aFleet(), A, {
      ...SOURCE_ENV,
      METRICS_PER_CLUSTER: "FALSE",
    });

    await handler({});

    expect(emf.lines.length).toBeGreaterThan(0);
    for (const line of emf.lines) {
      expect(line._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([["Deployment", "Side"]]);
      expect(line).not.toHaveProperty("Cluster");
    }
    expect(emf.metrics().map((m) => m.name)).toContain("RecoveryPointAgeMinutes");
  });

  it("reads the destination side when TOOL_SIDE is destination", async () => {
    const { handler, emf } = aStatusFunction(aFleet(), B, {
      TOOL_SIDE: "destination",
      DEST_REGION: DR,
      SOURCE_ACCOUNTS: A,
      DEPLOYMENT_NAME: "dr",
    });

    const report = await handler({});

    expect(report.side).toBe("destination");
    expect(report.places.map((p) => [p.cluster, p.place, p.region])).toContainEqual([
      "orders",
      "dr",
      DR,
    ]);
    expect(emf.lines[0]).toMatchObject({ Deployment: "dr", Side: "destination" });
  });

  it("rejects a TOOL_SIDE it does not know with a ConfigError, before any AWS call", async () => {
    const sim = aFleet();
    const { handler, logged, emf } = aStatusFunction(sim, A, { TOOL_SIDE: "both" });

    const run = handler({});

    await expect(run).rejects.toBeInstanceOf(ConfigError);
    await expect(run).rejects.toMatchObject({ field: "TOOL_SIDE", value: "both" });
    expect(sim.calls).toEqual([]);
    expect(emf.lines).toEqual([]);
    expect(logged).toEqual([
      expect.objectContaining({ level: "ERROR", message: "configuration rejected" }),
    ]);
  });

  it("throws when AWS fails, logging the error", async () => {
    const sim = aFleet();
    sim.failOn({ operation: "DescribeDBClusters", error: "AccessDenied" });
    const { handler, logged } = aStatusFunction(sim, A, SOURCE_ENV);

    await expect(handler({})).rejects.toThrow();

    expect(logged.filter((l) => l.level === "ERROR").map((l) => l.message)).toEqual([
      "status failed",
    ]);
  });

  it("returns its report when the metrics cannot be published, with a WARN saying so", async () => {
    const { handler, logged } = aStatusFunction(aFleet(), A, SOURCE_ENV, () => {
      throw new Error("stdout closed");
    });

    const report = await handler({});

    expect(report.side).toBe("source");
    expect(logged.filter((l) => l.message === "metrics not published").length).toBeGreaterThan(0);
  });
});
