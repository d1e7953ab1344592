/**
 * The verify function: one round per invocation, the position passed back by the caller (the
 * state machine), metrics and a SnapshotToolException at the end of a run with a failed check.
 */
import { createClientFactory, VERIFICATION_TAG } from "@aurora-snapshot-tool/core";
import { InMemoryRds, SimVerifyChecks } from "@aurora-snapshot-tool/core/testing";
import { describe, expect, it } from "vitest";

import { createVerifyHandler, type VerifyHandlerResult } from "../src/runtime/verify-handler.js";
import { optionsOverSim } from "./support/sim-handlers.js";

const A = "111111111111";
const HOME = "us-east-1";
const START = new Date("2026-04-05T03:00:00Z");

function aVerifyFunction(env: Record<string, string> = {}) {
  const sim = new InMemoryRds({ now: START });
  sim.addCluster({ account: A, region: HOME, id: "orders" });
  sim.addSnapshot({
    account: A,
    region: HOME,
    id: "orders-2026-04-05-01-00",
    clusterId: "orders",
    tags: { CreatedBy: "Snapshot Tool for Aurora", shareAndCopy: "YES" },
  });
  const checks = new SimVerifyChecks(sim);
  const { options, logged, emf } = optionsOverSim(sim, A, {
    AWS_REGION: HOME,
    DEPLOYMENT_NAME: "prod-backups",
    ...env,
  });
  const clients = createClientFactory({
    credentials: { accessKeyId: "x", secretAccessKey: "x" },
    plugins: (region) => [checks.plugin(A, region), sim.plugin(A, region)],
    retryStrategy: sim.retryStrategy(),
  });
  const handler = createVerifyHandler({ ...options, clients });
  /** Invokes until the run ends, as the state machine's Wait loop would; the last answer or error. */
  async function runToEnd(): Promise<{
    last?: VerifyHandlerResult;
    error?: unknown;
    rounds: number;
  }> {
    let event: unknown = {};
    for (let rounds = 1; rounds <= 300; rounds += 1) {
      let last: VerifyHandlerResult;
      try {
        last = await handler(event);
      } catch (error) {
        return { error, rounds };
      }
      if (!last.continue) return { last, rounds };
      sim.advance(last.waitSeconds * 1000);
      event = JSON.parse(JSON.stringify({ verify: last.verify }));
    }
    throw new Error("no end");
  }
  return { sim, checks, runToEnd, logged, emf };
}

describe("the verify function", () => {
  it("runs a whole verification over JSON-passed positions, publishes the metrics and leaves nothing", async () => {
    const { sim, runToEnd, emf } = aVerifyFunction();
    const { last, error, rounds } = await runToEnd();
    expect(error).toBeUndefined();
    expect(rounds).toBeGreaterThan(2);
    expect(last?.results.map((r) => `${r.cluster}:${r.outcome}`)).toEqual(["orders:passed"]);
    expect(
      sim.clusters({ account: A, region: HOME }).filter((c) => c.tags[VERIFICATION_TAG]),
    ).toEqual([]);
    const metrics = emf.metrics();
    expect(metrics.find((m) => m.name === "VerificationsSucceeded")?.value).toBe(1);
    expect(metrics.find((m) => m.name === "VerificationsFailed")?.value).toBe(0);
    expect(metrics[0]?.dimensions).toMatchObject({ Deployment: "prod-backups", Side: "source" });
  });

  it("throws SnapshotToolException at the end of a run whose check failed, after the metrics", async () => {
    const { checks, runToEnd, emf } = aVerifyFunction({
      VERIFY_CHECK_LAMBDA_ARN: "arn:aws:lambda:us-east-1:111111111111:function:check",
    });
    checks.setCheckFunction(() => ({ ok: false, reason: "no rows" }));
    const { error } = await runToEnd();
    expect(error).toMatchObject({ name: "SnapshotToolException" });
    expect(String((error as Error).message)).toMatch(/orders: check: no rows/);
    expect(emf.metrics().find((m) => m.name === "VerificationsFailed")?.value).toBe(1);
  });

  it("refuses a bad TOOL_SIDE before any AWS call", async () => {
    const { sim, runToEnd } = aVerifyFunction({ TOOL_SIDE: "sideways" });
    const { error } = await runToEnd();
    expect(error).toMatchObject({ name: "ConfigError" });
    expect(sim.calls).toEqual([]);
  });
});
