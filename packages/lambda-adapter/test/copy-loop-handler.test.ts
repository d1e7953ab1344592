/**
 * The copy function in the copy state machine's loop: an event carrying `copyLoop` runs one round
 * (no follow-up inside the invocation) and returns core's loop verdict, so the state machine's
 * Wait state, not the function, spends the time between rounds. Against the in-memory RDS with an
 * injected clock: no emulator, no real waiting.
 */
import { SnapshotToolException, createClientFactory, type Step } from "@aurora-snapshot-tool/core";
import { InMemoryRds } from "@aurora-snapshot-tool/core/testing";
import { describe, expect, it } from "vitest";

import type { ReportLogger } from "../src/runtime/report-log.js";
import { createStepHandler, type HandlerResult } from "../src/runtime/step-handler.js";

const A = "111111111111"; // source account
const B = "222222222222"; // destination account
const HOME = "us-east-1";
const DR = "us-west-2";
const TOOL_TAGS = { CreatedBy: "Snapshot Tool for Aurora", shareAndCopy: "YES" };
const START = new Date("2026-04-01T02:00:00Z");

interface Logged {
  readonly level: string;
  readonly message: string;
  readonly fields: Record<string, unknown>;
}

/** `count` tool snapshots of as many clusters, shared by A with B; more than RDS's 5 copy slots. */
function aBacklog(count: number, options: { allowSingleStep?: boolean } = {}) {
  const sim = new InMemoryRds({
    now: START,
    copyStartMinutes: 1,
    copyMinutes: 5,
    crossRegionCopyMinutes: 30,
    ...(options.allowSingleStep === false && { allowSharedCrossRegionCopy: false }),
  });
  for (let i = 1; i <= count; i++) {
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
  return sim;
}

function copyFunction(sim: InMemoryRds, env: Record<string, string> = {}, step: Step = "copy") {
  const logged: Logged[] = [];
  const sleeps: number[] = [];
  const record =
    (level: string) =>
    (message: string, fields: Record<string, unknown>): void => {
      logged.push({ level, message, fields });
    };
  const logger: ReportLogger = {
    debug: record("DEBUG"),
    info: record("INFO"),
    warn: record("WARN"),
    error: record("ERROR"),
  };
  const handler = createStepHandler(step, {
    env: { AWS_REGION: HOME, DEST_REGION: DR, COPY_POLL_SECONDS: "60", SOURCE_ACCOUNTS: A, ...env },
    clients: createClientFactory({
      credentials: { accessKeyId: "x", secretAccessKey: "x" },
      plugins: (region) => [sim.plugin(B, region)],
      retryStrategy: sim.retryStrategy(),
    }),
    clock: () => sim.now().getTime(),
    sleep: async (ms) => {
      sleeps.push(ms);
      sim.advance(ms);
    },
    logger: () => logger,
  });
  return { handler, logged, sleeps };
}

/** A Lambda context with the templates' 300 s, counted on the simulation's clock. */
function contextOn(sim: InMemoryRds, seconds = 300) {
  const end = sim.now().getTime() + seconds * 1000;
  return { getRemainingTimeInMillis: () => end - sim.now().getTime() } as never;
}

const loopEvent = (round: number) => ({ copyLoop: { round, startedAt: START.toISOString() } });

describe("the copy function in the copy state machine's loop", () => {
  it("runs one round, starts what the slots allow and says to come back for the copies waiting", async () => {
    const sim = aBacklog(7);
    const { handler, sleeps } = copyFunction(sim);

    const result = await handler(loopEvent(1), contextOn(sim));

    expect(result).toMatchObject({ step: "copy", done: 5, failed: 0, blocked: 0 });
    expect(result.copyLoop).toMatchObject({
      continue: true,
      reason: "waiting-for-slots",
      pollSeconds: 60,
      round: 1,
      inFlight: 5,
      waiting: 2,
    });
    // No follow-up inside the invocation: the state machine waits between rounds.
    expect(sleeps).toEqual([]);
    expect(sim.snapshots({ account: B, region: DR })).toHaveLength(5);
  });

  it("keeps the loop going while copies wait or run, and ends it once everything is copied", async () => {
    const sim = aBacklog(7);
    const { handler, sleeps } = copyFunction(sim);
    const verdicts: NonNullable<HandlerResult["copyLoop"]>[] = [];
    for (let round = 1; round <= 200; round++) {
      const result = await handler(loopEvent(round), contextOn(sim));
      verdicts.push(result.copyLoop!);
      if (!result.copyLoop!.continue) break;
      sim.advance(result.copyLoop!.pollSeconds * 1000);
    }

    const reasons = verdicts.map((v) => v.reason);
    expect(reasons[0]).toBe("waiting-for-slots");
    expect(reasons).toContain("copies-in-flight");
    expect(reasons.at(-1)).toBe("nothing-to-follow");
    expect(verdicts.map((v) => v.round)).toEqual(verdicts.map((_, i) => i + 1));
    const copies = sim.snapshots({ account: B, region: DR });
    expect(copies.map((s) => s.status)).toEqual(Array(7).fill("available"));
    expect(sleeps).toEqual([]);
  });

  it("stops the loop at once when nothing is there to copy", async () => {
    const sim = aBacklog(0);
    const result = await copyFunction(sim).handler(loopEvent(1), contextOn(sim));
    expect(result.copyLoop).toMatchObject({ continue: false, reason: "nothing-to-follow" });
  });

  it("throws SnapshotToolException, with the report, when a copy fails", async () => {
    const sim = aBacklog(2);
    sim.failOn({
      operation: "CopyDBClusterSnapshot",
      target: "db1-2026-04-01-01-00",
      error: "InvalidDBClusterSnapshotStateFault",
    });
    const { handler, logged } = copyFunction(sim);

    const failure = await handler(loopEvent(1), contextOn(sim)).catch((e: unknown) => e);

    expect(failure).toBeInstanceOf(SnapshotToolException);
    expect((failure as Error).name).toBe("SnapshotToolException");
    const report = (failure as SnapshotToolException).report;
    expect(report.failed.map((o) => o.decision.snapshot)).toEqual(["db1-2026-04-01-01-00"]);
    expect(report.done).toHaveLength(1);
    expect(logged.filter((l) => l.level === "ERROR").map((l) => l.message)).toContain(
      "action failed",
    );
  });

  it("logs each notice of the run at WARN, once", async () => {
    const sim = aBacklog(2, { allowSingleStep: false });
    const { handler, logged } = copyFunction(sim);

    const result = await handler(loopEvent(1), contextOn(sim));

    expect(result.failed).toBe(0);
    const notices = logged.filter((l) => l.level === "WARN" && /single-step/.test(l.message));
    expect(notices).toHaveLength(1);
    expect(notices[0]?.message).toContain(DR);
  });

  it("returns the regions that refused a single-step copy, and given them back asks RDS no more", async () => {
    const refusals = (logged: readonly Logged[]) =>
      logged.filter((l) => l.level === "WARN" && /single-step/.test(l.message)).length;
    const rounds = async (carry: boolean) => {
      const sim = aBacklog(7, { allowSingleStep: false });
      const { handler, logged } = copyFunction(sim);
      const first = await handler(loopEvent(1), contextOn(sim));
      expect(first.copyLoop).toMatchObject({ continue: true, singleStepRefused: [DR] });
      expect(refusals(logged)).toBe(1);
      sim.advance(first.copyLoop!.pollSeconds * 1000);
      const next = {
        copyLoop: {
          ...loopEvent(2).copyLoop,
          ...(carry && { singleStepRefused: first.copyLoop!.singleStepRefused }),
        },
      };
      const second = await handler(next, contextOn(sim));
      return { second, refusedAgain: refusals(logged) - 1 };
    };

    // Carried by the state machine: the second round copies into DR in two steps at once.
    const carried = await rounds(true);
    expect(carried.refusedAgain).toBe(0);
    expect(carried.second.copyLoop?.singleStepRefused).toEqual([DR]);
    // Not carried (a template older than the function): the second round asks RDS again.
    const lost = await rounds(false);
    expect(lost.refusedAgain).toBe(1);
  });

  it("takes a round number given as a string, and starts at round 1 for a malformed one", async () => {
    const sim = aBacklog(1);
    const { handler } = copyFunction(sim);
    const given = await handler({ copyLoop: { round: "3", startedAt: START.toISOString() } });
    expect(given.copyLoop?.round).toBe(3);
    const malformed = await handler({ copyLoop: { round: "x" } });
    expect(malformed.copyLoop?.round).toBe(1);
  });
});

describe("the copy function outside the loop (the original state machine, a direct invocation)", () => {
  it.each([
    ["a schedule's {}", {}],
    [
      "an EventBridge event",
      { source: "aurora-snapshot-tool", "detail-type": "Snapshots Shared", detail: {} },
    ],
  ])(
    "given %s, follows its copies inside the invocation and returns no copyLoop",
    async (_, event) => {
      const sim = aBacklog(1);
      const { handler, sleeps } = copyFunction(sim);

      const result = await handler(event, contextOn(sim, 3600));

      expect(result.copyLoop).toBeUndefined();
      expect(result).toMatchObject({ done: 1, complete: true });
      expect(sleeps.length).toBeGreaterThan(0);
      expect(sim.snapshots({ account: B, region: DR }).map((s) => s.status)).toEqual(["available"]);
    },
  );

  it("still throws SnapshotToolException when copies wait for a slot at its deadline", async () => {
    const sim = aBacklog(7);
    const { handler } = copyFunction(sim, { COPY_POLL_SECONDS: "0" });
    await expect(handler({}, contextOn(sim))).rejects.toBeInstanceOf(SnapshotToolException);
  });

  it("logs notices at WARN there too", async () => {
    const sim = aBacklog(1, { allowSingleStep: false });
    const { handler, logged } = copyFunction(sim);
    await handler({}, contextOn(sim, 3600));
    expect(logged.filter((l) => l.level === "WARN" && /single-step/.test(l.message))).toHaveLength(
      1,
    );
  });

  it("is the only step that reads copyLoop: prune-dest given one runs as always", async () => {
    const sim = aBacklog(1);
    const result = await copyFunction(sim, {}, "prune-dest").handler(loopEvent(1), contextOn(sim));
    expect(result.copyLoop).toBeUndefined();
    expect(result.step).toBe("prune-dest");
  });
});
