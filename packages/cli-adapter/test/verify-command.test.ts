import { VERIFICATION_TAG } from "@aurora-snapshot-tool/core";
import {
  InMemoryRds,
  SimVerifyChecks,
  simulatedVerifyGateway,
} from "@aurora-snapshot-tool/core/testing";
import { describe, expect, it } from "vitest";

import { runInProcess } from "./support/run-in-process.js";

/*
 * `verify` and `plan verify` on the in-memory RDS: the command's clock is the simulation's and each
 * of its sleeps moves the simulation on, so a restore finishes while the command polls.
 */
const A = "111111111111";
const HOME = "us-east-1";
const place = { account: A, region: HOME };

function aFleet() {
  const sim = new InMemoryRds({ now: new Date("2026-04-05T03:00:00Z") });
  sim.addCluster({ ...place, id: "orders" });
  sim.addSnapshot({
    ...place,
    id: "orders-2026-04-05-01-00",
    clusterId: "orders",
    tags: { CreatedBy: "Snapshot Tool for Aurora", shareAndCopy: "YES" },
  });
  sim.addCluster({
    ...place,
    id: "vfy-old-orders",
    tags: { [VERIFICATION_TAG]: "aurora-snapshot-tool" },
  });
  sim.addCluster({ ...place, id: "decoy" });
  const checks = new SimVerifyChecks(sim);
  const sleeps: number[] = [];
  const io = {
    env: { AWS_REGION: HOME },
    gateway: simulatedVerifyGateway(sim, A, checks),
    now: () => sim.now(),
    sleep: async (ms: number) => {
      sleeps.push(ms);
      sim.advance(ms);
    },
  };
  return { sim, checks, io, sleeps };
}

describe("verify", () => {
  it("restores, passes, removes the leftover, leaves the decoy, exits 0 with a progress line per round", async () => {
    const { sim, io, sleeps } = aFleet();
    const run = await runInProcess(["verify", "--json"], io);
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout) as {
      results: { cluster: string; outcome: string }[];
      removed: string[];
    };
    expect(doc.results.map((r) => `${r.cluster}:${r.outcome}`)).toEqual(["orders:passed"]);
    expect(doc.removed).toEqual(["vfy-old-orders"]);
    expect(run.stderr.match(/^verify round \d+/gm)?.length).toBe(sleeps.length + 1);
    expect(
      sim
        .clusters(place)
        .map((c) => c.id)
        .sort(),
    ).toEqual(["decoy", "orders"]);
  });

  it("exits 3 when a check fails", async () => {
    const { io, checks } = aFleet();
    checks.setCheckFunction(() => ({ ok: false }));
    const run = await runInProcess(
      ["verify", "--verify-check-lambda-arn", "arn:aws:lambda:us-east-1:111111111111:function:c"],
      io,
    );
    expect(run.stdout).toMatch(/^failed\s+orders/m);
    expect(run.code).toBe(3);
  });

  it("exits 3 at --timeout with the run unfinished", async () => {
    const { io } = aFleet();
    const run = await runInProcess(["verify", "--timeout", "120"], io);
    expect(run.code).toBe(3);
    expect(run.stdout).toMatch(/--timeout reached/);
  });

  it("exits 2 on a bad --side, before any AWS call", async () => {
    const { io, sim } = aFleet();
    const run = await runInProcess(["verify", "--side", "sideways"], io);
    expect(run.code).toBe(2);
    expect(sim.calls).toEqual([]);
  });
});

describe("plan verify", () => {
  it("says what would be restored and removed and what it may cost, and changes nothing", async () => {
    const { io, sim } = aFleet();
    const run = await runInProcess(["plan", "verify"], io);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/restore orders-2026-04-05-01-00/);
    expect(run.stdout).toMatch(/remove leftover verification cluster vfy-old-orders/);
    expect(run.stdout).toMatch(/at most 0\.12 USD of instance time/);
    expect(sim.calls.every((c) => /^(Describe|List|Get)/.test(c.operation))).toBe(true);
  });
});
