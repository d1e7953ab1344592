import { describe, expect, it } from "vitest";
import { SnapshotToolException, isComplete } from "../../src/execute/index.js";
import { TAG_CREATED_BY, TAG_SHARE_AND_COPY, TOOL_NAME } from "../../src/model/index.js";
import { formatSnapshotName } from "../../src/naming/index.js";
import { destinationPolicyFromObject } from "../../src/policy/index.js";
import { runCopy } from "../../src/steps/index.js";
import { InMemoryRds, simulatedGateway } from "../../src/testing/index.js";

/*
 * A shared snapshot whose key this account cannot use: not granted by its owner, or the AWS-managed
 * aws/rds key (which can never be granted; another sharer, such as a person or the original tool
 * during a migration, may still have shared it). RDS would fail each copy with
 * KMSKeyNotAccessibleFault; the copy step reports a blocked gap with the fix, and its snapshots
 * take no copy slot from the others.
 */

const SOURCE = "111111111111";
const DEST = "222222222222";
const HOME = "us-east-1";
const DR = "us-west-2";
const NOW = new Date("2026-06-15T12:00:00Z");

function sharedWith(keyOf: (sim: InMemoryRds) => string, copyMode: "auto" | "two-step" = "auto") {
  const sim = new InMemoryRds({ now: NOW });
  sim.addKey({ account: DEST, region: HOME, alias: "local" });
  sim.addKey({ account: DEST, region: DR, alias: "dr" });
  const kmsKeyId = keyOf(sim);
  const at = new Date(NOW.getTime() - 3_600_000);
  const id = formatSnapshotName("orders", at);
  sim.addSnapshot({
    account: SOURCE,
    region: HOME,
    id,
    clusterId: "orders",
    encrypted: true,
    kmsKeyId,
    createTime: at,
    sharedWith: [DEST],
    tags: { [TAG_CREATED_BY]: TOOL_NAME, [TAG_SHARE_AND_COPY]: "YES" },
  });
  const input = {
    gateway: simulatedGateway(sim, DEST),
    region: HOME,
    now: NOW,
    policy: destinationPolicyFromObject({
      destinationRegions: [DR],
      sourceAccounts: [SOURCE],
      kmsKeySource: "alias/local",
      kmsKeyDestination: { [DR]: "alias/dr" },
      copyMode,
    }),
    execute: { retry: { minTimeoutMs: 1, maxTimeoutMs: 2 } },
  };
  return { sim, id, input };
}

describe("a shared snapshot's key the destination cannot use", () => {
  it.each([
    ["auto", [DR]],
    ["two-step", [HOME, DR]],
  ] as const)(
    "not granted by its owner: RDS refuses the one copy tried, then it is blocked with the fix in every region a copy would be made in (%s)",
    async (copyMode, regions) => {
      const { sim, id, input } = sharedWith(
        (s) => s.addKey({ account: SOURCE, region: HOME, alias: "private" }),
        copyMode,
      );
      for (let run = 0; run < 2; run += 1) {
        const report = await runCopy(input);
        expect(report.blocked.map((d) => [d.region, d.reason, d.snapshot])).toEqual(
          regions.map((r) => [r, "source-key-not-accessible", id]),
        );
        // The refused attempt is re-planned at once as blocked: no failure left to retry blindly.
        expect(report.failed).toEqual([]);
        expect(isComplete(report)).toBe(false);
      }
      // KMS answers AccessDenied for a key not granted, which could also be a key policy that
      // admits this account only through RDS: so RDS is asked, once per run.
      expect(sim.callCounts()["CopyDBClusterSnapshot"]).toBe(2);
      expect(sim.snapshots({ account: DEST })).toEqual([]);
    },
  );

  it("the AWS-managed aws/rds key: blocked too, the fix saying it must be re-encrypted at the source", async () => {
    const { input } = sharedWith((s) => {
      s.addCluster({ account: SOURCE, region: HOME, id: "orders", encrypted: true });
      return s.clusters({ account: SOURCE })[0]!.kmsKeyId!;
    });
    const report = await runCopy(input);
    // Another account's aws/rds key cannot even be described from here (AccessDenied, as for any
    // key not granted), so the destination cannot tell the two apart; the fix names both.
    expect(report.blocked.map((d) => d.reason)).toEqual(["source-key-not-accessible"]);
    expect(new SnapshotToolException(report).message).toMatch(/aws\/rds cannot be granted/);
  });

  it("a granted key its owner disabled is blocked before planning: no copy is tried", async () => {
    const { sim, input } = sharedWith((s) => {
      const key = s.addKey({ account: SOURCE, region: HOME, alias: "off", usableBy: [DEST] });
      s.setKeyEnabled(key, false);
      return key;
    });
    const report = await runCopy(input);
    expect(report.blocked.map((d) => d.reason)).toEqual(["source-key-not-accessible"]);
    expect(sim.callCounts()["CopyDBClusterSnapshot"]).toBeUndefined();
  });

  it("snapshots under a refused key take no copy slot: the other cluster is copied in the same run", async () => {
    const sim = new InMemoryRds({ now: NOW });
    sim.addKey({ account: DEST, region: HOME, alias: "local" });
    const closed = sim.addKey({ account: SOURCE, region: HOME, alias: "closed" });
    const open = sim.addKey({ account: SOURCE, region: HOME, alias: "open", usableBy: [DEST] });
    const share = (cluster: string, minutesAgo: number, kmsKeyId: string) => {
      const at = new Date(NOW.getTime() - minutesAgo * 60_000);
      sim.addSnapshot({
        account: SOURCE,
        region: HOME,
        id: formatSnapshotName(cluster, at),
        clusterId: cluster,
        encrypted: true,
        kmsKeyId,
        createTime: at,
        sharedWith: [DEST],
        tags: { [TAG_CREATED_BY]: TOOL_NAME, [TAG_SHARE_AND_COPY]: "YES" },
      });
    };
    // Five newer snapshots under the closed key would take all five slots.
    for (const [i, c] of ["a1", "a2", "a3", "a4", "a5"].entries()) share(c, 10 + i, closed);
    share("zeta", 60, open);
    const report = await runCopy({
      gateway: simulatedGateway(sim, DEST),
      region: HOME,
      now: NOW,
      policy: destinationPolicyFromObject({
        destinationRegions: [HOME],
        sourceAccounts: [SOURCE],
        kmsKeySource: "alias/local",
        kmsKeyDestination: { [HOME]: "alias/local" },
      }),
      execute: { retry: { minTimeoutMs: 1, maxTimeoutMs: 2 } },
    });
    expect(report.done.map((o) => o.decision.cluster)).toEqual(["zeta"]);
    expect(report.blocked.map((d) => d.cluster).sort()).toEqual(["a1", "a2", "a3", "a4", "a5"]);
  });

  it("granted: copied, the key asked about once per run", async () => {
    const { sim, input } = sharedWith((s) =>
      s.addKey({ account: SOURCE, region: HOME, alias: "shared", usableBy: [DEST] }),
    );
    const report = await runCopy(input);
    // Straight into DR in one call (COPY_MODE auto).
    expect(report.done.map((o) => [o.decision.action, o.decision.region])).toEqual([["copy", DR]]);
    expect(report.blocked).toEqual([]);
    const describes = sim.calls.filter(
      (c) => c.operation === "DescribeKey" && String(c.input["KeyId"]).includes(SOURCE),
    );
    expect(describes).toHaveLength(1);
  });
});
