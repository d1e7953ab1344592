import { describe, expect, it } from "vitest";
import { TAG_INTERMEDIATE } from "../../src/model/index.js";
import {
  aCluster,
  aDestinationPolicy,
  aSnapshot,
  aSourcePolicy,
  aToolCopy,
  aToolSnapshot,
  daysAgo,
  hoursAgo,
  regexPattern,
} from "../../src/testing/index.js";
import {
  chooseVerifyTargets,
  dbIdentifierProblem,
  estimateVerifyCost,
  outcomeTag,
  parseOutcomeTag,
  planVerify,
  verificationClusterId,
  verificationInstanceId,
  VERIFICATION_TAG,
  VERIFIED_TAG,
  type DbClusterDetail,
} from "../../src/index.js";

const verified = (daysBefore: number, passed = true) =>
  outcomeTag(daysAgo(daysBefore), passed, passed ? undefined : "instance failed");

function sourceInput(
  clusters: string[],
  snapshots: ReturnType<typeof aToolSnapshot>[],
  sample = 0,
) {
  return {
    side: "source" as const,
    policy: aSourcePolicy({ verifySample: sample }),
    region: "us-east-1",
    clusters: clusters.map((id) => aCluster({ id })),
    snapshots,
  };
}

describe("chooseVerifyTargets", () => {
  it("takes the newest available tool snapshot of each selected cluster", () => {
    const older = aToolSnapshot({ clusterId: "orders", takenAt: hoursAgo(30) });
    const newest = aToolSnapshot({ clusterId: "orders", takenAt: hoursAgo(6) });
    const creating = aToolSnapshot({
      clusterId: "orders",
      takenAt: hoursAgo(1),
      status: "creating",
    });
    const untagged = aSnapshot({ clusterId: "orders", takenAt: hoursAgo(2) });
    const { targets } = chooseVerifyTargets(
      sourceInput(["orders"], [older, newest, creating, untagged]),
    );
    expect(targets.map((t) => t.snapshotId)).toEqual([newest.id]);
    expect(targets[0]).toMatchObject({
      cluster: "orders",
      engine: "aurora-postgresql",
      region: "us-east-1",
    });
  });

  it("says which selected cluster has nothing to verify, and leaves unselected clusters out", () => {
    const input = {
      ...sourceInput(["orders", "billing", "dev-x"], [aToolSnapshot({ clusterId: "orders" })]),
      policy: aSourcePolicy({ clusterPattern: regexPattern("^(orders|billing)$") }),
    };
    const { targets, skipped } = chooseVerifyTargets(input);
    expect(targets.map((t) => t.cluster)).toEqual(["orders"]);
    expect(skipped).toEqual([{ cluster: "billing", reason: "no-verifiable-snapshot" }]);
  });

  it("never picks a verification cluster as a cluster to verify", () => {
    const input = {
      ...sourceInput([], [aToolSnapshot({ clusterId: "vfy-abc-orders" })]),
      clusters: [aCluster({ id: "vfy-abc-orders", tags: { [VERIFICATION_TAG]: "other" } })],
    };
    expect(chooseVerifyTargets(input).targets).toEqual([]);
  });

  it("rotates: least recently verified first, never-verified before any, ties by cluster id", () => {
    const snaps = [
      aToolSnapshot({ clusterId: "a", tags: verified(1) }),
      aToolSnapshot({ clusterId: "b", tags: verified(10, false) }),
      aToolSnapshot({ clusterId: "c" }),
      aToolSnapshot({ clusterId: "d", tags: verified(5) }),
      aToolSnapshot({ clusterId: "e" }),
    ];
    const all = chooseVerifyTargets(sourceInput(["a", "b", "c", "d", "e"], snaps));
    expect(all.targets.map((t) => t.cluster)).toEqual(["c", "e", "b", "d", "a"]);
    const two = chooseVerifyTargets(sourceInput(["a", "b", "c", "d", "e"], snaps, 2));
    expect(two.targets.map((t) => t.cluster)).toEqual(["c", "e"]);
    expect(two.skipped.map((s) => `${s.cluster}:${s.reason}`)).toEqual([
      "b:not-sampled",
      "d:not-sampled",
      "a:not-sampled",
    ]);
  });

  it("counts the newest outcome tag on any of the cluster's snapshots, older ones included", () => {
    const snaps = [
      aToolSnapshot({ clusterId: "a", takenAt: daysAgo(3), tags: verified(2) }),
      aToolSnapshot({ clusterId: "a", takenAt: hoursAgo(1) }),
      aToolSnapshot({ clusterId: "b", tags: verified(4) }),
    ];
    const { targets } = chooseVerifyTargets(sourceInput(["a", "b"], snaps));
    expect(targets.map((t) => t.cluster)).toEqual(["b", "a"]);
    expect(targets[1]?.lastVerified).toBe(daysAgo(2).toISOString());
  });

  it("destination: the newest tool copy per cluster in the verify region, never an intermediate", () => {
    const policy = aDestinationPolicy({
      destinationRegions: ["eu-west-1"],
      verifyRegion: "eu-west-1",
    });
    const keep = aToolCopy({ clusterId: "orders", region: "eu-west-1", takenAt: hoursAgo(5) });
    const snapshots = [
      keep,
      aToolCopy({
        clusterId: "orders",
        region: "eu-west-1",
        takenAt: hoursAgo(1),
        tags: { [TAG_INTERMEDIATE]: "YES" },
      }),
      aToolCopy({ clusterId: "billing", region: "us-east-1", takenAt: hoursAgo(1) }),
      aSnapshot({ clusterId: "foreign", region: "eu-west-1", account: "222222222222" }),
    ];
    const { targets } = chooseVerifyTargets({
      side: "destination",
      policy,
      region: "eu-west-1",
      snapshots,
    });
    expect(targets.map((t) => t.snapshotArn)).toEqual([keep.arn]);
  });
});

describe("verification cluster names", () => {
  const valid = (id: string) => expect(dbIdentifierProblem(id)).toBeUndefined();

  it("are valid identifiers, whatever the cluster id (63 characters, digits first, odd characters)", () => {
    const long = `a${"b-".repeat(30)}cd`; // 63 characters with many hyphens
    expect(long.length).toBe(63);
    for (const cluster of ["orders", long, "9lives", "x", "Orders_EU.1", "ends-with-"]) {
      const id = verificationClusterId("aurora-snapshot-tool", cluster, "2026-11-25T01:02:00.000Z");
      valid(id);
      valid(verificationInstanceId(id));
      expect(id.length).toBeLessThanOrEqual(63);
      expect(verificationInstanceId(id).length).toBeLessThanOrEqual(63);
    }
  });

  it("are the same for a retry of the run and differ between runs, deployments and long clusters sharing a prefix", () => {
    const run = "2026-11-25T01:02:00.000Z";
    const a = verificationClusterId("dep", "orders", run);
    expect(verificationClusterId("dep", "orders", run)).toBe(a);
    expect(verificationClusterId("dep", "orders", "2026-12-02T01:02:00.000Z")).not.toBe(a);
    expect(verificationClusterId("other", "orders", run)).not.toBe(a);
    const prefix = "p".repeat(60);
    expect(verificationClusterId("dep", `${prefix}-one`, run)).not.toBe(
      verificationClusterId("dep", `${prefix}-two`, run),
    );
  });

  it("the rule checker refuses what RDS refuses", () => {
    expect(dbIdentifierProblem("1abc")).toBeDefined();
    expect(dbIdentifierProblem("a--b")).toBeDefined();
    expect(dbIdentifierProblem("ab-")).toBeDefined();
    expect(dbIdentifierProblem("a".repeat(64))).toBeDefined();
    expect(dbIdentifierProblem("a_b")).toBeDefined();
  });
});

describe("the outcome tag", () => {
  it("reads back its time and result, and stays within 256 characters with only allowed characters", () => {
    const at = new Date("2026-11-25T01:02:00Z");
    expect(outcomeTag(at, true)[VERIFIED_TAG]).toBe("2026-11-25T01:02:00.000Z passed");
    const failed = outcomeTag(at, false, `check: "boom" ${"x".repeat(400)} <tag>`)[VERIFIED_TAG];
    expect(failed.length).toBeLessThanOrEqual(256);
    expect(failed.startsWith("2026-11-25T01:02:00.000Z failed: check: boom x")).toBe(true);
    expect(failed).toMatch(/^[\p{L}\p{N}\s_.:/=+\-@]*$/u);
    expect(parseOutcomeTag(failed)).toEqual({ at, passed: false });
    expect(parseOutcomeTag("whenever passed")).toBeUndefined();
  });
});

describe("estimateVerifyCost", () => {
  it("Serverless v2 at 0.5 ACU for the maximum duration of each verification", () => {
    // 3 verifications x 2 hours x 0.5 ACU x 0.12 USD per ACU-hour = 0.36 USD.
    const cost = estimateVerifyCost({
      verifications: 3,
      maxMinutes: 120,
      instanceClass: "db.serverless",
    });
    expect(cost.instanceUsd).toBeCloseTo(0.36, 10);
    expect(cost.instanceUsdPerHour).toBeCloseTo(0.06, 10);
    // 6 hours of storage at 0.10 USD per GiB-month over 730 hours.
    expect(cost.storageUsdPerGib).toBeCloseTo((0.1 * 6) / 730, 10);
  });

  it("a provisioned class from the table; nothing for no instance; unknown class says it does not know", () => {
    expect(
      estimateVerifyCost({ verifications: 2, maxMinutes: 90, instanceClass: "db.r6g.large" })
        .instanceUsd,
    ).toBeCloseTo(2 * 1.5 * 0.26, 10);
    expect(estimateVerifyCost({ verifications: 2, maxMinutes: 90 }).instanceUsd).toBe(0);
    expect(
      estimateVerifyCost({ verifications: 2, maxMinutes: 90, instanceClass: "db.x2g.16xlarge" })
        .instanceUsd,
    ).toBeUndefined();
  });
});

describe("planVerify", () => {
  const detail = (id: string, tags: Record<string, string>): DbClusterDetail => ({
    id,
    arn: `arn:aws:rds:us-east-1:111111111111:cluster:${id}`,
    engine: "aurora-postgresql",
    status: "available",
    tags,
    members: [],
    deletionProtection: false,
  });

  it("lists this deployment's leftovers for removal and other deployments' as untouched", () => {
    const plan = planVerify({
      ...sourceInput(["orders"], [aToolSnapshot({ clusterId: "orders" })]),
      dbClusters: [
        detail("vfy-1-orders", { [VERIFICATION_TAG]: "aurora-snapshot-tool" }),
        detail("vfy-2-orders", { [VERIFICATION_TAG]: "someone-else" }),
        detail("orders", {}),
      ],
    });
    expect(plan.verify.map((t) => t.cluster)).toEqual(["orders"]);
    expect(plan.remove).toEqual(["vfy-1-orders"]);
    expect(plan.otherDeployments).toEqual(["vfy-2-orders"]);
    expect(plan.cost.verifications).toBe(1);
    expect(plan.cost.instanceUsd).toBeCloseTo(2 * 0.06, 10);
  });
});
