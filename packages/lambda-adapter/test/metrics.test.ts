/**
 * publishMetrics: core's metric data as CloudWatch embedded metric format lines through
 * Powertools Metrics. The dimension sets are a contract with the templates' alarms, so each line
 * must carry exactly its datums' dimensions, nothing Powertools adds by default.
 */
import { METRICS_NAMESPACE, type MetricDatum, type MetricName } from "@aurora-snapshot-tool/core";
import { afterEach, describe, expect, it, vi } from "vitest";

import { EMF_MAX_METRICS_PER_LINE, publishMetrics } from "../src/runtime/metrics.js";
import { anEmfRecorder, type EmfLine } from "./support/emf.js";

const RUN = { Deployment: "prod-backups", Step: "take" };

const aDatum = (
  name: string,
  value: number,
  dimensions: Record<string, string> = RUN,
  unit: MetricDatum["unit"] = "Count",
): MetricDatum => ({ name: name as MetricName, unit, value, dimensions });

function aWarnRecorder() {
  const warnings: { message: string; fields: Record<string, unknown> }[] = [];
  return {
    warnings,
    logger: {
      warn: (message: string, fields: Record<string, unknown>) =>
        void warnings.push({ message, fields }),
    },
  };
}

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe("publishMetrics", () => {
  it("writes one EMF line per dimension set, its Dimensions exactly the datums' keys (no service dimension)", () => {
    vi.stubEnv("POWERTOOLS_SERVICE_NAME", "would-be-a-dimension");
    const emf = anEmfRecorder();

    publishMetrics(
      [
        aDatum("ActionsDone", 2),
        aDatum("RunsSucceeded", 1),
        aDatum("CopiesInFlight", 3, { Deployment: "prod-backups", Region: "us-west-2" }),
        aDatum("CopiesInFlight", 1, { Deployment: "prod-backups", Region: "eu-west-1" }),
      ],
      { env: {}, write: emf.write },
    );

    expect(emf.lines).toHaveLength(3);
    const [run, west, eu] = emf.lines as [EmfLine, EmfLine, EmfLine];
    expect(run._aws.CloudWatchMetrics).toEqual([
      {
        Namespace: METRICS_NAMESPACE,
        Dimensions: [["Deployment", "Step"]],
        Metrics: [
          { Name: "ActionsDone", Unit: "Count" },
          { Name: "RunsSucceeded", Unit: "Count" },
        ],
      },
    ]);
    expect(run).toMatchObject({
      Deployment: "prod-backups",
      Step: "take",
      ActionsDone: 2,
      RunsSucceeded: 1,
    });
    expect(run).not.toHaveProperty("service");
    expect(west._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([["Deployment", "Region"]]);
    expect(west).toMatchObject({ Region: "us-west-2", CopiesInFlight: 3 });
    expect(eu).toMatchObject({ Region: "eu-west-1", CopiesInFlight: 1 });
    expect(typeof run._aws.Timestamp).toBe("number");
  });

  it("puts datums whose dimensions differ only in order on one line", () => {
    const emf = anEmfRecorder();

    publishMetrics(
      [
        aDatum("ActionsDone", 1),
        aDatum("ActionsFailed", 0, { Step: "take", Deployment: "prod-backups" }),
      ],
      { env: {}, write: emf.write },
    );

    expect(emf.lines).toHaveLength(1);
    expect(emf.metricNames(0)).toEqual(["ActionsDone", "ActionsFailed"]);
  });

  it("writes the unit None for ages and takes the namespace from POWERTOOLS_METRICS_NAMESPACE", () => {
    const emf = anEmfRecorder();

    publishMetrics(
      [aDatum("RecoveryPointAgeMinutes", 42, { Deployment: "d", Side: "source" }, "None")],
      {
        env: { POWERTOOLS_METRICS_NAMESPACE: "Backups/Aurora" },
        write: emf.write,
      },
    );

    expect(emf.lines[0]?._aws.CloudWatchMetrics[0]).toMatchObject({
      Namespace: "Backups/Aurora",
      Metrics: [{ Name: "RecoveryPointAgeMinutes", Unit: "None" }],
    });
    expect(emf.lines[0]).toMatchObject({ RecoveryPointAgeMinutes: 42 });
  });

  it("splits a dimension set over lines of at most 100 metrics, none lost", () => {
    const emf = anEmfRecorder();
    const data = Array.from({ length: 250 }, (_, i) => aDatum(`Metric${i}`, i));

    publishMetrics(data, { env: {}, write: emf.write });

    expect(EMF_MAX_METRICS_PER_LINE).toBe(100);
    expect(emf.lines.map((l) => l._aws.CloudWatchMetrics[0]?.Metrics.length)).toEqual([
      100, 100, 50,
    ]);
    const written = emf.lines.flatMap((_, i) => emf.metricNames(i));
    expect(written).toEqual(data.map((d) => d.name));
    expect(emf.lines[2]).toMatchObject({ Metric249: 249 });
  });

  it("writes a repeated datum as a second line rather than a list of values", () => {
    const emf = anEmfRecorder();

    publishMetrics([aDatum("RunsFailed", 1), aDatum("RunsFailed", 1)], {
      env: {},
      write: emf.write,
    });

    expect(emf.lines.map((l) => l["RunsFailed"])).toEqual([1, 1]);
  });

  it("refuses a dimension set over Powertools' limit with a WARN and still writes the others", () => {
    const emf = anEmfRecorder();
    const { warnings, logger } = aWarnRecorder();
    const tooMany = Object.fromEntries(Array.from({ length: 31 }, (_, i) => [`D${i}`, "x"]));

    publishMetrics([aDatum("ActionsDone", 1, tooMany), aDatum("RunsSucceeded", 1)], {
      env: {},
      write: emf.write,
      logger,
    });

    expect(emf.lines).toHaveLength(1);
    expect(emf.lines[0]).toMatchObject({ RunsSucceeded: 1 });
    expect(warnings).toEqual([
      expect.objectContaining({
        message: "metrics not published",
        fields: expect.objectContaining({ metrics: ["ActionsDone"] }),
      }),
    ]);
  });

  it("never throws when the sink does: the failure is a WARN naming the metrics", () => {
    const { warnings, logger } = aWarnRecorder();
    const failing = () => {
      throw new Error("EPIPE");
    };

    expect(() =>
      publishMetrics([aDatum("RunsSucceeded", 1)], { env: {}, write: failing, logger }),
    ).not.toThrow();
    expect(warnings).toEqual([
      expect.objectContaining({
        message: "metrics not published",
        fields: expect.objectContaining({
          errorMessage: "EPIPE",
          dimensions: RUN,
          metrics: ["RunsSucceeded"],
        }),
      }),
    ]);
  });

  it("by default writes the same line to stdout, as Powertools Metrics flushes it", () => {
    const out: string[] = [];
    vi.spyOn(process.stdout, "write").mockImplementation((chunk: unknown) => {
      out.push(String(chunk));
      return true;
    });
    const emf = anEmfRecorder();
    const data = [aDatum("ActionsDone", 2), aDatum("RunsSucceeded", 1)];

    publishMetrics(data, { env: {} });
    publishMetrics(data, { env: {}, write: emf.write });

    vi.restoreAllMocks();
    const lines = out
      .join("")
      .split("\n")
      .filter((l) => l.startsWith("{"));
    expect(lines).toHaveLength(1);
    const { _aws: stdoutAws, ...stdoutRest } = JSON.parse(lines[0]!) as EmfLine;
    const { _aws: writtenAws, ...writtenRest } = emf.lines[0]!;
    expect(stdoutRest).toEqual(writtenRest);
    expect(stdoutAws.CloudWatchMetrics).toEqual(writtenAws.CloudWatchMetrics);
  });
});
