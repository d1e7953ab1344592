import { describe, expect, it } from "vitest";
import { TAG_CREATED_BY, TAG_SHARE_AND_COPY, TOOL_NAME } from "../../src/model/index.js";
import { formatSnapshotName } from "../../src/naming/index.js";
import { destinationPolicyFromObject } from "../../src/policy/index.js";
import { runCopy } from "../../src/steps/index.js";
import type { CopyMode } from "../../src/policy/types.js";
import { InMemoryRds, simulatedGateway, type InMemoryRdsOptions } from "../../src/testing/index.js";

const A = "111111111111";
const B = "222222222222";
const HOME = "us-east-1";
const DR = "us-west-2";

function aSharedSnapshot(
  copyMode: CopyMode = "two-step",
  simOptions: Partial<InMemoryRdsOptions> = {},
) {
  // Durations stated here, so the bounds below follow from them and not from the model's defaults.
  const sim = new InMemoryRds({
    now: new Date("2026-04-01T02:00:00Z"),
    copyStartMinutes: 1,
    copyMinutes: 5,
    crossRegionCopyMinutes: 30,
    ...simOptions,
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
      copyMode,
    }),
    execute: { retry: { minTimeoutMs: 1, maxTimeoutMs: 2 }, clock: () => sim.now().getTime() },
  };
  return { sim, name, input };
}

describe("runCopy with followUp, two-step (COPY_MODE two-step)", () => {
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

describe("runCopy, single-step (COPY_MODE auto)", () => {
  const follow = (sim: InMemoryRds) => ({
    deadline: sim.now().getTime() + 2 * 3_600_000,
    followUp: { pollMs: 60_000, sleep: async (ms: number) => void sim.advance(ms) },
  });

  it("copies the shared snapshot straight into DR in one call, with no intermediate", async () => {
    const { sim, name, input } = aSharedSnapshot("auto");
    const report = await runCopy({ ...input, ...follow(sim) });
    expect(report.done.map((o) => [o.decision.action, o.decision.region])).toEqual([["copy", DR]]);
    expect(sim.snapshots({ account: B, region: DR }).map((s) => [s.id, s.status])).toEqual([
      [name, "available"],
    ]);
    expect(sim.snapshots({ account: B, region: HOME })).toEqual([]);
    // One stage: 1 minute queued + 30 copying, against 37 for the two steps above.
    const minutes = (sim.now().getTime() - new Date("2026-04-01T02:00:00Z").getTime()) / 60_000;
    expect(minutes).toBeGreaterThanOrEqual(31);
    expect(minutes).toBeLessThanOrEqual(31 + 2);
    expect(report.notices).toBeUndefined();
  });

  it("falls back to two steps in a region that refuses it, at once, says so once, and reports no failure", async () => {
    const { sim, name, input } = aSharedSnapshot("auto", { allowSharedCrossRegionCopy: false });
    const report = await runCopy({ ...input, ...follow(sim) });
    expect(report.failed).toEqual([]);
    expect(report.notices).toEqual([
      expect.stringMatching(new RegExp(`single-step copy .* into ${DR}`)),
    ]);
    const copies = sim.calls.filter((c) => c.operation === "CopyDBClusterSnapshot");
    // One refused attempt, then the local copy and the onward copy: never a second attempt.
    expect(copies.map((c) => c.region)).toEqual([DR, HOME, DR]);
    expect(sim.snapshots({ account: B, region: DR }).map((s) => [s.id, s.status])).toEqual([
      [name, "available"],
    ]);
    expect(sim.snapshots({ account: B, region: HOME })).toEqual([]);
  });

  it("in single-step mode a refusal is a failure, not a silent fallback", async () => {
    const { input } = aSharedSnapshot("single-step", { allowSharedCrossRegionCopy: false });
    const report = await runCopy(input);
    expect(report.failed.map((o) => o.errorCode)).toEqual(["InvalidParameterCombination"]);
    expect(report.done).toEqual([]);
  });
});
