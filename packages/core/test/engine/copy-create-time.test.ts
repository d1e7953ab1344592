import { describe, expect, it } from "vitest";
import { TAG_CREATED_BY, TAG_SHARE_AND_COPY, TOOL_NAME } from "../../src/model/index.js";
import { formatSnapshotName } from "../../src/naming/index.js";
import { destinationPolicyFromObject } from "../../src/policy/index.js";
import { runCopy, runPruneDest } from "../../src/steps/index.js";
import { InMemoryRds, simulatedGateway } from "../../src/testing/index.js";

/*
 * AWS documents no rule for a cluster snapshot copy's SnapshotCreateTime: it may be the source's
 * (AWS's CLI example shows that) or the copy's. prune-dest ages a copy by the younger of its name's
 * time and SnapshotCreateTime, so it is never deleted earlier than either says, under both rules.
 */

const SOURCE = "111111111111";
const DEST = "222222222222";
const HOME = "us-east-1";
const DAY = 86_400_000;

async function copiedThenPruned(rule: "source" | "copy") {
  const start = new Date("2026-06-10T12:00:00Z");
  const sim = new InMemoryRds({ now: start, copyCreateTime: rule });
  const taken = new Date(start.getTime() - 5 * DAY);
  const id = formatSnapshotName("orders", taken);
  sim.addSnapshot({
    account: SOURCE,
    region: HOME,
    id,
    clusterId: "orders",
    createTime: taken,
    sharedWith: [DEST],
    tags: { [TAG_CREATED_BY]: TOOL_NAME, [TAG_SHARE_AND_COPY]: "YES" },
  });
  const input = () => ({
    gateway: simulatedGateway(sim, DEST),
    region: HOME,
    now: sim.now(),
    policy: destinationPolicyFromObject({
      destinationRegions: [HOME],
      sourceAccounts: [SOURCE],
      retentionDays: 7,
      minKeep: 0,
    }),
    execute: { retry: { minTimeoutMs: 1, maxTimeoutMs: 2 } },
  });
  const copy = await runCopy(input());
  expect(copy.done.map((o) => o.decision.action)).toEqual(["copy"]);
  // Copied 5 days after it was taken; look again 3 days later (8 days after it was taken).
  sim.advance({ days: 3 });
  const copyTime = sim.snapshot({ account: DEST, region: HOME, id })?.createTime;
  const prune = await runPruneDest(input());
  return { prune, id, copyTime, taken, copiedAt: start };
}

describe("a copy's SnapshotCreateTime, either rule", () => {
  it("the source's time: the copy is 8 days old by both clocks and expires under a 7-day retention", async () => {
    const { prune, id, copyTime, taken } = await copiedThenPruned("source");
    expect(copyTime).toEqual(taken);
    expect(prune.done.map((o) => o.decision.snapshot)).toEqual([id]);
  });

  it("the copy's time: RDS says 3 days, so the copy is kept (never deleted earlier than either says)", async () => {
    const { prune, id, copyTime, copiedAt } = await copiedThenPruned("copy");
    expect(copyTime).toEqual(copiedAt);
    expect(prune.done).toEqual([]);
    expect(prune.skipped.find((d) => d.snapshot === id)?.reason).toBe("within-retention");
  });
});
