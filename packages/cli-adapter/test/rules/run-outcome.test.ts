import type { Decision, RunReport, SkipDecision, TakeDecision } from "@aurora-snapshot-tool/core";
import { describe, expect, it } from "vitest";

import { decisionResults, exitCodeOf, summarizeResults } from "../../src/rules/run-outcome.js";

const base = { step: "take", cluster: "c", account: "1", region: "r", facts: {} } as const;
const take: TakeDecision = { ...base, action: "take", reason: "due", snapshot: "c-1", tags: {} };
const notDue: SkipDecision = { ...base, action: "skip", reason: "not-due" };
const unavailable: SkipDecision = { ...base, action: "skip", reason: "cluster-unavailable" };

function report(decisions: Decision[], outcome: "done" | "failed" | "pending"): RunReport {
  const o = { decision: take, status: outcome } as const;
  return {
    step: "take",
    dryRun: false,
    startedAt: "",
    finishedAt: "",
    decisions,
    done: outcome === "done" ? [o] : [],
    failed: outcome === "failed" ? [{ ...o, errorCode: "X" }] : [],
    pending: outcome === "pending" ? [o] : [],
    skipped: decisions.filter((d): d is SkipDecision => d.action === "skip"),
    deferred: decisions.filter(
      (d): d is SkipDecision => d.action === "skip" && d.reason === "cluster-unavailable",
    ),
  };
}

describe("decisionResults", () => {
  it("gives every decision its status in plan order", () => {
    const results = decisionResults(report([take, notDue], "failed"));
    expect(results.map((r) => [r.decision.reason, r.status, r.errorCode])).toEqual([
      ["due", "failed", "X"],
      ["not-due", "skipped", undefined],
    ]);
  });

  it("counts a due backup of an unavailable cluster as pending work (deferred)", () => {
    const results = decisionResults(report([take, unavailable], "done"));
    expect(results[1]).toMatchObject({ status: "pending", note: "deferred" });
    expect(summarizeResults(results)).toEqual({ done: 1, failed: 0, pending: 1, skipped: 0 });
  });
});

describe("exitCodeOf", () => {
  it("is 0 with nothing failed or pending, 3 otherwise, and 0 for any dry run", () => {
    expect(exitCodeOf({ done: 1, failed: 0, pending: 0, skipped: 4 }, false)).toBe(0);
    expect(exitCodeOf({ done: 1, failed: 1, pending: 0, skipped: 0 }, false)).toBe(3);
    expect(exitCodeOf({ done: 0, failed: 0, pending: 2, skipped: 0 }, false)).toBe(3);
    expect(exitCodeOf({ done: 0, failed: 0, pending: 2, skipped: 0 }, true)).toBe(0);
  });
});
