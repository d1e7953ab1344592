/**
 * share tells the destination's event bus (DEST_EVENT_BUS_ARN) what it shared: one "Snapshots
 * Shared" event per run, through the real gateway and SDK over the in-memory RDS, which checks the
 * bus policy across accounts. Events are best effort: a refusal leaves the shares done and says so
 * in a notice.
 */
import { describe, expect, it } from "vitest";

import type { Gateway } from "../../src/execute/gateway.js";
import { isComplete } from "../../src/execute/report.js";
import { TAG_CREATED_BY, TAG_SHARE_AND_COPY, TOOL_NAME } from "../../src/model/index.js";
import { sourcePolicyFromObject } from "../../src/policy/index.js";
import type { SourcePolicyInput } from "../../src/policy/index.js";
import {
  runShare,
  SNAPSHOTS_PER_EVENT,
  SNAPSHOTS_SHARED,
  TOOL_EVENT_SOURCE,
} from "../../src/steps/index.js";
import { InMemoryRds, simulatedGateway } from "../../src/testing/index.js";

const SOURCE = "111111111111";
const DEST = "222222222222";
const REGION = "eu-west-1";
const BUS_REGION = "us-east-1";
const START = new Date("2026-05-20T12:00:00Z");
const FAST = { retry: { minTimeoutMs: 1, maxTimeoutMs: 5 } } as const;

const snapshotArn = (id: string): string =>
  `arn:aws:rds:${REGION}:${SOURCE}:cluster-snapshot:${id}`;

/** The source account's tool snapshots of `clusters` (one each), and the destination's bus. */
function aFleet(
  clusters: readonly string[],
  bus: { allowAccounts?: readonly string[] } = { allowAccounts: [SOURCE] },
): { sim: InMemoryRds; busArn: string } {
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
  const busArn = sim.addEventBus({
    account: DEST,
    region: BUS_REGION,
    name: "aurora-snapshot-tool",
    ...bus,
  });
  return { sim, busArn };
}

function shareInput(
  sim: InMemoryRds,
  policy: SourcePolicyInput,
  extra: { dryRun?: boolean; gateway?: Gateway } = {},
) {
  return {
    gateway: extra.gateway ?? simulatedGateway(sim, SOURCE),
    policy: sourcePolicyFromObject({ destinationAccount: DEST, ...policy }),
    region: REGION,
    now: sim.now(),
    execute: FAST,
    ...(extra.dryRun !== undefined && { dryRun: extra.dryRun }),
  };
}

describe("share with DEST_EVENT_BUS_ARN", () => {
  it("publishes one Snapshots Shared event naming what it shared, once", async () => {
    const { sim, busArn } = aFleet(["orders", "ledger"]);

    const report = await runShare(shareInput(sim, { destinationEventBus: busArn }));

    expect(report.done.map((o) => o.decision.snapshot).sort()).toEqual([
      "ledger-2026-05-20-11-00",
      "orders-2026-05-20-11-00",
    ]);
    expect(report.notices ?? []).toEqual([]);
    const events = sim.events();
    expect(events).toHaveLength(1);
    const [event] = events;
    expect(event).toMatchObject({
      account: SOURCE,
      region: BUS_REGION,
      busArn,
      source: TOOL_EVENT_SOURCE,
      detailType: SNAPSHOTS_SHARED,
    });
    expect(TOOL_EVENT_SOURCE).toBe("aurora-snapshot-tool");
    expect(SNAPSHOTS_SHARED).toBe("Snapshots Shared");
    expect(event?.detail).toEqual({
      sourceAccount: SOURCE,
      sourceRegion: REGION,
      destinationAccount: DEST,
      snapshots: expect.arrayContaining([
        { arn: snapshotArn("orders-2026-05-20-11-00"), cluster: "orders" },
        { arn: snapshotArn("ledger-2026-05-20-11-00"), cluster: "ledger" },
      ]),
    });
    expect((event?.detail["snapshots"] as unknown[]).length).toBe(2);
    expect([...(event?.resources ?? [])].sort()).toEqual([
      snapshotArn("ledger-2026-05-20-11-00"),
      snapshotArn("orders-2026-05-20-11-00"),
    ]);
    expect(sim.callCounts()["PutEvents"]).toBe(1);

    // The next run has nothing new to share, so nothing to tell.
    sim.advance({ minutes: 10 });
    const again = await runShare(shareInput(sim, { destinationEventBus: busArn }));
    expect(again.done).toEqual([]);
    expect(sim.events()).toHaveLength(1);
    expect(sim.callCounts()["PutEvents"]).toBe(1);
  });

  it("publishes nothing on a dry run", async () => {
    const { sim, busArn } = aFleet(["orders"]);
    const report = await runShare(
      shareInput(sim, { destinationEventBus: busArn }, { dryRun: true }),
    );
    expect(report.pending.map((o) => o.note)).toEqual(["dry-run"]);
    expect(sim.events()).toEqual([]);
    expect(sim.callCounts()["PutEvents"]).toBeUndefined();
  });

  it("publishes nothing when nothing was shared, even when a share failed", async () => {
    const { sim, busArn } = aFleet(["orders"]);
    sim.failOn({ operation: "ModifyDBClusterSnapshotAttribute", error: "InvalidParameterValue" });
    const report = await runShare(shareInput(sim, { destinationEventBus: busArn }));
    expect(report.failed).toHaveLength(1);
    expect(report.done).toEqual([]);
    expect(sim.callCounts()["PutEvents"]).toBeUndefined();
  });

  it("publishes nothing without DEST_EVENT_BUS_ARN", async () => {
    const { sim } = aFleet(["orders"]);
    const report = await runShare(shareInput(sim, {}));
    expect(report.done).toHaveLength(1);
    expect(sim.callCounts()["PutEvents"]).toBeUndefined();
    expect(report.notices).toBeUndefined();
  });

  it("keeps its shares and adds a notice naming the bus and the error when the bus refuses", async () => {
    // The destination's bus policy does not admit the source account.
    const { sim, busArn } = aFleet(["orders"], { allowAccounts: [] });

    const report = await runShare(shareInput(sim, { destinationEventBus: busArn }));

    expect(report.done.map((o) => o.decision.snapshot)).toEqual(["orders-2026-05-20-11-00"]);
    expect(report.failed).toEqual([]);
    expect(isComplete(report)).toBe(true);
    expect(
      sim.snapshot({ account: SOURCE, region: REGION, id: "orders-2026-05-20-11-00" })?.sharedWith,
    ).toEqual([DEST]);
    expect(report.notices).toHaveLength(1);
    expect(report.notices?.[0]).toContain(busArn);
    expect(report.notices?.[0]).toContain("AccessDeniedException");
    expect(sim.events()).toEqual([]);
  });

  it("adds a notice when the bus does not exist", async () => {
    const { sim } = aFleet(["orders"]);
    const missing = `arn:aws:events:${BUS_REGION}:${DEST}:event-bus/gone`;
    const report = await runShare(shareInput(sim, { destinationEventBus: missing }));
    expect(report.done).toHaveLength(1);
    expect(report.notices).toEqual([
      expect.stringMatching(/event-bus\/gone.*ResourceNotFoundException/),
    ]);
  });

  it("retries a throttled PutEvents and then publishes once", async () => {
    const { sim, busArn } = aFleet(["orders"]);
    // More than the SDK's own three attempts: the step's retry has to pick it up.
    sim.failOn({ operation: "PutEvents", error: "ThrottlingException", times: 4 });
    const report = await runShare(shareInput(sim, { destinationEventBus: busArn }));
    expect(report.notices ?? []).toEqual([]);
    expect(sim.events()).toHaveLength(1);
  });

  it("adds a notice when the gateway cannot publish events", async () => {
    const { sim, busArn } = aFleet(["orders"]);
    const full = simulatedGateway(sim, SOURCE);
    const gateway: Gateway = {
      accountId: () => full.accountId(),
      listClusters: (r) => full.listClusters(r),
      listSnapshots: (r, q) => full.listSnapshots(r, q),
      describeSnapshot: (r, id) => full.describeSnapshot(r, id),
      describeKey: (r, k) => full.describeKey(r, k),
      createSnapshot: (i) => full.createSnapshot(i),
      shareSnapshot: (r, id, a) => full.shareSnapshot(r, id, a),
      addTags: (r, arn, t) => full.addTags(r, arn, t),
      copySnapshot: (i) => full.copySnapshot(i),
      deleteSnapshot: (r, id) => full.deleteSnapshot(r, id),
    };
    const report = await runShare(shareInput(sim, { destinationEventBus: busArn }, { gateway }));
    expect(report.done).toHaveLength(1);
    expect(report.notices).toEqual([expect.stringContaining("cannot publish events")]);
  });

  it("splits many shares over several events in one PutEvents call", async () => {
    const clusters = Array.from({ length: 120 }, (_, i) => `c${String(i).padStart(3, "0")}`);
    const { sim, busArn } = aFleet(clusters);

    const report = await runShare({
      ...shareInput(sim, { destinationEventBus: busArn }),
      execute: { ...FAST, concurrency: 16 },
    });

    expect(report.done).toHaveLength(120);
    const events = sim.events();
    expect(SNAPSHOTS_PER_EVENT).toBe(50);
    expect(events.map((e) => (e.detail["snapshots"] as unknown[]).length)).toEqual([50, 50, 20]);
    const named = events.flatMap((e) =>
      (e.detail["snapshots"] as { cluster: string }[]).map((s) => s.cluster),
    );
    expect(named.sort()).toEqual(clusters);
    expect(sim.callCounts()["PutEvents"]).toBe(1);
  });
});
