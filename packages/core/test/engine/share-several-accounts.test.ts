/**
 * DEST_ACCOUNT with several accounts, through the real gateway and SDK over the in-memory RDS
 * (which refuses a tag value over 256 characters and a 21st account in `restore`, as RDS does):
 * every snapshot is shared with every account, the marker records them all in its two tags, a
 * second run plans nothing, and an account added later is the only one shared with next.
 */
import { describe, expect, it } from "vitest";

import { isComplete } from "../../src/execute/report.js";
import {
  MAX_TAG_VALUE_LENGTH,
  TAG_CREATED_BY,
  TAG_SHARE_AND_COPY,
  TAG_SHARED_WITH,
  TAG_SHARED_WITH_2,
  TOOL_NAME,
} from "../../src/model/index.js";
import { sourcePolicyFromObject } from "../../src/policy/index.js";
import { planShareStep, runShare, snapshotsSharedEvents } from "../../src/steps/index.js";
import { InMemoryRds, simulatedGateway } from "../../src/testing/index.js";

const SOURCE = "111111111111";
const B = "222222222222";
const C = "333333333333";
const REGION = "eu-west-1";
const START = new Date("2026-05-20T12:00:00Z");
const FAST = { retry: { minTimeoutMs: 1, maxTimeoutMs: 5 } } as const;
/** RDS's most accounts for one snapshot, in no particular order. */
const TWENTY = Array.from({ length: 20 }, (_, i) => String(400_000_000_000 + ((i * 7) % 20)));

function aSource(clusters: readonly string[]): InMemoryRds {
  const sim = new InMemoryRds({ now: START, manualSnapshotQuota: 500 });
  for (const id of clusters) {
    sim.addCluster({ account: SOURCE, region: REGION, id });
    sim.addSnapshot({
      account: SOURCE,
      region: REGION,
      id: `${id}-2026-05-20-11-00`,
      clusterId: id,
      createTime: new Date("2026-05-20T11:00:00Z"),
      tags: { [TAG_CREATED_BY]: TOOL_NAME, [TAG_SHARE_AND_COPY]: "YES" },
    });
  }
  return sim;
}

function shareInput(sim: InMemoryRds, destinationAccount: string) {
  return {
    gateway: simulatedGateway(sim, SOURCE),
    policy: sourcePolicyFromObject({ destinationAccount }),
    region: REGION,
    now: sim.now(),
    execute: { ...FAST, concurrency: 8 },
  };
}

const snapshotOf = (sim: InMemoryRds, cluster: string) =>
  sim.snapshot({ account: SOURCE, region: REGION, id: `${cluster}-2026-05-20-11-00` });

describe("share with several destination accounts", () => {
  it("tells the one event bus only of the shares with its own account; the other account polls", async () => {
    const sim = aSource(["orders"]);
    const busArn = sim.addEventBus({
      account: B,
      region: REGION,
      name: "default",
      allowAccounts: [SOURCE],
    });
    const input = shareInput(sim, `${B},${C}`);
    const report = await runShare({
      ...input,
      policy: sourcePolicyFromObject({
        destinationAccount: `${B},${C}`,
        destinationEventBus: busArn,
      }),
    });
    expect(report.done.filter((o) => o.decision.action === "share")).toHaveLength(2);
    const events = sim.events();
    expect(events).toHaveLength(1);
    expect((events[0]!.detail as { destinationAccount: string }).destinationAccount).toBe(B);
    expect(report.notices ?? []).toEqual([]);
  });

  it("shares every snapshot with both accounts, marks both, and a second run plans nothing", async () => {
    const sim = aSource(["orders", "ledger"]);

    const report = await runShare(shareInput(sim, `${B}, ${C}`));

    expect(isComplete(report)).toBe(true);
    expect(report.done).toHaveLength(4);
    for (const cluster of ["orders", "ledger"]) {
      const s = snapshotOf(sim, cluster);
      expect([...(s?.sharedWith ?? [])].sort()).toEqual([B, C]);
      expect(s?.tags[TAG_SHARED_WITH]).toBe(`${B} ${C}`);
      expect(s?.tags[TAG_SHARED_WITH_2]).toBeUndefined();
    }
    // One event per destination account, each naming both snapshots.
    const events = snapshotsSharedEvents(report);
    expect(
      events.map((e) => (e.detail as { destinationAccount: string }).destinationAccount),
    ).toEqual([B, C]);

    sim.resetCalls();
    const again = await planShareStep(shareInput(sim, `${B},${C}`));
    expect(again.decisions.filter((d) => d.action !== "skip")).toEqual([]);
    expect(again.decisions.map((d) => d.reason)).toEqual(["already-shared", "already-shared"]);
    expect(sim.callCounts()["ModifyDBClusterSnapshotAttribute"] ?? 0).toBe(0);
  });

  it("reads the marker an earlier release wrote, and shares only with the account added since", async () => {
    const sim = aSource(["orders"]);
    await runShare(shareInput(sim, B));
    expect(snapshotOf(sim, "orders")?.tags[TAG_SHARED_WITH]).toBe(B);

    const report = await runShare(shareInput(sim, `${C},${B}`));

    expect(report.done.map((o) => o.decision.action === "share" && o.decision.shareWith)).toEqual([
      C,
    ]);
    expect(snapshotOf(sim, "orders")?.tags[TAG_SHARED_WITH]).toBe(`${B} ${C}`);
  });

  it("records 20 accounts in two tags within RDS's 256 characters a value", async () => {
    const sim = aSource(["orders"]);

    const report = await runShare(shareInput(sim, TWENTY.join(",")));

    expect(isComplete(report)).toBe(true);
    expect(report.failed).toEqual([]);
    const s = snapshotOf(sim, "orders");
    expect([...(s?.sharedWith ?? [])].sort()).toEqual([...TWENTY].sort());
    const first = s?.tags[TAG_SHARED_WITH] ?? "";
    const second = s?.tags[TAG_SHARED_WITH_2] ?? "";
    expect(first.length).toBeLessThanOrEqual(MAX_TAG_VALUE_LENGTH);
    expect(first.split(" ")).toHaveLength(19);
    expect(second.split(" ")).toHaveLength(1);
    expect(`${first} ${second}`.split(" ").sort()).toEqual([...TWENTY].sort());

    const again = await planShareStep(shareInput(sim, TWENTY.join(",")));
    expect(again.decisions.map((d) => d.reason)).toEqual(["already-shared"]);
  });

  it("the in-memory RDS refuses a tag value over 256 characters, as RDS does", async () => {
    const sim = aSource(["orders"]);
    const gateway = simulatedGateway(sim, SOURCE);
    const arn = `arn:aws:rds:${REGION}:${SOURCE}:cluster-snapshot:orders-2026-05-20-11-00`;
    await expect(
      gateway.addTags(REGION, arn, { [TAG_SHARED_WITH]: [...TWENTY].sort().join(" ") }),
    ).rejects.toMatchObject({ code: "InvalidParameterValue" });
  });
});
