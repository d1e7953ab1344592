/**
 * The templates' looping state machines walked as Step Functions would run them (support/asl-walker),
 * with scripted answers for their tasks: the copy loop (dest) and share's rounds (source). Then
 * the copy loop with the real copy function on the in-memory RDS, its Wait states moving the
 * simulation's clock.
 */
import { createClientFactory } from "@aurora-snapshot-tool/core";
import { InMemoryRds } from "@aurora-snapshot-tool/core/testing";
import { describe, expect, it } from "vitest";

import type { ReportLogger } from "../src/runtime/report-log.js";
import { createStepHandler } from "../src/runtime/step-handler.js";
import {
  loadTemplate,
  placeholderResolver,
  stateMachineDefinitions,
  type StateMachineDefinition,
} from "../src/templates.js";
import { TaskError, walk, type TaskHandler, type WalkResult } from "./support/asl-walker.js";

const LIST_EXECUTIONS = "arn:aws:states:::aws-sdk:sfn:listExecutions";
const START = "2026-04-01T02:00:00.000Z";

interface Machine {
  readonly definition: StateMachineDefinition;
  readonly arn: string;
  readonly fn: string;
}

function machine(
  name: "source" | "dest",
  stateMachine: string,
  fn: string,
): Machine & { execution: (n: number) => string } {
  const template = loadTemplate(name);
  const resolve = placeholderResolver(template);
  const definition = stateMachineDefinitions(template)[stateMachine];
  if (!definition) throw new Error(`no ${stateMachine}`);
  const arn = resolve(stateMachine);
  const execution = (n: number) => `${arn.replace(":stateMachine:", ":execution:")}:execution-${n}`;
  return { definition, arn, fn: resolve(fn, "Arn"), execution };
}

const copy = machine("dest", "statemachineCopySnapshotsDestAurora", "lambdaCopySnapshotsAurora");
const share = machine("source", "statemachineShareSnapshotsAurora", "lambdaShareSnapshotsAurora");
const SELF = copy.execution(2);
const OLDER = copy.execution(1);
const NEWER = copy.execution(3);

/** What ListExecutions answers: the running executions, newest first (MaxResults 100). */
const running = (...arns: string[]) => ({
  Executions: arns.map((a) => ({ ExecutionArn: a, Status: "RUNNING" })),
});

/** `n` executions started after `m`'s execution `after`, newest first. */
const newerThan = (m: { execution: (n: number) => string }, after: number, n: number) =>
  Array.from({ length: n }, (_, i) => m.execution(after + n - i));

/**
 * A task handler: ListExecutions answers `listed` (or throws it), the function answers with the
 * scripted results in turn (a TaskError is thrown).
 */
function scripted(m: Machine, listed: unknown, results: unknown[]): TaskHandler {
  const queue = [...results];
  return (resource, input) => {
    if (resource === LIST_EXECUTIONS) {
      expect(input).toEqual({ StateMachineArn: m.arn, StatusFilter: "RUNNING", MaxResults: 100 });
      if (listed instanceof TaskError) throw listed;
      return listed;
    }
    expect(resource).toBe(m.fn);
    if (queue.length === 0) throw new Error("the function was invoked more often than scripted");
    const next = queue.shift();
    if (next instanceof TaskError) throw next;
    return next;
  };
}

function run(m: Machine, handler: TaskHandler, input: unknown = {}, self = SELF) {
  return walk(m.definition, input, {
    context: { executionArn: self, startTime: START, stateMachineArn: m.arn },
    task: handler,
  });
}

/** The copy function's answer in the loop: its summary plus the loop's verdict. */
const round = (n: number, go: boolean, pollSeconds = 30, singleStepRefused: string[] = []) => ({
  step: "copy",
  done: 1,
  failed: 0,
  blocked: 0,
  copyLoop: {
    continue: go,
    reason: go ? "waiting-for-slots" : "nothing-to-follow",
    pollSeconds,
    round: n,
    singleStepRefused,
  },
});

/** The copy function's event in round `n` of a loop started at START. */
const event = (n: number, singleStepRefused: string[] = []) => ({
  copyLoop: { round: n, startedAt: START, singleStepRefused },
});

const invocations = (result: WalkResult, fn: string) =>
  result.calls.filter((c) => c.resource === fn).map((c) => c.input);

describe("the copy state machine, walked", () => {
  it("runs the copy function again after pollSeconds while it says continue, counting the rounds", async () => {
    const result = await run(
      copy,
      scripted(copy, running(SELF), [round(1, true, 30), round(2, true, 45), round(3, false)]),
    );

    expect(result).toMatchObject({ status: "SUCCEEDED", endState: "Done" });
    expect(invocations(result, copy.fn)).toEqual([event(1), event(2), event(3)]);
    expect(result.waits).toEqual([
      { seconds: 30, why: "Wait" },
      { seconds: 45, why: "Wait" },
    ]);
  });

  it("stops after a round with nothing left to follow", async () => {
    const result = await run(copy, scripted(copy, running(SELF), [round(1, false)]));
    expect(result).toMatchObject({ status: "SUCCEEDED", endState: "Done" });
    expect(invocations(result, copy.fn)).toHaveLength(1);
    expect(result.waits).toEqual([]);
  });

  // ListExecutions lists the newest first: an execution runs the loop only if it is the last listed.
  it.each([
    ["an older one runs", running(SELF, OLDER)],
    // A long-running loop, then two executions started close together: the middle one must not
    // run beside the oldest (with two listed it saw [newest, itself] and ran).
    ["it is in the middle of three", running(NEWER, SELF, OLDER)],
    ["an older one runs and many newer ones", running(...newerThan(copy, 2, 40), SELF, OLDER)],
    ["an older one is listed but not it yet (eventually consistent)", running(NEWER, OLDER)],
    ["only newer ones are listed (eventually consistent; the next start runs it)", running(NEWER)],
  ])(
    "leaves the work to the oldest running execution, without invoking the function, when %s",
    async (_, listed) => {
      const result = await run(copy, scripted(copy, listed, []));
      expect(result).toMatchObject({ status: "SUCCEEDED", endState: "AnOlderLoopRuns" });
      expect(invocations(result, copy.fn)).toEqual([]);
    },
  );

  it.each([
    ["it is the only one listed", running(SELF)],
    ["a newer one is listed first (that one leaves)", running(NEWER, SELF)],
    ["two newer ones are listed first", running(copy.execution(4), NEWER, SELF)],
    ["it is the oldest of 100 listed", running(...newerThan(copy, 2, 99), SELF)],
    ["the list does not show it yet (ListExecutions is eventually consistent)", running()],
  ])("runs the loop when %s", async (_, listed) => {
    const result = await run(copy, scripted(copy, listed, [round(1, false)]));
    expect(result).toMatchObject({ status: "SUCCEEDED", endState: "Done" });
    expect(invocations(result, copy.fn)).toHaveLength(1);
  });

  it("of three executions started one after the other while the first runs, runs the loop in the first only", async () => {
    const [first, second, third] = [copy.execution(1), copy.execution(2), copy.execution(3)];
    const listed = running(third, second, first);
    const outcomes = [];
    for (const self of [first, second, third]) {
      const result = await run(copy, scripted(copy, listed, [round(1, false)]), {}, self);
      outcomes.push([self, result.endState]);
    }
    expect(outcomes).toEqual([
      [first, "Done"],
      [second, "AnOlderLoopRuns"],
      [third, "AnOlderLoopRuns"],
    ]);
  });

  it("picks the oldest from a list that is not empty only: from an empty one the pick would fail the execution", async () => {
    const unguarded = structuredClone(copy.definition) as StateMachineDefinition;
    (unguarded.States["OneLoopAtATime"] as { Next?: string }).Next = "OldestLoop";
    const result = await walk(
      unguarded,
      {},
      {
        context: { executionArn: SELF, startTime: START, stateMachineArn: copy.arn },
        task: scripted(copy, running(), [round(1, false)]),
      },
    );
    expect(result).toMatchObject({ status: "FAILED", endState: "OldestLoop" });
  });

  it("runs the loop when it cannot list the running executions", async () => {
    const denied = new TaskError("Sfn.SfnException", "AccessDenied");
    const result = await run(copy, scripted(copy, denied, [round(1, false)]));
    expect(result).toMatchObject({ status: "SUCCEEDED", endState: "Done" });
    expect(invocations(result, copy.fn)).toHaveLength(1);
  });

  it.each([
    ["a schedule's {}", {}],
    [
      "an EventBridge event from the share bus",
      {
        version: "0",
        source: "aurora-snapshot-tool",
        "detail-type": "Snapshots Shared",
        account: "111111111111",
        detail: { snapshots: ["orders-2026-04-01-01-00"] },
      },
    ],
  ])("ignores its input: %s starts the same loop", async (_, input) => {
    const result = await run(copy, scripted(copy, running(SELF), [round(1, false)]), input);
    expect(invocations(result, copy.fn)).toEqual([event(1)]);
  });

  it("passes the regions that refused a single-step copy in a round to the next rounds", async () => {
    const result = await run(
      copy,
      scripted(copy, running(SELF), [
        round(1, true, 30, ["us-west-2"]),
        round(2, true, 30, ["us-west-2", "eu-west-1"]),
        round(3, false, 30, ["us-west-2", "eu-west-1"]),
      ]),
    );
    expect(result).toMatchObject({ status: "SUCCEEDED", endState: "Done" });
    expect(invocations(result, copy.fn)).toEqual([
      event(1, []),
      event(2, ["us-west-2"]),
      event(3, ["us-west-2", "eu-west-1"]),
    ]);
  });

  it("keeps the refused regions known so far when the function answers copyLoop without them (code older than the template)", async () => {
    const { singleStepRefused: _, ...older } = round(2, true).copyLoop;
    const result = await run(
      copy,
      scripted(copy, running(SELF), [
        round(1, true, 30, ["us-west-2"]),
        { ...round(2, true), copyLoop: older },
        round(3, false),
      ]),
    );
    expect(result).toMatchObject({ status: "SUCCEEDED", endState: "Done" });
    expect(invocations(result, copy.fn)).toEqual([
      event(1),
      event(2, ["us-west-2"]),
      event(3, ["us-west-2"]),
    ]);
    expect(result.waits).toEqual([
      { seconds: 30, why: "Wait" },
      { seconds: 30, why: "Wait" },
    ]);
  });

  it("retries a round that throws SnapshotToolException every 300 s, 5 times, then fails", async () => {
    const failing = () => new TaskError("SnapshotToolException", "copy: 1 failed");
    const recovered = await run(
      copy,
      scripted(copy, running(SELF), [...Array.from({ length: 5 }, failing), round(1, false)]),
    );
    expect(recovered).toMatchObject({ status: "SUCCEEDED", endState: "Done" });
    expect(recovered.waits).toEqual(Array(5).fill({ seconds: 300, why: "Retry" }));

    const failed = await run(
      copy,
      scripted(copy, running(SELF), Array.from({ length: 6 }, failing)),
    );
    expect(failed).toMatchObject({
      status: "FAILED",
      endState: "CopySnapshots",
      error: "SnapshotToolException",
    });
  });

  it("retries any other error every 30 s, 20 times", async () => {
    const timeouts = Array.from({ length: 20 }, () => new TaskError("Sandbox.Timedout"));
    const result = await run(copy, scripted(copy, running(SELF), [...timeouts, round(1, false)]));
    expect(result.status).toBe("SUCCEEDED");
    expect(result.waits).toEqual(Array(20).fill({ seconds: 30, why: "Retry" }));
  });

  it("stops, without failing, when the function answers without copyLoop (code older than the template)", async () => {
    const old = { step: "copy", done: 0, failed: 0, complete: true };
    const result = await run(copy, scripted(copy, running(SELF), [old]));
    expect(result).toMatchObject({ status: "SUCCEEDED", endState: "Done" });
  });
});

describe("the share state machine, walked", () => {
  const SHARE_SELF = share.execution(2);
  const shared = (done: number) => ({ step: "share", done, failed: 0, complete: true });
  const runShare = (listed: unknown, results: unknown[]) =>
    run(share, scripted(share, listed, results), {}, SHARE_SELF);

  it("shares again at once while a round shares something, and stops after a round that shares nothing", async () => {
    const result = await runShare(running(SHARE_SELF), [shared(2), shared(1), shared(0)]);
    expect(result).toMatchObject({ status: "SUCCEEDED", endState: "Done" });
    expect(invocations(result, share.fn)).toEqual([
      { shareRound: 1 },
      { shareRound: 2 },
      { shareRound: 3 },
    ]);
    expect(result.waits).toEqual([]);
  });

  it("runs at most 10 rounds", async () => {
    const result = await runShare(running(SHARE_SELF), Array(12).fill(shared(1)));
    expect(result).toMatchObject({ status: "SUCCEEDED", endState: "Done" });
    expect(invocations(result, share.fn)).toHaveLength(10);
  });

  it.each([
    ["an older one runs", running(SHARE_SELF, share.execution(1))],
    ["it is in the middle of three", running(share.execution(3), SHARE_SELF, share.execution(1))],
    [
      "an older one runs and many newer ones",
      running(...newerThan(share, 2, 20), SHARE_SELF, share.execution(1)),
    ],
  ])("leaves the work to the oldest running execution when %s", async (_, listed) => {
    const result = await runShare(listed, []);
    expect(result).toMatchObject({ status: "SUCCEEDED", endState: "AnOlderShareRuns" });
    expect(invocations(result, share.fn)).toEqual([]);
  });

  it.each([
    ["it is the only one listed", running(SHARE_SELF)],
    ["newer ones are listed first", running(share.execution(4), share.execution(3), SHARE_SELF)],
    ["the list does not show it yet", running()],
  ])("shares when %s", async (_, listed) => {
    const result = await runShare(listed, [shared(0)]);
    expect(result).toMatchObject({ status: "SUCCEEDED", endState: "Done" });
    expect(invocations(result, share.fn)).toHaveLength(1);
  });

  it("shares when it cannot list the running executions", async () => {
    const result = await runShare(new TaskError("Sfn.SfnException"), [shared(0)]);
    expect(invocations(result, share.fn)).toHaveLength(1);
  });

  it("keeps the original retry policy: SnapshotToolException every 300 s, 3 times", async () => {
    const failing = () => new TaskError("SnapshotToolException");
    const failed = await runShare(running(SHARE_SELF), Array.from({ length: 4 }, failing));
    expect(failed).toMatchObject({ status: "FAILED", error: "SnapshotToolException" });
    expect(failed.waits).toEqual(Array(3).fill({ seconds: 300, why: "Retry" }));
  });
});

describe.each([
  ["source", "statemachineVerifyAurora", "lambdaVerifyAurora"],
  ["dest", "statemachineVerifyDestAurora", "lambdaVerifyDestAurora"],
] as const)("the %s verify state machine, walked", (name, stateMachine, fn) => {
  const verify = machine(name, stateMachine, fn);
  /** A verify round's answer: where to resume, whether to go on, how long to wait, the results. */
  const answer = (position: unknown, go: boolean, waitSeconds = 60, results: unknown[] = []) => ({
    verify: position,
    continue: go,
    waitSeconds,
    results,
  });
  const runVerify = (results: unknown[], input: unknown = {}) =>
    run(verify, scripted(verify, running(), results), input, verify.execution(1));

  it("starts a new run with {}, then resumes from each round's position after waitSeconds until continue is false", async () => {
    const result = await runVerify([
      answer({ run: "r1", at: 1 }, true, 120, [{ cluster: "orders", state: "restoring" }]),
      answer({ run: "r1", at: 2 }, true, 300),
      answer({ run: "r1", at: 3 }, false, 0, [{ cluster: "orders", outcome: "passed" }]),
    ]);
    expect(result).toMatchObject({ status: "SUCCEEDED", endState: "Done" });
    expect(invocations(result, verify.fn)).toEqual([
      {},
      { verify: { run: "r1", at: 1 } },
      { verify: { run: "r1", at: 2 } },
    ]);
    expect(result.waits).toEqual([
      { seconds: 120, why: "Wait" },
      { seconds: 300, why: "Wait" },
    ]);
  });

  it("starts a new run whatever the execution is started with", async () => {
    const result = await runVerify([answer({ at: 1 }, false)], { verify: { stale: true } });
    expect(invocations(result, verify.fn)).toEqual([{}]);
  });

  it("carries only the position between rounds, not the results", async () => {
    const big = Array.from({ length: 50 }, (_, i) => ({ cluster: `c${i}`, outcome: "passed" }));
    const result = await runVerify([answer({ at: 1 }, true, 10, big), answer({ at: 2 }, false)]);
    expect(invocations(result, verify.fn)[1]).toEqual({ verify: { at: 1 } });
  });

  it("fails the execution (the alarm) at once when the run's last round throws SnapshotToolException: a retry would only end the same way and publish the metrics again", async () => {
    const failing = () => new TaskError("SnapshotToolException", "verify: 1 failed");
    const result = await runVerify([answer({ at: 1 }, true, 30), failing()]);
    expect(result).toMatchObject({
      status: "FAILED",
      endState: "VerifyRound",
      error: "SnapshotToolException",
    });
    expect(result.waits).toEqual([{ seconds: 30, why: "Wait" }]);
    expect(invocations(result, verify.fn)).toHaveLength(2);
  });

  it("retries any other error every 30 s, 20 times, with the same position", async () => {
    const timeouts = Array.from({ length: 20 }, () => new TaskError("Sandbox.Timedout"));
    const result = await runVerify([
      answer({ at: 1 }, true, 5),
      ...timeouts,
      answer({ at: 2 }, false),
    ]);
    expect(result.status).toBe("SUCCEEDED");
    const calls = invocations(result, verify.fn);
    expect(calls.slice(1)).toEqual(Array(21).fill({ verify: { at: 1 } }));
  });
});

describe("the copy state machine with the copy function on the in-memory RDS", () => {
  const A = "111111111111";
  const B = "222222222222";
  const quiet: ReportLogger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

  /** 12 tool snapshots of as many clusters in A, shared with B: more than RDS's 5 copy slots. */
  function aBacklog(options: { allowSharedCrossRegionCopy?: boolean } = {}) {
    const sim = new InMemoryRds({
      now: new Date(START),
      copyStartMinutes: 1,
      crossRegionCopyMinutes: 30,
      ...options,
    });
    for (let i = 1; i <= 12; i++) {
      sim.addCluster({ account: A, region: "us-east-1", id: `db${i}` });
      sim.addSnapshot({
        account: A,
        region: "us-east-1",
        id: `db${i}-2026-04-01-01-00`,
        clusterId: `db${i}`,
        sharedWith: [B],
        tags: { CreatedBy: "Snapshot Tool for Aurora", shareAndCopy: "YES" },
      });
    }
    return sim;
  }

  /** One execution of the copy state machine, its rounds run by the copy function on `sim`. */
  function loopOn(sim: InMemoryRds, logger: ReportLogger = quiet) {
    const handler = createStepHandler("copy", {
      env: {
        AWS_REGION: "us-east-1",
        DEST_REGION: "us-west-2",
        COPY_POLL_SECONDS: "60",
        SOURCE_ACCOUNTS: A,
      },
      clients: createClientFactory({
        credentials: { accessKeyId: "x", secretAccessKey: "x" },
        plugins: (region) => [sim.plugin(B, region)],
        retryStrategy: sim.retryStrategy(),
      }),
      clock: () => sim.now().getTime(),
      logger: () => logger,
    });
    const lambdaContext = () => {
      const end = sim.now().getTime() + 300_000;
      return { getRemainingTimeInMillis: () => end - sim.now().getTime() } as never;
    };
    return walk(
      copy.definition,
      {},
      {
        context: { executionArn: SELF, startTime: START, stateMachineArn: copy.arn },
        task: (resource, input) =>
          resource === LIST_EXECUTIONS ? running(SELF) : handler(input, lambdaContext()),
        onWait: (seconds) => {
          sim.advance(seconds * 1000);
        },
      },
    );
  }

  it("copies a backlog larger than RDS's copy slots in one execution, a round per poll", async () => {
    const sim = aBacklog();
    const result = await loopOn(sim);

    expect(result).toMatchObject({ status: "SUCCEEDED", endState: "Done" });
    const copies = sim.snapshots({ account: B, region: "us-west-2" });
    expect(copies.map((s) => s.status)).toEqual(Array(12).fill("available"));
    // 12 copies of 30 minutes through 5 slots: three waves, each started within a poll of a
    // slot freeing, so the loop ends a little after 90 minutes, not at a later schedule.
    const elapsedMinutes = (sim.now().getTime() - Date.parse(START)) / 60_000;
    expect(elapsedMinutes).toBeGreaterThanOrEqual(90);
    expect(elapsedMinutes).toBeLessThan(100);
    expect(new Set(result.waits.map((w) => w.seconds))).toEqual(new Set([60]));
  });

  it("asks RDS for a single-step copy into a region once per loop: a refusal in round 1 is in round 2's event", async () => {
    const sim = aBacklog({ allowSharedCrossRegionCopy: false });
    const warnings: string[] = [];
    const result = await loopOn(sim, { ...quiet, warn: (message) => warnings.push(message) });

    expect(result).toMatchObject({ status: "SUCCEEDED", endState: "Done" });
    const events = invocations(result, copy.fn) as { copyLoop: { singleStepRefused: unknown } }[];
    expect(events.length).toBeGreaterThan(2);
    expect(events[0]?.copyLoop.singleStepRefused).toEqual([]);
    for (const later of events.slice(1)) {
      expect(later.copyLoop.singleStepRefused).toEqual(["us-west-2"]);
    }
    expect(warnings.filter((w) => /single-step/.test(w))).toHaveLength(1);
    const copies = sim.snapshots({ account: B, region: "us-west-2" });
    expect(copies.map((s) => s.status)).toEqual(Array(12).fill("available"));
  });
});
