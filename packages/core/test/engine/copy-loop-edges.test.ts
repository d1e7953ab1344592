/**
 * The copy loop at its edges: two-step intermediates bounded while the onward region is busy,
 * intermediates whose shared snapshot is gone, single-step refusals remembered between rounds
 * driven from outside, and refusals under error codes AWS does not document.
 */
import { describe, expect, it } from "vitest";
import {
  TAG_CREATED_BY,
  TAG_INTERMEDIATE,
  TAG_SHARE_AND_COPY,
  TAG_SOURCE_ARN,
  TOOL_NAME,
} from "../../src/model/index.js";
import { formatSnapshotName } from "../../src/naming/index.js";
import { planCopy } from "../../src/plan/index.js";
import { destinationPolicyFromObject } from "../../src/policy/index.js";
import type { CopyMode } from "../../src/policy/types.js";
import { copyLoopState, followedCopies, runCopy } from "../../src/steps/index.js";
import {
  DEST_ACCOUNT,
  NOW,
  SOURCE_ACCOUNT,
  InMemoryRds,
  aDestinationPolicy,
  aToolCopy,
  aToolSnapshot,
  daysAgo,
  hoursAgo,
  simulatedGateway,
  type InMemoryRdsOptions,
} from "../../src/testing/index.js";

const A = "111111111111";
const B = "222222222222";
const HOME = "us-east-1";
const DR = "us-west-2";
const START = new Date("2026-05-01T02:00:00Z");

function fleet(n: number, copyMode: CopyMode, options: Partial<InMemoryRdsOptions> = {}) {
  const sim = new InMemoryRds({
    now: START,
    copyMinutes: 5,
    crossRegionCopyMinutes: 60,
    ...options,
  });
  for (let i = 0; i < n; i += 1) {
    const cluster = `db-${String(i).padStart(3, "0")}`;
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
    policy: destinationPolicyFromObject({
      destinationRegions: [DR],
      sourceAccounts: [A],
      copyMode,
    }),
    execute: { retry: { minTimeoutMs: 1, maxTimeoutMs: 2 }, clock: () => sim.now().getTime() },
  };
  return { sim, input };
}

const manual = (sim: InMemoryRds, region: string) =>
  sim.snapshots({ account: B, region }).filter((s) => s.type === "manual");

describe("two-step intermediates while the onward region is busy", () => {
  it("never holds more than twice the slots in intermediates, so the snapshot quota is never reached", async () => {
    // 60 snapshots; local copies take 5 minutes, onward ones 60: unbounded, the loop would park
    // some 55 intermediates within the first hour (150 of them reach RDS's 100 manual snapshots).
    const { sim, input } = fleet(60, "two-step");
    let maxIntermediates = 0;
    const report = await runCopy({
      ...input,
      deadline: START.getTime() + 3 * 3_600_000,
      followUp: {
        pollMs: 60_000,
        sleep: async (ms) => {
          sim.advance(ms);
          maxIntermediates = Math.max(maxIntermediates, manual(sim, HOME).length);
        },
      },
    });
    expect(maxIntermediates).toBeLessThanOrEqual(10);
    expect(report.failed).toEqual([]);
    // Three hours through 5 slots of 60 minutes, the first intermediates ready after 6: at least
    // two full waves reached DR.
    expect(manual(sim, DR).filter((s) => s.status === "available").length).toBeGreaterThanOrEqual(
      10,
    );
  }, 60_000);
});

describe("an intermediate whose shared snapshot is gone", () => {
  const policy = aDestinationPolicy({
    destinationRegions: [DR],
    copyMode: "two-step",
    retentionDays: 7,
  });
  const sharedArn = (name: string) =>
    `arn:aws:rds:${HOME}:${SOURCE_ACCOUNT}:cluster-snapshot:${name}`;
  const intermediate = (takenAt: Date) => {
    const base = aToolCopy({ takenAt, region: HOME });
    return aToolCopy({
      takenAt,
      region: HOME,
      tags: { [TAG_INTERMEDIATE]: "YES", [TAG_SOURCE_ARN]: sharedArn(base.name) },
    });
  };

  it("is copied onward from itself while within retention: it may be the only copy left", () => {
    const i = intermediate(hoursAgo(2));
    const decisions = planCopy({
      account: DEST_ACCOUNT,
      localRegion: HOME,
      shared: [],
      own: [i],
      policy,
      now: NOW,
    });
    expect(decisions).toMatchObject([
      { action: "skip", reason: "intermediate-waiting", facts: { following: true } },
      {
        action: "copy",
        region: DR,
        snapshot: i.name,
        sourceArn: i.arn,
        intermediate: false,
        tags: { [TAG_SOURCE_ARN]: sharedArn(i.name) },
      },
    ]);
  });

  it("past retention it is kept, reported, and not followed by the loop", () => {
    const i = intermediate(daysAgo(9));
    const decisions = planCopy({
      account: DEST_ACCOUNT,
      localRegion: HOME,
      shared: [],
      own: [i],
      policy,
      now: NOW,
    });
    expect(decisions).toMatchObject([
      { action: "skip", reason: "intermediate-waiting", facts: { following: false } },
    ]);
    const skipped = decisions.filter((d) => d.action === "skip");
    const report = {
      step: "copy" as const,
      dryRun: false,
      startedAt: NOW.toISOString(),
      finishedAt: NOW.toISOString(),
      regions: [HOME, DR],
      decisions,
      done: [],
      failed: [],
      pending: [],
      skipped,
      deferred: [],
      blocked: [],
    };
    expect(followedCopies(report)).toBe(0);
    expect(copyLoopState(report, policy, { round: 1, startedAt: NOW, now: NOW }).continue).toBe(
      false,
    );
  });

  it("is not copied onward for a source account outside SOURCE_ACCOUNTS", () => {
    const i = intermediate(hoursAgo(2));
    const decisions = planCopy({
      account: DEST_ACCOUNT,
      localRegion: HOME,
      shared: [],
      own: [i],
      policy: { ...policy, sourceAccounts: ["999999999999"] },
      now: NOW,
    });
    expect(decisions.filter((d) => d.action === "copy")).toEqual([]);
  });

  it("the ordinary case: while the shared snapshot is there, the onward copy comes from it as before", () => {
    const shared = aToolSnapshot({
      takenAt: hoursAgo(2),
      type: "shared",
      account: SOURCE_ACCOUNT,
      region: HOME,
    });
    const i = aToolCopy({
      takenAt: hoursAgo(2),
      region: HOME,
      tags: { [TAG_INTERMEDIATE]: "YES", [TAG_SOURCE_ARN]: shared.arn },
    });
    const decisions = planCopy({
      account: DEST_ACCOUNT,
      localRegion: HOME,
      shared: [shared],
      own: [i],
      policy,
      now: NOW,
    });
    expect(decisions.filter((d) => d.action === "copy")).toMatchObject([
      { region: DR, sourceArn: i.arn },
    ]);
  });
});

describe("single-step refusals", () => {
  it("fall back on an error code AWS does not document for the case, not only InvalidParameterCombination", async () => {
    const { sim, input } = fleet(1, "auto");
    // The first copy tried is the single-step one into DR.
    sim.failOn({ operation: "CopyDBClusterSnapshot", error: "UnsupportedOperation", times: 1 });
    const report = await runCopy(input);
    expect(report.failed).toEqual([]);
    expect(report.singleStepRefused).toEqual([DR]);
    expect(report.done.map((o) => o.decision.region)).toEqual([HOME]);
  });

  it("do not fall back on a failure the two-step copy would meet too (the snapshot quota)", async () => {
    const { sim, input } = fleet(1, "auto");
    sim.failOn({
      operation: "CopyDBClusterSnapshot",
      error: "SnapshotQuotaExceededFault",
      times: 1,
    });
    const report = await runCopy(input);
    expect(report.singleStepRefused).toBeUndefined();
    expect(report.failed.map((o) => o.errorCode)).toEqual(["SnapshotQuotaExceededFault"]);
  });

  it("are remembered between rounds driven from outside: no new attempt, no new notice", async () => {
    const { sim, input } = fleet(1, "auto", { allowSharedCrossRegionCopy: false });
    const first = await runCopy(input);
    expect(first.notices).toHaveLength(1);
    expect(first.singleStepRefused).toEqual([DR]);
    const state = copyLoopState(first, input.policy, { round: 1, startedAt: START, now: START });
    expect(state.singleStepRefused).toEqual([DR]);

    sim.advance(10 * 60_000);
    const attemptsBefore = sim.calls.filter((c) => c.operation === "CopyDBClusterSnapshot").length;
    const second = await runCopy({ ...input, singleStepRefused: state.singleStepRefused });
    const attempts = sim.calls
      .filter((c) => c.operation === "CopyDBClusterSnapshot")
      .slice(attemptsBefore);
    // The local copy is available now: only the onward copy from it, in DR.
    expect(
      attempts.map((c) => [
        c.region,
        String(c.input["SourceDBClusterSnapshotIdentifier"]).includes(B),
      ]),
    ).toEqual([[DR, true]]);
    expect(second.notices).toBeUndefined();
    expect(second.singleStepRefused).toEqual([DR]);
  });
});

describe("the backlog of a two-step run", () => {
  it("counts a snapshot waiting for a local slot once, not again in its onward region", async () => {
    const { input } = fleet(8, "two-step");
    const report = await runCopy(input);
    expect(report.backlog).toMatchObject({ waiting: 3, inFlight: 5 });
    expect(report.backlog?.byRegion[DR]).toMatchObject({ waiting: 0 });
  });
});
