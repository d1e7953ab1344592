import { describe, expect, it } from "vitest";
import { formatSnapshotName } from "../../src/naming/index.js";
import {
  InMemoryRds,
  SimVerifyChecks,
  aSourcePolicy,
  simulatedVerifyGateway,
  toolTags,
} from "../../src/testing/index.js";
import {
  VERIFICATION_TAG,
  VERIFIED_TAG,
  parseOutcomeTag,
  verifyRound,
  verifyRunFailed,
  type VerifyPosition,
  type VerifyRoundResult,
} from "../../src/index.js";
import type { SourcePolicy } from "../../src/policy/types.js";

const ACCOUNT = "111111111111";
const REGION = "us-east-1";
const DEPLOYMENT = "aurora-snapshot-tool";
const START = new Date("2026-11-29T03:00:00Z");
const place = { account: ACCOUNT, region: REGION };

function setup(options: { clusters?: string[]; policy?: Partial<SourcePolicy> } = {}) {
  const sim = new InMemoryRds({ now: START });
  const snapshots: Record<string, string> = {};
  for (const id of options.clusters ?? ["orders"]) {
    sim.addCluster({ ...place, id });
    const taken = new Date(START.getTime() - 2 * 3_600_000);
    const name = formatSnapshotName(id, taken);
    sim.addSnapshot({
      ...place,
      id: name,
      clusterId: id,
      createTime: taken,
      tags: toolTags(taken),
    });
    snapshots[id] = name;
  }
  const checks = new SimVerifyChecks(sim);
  const gateway = simulatedVerifyGateway(sim, ACCOUNT, checks);
  const policy = aSourcePolicy({ deploymentName: DEPLOYMENT, ...options.policy });
  /** Runs rounds as the state machine would, the simulated clock moving by each wait. */
  async function run(
    opts: { position?: VerifyPosition; stopAfterRound?: number; until?: () => boolean } = {},
  ) {
    let position = opts.position;
    let last: VerifyRoundResult | undefined;
    for (let i = 0; i < 500; i += 1) {
      last = await verifyRound({
        gateway,
        side: "source",
        policy,
        region: REGION,
        now: sim.now(),
        ...(position && { position }),
      });
      position = last.position;
      if (
        !last.continue ||
        (opts.stopAfterRound !== undefined && last.position.round >= opts.stopAfterRound)
      )
        break;
      if (opts.until?.()) break;
      sim.advance(last.waitSeconds * 1000);
    }
    if (last === undefined) throw new Error("no round ran");
    return last;
  }
  const verificationClusters = () =>
    sim.clusters(place).filter((c) => c.tags[VERIFICATION_TAG] !== undefined);
  return { sim, checks, run, snapshots, verificationClusters, policy };
}

describe("verifyRound over the in-memory RDS", () => {
  it("restores the newest snapshot, adds a Serverless v2 instance, passes, tags the snapshot and leaves nothing", async () => {
    const { sim, run, snapshots, verificationClusters } = setup();
    const restored: string[] = [];
    const final = await run();
    for (const call of sim.calls) {
      if (call.operation === "RestoreDBClusterFromSnapshot")
        restored.push(JSON.stringify(call.input));
    }
    expect(final.continue).toBe(false);
    expect(final.results).toHaveLength(1);
    expect(final.results[0]).toMatchObject({
      cluster: "orders",
      snapshot: snapshots["orders"],
      outcome: "passed",
    });
    expect(verifyRunFailed(final)).toBe(false);
    // The restore asked for the configured network, the minimum Serverless v2 capacity and no deletion protection.
    expect(restored).toHaveLength(1);
    const input = JSON.parse(restored[0] ?? "{}");
    expect(input).toMatchObject({
      DBSubnetGroupName: "default",
      DeletionProtection: false,
      ServerlessV2ScalingConfiguration: { MinCapacity: 0.5 },
    });
    expect(input.Tags).toContainEqual({ Key: VERIFICATION_TAG, Value: DEPLOYMENT });
    const created = sim.calls.filter((c) => c.operation === "CreateDBInstance");
    expect(created.map((c) => c.input["DBInstanceClass"])).toEqual(["db.serverless"]);
    // Nothing left behind, the snapshot still there and tagged.
    expect(verificationClusters()).toEqual([]);
    expect(sim.instances(place)).toEqual([]);
    const snap = sim.snapshot({ ...place, id: snapshots["orders"] ?? "" });
    expect(snap?.status).toBe("available");
    expect(parseOutcomeTag(snap?.tags[VERIFIED_TAG])?.passed).toBe(true);
    expect(
      sim.calls.some(
        (c) => c.operation === "DeleteDBCluster" && c.input["SkipFinalSnapshot"] === true,
      ),
    ).toBe(true);
  });

  it("verifies clusters one at a time", async () => {
    const { sim, run } = setup({ clusters: ["a-orders", "b-billing"] });
    let most = 0;
    const original = sim.advance.bind(sim);
    sim.advance = (by) => {
      most = Math.max(
        most,
        sim.clusters(place).filter((c) => c.tags[VERIFICATION_TAG] && c.status !== "deleting")
          .length,
      );
      return original(by);
    };
    const final = await run();
    expect(final.results.map((r) => `${r.cluster}:${r.outcome}`)).toEqual([
      "a-orders:passed",
      "b-billing:passed",
    ]);
    expect(most).toBe(1);
  });

  it("runs the Data API check: enables the HTTP endpoint, then SELECT 1 with the secret", async () => {
    const secret = "arn:aws:secretsmanager:us-east-1:111111111111:secret:verify-abc";
    const { checks, run } = setup({ policy: { verifySecretArn: secret } });
    const final = await run();
    expect(final.results[0]).toMatchObject({ outcome: "passed" });
    expect(checks.statements).toEqual([
      expect.objectContaining({ secretArn: secret, sql: "SELECT 1" }),
    ]);
  });

  it("a check function answering {ok: false} fails the verification; the snapshot stays, tagged failed; the cluster goes", async () => {
    const fn = "arn:aws:lambda:us-east-1:111111111111:function:my-check";
    const { sim, checks, run, snapshots, verificationClusters } = setup({
      policy: { verifyCheckLambdaArn: fn },
    });
    checks.setCheckFunction(() => ({ ok: false, reason: "orders table empty" }));
    const final = await run();
    expect(final.results[0]).toMatchObject({
      outcome: "failed",
      reason: "check: orders table empty",
    });
    expect(verifyRunFailed(final)).toBe(true);
    const payload = checks.invocations[0] as Record<string, unknown>;
    expect(payload).toMatchObject({
      sourceCluster: "orders",
      engine: "aurora-postgresql",
      port: 5432,
    });
    expect(typeof payload["endpoint"]).toBe("string");
    const snap = sim.snapshot({ ...place, id: snapshots["orders"] ?? "" });
    expect(snap?.status).toBe("available");
    expect(snap?.tags[VERIFIED_TAG]).toMatch(/ failed: check: orders table empty$/);
    expect(verificationClusters()).toEqual([]);
    expect(sim.calls.some((c) => c.operation === "DeleteDBClusterSnapshot")).toBe(false);
  });

  it("a check function that throws is a failure with its message", async () => {
    const { checks, run } = setup({
      policy: { verifyCheckLambdaArn: "arn:aws:lambda:us-east-1:111111111111:function:c" },
    });
    checks.setCheckFunction(() => {
      throw new Error("connection refused");
    });
    const final = await run();
    expect(final.results[0]?.reason).toBe("check function error (Unhandled): connection refused");
  });

  it("an instance that goes failed fails the verification and is cleaned up", async () => {
    const { sim, run, verificationClusters } = setup();
    // Stop once the instance exists, break it, go on.
    const partial = await run({ until: () => sim.instances(place).length > 0 });
    const instance = sim.instances(place)[0];
    expect(instance).toBeDefined();
    sim.setInstanceStatus({ ...place, id: instance?.id ?? "" }, "failed");
    const final = await run({ position: partial.position });
    expect(final.results[0]).toMatchObject({ outcome: "failed", reason: "instance failed" });
    expect(verificationClusters()).toEqual([]);
    expect(sim.instances(place)).toEqual([]);
  });

  it("a verification past VERIFY_MAX_MINUTES fails with timeout and is removed", async () => {
    // The restore takes 30 simulated minutes; allow 20.
    const { run, verificationClusters, sim, snapshots } = setup({
      policy: { verifyMaxMinutes: 20 },
    });
    const final = await run();
    expect(final.results[0]).toMatchObject({
      outcome: "failed",
      reason: "timeout after 20 minutes",
    });
    expect(verificationClusters()).toEqual([]);
    expect(sim.snapshot({ ...place, id: snapshots["orders"] ?? "" })?.tags[VERIFIED_TAG]).toMatch(
      /failed: timeout/,
    );
  });

  it("round 0 removes this deployment's leftovers and never touches a decoy or another deployment's cluster", async () => {
    const { sim, run, verificationClusters } = setup();
    sim.addCluster({ ...place, id: "vfy-old-orders", tags: { [VERIFICATION_TAG]: DEPLOYMENT } });
    sim.addInstance({ ...place, id: "vfy-old-orders-i1", clusterId: "vfy-old-orders" });
    sim.addCluster({ ...place, id: "decoy-untagged" });
    sim.addInstance({ ...place, id: "decoy-untagged-i1", clusterId: "decoy-untagged" });
    sim.addCluster({
      ...place,
      id: "vfy-other-orders",
      tags: { [VERIFICATION_TAG]: "other-deployment" },
    });
    const final = await run();
    expect(final.position.removed).toEqual(["vfy-old-orders"]);
    // The other deployment's cluster is not even a candidate for the clean-up pass.
    expect(final.position.problems).toEqual([]);
    expect(final.results.map((r) => r.outcome)).toEqual(["passed"]);
    expect(verificationClusters().map((c) => c.id)).toEqual(["vfy-other-orders"]);
    expect(
      sim
        .clusters(place)
        .map((c) => c.id)
        .sort(),
    ).toEqual(["decoy-untagged", "orders", "vfy-other-orders"]);
    expect(sim.instances(place).map((i) => i.id)).toEqual(["decoy-untagged-i1"]);
    // Not modified either: no call of any kind names a decoy.
    const touching = sim.calls.filter(
      (c) =>
        c.operation !== "DescribeDBClusters" &&
        /decoy-untagged|vfy-other-orders/.test(JSON.stringify(c.input)),
    );
    expect(touching).toEqual([]);
  });

  it("a run killed midway (position dropped after round 2) is cleaned up by the next run", async () => {
    const { run, verificationClusters } = setup();
    const killed = await run({ stopAfterRound: 2 });
    expect(killed.continue).toBe(true);
    expect(verificationClusters()).toHaveLength(1);
    const next = await run();
    expect(next.position.removed).toEqual([killed.position.current?.clusterId]);
    expect(next.results.map((r) => r.outcome)).toEqual(["passed"]);
    expect(verificationClusters()).toEqual([]);
  });

  it("a cluster with the verification id but not the tag is reported, never deleted", async () => {
    const { sim, run } = setup();
    const first = await run({ stopAfterRound: 0 });
    // Round 0 has started the restore; someone removes the marker tag from the cluster.
    const id = first.position.current?.clusterId;
    expect(id).toBeDefined();
    const own = sim.clusters(place).find((c) => c.id === id);
    expect(own).toBeDefined();
    await sim.request(place, "RemoveTagsFromResource", {
      ResourceName: own?.arn,
      TagKeys: [VERIFICATION_TAG],
    });
    const final = await run({ position: first.position });
    expect(final.results[0]).toMatchObject({ outcome: "failed" });
    expect(final.position.problems.join("\n")).toMatch(
      /not this deployment's verification cluster/,
    );
    expect(sim.clusters(place).some((c) => c.id === id)).toBe(true);
  });
});

describe("verifyRound when AWS keeps refusing", () => {
  it("reports the verification and the cluster it cannot remove after VERIFY_ERROR_ROUNDS rounds, and goes on with the queue", async () => {
    const { sim, run } = setup({ clusters: ["billing", "orders"] });
    // Run until billing's verification instance exists, then refuse every DeleteDBInstance of
    // it, as a policy that lacks the grant would; orders' is not refused.
    const first = await run({ until: () => sim.instances().length > 0 });
    const instance = sim.instances()[0]?.id ?? "";
    expect(instance).toMatch(/billing/);
    sim.failOn({ operation: "DeleteDBInstance", target: instance, error: "AccessDenied" });
    const last = await run({ position: first.position });
    expect(last.continue).toBe(false);
    // Both verifications are reported, billing's as soon as its outcome was known.
    expect(last.position.results.map((r) => [r.cluster, r.outcome])).toEqual([
      ["billing", "passed"],
      ["orders", "passed"],
    ]);
    expect(last.position.problems).toEqual([
      expect.stringMatching(
        /^could not remove vfy-.*billing.*AccessDenied.*next run's clean-up pass$/,
      ),
    ]);
    // Well inside the run's limits: ten failed rounds, not a day of them.
    expect(last.position.round).toBeLessThan(100);
    expect(verifyRunFailed(last)).toBe(true);
  });
});
