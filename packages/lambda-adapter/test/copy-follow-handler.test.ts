/**
 * The copy function follows the copies it starts until its deadline (COPY_POLL_SECONDS), with an
 * injected clock and sleep that move the in-memory RDS: no emulator and no real waiting. The CLI's
 * `copy --follow` runs the same scenario and must report the same summary. COPY_MODE two-step,
 * so that one snapshot's copy has three stages (local copy, remote copy, clean-up) to follow.
 */
import { runCli } from "@aurora-snapshot-tool/cli";
import { createClientFactory } from "@aurora-snapshot-tool/core";
import {
  SHARED_SNAPSHOT,
  sharedSnapshotScenario,
  simulatedGateway,
  type InMemoryRds,
} from "@aurora-snapshot-tool/core/testing";
import { describe, expect, it } from "vitest";

import type { ReportLogger } from "../src/runtime/report-log.js";
import { createStepHandler } from "../src/runtime/step-handler.js";

const { account: B, drRegion: DR } = SHARED_SNAPSHOT.destination;
const { region: HOME } = SHARED_SNAPSHOT.source;
const aSharedSnapshot = sharedSnapshotScenario;

const quiet: ReportLogger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/** A Lambda context with `seconds` left at the start, counted on the simulation's clock. */
function contextOn(sim: InMemoryRds, seconds: number) {
  const end = sim.now().getTime() + seconds * 1000;
  return { getRemainingTimeInMillis: () => end - sim.now().getTime() } as never;
}

function copyHandler(sim: InMemoryRds, sleep: (ms: number) => Promise<void>, poll: string) {
  return createStepHandler("copy", {
    env: { AWS_REGION: HOME, DEST_REGION: DR, COPY_POLL_SECONDS: poll, COPY_MODE: "two-step" },
    clients: createClientFactory({
      credentials: { accessKeyId: "x", secretAccessKey: "x" },
      plugins: (region) => [sim.plugin(B, region)],
      retryStrategy: sim.retryStrategy(),
    }),
    clock: () => sim.now().getTime(),
    sleep,
    logger: () => quiet,
  });
}

describe("the copy function's follow-up", () => {
  it("does all three stages in one invocation within its time, polling every COPY_POLL_SECONDS", async () => {
    const { sim, sleeps, sleep } = aSharedSnapshot();
    const result = await copyHandler(sim, sleep, "60")({}, contextOn(sim, 3600));

    expect(result).toMatchObject({ done: 3, failed: 0, pending: 0, deferred: 0, complete: true });
    expect(sim.snapshots({ account: B, region: DR }).map((s) => s.status)).toEqual(["available"]);
    expect(sim.snapshots({ account: B, region: HOME })).toEqual([]);
    expect(new Set(sleeps)).toEqual(new Set([60_000]));
  });

  it("stops before its deadline, keeping the 20 s margin", async () => {
    const { sim, sleep } = aSharedSnapshot();
    const start = sim.now().getTime();
    const result = await copyHandler(sim, sleep, "60")({}, contextOn(sim, 120));

    expect(result).toMatchObject({ done: 1 });
    expect(sim.now().getTime() - start).toBeLessThanOrEqual(100_000);
    expect(sim.snapshots({ account: B, region: DR })).toEqual([]);
  });

  it("with COPY_POLL_SECONDS=0 does one stage and never waits", async () => {
    const { sim, sleeps, sleep } = aSharedSnapshot();
    const result = await copyHandler(sim, sleep, "0")({}, contextOn(sim, 3600));

    expect(result).toMatchObject({ done: 1, complete: true });
    expect(sleeps).toEqual([]);
  });

  it("reports what copy --follow reports for the same scenario", async () => {
    const lambda = aSharedSnapshot();
    const summary = await copyHandler(
      lambda.sim,
      lambda.sleep,
      "60",
    )({}, contextOn(lambda.sim, 3600));

    const cli = aSharedSnapshot();
    let stdout = "";
    const code = await runCli(["copy", "--follow", "--copy-poll-seconds", "60", "--json"], {
      stdout: { write: (t: string) => (stdout += t) },
      stderr: { write: () => true },
      env: { AWS_REGION: HOME, DEST_REGION: DR, COPY_MODE: "two-step" },
      gateway: () => simulatedGateway(cli.sim, B),
      now: () => cli.sim.now(),
      sleep: cli.sleep,
    });
    expect(code).toBe(0);
    const doc = JSON.parse(stdout) as { summary: Record<string, unknown> };
    const { step: _step, startedAt: _s, finishedAt: _f, ...counts } = summary;
    expect(doc.summary).toEqual(counts);
  });
});
