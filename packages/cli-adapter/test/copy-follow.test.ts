import {
  SHARED_SNAPSHOT,
  sharedSnapshotScenario,
  simulatedGateway,
} from "@aurora-snapshot-tool/core/testing";
import { describe, expect, it } from "vitest";

import { runInProcess } from "./support/run-in-process.js";

/*
 * `copy --follow` on the in-memory RDS: the command's clock is the simulation's, and each of its
 * sleeps moves the simulation on, so copies finish while the command waits and nothing waits for real.
 */

const { account: B, drRegion: DR } = SHARED_SNAPSHOT.destination;
const { region: HOME } = SHARED_SNAPSHOT.source;
const NAME = SHARED_SNAPSHOT.snapshot;

function aSharedSnapshot() {
  const { sim, sleeps, sleep } = sharedSnapshotScenario();
  const io = {
    env: { AWS_REGION: HOME, DEST_REGION: DR },
    gateway: simulatedGateway(sim, B),
    now: () => sim.now(),
    sleep,
  };
  return { sim, io, sleeps };
}

interface Doc {
  decisions: { action: string; region: string; status: string }[];
  summary: Record<string, unknown>;
}

describe("copy --follow", () => {
  it("does the local copy, the remote copy and the clean-up in one run, polling every --copy-poll-seconds", async () => {
    const { sim, io, sleeps } = aSharedSnapshot();
    const run = await runInProcess(["copy", "--follow", "--copy-poll-seconds", "60", "--json"], io);

    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout) as Doc;
    const done = doc.decisions.filter((d) => d.status === "done");
    expect(done.map((d) => [d.action, d.region])).toEqual([
      ["copy", HOME],
      ["copy", DR],
      ["delete", HOME],
    ]);
    expect(doc.summary).toMatchObject({ done: 3, failed: 0, pending: 0, complete: true });
    expect(sim.snapshots({ account: B, region: DR }).map((s) => [s.id, s.status])).toEqual([
      [NAME, "available"],
    ]);
    expect(sim.snapshots({ account: B, region: HOME })).toEqual([]);
    expect(sleeps.length).toBeGreaterThan(0);
    expect(new Set(sleeps)).toEqual(new Set([60_000]));
  });

  it("stops following at --timeout and reports what is left for the next run", async () => {
    const { sim, io } = aSharedSnapshot();
    const run = await runInProcess(
      ["copy", "--follow", "--copy-poll-seconds", "60", "--timeout", "120", "--json"],
      io,
    );

    const doc = JSON.parse(run.stdout) as Doc;
    const done = doc.decisions.filter((d) => d.status === "done");
    expect(done.map((d) => [d.action, d.region])).toEqual([["copy", HOME]]);
    expect(sim.snapshots({ account: B, region: DR })).toEqual([]);
  });

  it("without --follow does one stage and leaves the rest to later runs", async () => {
    const { sim, io, sleeps } = aSharedSnapshot();
    const run = await runInProcess(["copy", "--json"], io);

    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout) as Doc;
    expect(doc.decisions.filter((d) => d.status === "done").map((d) => d.region)).toEqual([HOME]);
    expect(sleeps).toEqual([]);
    expect(sim.snapshots({ account: B, region: DR })).toEqual([]);
  });

  it("refuses --timeout without --follow, before any AWS call", async () => {
    const { sim, io } = aSharedSnapshot();
    const before = sim.calls.length;
    const run = await runInProcess(["copy", "--timeout", "60"], io);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--timeout");
    expect(run.stderr).toContain("--follow");
    expect(sim.calls.length).toBe(before);
  });
});
