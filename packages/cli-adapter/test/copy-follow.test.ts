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

function aSharedSnapshot(copyMode = "two-step") {
  const { sim, sleeps, sleep } = sharedSnapshotScenario();
  const io = {
    env: { AWS_REGION: HOME, DEST_REGION: DR, COPY_MODE: copyMode },
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

describe("copy --follow, COPY_MODE two-step", () => {
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

interface LoopDoc extends Doc {
  backlog: { inFlight: number; waiting: number; byRegion: Record<string, unknown> };
}

describe("copy --follow, COPY_MODE auto (single-step)", () => {
  it("copies straight into DR, showing each round's copies in flight on stderr", async () => {
    const { sim, io } = aSharedSnapshot("auto");
    const run = await runInProcess(["copy", "--follow", "--copy-poll-seconds", "60", "--json"], io);

    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout) as LoopDoc;
    expect(doc.decisions.filter((d) => d.status === "done").map((d) => d.region)).toEqual([DR]);
    expect(doc.backlog).toMatchObject({ inFlight: 0, waiting: 0 });
    expect(sim.snapshots({ account: B, region: HOME })).toEqual([]);
    const rounds = run.stderr.split("\n").filter((l) => l.startsWith("copy: round"));
    expect(rounds[0]).toMatch(
      /^copy: round 1: 1 in flight, 0 waiting for a slot; looking again in 60 s$/,
    );
    expect(rounds.at(-1)).toMatch(/0 in flight, 0 waiting for a slot; done: nothing-to-follow$/);
  });

  it("without --follow reports the backlog in the table: what is in flight, per region", async () => {
    const { io } = aSharedSnapshot("auto");
    const run = await runInProcess(["copy"], io);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`copy backlog: 1 in flight, 0 waiting for a slot (${DR} 1+0)`);
  });
});
