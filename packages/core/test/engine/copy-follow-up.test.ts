import { describe, expect, it } from "vitest";
import { TAG_CREATED_BY, TAG_SHARE_AND_COPY, TOOL_NAME } from "../../src/model/index.js";
import { formatSnapshotName } from "../../src/naming/index.js";
import { destinationPolicyFromObject } from "../../src/policy/index.js";
import { runCopy } from "../../src/steps/index.js";
import { InMemoryRds, simulatedGateway } from "../../src/testing/index.js";

const A = "111111111111";
const B = "222222222222";
const HOME = "us-east-1";
const DR = "us-west-2";

function aSharedSnapshot() {
  // Durations stated here, so the bounds below follow from them and not from the model's defaults.
  const sim = new InMemoryRds({
    now: new Date("2026-04-01T02:00:00Z"),
    copyStartMinutes: 1,
    copyMinutes: 5,
    crossRegionCopyMinutes: 30,
  });
  const key = sim.addKey({ account: A, region: HOME, usableBy: [B] });
  sim.addKey({ account: B, region: HOME, alias: "alias/staging" });
  sim.addKey({ account: B, region: DR, alias: "alias/dr" });
  const name = formatSnapshotName("orders", new Date("2026-04-01T01:00:00Z"));
  sim.addCluster({ account: A, region: HOME, id: "orders", encrypted: true, kmsKeyId: key });
  sim.addSnapshot({
    account: A,
    region: HOME,
    id: name,
    clusterId: "orders",
    encrypted: true,
    kmsKeyId: key,
    sharedWith: [B],
    tags: { [TAG_CREATED_BY]: TOOL_NAME, [TAG_SHARE_AND_COPY]: "YES" },
  });
  const input = {
    gateway: simulatedGateway(sim, B),
    region: HOME,
    policy: destinationPolicyFromObject({
      destinationRegions: [DR],
      kmsKeySource: "alias/staging",
      kmsKeyDestination: { [DR]: "alias/dr" },
    }),
    execute: { retry: { minTimeoutMs: 1, maxTimeoutMs: 2 }, clock: () => sim.now().getTime() },
  };
  return { sim, name, input };
}

describe("runCopy with followUp", () => {
  it("does the local copy, the remote copy and the clean-up in one run when they finish in time", async () => {
    const { sim, name, input } = aSharedSnapshot();
    const report = await runCopy({
      ...input,
      deadline: sim.now().getTime() + 2 * 3_600_000,
      followUp: { pollMs: 60_000, sleep: async (ms) => void sim.advance(ms) },
    });
    expect(report.done.map((o) => [o.decision.action, o.decision.region])).toEqual([
      ["copy", HOME],
      ["copy", DR],
      ["delete", HOME],
    ]);
    expect(sim.snapshots({ account: B, region: DR }).map((s) => [s.id, s.status])).toEqual([
      [name, "available"],
    ]);
    expect(sim.snapshots({ account: B, region: HOME })).toEqual([]);
    // No polling after the last stage: the stages take 1 + 5 (local) + 1 + 30 (remote) = 37
    // minutes, and the run ends within a poll or two of that.
    const minutes = (sim.now().getTime() - new Date("2026-04-01T02:00:00Z").getTime()) / 60_000;
    expect(minutes).toBeGreaterThanOrEqual(37);
    expect(minutes).toBeLessThanOrEqual(37 + 2);
  });

  it("checks each KMS key once per run, however many rounds it follows", async () => {
    const { sim, input } = aSharedSnapshot();
    await runCopy({
      ...input,
      deadline: sim.now().getTime() + 2 * 3_600_000,
      followUp: { pollMs: 60_000, sleep: async (ms) => void sim.advance(ms) },
    });
    const describes = sim.calls.filter((c) => c.operation === "DescribeKey");
    // The shared snapshot's key (is it granted to B?), then B's local and DR keys: once each.
    expect(describes.map((c) => `${c.region} ${String(c.input["KeyId"])}`).sort()).toEqual(
      [
        `${HOME} ${sim.keys({ account: A })[0]!.arn}`,
        `${HOME} alias/staging`,
        `${DR} alias/dr`,
      ].sort(),
    );
  });

  it("stops at its deadline and leaves the rest to the next run", async () => {
    const { sim, input } = aSharedSnapshot();
    const report = await runCopy({
      ...input,
      deadline: sim.now().getTime() + 3 * 60_000,
      followUp: { pollMs: 60_000, sleep: async (ms) => void sim.advance(ms) },
    });
    expect(report.done.map((o) => o.decision.region)).toEqual([HOME]);
    expect(sim.snapshots({ account: B, region: DR })).toEqual([]);
  });

  it("without followUp does one stage per run, as the original", async () => {
    const { sim, input } = aSharedSnapshot();
    const report = await runCopy(input);
    expect(report.done.map((o) => o.decision.region)).toEqual([HOME]);
    expect(sim.now()).toEqual(new Date("2026-04-01T02:00:00Z"));
  });
});
