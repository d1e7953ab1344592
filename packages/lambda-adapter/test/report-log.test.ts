import type { RunReport, TakeDecision } from "@aurora-snapshot-tool/core";
import { describe, expect, it } from "vitest";
import { logReport, type ReportLogger } from "../src/runtime/report-log.js";

/* logReport's levels for take's done actions. */

function recorder() {
  const lines: [level: string, message: string, fields: Record<string, unknown>][] = [];
  const at =
    (level: string) =>
    (message: string, fields: Record<string, unknown>): void => {
      lines.push([level, message, fields]);
    };
  const logger: ReportLogger = {
    debug: at("DEBUG"),
    info: at("INFO"),
    warn: at("WARN"),
    error: at("ERROR"),
  };
  return { logger, lines };
}

function take(facts: TakeDecision["facts"]): TakeDecision {
  return {
    step: "take",
    action: "take",
    reason: "due",
    cluster: "orders",
    account: "111111111111",
    region: "us-east-1",
    snapshot: "orders-2026-06-15-12-00",
    tags: {},
    facts,
  };
}

function reportOf(decisions: TakeDecision[]): RunReport {
  return {
    step: "take",
    dryRun: false,
    startedAt: "2026-06-15T12:00:00.000Z",
    finishedAt: "2026-06-15T12:00:01.000Z",
    regions: ["us-east-1"],
    decisions,
    done: decisions.map((decision) => ({ decision, status: "done" })),
    failed: [],
    pending: [],
    skipped: [],
    deferred: [],
    blocked: [],
  };
}

describe("logReport", () => {
  it("logs a snapshot created because the copy of the automated snapshot failed at WARN, with the copy's error", () => {
    const { logger, lines } = recorder();
    logReport(
      logger,
      reportOf([
        take({ automated: "copy-failed", copyErrorCode: "AccessDenied", copyErrorMessage: "no" }),
        take({ automated: "too-old" }),
      ]),
    );
    const done = lines.filter(([level]) => level === "WARN" || level === "INFO");
    expect(done.map(([level, message]) => [level, message]).slice(0, 2)).toEqual([
      ["WARN", "action done after the copy of the automated snapshot failed"],
      ["INFO", "action done"],
    ]);
    expect(done[0]![2]).toMatchObject({ copyErrorCode: "AccessDenied", copyErrorMessage: "no" });
  });
});
