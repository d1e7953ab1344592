import { describe, expect, it } from "vitest";
import type { RunReport } from "../../src/execute/report.js";
import type { ActionDecision, SkipDecision } from "../../src/model/index.js";
import { runMetrics } from "../../src/status/index.js";

const at = { account: "111111111111", region: "us-east-1", facts: {} } as const;
const take: ActionDecision = {
  ...at,
  step: "take",
  action: "take",
  reason: "due",
  cluster: "orders",
  snapshot: "orders-2026-06-10-01-00",
  tags: {},
};
const skip = (reason: SkipDecision["reason"]): SkipDecision => ({
  ...at,
  step: "take",
  action: "skip",
  reason,
  cluster: "billing",
});

function aReport(over: Partial<RunReport>): RunReport {
  return {
    step: "take",
    dryRun: false,
    startedAt: "2026-06-10T01:00:00.000Z",
    finishedAt: "2026-06-10T01:00:05.000Z",
    regions: ["us-east-1"],
    decisions: [],
    done: [],
    failed: [],
    pending: [],
    skipped: [],
    deferred: [],
    blocked: [],
    ...over,
  };
}

const heartbeat = (report: RunReport) =>
  Object.fromEntries(
    runMetrics("take", report, "prod")
      .filter((m) => m.name === "RunsSucceeded" || m.name === "RunsFailed")
      .map((m) => [m.name, m.value]),
  );

describe("runMetrics: the heartbeat", () => {
  it("counts a run with work left for later or blocked work as a run that succeeded", () => {
    const deferred = skip("cluster-unavailable");
    const blocked = skip("identifier-too-long");
    const report = aReport({
      decisions: [take, deferred, blocked],
      pending: [{ decision: take, status: "pending", note: "deadline" }],
      skipped: [deferred, blocked],
      deferred: [deferred],
      blocked: [blocked],
    });
    expect(heartbeat(report)).toEqual({ RunsSucceeded: 1, RunsFailed: 0 });
  });

  it("counts a run in which an action failed as failed", () => {
    const report = aReport({
      decisions: [take],
      failed: [{ decision: take, status: "failed", errorCode: "AccessDenied" }],
    });
    expect(heartbeat(report)).toEqual({ RunsSucceeded: 0, RunsFailed: 1 });
  });

  it("gives every datum the {Deployment, Step} dimensions", () => {
    for (const m of runMetrics("take", aReport({}), "prod")) {
      expect(m.dimensions).toEqual({ Deployment: "prod", Step: "take" });
    }
  });
});
