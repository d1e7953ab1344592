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
 * KMSKeyNotAccessibleFault; the copy step reports a blocked gap with the fix and never calls it.
 */

const SOURCE = "111111111111";
const DEST = "222222222222";
const HOME = "us-east-1";
const DR = "us-west-2";
const NOW = new Date("2026-06-15T12:00:00Z");

function sharedWith(keyOf: (sim: InMemoryRds) => string) {
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
    }),
    execute: { retry: { minTimeoutMs: 1, maxTimeoutMs: 2 } },
  };
  return { sim, id, input };
}

describe("a shared snapshot's key the destination cannot use", () => {
  it("not granted by its owner: blocked with the fix, both regions, and no copy is tried on any run", async () => {
    const { sim, id, input } = sharedWith((s) =>
      s.addKey({ account: SOURCE, region: HOME, alias: "private" }),
    );
    for (let run = 0; run < 2; run += 1) {
      const report = await runCopy(input);
      expect(report.blocked.map((d) => [d.region, d.reason, d.snapshot])).toEqual([
        [HOME, "source-key-not-accessible", id],
        [DR, "source-key-not-accessible", id],
      ]);
      expect(isComplete(report)).toBe(false);
    }
    expect(sim.callCounts()["CopyDBClusterSnapshot"]).toBeUndefined();
    expect(sim.snapshots({ account: DEST })).toEqual([]);
  });

  it("the AWS-managed aws/rds key: blocked too, the fix saying it must be re-encrypted at the source", async () => {
    const { sim, input } = sharedWith((s) => {
      s.addCluster({ account: SOURCE, region: HOME, id: "orders", encrypted: true });
      return s.clusters({ account: SOURCE })[0]!.kmsKeyId!;
    });
    const report = await runCopy(input);
    // Another account's aws/rds key cannot even be described from here (AccessDenied, as for any
    // key not granted), so the destination cannot tell the two apart; the fix names both.
    expect(report.blocked.map((d) => d.reason)).toEqual([
      "source-key-not-accessible",
      "source-key-not-accessible",
    ]);
    expect(new SnapshotToolException(report).message).toMatch(/aws\/rds cannot be granted/);
    expect(sim.callCounts()["CopyDBClusterSnapshot"]).toBeUndefined();
  });

  it("granted: copied, the key asked about once per run", async () => {
    const { sim, input } = sharedWith((s) =>
      s.addKey({ account: SOURCE, region: HOME, alias: "shared", usableBy: [DEST] }),
    );
    const report = await runCopy(input);
    expect(report.done.map((o) => [o.decision.action, o.decision.region])).toEqual([
      ["copy", HOME],
    ]);
    expect(report.blocked).toEqual([]);
    const describes = sim.calls.filter(
      (c) => c.operation === "DescribeKey" && String(c.input["KeyId"]).includes(SOURCE),
    );
    expect(describes).toHaveLength(1);
  });
});
