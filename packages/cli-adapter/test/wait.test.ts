import type { Snapshot } from "@aurora-snapshot-tool/core";
import { aSnapshot, aToolSnapshot } from "@aurora-snapshot-tool/core/testing";
import { describe, expect, it } from "vitest";

import { ACCOUNT, fakeGateway } from "./support/fake-gateway.js";
import { runInProcess } from "./support/run-in-process.js";

/** A clock that only moves when the command sleeps: no real waiting, no timing in the test. */
function fakeTime() {
  let t = Date.parse("2026-11-25T10:00:00Z");
  const sleeps: number[] = [];
  return {
    now: () => new Date(t),
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t += ms;
    },
    sleeps,
  };
}

/** A gateway whose tool snapshot prod-a-2026-11-25-09-00 moves through the states, one per look. */
function progressing(states: readonly Partial<Snapshot>[]) {
  const snapshot = (over: Partial<Snapshot>): Snapshot =>
    aToolSnapshot({
      clusterId: "prod-a",
      takenAt: new Date("2026-11-25T09:00:00Z"),
      name: "prod-a-2026-11-25-09-00",
      account: ACCOUNT,
      ...over,
    });
  const gateway = fakeGateway({
    snapshots: [snapshot({ status: "creating", percentProgress: 0 })],
  });
  let look = 0;
  return {
    ...gateway,
    describeSnapshot: async (region: string) => {
      const state = states[Math.min(look++, states.length - 1)];
      return snapshot({ region, ...state });
    },
  };
}

describe("wait", () => {
  it("prints a line whenever a snapshot's progress changes, until it is available", async () => {
    const time = fakeTime();
    const gateway = progressing([
      { status: "creating", percentProgress: 10 },
      { status: "creating", percentProgress: 10 },
      { status: "creating", percentProgress: 60 },
      { status: "available", percentProgress: 100 },
    ]);

    const run = await runInProcess(["wait", "prod-a-2026-11-25-09-00", "--poll-interval", "5"], {
      gateway,
      ...time,
    });

    expect(run.code).toBe(0);
    expect(run.stdout.split("\n").filter((l) => l.includes("prod-a-"))).toEqual([
      "2026-11-25T10:00:00.000Z prod-a-2026-11-25-09-00 us-east-1 creating 10%",
      "2026-11-25T10:00:10.000Z prod-a-2026-11-25-09-00 us-east-1 creating 60%",
      "2026-11-25T10:00:15.000Z prod-a-2026-11-25-09-00 us-east-1 available 100%",
    ]);
    expect(run.stdout).toContain("1 available, 0 failed or gone, 0 still in progress");
    expect(time.sleeps).toEqual([5000, 5000, 5000]);
  });

  it("draws a progress bar per snapshot on a terminal, redrawn in place", async () => {
    const gateway = progressing([
      { status: "copying", percentProgress: 50 },
      { status: "available", percentProgress: 100 },
    ]);

    const run = await runInProcess(["wait", "prod-a-2026-11-25-09-00"], {
      gateway,
      tty: true,
      ...fakeTime(),
    });

    expect(run.code).toBe(0);
    expect(run.stdout).toContain("[############------------]  50%");
    expect(run.stdout).toContain("\u001b[1A\u001b[2K[########################] 100%");
  });

  it("gives up at --timeout and exits 3 with the snapshot still pending", async () => {
    const time = fakeTime();
    const gateway = progressing([{ status: "creating", percentProgress: 5 }]);

    const run = await runInProcess(
      ["wait", "prod-a-2026-11-25-09-00", "--timeout", "60", "--poll-interval", "30", "--json"],
      { gateway, ...time },
    );

    expect(run.code).toBe(3);
    expect(JSON.parse(run.stdout)).toMatchObject({
      snapshots: [
        {
          snapshot: "prod-a-2026-11-25-09-00",
          status: "creating",
          percentProgress: 5,
          outcome: "pending",
        },
      ],
      summary: { done: 0, failed: 0, pending: 1 },
    });
    expect(time.sleeps).toEqual([30_000, 30_000]);
    expect(run.stderr).toContain("creating 5%");
  });

  it("exits 3 when a snapshot fails", async () => {
    const gateway = progressing([{ status: "failed" }]);
    const run = await runInProcess(["wait", "prod-a-2026-11-25-09-00"], { gateway, ...fakeTime() });

    expect(run.code).toBe(3);
    expect(run.stdout).toContain("0 available, 1 failed or gone, 0 still in progress");
  });

  it("without names follows only the tool's snapshots that are still being made", async () => {
    const gateway = fakeGateway({
      snapshots: [
        aToolSnapshot({
          name: "prod-a-2026-05-20-12-00",
          clusterId: "prod-a",
          account: ACCOUNT,
          status: "creating",
          percentProgress: 40,
        }),
        aToolSnapshot({
          name: "prod-a-2026-05-19-12-00",
          clusterId: "prod-a",
          account: ACCOUNT,
          status: "available",
        }),
        aSnapshot({
          name: "by-hand",
          clusterId: "prod-a",
          account: ACCOUNT,
          status: "creating",
          tags: {},
        }),
      ],
    });
    const looked: string[] = [];
    const watching = {
      ...gateway,
      describeSnapshot: async (region: string, ref: string) => {
        looked.push(ref);
        return aToolSnapshot({
          name: "prod-a-2026-05-20-12-00",
          clusterId: "prod-a",
          account: ACCOUNT,
          region,
          status: "available",
        });
      },
    };

    const run = await runInProcess(["wait", "--json"], { gateway: watching, ...fakeTime() });

    expect(run.code).toBe(0);
    expect(looked).toEqual([
      "arn:aws:rds:us-east-1:123456789012:cluster-snapshot:prod-a-2026-05-20-12-00",
    ]);
    expect(JSON.parse(run.stdout).snapshots).toEqual([
      expect.objectContaining({ snapshot: "prod-a-2026-05-20-12-00", outcome: "done" }),
    ]);
  });
});
