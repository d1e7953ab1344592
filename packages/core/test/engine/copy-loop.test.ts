import { describe, expect, it } from "vitest";
import type { RunReport } from "../../src/execute/report.js";
import { TAG_CREATED_BY, TAG_SHARE_AND_COPY, TOOL_NAME } from "../../src/model/index.js";
import { formatSnapshotName } from "../../src/naming/index.js";
import { destinationPolicyFromObject } from "../../src/policy/index.js";
import {
  COPY_LOOP_MAX_MS,
  COPY_LOOP_MAX_ROUNDS,
  copyLoopFails,
  copyLoopPositionOf,
  copyLoopState,
  runCopy,
  type CopyLoopState,
} from "../../src/steps/index.js";
import { InMemoryRds, simulatedGateway } from "../../src/testing/index.js";

const A = "111111111111";
const B = "222222222222";
const HOME = "us-east-1";
const DR = "us-west-2";
const START = new Date("2026-05-01T02:00:00Z");

/** `n` unencrypted snapshots of `n` clusters shared from A into B, taken 1..n minutes before START. */
function backlogOf(n: number, copyMinutes: number) {
  const sim = new InMemoryRds({ now: START, crossRegionCopyMinutes: copyMinutes });
  for (let i = 0; i < n; i += 1) {
    const cluster = `db-${String(i).padStart(2, "0")}`;
    const at = new Date(START.getTime() - (i + 1) * 60_000);
    sim.addSnapshot({
      account: A,
      region: HOME,
      id: formatSnapshotName(cluster, at),
      clusterId: cluster,
      createTime: at,
      sharedWith: [B],
      tags: { [TAG_CREATED_BY]: TOOL_NAME, [TAG_SHARE_AND_COPY]: "YES" },
    });
  }
  const input = {
    gateway: simulatedGateway(sim, B),
    region: HOME,
    policy: destinationPolicyFromObject({ destinationRegions: [DR], sourceAccounts: [A] }),
    execute: { retry: { minTimeoutMs: 1, maxTimeoutMs: 2 }, clock: () => sim.now().getTime() },
  };
  return { sim, input };
}

describe("the copy loop inside one run (followUp)", () => {
  it("keeps going while copies wait for a slot, reusing each freed slot within a poll", async () => {
    // 12 copies of 20 minutes through 5 slots: three waves, so at least 60 minutes, and with
    // 1-minute polls and a 1-minute start delay per wave, at most 3 x (20 + 1 + 1) minutes.
    const { sim, input } = backlogOf(12, 20);
    const states: CopyLoopState[] = [];
    let maxInFlight = 0;
    const report = await runCopy({
      ...input,
      deadline: START.getTime() + 6 * 3_600_000,
      followUp: {
        pollMs: 60_000,
        sleep: async (ms) => void sim.advance(ms),
        onRound: (state) => {
          states.push(state);
          maxInFlight = Math.max(maxInFlight, state.inFlight);
        },
      },
    });
    expect(report.done.filter((o) => o.decision.action === "copy")).toHaveLength(12);
    expect(sim.snapshots({ account: B, region: DR }).every((s) => s.status === "available")).toBe(
      true,
    );
    expect(sim.snapshots({ account: B, region: DR })).toHaveLength(12);
    const minutes = (sim.now().getTime() - START.getTime()) / 60_000;
    expect(minutes).toBeGreaterThanOrEqual(60);
    expect(minutes).toBeLessThanOrEqual(3 * 22 + 1);
    expect(maxInFlight).toBeLessThanOrEqual(5);
    // The first round left 7 waiting, and said so; the last one had nothing left to follow.
    expect(states[0]).toMatchObject({ continue: true, reason: "waiting-for-slots", waiting: 7 });
    expect(states.at(-1)).toMatchObject({ continue: false, reason: "nothing-to-follow" });
    expect(report.backlog).toMatchObject({ waiting: 0, inFlight: 0 });
  });

  it("reports the backlog of a run that stops: how many wait, and for how long", async () => {
    const { input } = backlogOf(8, 20);
    const report = await runCopy(input);
    expect(report.backlog).toEqual({
      inFlight: 5,
      waiting: 3,
      // The oldest waiting snapshot was taken 8 minutes before the run.
      oldestWaitingMinutes: 8,
      byRegion: {
        [HOME]: { inFlight: 0, waiting: 0, oldestWaitingMinutes: null },
        [DR]: { inFlight: 5, waiting: 3, oldestWaitingMinutes: 8 },
      },
    });
  });
});

function aReport(over: Partial<RunReport> = {}): RunReport {
  return {
    step: "copy",
    dryRun: false,
    startedAt: START.toISOString(),
    finishedAt: START.toISOString(),
    regions: [DR],
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

const waitingSkip = {
  step: "copy",
  action: "skip",
  reason: "copy-slots-full",
  cluster: "db",
  account: B,
  region: DR,
  snapshot: "db-1",
  facts: {},
} as const;

describe("copyLoopState", () => {
  const at = { round: 1, startedAt: START, now: START };
  const policy = { copyPollSeconds: 30 };

  it("stops when nothing is in flight or waiting", () => {
    expect(copyLoopState(aReport(), policy, at)).toMatchObject({
      continue: false,
      reason: "nothing-to-follow",
    });
  });

  it("goes on while a copy waits for a slot, and says so", () => {
    const report = aReport({ skipped: [waitingSkip], deferred: [waitingSkip] });
    expect(copyLoopState(report, policy, at)).toMatchObject({
      continue: true,
      pollSeconds: 30,
      following: 1,
    });
  });

  it("stops with COPY_POLL_SECONDS 0, at the round bound and before the duration bound", () => {
    const report = aReport({ skipped: [waitingSkip] });
    expect(copyLoopState(report, { copyPollSeconds: 0 }, at).reason).toBe("follow-off");
    expect(copyLoopState(report, policy, { ...at, round: COPY_LOOP_MAX_ROUNDS }).reason).toBe(
      "max-rounds",
    );
    const late = new Date(START.getTime() + COPY_LOOP_MAX_MS - 10_000);
    expect(copyLoopState(report, policy, { ...at, now: late }).reason).toBe("max-duration");
  });

  it("fails a round with a failed action at once, and blocked work only when the loop stops", () => {
    const failedCopy = aReport({
      failed: [
        {
          decision: {
            step: "copy",
            action: "delete",
            reason: "intermediate-done",
            cluster: "db",
            account: B,
            region: HOME,
            snapshot: "db-1",
            snapshotArn: "arn",
            facts: {},
          },
          status: "failed",
          errorCode: "InvalidDBClusterSnapshotStateFault",
        },
      ],
    });
    const going = { continue: true } as CopyLoopState;
    const stopped = { continue: false } as CopyLoopState;
    expect(copyLoopFails(failedCopy, going)).toBe(true);
    const blockedSkip = { ...waitingSkip, reason: "kms-key-required" } as const;
    const blocked = aReport({ skipped: [blockedSkip], blocked: [blockedSkip] });
    expect(copyLoopFails(blocked, going)).toBe(false);
    expect(copyLoopFails(blocked, stopped)).toBe(true);
    expect(copyLoopFails(aReport({ deferred: [waitingSkip] }), stopped)).toBe(false);
  });
});

describe("copyLoopPositionOf", () => {
  it("reads the state machine's round and start, and nothing from other events", () => {
    expect(
      copyLoopPositionOf(
        {
          copyLoop: {
            round: 3,
            startedAt: "2026-05-01T01:00:00Z",
            singleStepRefused: ["eu-west-1", "eu-west-1", "not a region", 7],
          },
        },
        START,
      ),
    ).toEqual({
      round: 3,
      startedAt: new Date("2026-05-01T01:00:00Z"),
      singleStepRefused: ["eu-west-1"],
    });
    expect(copyLoopPositionOf({ copyLoop: { round: "x", startedAt: 5 } }, START)).toEqual({
      round: 1,
      startedAt: START,
      singleStepRefused: [],
    });
    expect(copyLoopPositionOf({}, START)).toBeUndefined();
    expect(copyLoopPositionOf({ "detail-type": "Scheduled Event" }, START)).toBeUndefined();
    expect(copyLoopPositionOf(null, START)).toBeUndefined();
  });
});
