import { describe, expect, it } from "vitest";

import {
  BLOCKED_REASONS,
  assertComplete,
  isComplete,
  mergeRounds,
  resultsOf,
  summarize,
  type RunReport,
} from "../../src/execute/index.js";
import type { Decision, SkipDecision, TakeDecision } from "../../src/model/index.js";

const base = { step: "take", cluster: "c", account: "1", region: "r", facts: {} } as const;
const take = (snapshot = "c-1"): TakeDecision => ({
  ...base,
  action: "take",
  reason: "due",
  snapshot,
  tags: {},
});
const notDue: SkipDecision = { ...base, action: "skip", reason: "not-due" };
const unavailable: SkipDecision = { ...base, action: "skip", reason: "cluster-unavailable" };
const tooLong: SkipDecision = { ...base, action: "skip", reason: "identifier-too-long" };

function report(
  decisions: Decision[],
  outcome: "done" | "failed" | "pending",
  action = decisions.find((d): d is TakeDecision => d.action === "take") ?? take(),
): RunReport {
  const o = { decision: action, status: outcome } as const;
  return {
    step: "take",
    dryRun: false,
    startedAt: "2026-01-01T00:00:00.000Z",
    finishedAt: "2026-01-01T00:01:00.000Z",
    regions: ["r"],
    decisions,
    done: outcome === "done" ? [o] : [],
    failed: outcome === "failed" ? [{ ...o, errorCode: "X" }] : [],
    pending: outcome === "pending" ? [o] : [],
    skipped: decisions.filter((d): d is SkipDecision => d.action === "skip"),
    deferred: decisions.filter(
      (d): d is SkipDecision => d.action === "skip" && d.reason === "cluster-unavailable",
    ),
    blocked: decisions.filter(
      (d): d is SkipDecision => d.action === "skip" && BLOCKED_REASONS.has(d.reason),
    ),
  };
}

describe("resultsOf", () => {
  it("gives every decision its status in plan order", () => {
    const t = take();
    const results = resultsOf(report([t, notDue], "failed", t));
    expect(results.map((r) => [r.decision.reason, r.status, r.errorCode])).toEqual([
      ["due", "failed", "X"],
      ["not-due", "skipped", undefined],
    ]);
  });

  it("marks a due backup of an unavailable cluster as deferred, not skipped", () => {
    const t = take();
    const results = resultsOf(report([t, unavailable], "done", t));
    expect(results.map((r) => r.status)).toEqual(["done", "deferred"]);
  });
});

describe("summarize", () => {
  it("counts disjoint categories that add up to the decisions, and calls a deferred run incomplete", () => {
    const t = take();
    const r = report([t, unavailable, notDue], "done", t);
    const s = summarize(r);
    expect(s).toEqual({
      done: 1,
      failed: 0,
      pending: 0,
      deferred: 1,
      blocked: 0,
      skipped: 1,
      complete: false,
    });
    expect(s.done + s.failed + s.pending + s.deferred + s.blocked + s.skipped).toBe(
      r.decisions.length,
    );
    expect(isComplete(r)).toBe(false);
  });

  it("counts a selected cluster that cannot be protected as blocked, and the run incomplete", () => {
    const t = take();
    const r = report([t, tooLong, notDue], "done", t);
    expect(resultsOf(r).map((x) => x.status)).toEqual(["done", "blocked", "skipped"]);
    const s = summarize(r);
    expect(s).toMatchObject({ done: 1, blocked: 1, skipped: 1, deferred: 0, complete: false });
    expect(() => assertComplete(r)).toThrow(/1 blocked/);
  });

  it("is complete with nothing failed, pending or deferred", () => {
    const t = take();
    expect(summarize(report([t, notDue], "done", t)).complete).toBe(true);
    expect(summarize(report([t], "pending", t)).complete).toBe(false);
    expect(summarize(report([t], "failed", t)).complete).toBe(false);
  });
});

describe("mergeRounds", () => {
  it("keeps every done action among the decisions, and the last round's view of the rest", () => {
    const first = take("c-1");
    const second = take("c-2");
    const one = report([first, notDue], "done", first);
    const two = { ...report([second, unavailable], "pending", second), regions: ["r", "s"] };
    const merged = mergeRounds([one, two]);

    expect(merged.done.map((o) => o.decision.snapshot)).toEqual(["c-1"]);
    expect(merged.pending.map((o) => o.decision.snapshot)).toEqual(["c-2"]);
    for (const o of [...merged.done, ...merged.pending, ...merged.failed]) {
      expect(merged.decisions).toContain(o.decision);
    }
    expect(resultsOf(merged).map((r) => r.status)).toEqual(["done", "pending", "deferred"]);
    expect(merged.startedAt).toBe(one.startedAt);
    expect(merged.regions).toEqual(["r", "s"]);
    const s = summarize(merged);
    expect(s.done + s.failed + s.pending + s.deferred + s.blocked + s.skipped).toBe(
      merged.decisions.length,
    );
  });
});

describe("mergeRounds, earlier failures", () => {
  it("keeps a failure of an earlier round that the last round did not plan again", () => {
    const first = take("c-1");
    const second = take("c-2");
    const one = report([first], "failed", first);
    const two = report([second], "done", second);
    const merged = mergeRounds([one, two]);
    expect(merged.failed.map((o) => o.decision.snapshot)).toEqual(["c-1"]);
    expect(summarize(merged).complete).toBe(false);
    expect(resultsOf(merged).map((r) => [r.decision.snapshot, r.status])).toEqual([
      ["c-1", "failed"],
      ["c-2", "done"],
    ]);
  });

  it("drops an earlier failure once the last round planned the same target again", () => {
    const first = take("c-1");
    const again = take("c-1");
    const merged = mergeRounds([report([first], "failed", first), report([again], "done", again)]);
    expect(merged.failed).toEqual([]);
    expect(summarize(merged).complete).toBe(true);
  });
});
