import { describe, expect, it } from "vitest";
import { TAG_CREATED_BY, TAG_SHARE_AND_COPY, TOOL_NAME } from "../../src/model/index.js";
import { formatSnapshotName } from "../../src/naming/index.js";
import { destinationPolicyFromObject, sourcePolicyFromObject } from "../../src/policy/index.js";
import { runCopy, runTake } from "../../src/steps/index.js";
import { InMemoryRds, simulatedGateway } from "../../src/testing/index.js";

/*
 * RDS counts a copy against its 5 copies in progress per account and region from the moment it
 * accepts it, whatever state it shows. A run that counted only `copying` would ask for a sixth,
 * which AWS refuses (the model answers SnapshotQuotaExceededFault).
 */

const SOURCE = "111111111111";
const DEST = "222222222222";
const HOME = "us-east-1";
const NOW = new Date("2026-06-15T12:00:00Z");

describe("copy slots in the in-memory RDS", () => {
  it("five copies still pending or copying leave no room: the run starts none and defers the rest", async () => {
    // One copy runs at a time, so four of the five sit `pending` with no progress.
    const sim = new InMemoryRds({ now: NOW, copiesRunningAtOnce: 1, copyMinutes: 30 });
    const shared = [1, 2, 3, 4, 5, 6, 7].map((h) => {
      const at = new Date(NOW.getTime() - h * 3_600_000);
      const id = formatSnapshotName("orders", at);
      sim.addSnapshot({
        account: SOURCE,
        region: HOME,
        id,
        clusterId: "orders",
        createTime: at,
        sharedWith: [DEST],
        tags: { [TAG_CREATED_BY]: TOOL_NAME, [TAG_SHARE_AND_COPY]: "YES" },
      });
      return id;
    });
    const input = {
      gateway: simulatedGateway(sim, DEST),
      region: HOME,
      policy: destinationPolicyFromObject({ destinationRegions: [HOME], sourceAccounts: [SOURCE] }),
      execute: { retry: { minTimeoutMs: 1, maxTimeoutMs: 2 } },
    };

    const first = await runCopy({ ...input, now: sim.now() });
    expect(first.done).toHaveLength(5);
    expect(first.failed).toEqual([]);
    sim.advance({ minutes: 5 });
    const states = sim.snapshots({ account: DEST }).map((s) => s.status);
    expect(states.sort()).toEqual(["copying", "pending", "pending", "pending", "pending"]);

    const second = await runCopy({ ...input, now: sim.now() });
    expect(second.done).toEqual([]);
    expect(second.failed).toEqual([]);
    expect(second.deferred.map((d) => d.snapshot).sort()).toEqual(shared.slice(5).sort());
    expect(sim.calls.filter((c) => c.error === "SnapshotQuotaExceededFault")).toEqual([]);
  });
});

describe("throttling, retried by the SDK inside the tool's retry", () => {
  it("a take whose CreateDBClusterSnapshot is throttled twice is done: three attempts reach RDS, one action", async () => {
    const sim = new InMemoryRds({ now: NOW });
    sim.addCluster({ account: SOURCE, region: HOME, id: "orders" });
    sim.failOn({ operation: "CreateDBClusterSnapshot", error: "Throttling", times: 2 });
    const report = await runTake({
      gateway: simulatedGateway(sim, SOURCE),
      region: HOME,
      now: sim.now(),
      policy: sourcePolicyFromObject({}),
      execute: { retry: { minTimeoutMs: 1, maxTimeoutMs: 2 } },
    });
    expect(report.done.map((o) => o.decision.action)).toEqual(["take"]);
    // Counted at the transport: each of the SDK's attempts is one call the model saw.
    const creates = sim.calls.filter((c) => c.operation === "CreateDBClusterSnapshot");
    expect(creates.map((c) => c.error)).toEqual(["Throttling", "Throttling", undefined]);
    // The SDK's back-off cost simulated time (throttling, Retry.throttlingDelay() 1 s with full
    // jitter: below 1 s, then below 2 s).
    expect(sim.now().getTime() - NOW.getTime()).toBeLessThan(3_000);
  });

  it("throttled past the SDK's 3 attempts, the tool's own retry takes over: 6 attempts, still done", async () => {
    const sim = new InMemoryRds({ now: NOW });
    sim.addCluster({ account: SOURCE, region: HOME, id: "orders" });
    sim.failOn({ operation: "CreateDBClusterSnapshot", error: "Throttling", times: 5 });
    const report = await runTake({
      gateway: simulatedGateway(sim, SOURCE),
      region: HOME,
      now: sim.now(),
      policy: sourcePolicyFromObject({}),
      execute: { retry: { minTimeoutMs: 1, maxTimeoutMs: 2 } },
    });
    expect(report.done.map((o) => o.decision.action)).toEqual(["take"]);
    const creates = sim.calls.filter((c) => c.operation === "CreateDBClusterSnapshot");
    expect(creates).toHaveLength(6);
  });
});
