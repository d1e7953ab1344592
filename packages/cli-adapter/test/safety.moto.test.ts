import { startMotoServer, type MotoServer } from "@aurora-snapshot-tool/test-support";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { MotoWorld } from "./support/moto-world.js";
import { runBuiltCli, type CliRun } from "./support/run-built-cli.js";

/*
 * "No backup lost or silently skipped" through the built CLI against moto_server: a host clock
 * days fast (libfaketime), two deployments in one account, a cluster id too long for its snapshot
 * name. moto keeps real time; the world backdates each snapshot's SnapshotCreateTime to its name.
 */

interface Decision {
  action: string;
  cluster: string;
  snapshot: string | null;
  reason: string;
  status: string;
  facts: Record<string, unknown>;
}

interface StepDoc {
  decisions: Decision[];
  summary: { done: number; blocked: number; complete: boolean };
}

const DAY_MS = 86_400_000;

let moto: MotoServer;
let world: MotoWorld;

beforeAll(async () => {
  moto = await startMotoServer();
  world = new MotoWorld(moto);
});

afterAll(async () => {
  await moto?.stop();
});

beforeEach(async () => {
  await moto.reset();
});

function stamp(daysAgo: number): string {
  const at = new Date(Date.now() - daysAgo * DAY_MS);
  const p = (n: number) => String(n).padStart(2, "0");
  return (
    `${at.getUTCFullYear()}-${p(at.getUTCMonth() + 1)}-${p(at.getUTCDate())}-` +
    `${p(at.getUTCHours())}-${p(at.getUTCMinutes())}`
  );
}

async function step(
  args: readonly string[],
  env: Record<string, string> = {},
  options: { faketime?: string } = {},
): Promise<{ run: CliRun; doc: StepDoc }> {
  const run = await runBuiltCli([...args, "--json", "--endpoint-url", moto.endpoint], env, options);
  return { run, doc: run.json<StepDoc>() };
}

function reasonsOf(doc: StepDoc): Record<string, string> {
  return Object.fromEntries(doc.decisions.map((d) => [d.snapshot ?? d.cluster, d.reason]));
}

describe("a host clock 6 days fast", () => {
  it("prune deletes nothing, says clock-skew and exits 3; the same prune on a true clock deletes nothing either", async () => {
    await world.cluster("prod-orders");
    const names = [2, 3, 4].map((d) => `prod-orders-${stamp(d)}`);
    for (const name of names) await world.snapshot("prod-orders", name);

    const fast = await step(["prune"], { RETENTION_DAYS: "7" }, { faketime: "+6d" });
    expect(fast.run.code, fast.run.stderr).toBe(3);
    expect(fast.doc.decisions.filter((d) => d.action === "delete")).toEqual([]);
    // The newest is kept by MIN_KEEP; the two the fast clock thinks expired are blocked.
    expect(fast.doc.decisions.filter((d) => d.reason === "clock-skew")).toHaveLength(2);
    const skew = fast.doc.decisions.find((d) => d.reason === "clock-skew")?.facts;
    expect(Number(skew?.["clockSkewSeconds"])).toBeLessThan(-5.9 * 86_400);
    expect(fast.run.stderr).toMatch(/clock-skew; fix: synchronise/);
    expect(await world.manualSnapshotIds()).toEqual([...names].sort());

    const honest = await step(["prune"], { RETENTION_DAYS: "7" });
    expect(honest.run.code).toBe(0);
    expect(reasonsOf(honest.doc)).toEqual(
      Object.fromEntries(names.map((n) => [n, "within-retention"])),
    );
  });

  it("take goes on", async () => {
    await world.cluster("prod-orders");
    await world.snapshot("prod-orders", `prod-orders-${stamp(2)}`);
    const { run, doc } = await step(["take"], {}, { faketime: "+6d" });
    expect(run.code, run.stderr).toBe(0);
    expect(doc.decisions.filter((d) => d.action === "take").map((d) => d.status)).toEqual(["done"]);
  });
});

describe("two deployments in one account", () => {
  it("the daily prune keeps the monthly snapshots, and the monthly take is due despite the daily snapshot", async () => {
    await world.cluster("prod-orders");
    const daily = [1, 10, 20].map((d) => `prod-orders-${stamp(d)}`);
    const monthly = [40, 70].map((d) => `monthly-prod-orders-${stamp(d)}`);
    for (const name of [...daily, ...monthly]) await world.snapshot("prod-orders", name);

    const prune = await step(["prune"], { RETENTION_DAYS: "7" });
    expect(prune.run.code, prune.run.stderr).toBe(0);
    expect(
      prune.doc.decisions
        .filter((d) => d.action === "delete")
        .map((d) => d.snapshot)
        .sort(),
    ).toEqual([daily[1], daily[2]].sort());
    for (const name of monthly) expect(reasonsOf(prune.doc)[name]).toBe("not-owned");

    const monthlyTake = await step(["take"], {
      SNAPSHOT_NAME_PREFIX: "monthly",
      INTERVAL: "720",
    });
    expect(monthlyTake.run.code, monthlyTake.run.stderr).toBe(0);
    const took = monthlyTake.doc.decisions.find((d) => d.action === "take");
    expect(took).toMatchObject({ status: "done", reason: "due" });
    expect(took?.snapshot).toMatch(/^monthly-prod-orders-/);
    expect(took?.facts["newestSnapshot"]).toBe(monthly[0]);

    const monthlyPrune = await step(["prune"], {
      SNAPSHOT_NAME_PREFIX: "monthly",
      RETENTION_DAYS: "365",
    });
    expect(monthlyPrune.doc.decisions.filter((d) => d.action === "delete")).toEqual([]);
    expect(await world.manualSnapshotIds()).toEqual(
      expect.arrayContaining([daily[0]!, ...monthly]),
    );
  });
});

describe("a selected cluster whose snapshot name would be too long", () => {
  it("take exits 3, names the cluster and the fix on stderr, and says blocked in --json", async () => {
    const long = `orders-${"x".repeat(43)}`;
    await world.cluster("prod-orders");
    await world.cluster(long);

    const { run, doc } = await step(["take"]);

    expect(run.code).toBe(3);
    expect(doc.summary).toMatchObject({ done: 1, blocked: 1, complete: false });
    expect(doc.decisions.find((d) => d.cluster === long)).toMatchObject({
      action: "skip",
      reason: "identifier-too-long",
      status: "blocked",
    });
    expect(run.stderr).toContain(`(${long}) in us-east-1: identifier-too-long; fix: shorten`);
  });
});
