import { createClientFactory } from "@aurora-snapshot-tool/core";
import { InMemoryRds } from "@aurora-snapshot-tool/core/testing";
import { describe, expect, it } from "vitest";

import { parseJobSteps, runJob } from "../scheduled-job.js";

const ACCOUNT = "111111111111";
const REGION = "eu-west-1";
const ENV = {
  AWS_REGION: REGION,
  PATTERN: "ALL_CLUSTERS",
  INTERVAL: "24",
  RETENTION_DAYS: "1",
  MIN_KEEP: "1",
  DEST_ACCOUNT: "222222222222",
  JOB_STEPS: "take:60,share:10,prune:60",
};

function anAccount() {
  const sim = new InMemoryRds({ now: new Date("2026-06-01T00:30:00Z") });
  sim.addCluster({ account: ACCOUNT, region: REGION, id: "orders" });
  const clients = () =>
    createClientFactory({
      credentials: { accessKeyId: "x", secretAccessKey: "x" },
      plugins: (region) => [sim.plugin(ACCOUNT, region)],
      retryStrategy: sim.retryStrategy(),
    });
  const sleep = async (ms: number) => void sim.advance({ minutes: ms / 60_000 });
  return { sim, clients, sleep };
}

describe("the scheduled-job example adapter", () => {
  it("runs take, share and prune on its own timer through the port", async () => {
    const { sim, clients, sleep } = anAccount();
    const lines: string[] = [];
    // Three simulated days, one tick a minute.
    const ok = await runJob({
      env: ENV,
      clients,
      clock: () => sim.now().getTime(),
      sleep,
      rounds: 3 * 1440,
      log: (l) => lines.push(l),
    });
    expect(ok).toBe(true);
    const manual = sim.snapshots({ account: ACCOUNT, type: "manual" });
    // A snapshot a day, the older ones pruned past the 1-day retention: never fewer than MIN_KEEP.
    expect(manual.length).toBeGreaterThanOrEqual(1);
    expect(manual.length).toBeLessThanOrEqual(2);
    const runs = lines.map((l) => JSON.parse(l) as { step: string; done: number });
    expect(runs.filter((r) => r.step === "take" && r.done === 1)).toHaveLength(3);
    expect(runs.filter((r) => r.step === "share" && r.done === 1)).toHaveLength(3);
    expect(runs.filter((r) => r.step === "prune" && r.done === 1).length).toBeGreaterThanOrEqual(1);
    expect(manual.every((s) => s.sharedWith.includes("222222222222"))).toBe(true);
  });

  it("stops at the abort signal without starting anything new", async () => {
    const { sim, clients, sleep } = anAccount();
    const controller = new AbortController();
    controller.abort();
    const lines: string[] = [];
    await runJob({
      env: ENV,
      clients,
      clock: () => sim.now().getTime(),
      sleep,
      signal: controller.signal,
      log: (l) => lines.push(l),
    });
    expect(lines).toEqual([]);
    expect(sim.calls).toEqual([]);
  });

  it("refuses a bad schedule or policy before any call", async () => {
    expect(() => parseJobSteps("take:daily")).toThrow(/JOB_STEPS/);
    const { sim, clients } = anAccount();
    await expect(
      runJob({ env: { ...ENV, RETENTION_DAYS: "a week" }, clients, rounds: 1 }),
    ).rejects.toThrow(/RETENTION_DAYS/);
    expect(sim.calls).toEqual([]);
  });
});
