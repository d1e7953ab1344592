import { describe, expect, it } from "vitest";
import { destinationPolicyFromObject, sourcePolicyFromObject } from "../../src/policy/index.js";
import {
  InMemoryRds,
  simulateFleet,
  type FleetSimulationOptions,
} from "../../src/testing/index.js";
import { TAG_COPIED_BY, TAG_CREATED_BY, TAG_INTERMEDIATE } from "../../src/model/index.js";

const A = "111111111111"; // source account
const B = "222222222222"; // destination account
const EAST = "us-east-1";
const WEST = "us-west-2";
const RETENTION = 7;

/**
 * A small fleet: two encrypted and one plain Aurora cluster in the source account, a neptune cluster
 * that must be left alone, an untagged manual snapshot someone keeps on purpose, and automated
 * snapshots. The destination account copies everything shared to it into its own us-east-1 (the
 * intermediate step) and keeps the copies in us-west-2.
 */
function aFleet(overrides: { sim?: InMemoryRds; copyMode?: "auto" | "two-step" } = {}) {
  const sim = overrides.sim ?? new InMemoryRds({ now: new Date("2026-03-01T00:00:00Z") });
  const sourceKey = sim.addKey({
    account: A,
    region: EAST,
    alias: "alias/snapshots",
    usableBy: [B],
  });
  const localKey = sim.addKey({ account: B, region: EAST, alias: "alias/local" });
  sim.addKey({ account: B, region: WEST, alias: "alias/dr" });
  sim.addCluster({
    account: A,
    region: EAST,
    id: "orders",
    engine: "aurora-postgresql",
    encrypted: true,
    kmsKeyId: sourceKey,
  });
  sim.addCluster({
    account: A,
    region: EAST,
    id: "billing",
    engine: "aurora-mysql",
    encrypted: true,
    kmsKeyId: sourceKey,
  });
  sim.addCluster({ account: A, region: EAST, id: "reports", engine: "aurora-postgresql" });
  sim.addCluster({ account: A, region: EAST, id: "graph", engine: "neptune" });
  sim.addSnapshot({
    account: A,
    region: EAST,
    id: "orders-keep-forever",
    clusterId: "orders",
    createTime: new Date("2025-01-01T00:00:00Z"),
  });
  sim.addSnapshot({
    account: A,
    region: EAST,
    id: "rds:orders-2026-02-01-03-00",
    clusterId: "orders",
    type: "automated",
    createTime: new Date("2026-02-01T03:00:00Z"),
  });

  const options: FleetSimulationOptions = {
    sim,
    days: 30,
    // Coarser than the original schedules to keep the test quick; the demo runs the real ones.
    cadence: {
      shareEveryMinutes: 60,
      copyEveryMinutes: 30,
      pruneEveryMinutes: 60,
      pruneDestEveryMinutes: 60,
    },
    source: {
      account: A,
      region: EAST,
      policy: sourcePolicyFromObject({ destinationAccount: B, retentionDays: RETENTION }),
    },
    destination: {
      account: B,
      region: EAST,
      policy: destinationPolicyFromObject({
        destinationRegions: [WEST],
        retentionDays: RETENTION,
        kmsKeySource: localKey,
        kmsKeyDestination: { [WEST]: "alias/dr" },
        crossAccount: true,
        copyMode: overrides.copyMode ?? "auto",
      }),
    },
  };
  return { sim, options, localKey };
}

const AURORA = ["billing", "orders", "reports"];

function toolSnapshotsByCluster(sim: InMemoryRds, account: string, region: string, tag: string) {
  const by = new Map<string, string[]>();
  for (const s of sim.snapshots({ account, region })) {
    if (s.type !== "manual" || !s.tags[tag]) continue;
    by.set(s.clusterId, [...(by.get(s.clusterId) ?? []), s.id].sort());
  }
  return by;
}

function expectSteadyState(sim: InMemoryRds): void {
  const source = toolSnapshotsByCluster(sim, A, EAST, TAG_CREATED_BY);
  const dest = toolSnapshotsByCluster(sim, B, WEST, TAG_COPIED_BY);
  expect([...source.keys()].sort()).toEqual(AURORA);
  for (const cluster of AURORA) {
    expect(source.get(cluster), `source ${cluster}`).toHaveLength(RETENTION);
    // every snapshot kept at the source has its copy in the destination region, and nothing more
    expect(dest.get(cluster), `dest ${cluster}`).toEqual(source.get(cluster));
    for (const s of sim.snapshots({ account: A, region: EAST })) {
      if (s.tags[TAG_CREATED_BY]) expect(s.sharedWith).toEqual([B]);
    }
  }
  // intermediate local copies are gone once their onward copies are available
  expect(sim.snapshots({ account: B, region: EAST }).filter((s) => s.type === "manual")).toEqual(
    [],
  );
  // nothing else touched: no neptune snapshot, the untagged and automated snapshots still there
  const sourceIds = sim.snapshots({ account: A, region: EAST }).map((s) => s.id);
  expect(sourceIds).toContain("orders-keep-forever");
  expect(sourceIds).toContain("rds:orders-2026-02-01-03-00");
  expect(sourceIds.some((id) => id.startsWith("graph-"))).toBe(false);
}

describe(
  "the engine over 30 simulated days, two accounts and two regions",
  { timeout: 120_000 },
  () => {
    it.each([
      ["two-step", 6, 3],
      ["auto", 3, 0],
    ] as const)(
      "keeps retention-many snapshots of each cluster in every place and touches nothing else (%s)",
      async (copyMode, copiesPerDay, intermediatesPerDay) => {
        const { sim, options } = aFleet({ copyMode });
        const days = await simulateFleet({ ...options, sim });
        expectSteadyState(sim);
        // each day after the first week: one take, share, copy and prune per cluster
        const day20 = days[20]!;
        expect(day20.taken).toHaveLength(3);
        expect(day20.shared).toHaveLength(3);
        // two-step: local + remote and the intermediate removed; single-step: the remote copy only
        expect(day20.copied).toHaveLength(copiesPerDay);
        expect(day20.intermediateRemoved).toHaveLength(intermediatesPerDay);
        expect(day20.pruned).toHaveLength(3);
        expect(day20.prunedDest).toHaveLength(3);
        expect(days.reduce((n, d) => n + d.failed, 0)).toBe(0);
      },
    );

    it("reaches the same end state with 20% of calls throttled", async () => {
      const { sim, options } = aFleet();
      sim.throttle({ fraction: 0.2, seed: 42 });
      const days = await simulateFleet({ ...options, sim });
      sim.clearFaults();
      expectSteadyState(sim);
      expect(days.reduce((n, d) => n + d.failed, 0)).toBe(0);
      expect(sim.calls.filter((c) => c.error === "Throttling").length).toBeGreaterThan(100);
    });

    it("recovers from runs cut short by their deadline, without duplicates or losses", async () => {
      const { sim, options } = aFleet();
      // Every run may start at most one action before its deadline passes; the rest stay pending.
      let calls = 0;
      const days = await simulateFleet({
        ...options,
        sim,
        deadline: 1,
        execute: {
          concurrency: 1,
          retry: { minTimeoutMs: 1, maxTimeoutMs: 5 },
          clock: () => (calls++ % 2 === 0 ? 0 : 2),
        },
      });
      expect(days.reduce((n, d) => n + d.pending, 0)).toBeGreaterThan(0);
      expectSteadyState(sim);
      const ids = sim.snapshots().map((s) => `${s.account}/${s.region}/${s.id}`);
      expect(new Set(ids).size).toBe(ids.length);
    });

    it("keeps the newest snapshot of a cluster through a take outage longer than the retention", async () => {
      const { sim, options } = aFleet();
      await simulateFleet({ ...options, sim, days: 10 });
      await simulateFleet({ ...options, sim, days: 12, disabled: ["take"] });
      const source = toolSnapshotsByCluster(sim, A, EAST, TAG_CREATED_BY);
      const dest = toolSnapshotsByCluster(sim, B, WEST, TAG_COPIED_BY);
      for (const cluster of AURORA) {
        expect(source.get(cluster)).toHaveLength(1);
        expect(dest.get(cluster)).toHaveLength(1);
      }
    });

    it("skips a stopped cluster and backs up the others", async () => {
      const { sim, options } = aFleet();
      sim.setClusterStatus({ account: A, region: EAST, id: "billing" }, "stopped");
      const days = await simulateFleet({ ...options, sim, days: 2 });
      expect(days.flatMap((d) => d.taken).some((s) => s.startsWith("billing-"))).toBe(false);
      expect(days.flatMap((d) => d.taken).filter((s) => s.startsWith("orders-"))).toHaveLength(2);
    });

    it("fails the take of the cluster over the snapshot quota and still takes the others", async () => {
      const sim = new InMemoryRds({
        now: new Date("2026-03-01T00:00:00Z"),
        manualSnapshotQuota: 3,
      });
      const { options } = aFleet({ sim });
      // the quota counts the untagged manual snapshot: two of three takes fit
      const reports: { failed: string[]; done: string[] }[] = [];
      await simulateFleet({
        ...options,
        days: 1,
        retryIncomplete: false,
        disabled: ["share", "copy", "prune", "prune-dest"],
        onReport: (r) =>
          reports.push({
            failed: r.failed.map((o) => `${o.decision.cluster}:${o.errorCode}`),
            done: r.done.map((o) => o.decision.cluster),
          }),
      });
      expect(reports).toHaveLength(1);
      expect(reports[0]!.done).toHaveLength(2);
      expect(reports[0]!.failed).toHaveLength(1);
      expect(reports[0]!.failed[0]).toMatch(/:SnapshotQuotaExceededFault$/);
    });

    it("fails copies into a region whose KMS key is missing, before calling RDS, and keeps the intermediate copy", async () => {
      const { sim, options } = aFleet();
      const destination = options.destination!;
      const broken = {
        ...destination,
        policy: destinationPolicyFromObject({
          destinationRegions: [WEST],
          retentionDays: RETENTION,
          kmsKeySource: "alias/local",
          kmsKeyDestination: { [WEST]: "alias/missing" },
          copyMode: "two-step",
        }),
      };
      const days = await simulateFleet({ ...options, sim, destination: broken, days: 2 });
      expect(days.reduce((n, d) => n + d.failed, 0)).toBeGreaterThan(0);
      // the unencrypted cluster needs no key and is copied; the encrypted ones never reach RDS
      const westCopies = sim.calls.filter(
        (c) => c.operation === "CopyDBClusterSnapshot" && c.region === WEST,
      );
      expect(westCopies.length).toBeGreaterThan(0);
      expect(
        westCopies.every((c) =>
          String(c.input.TargetDBClusterSnapshotIdentifier).startsWith("reports-"),
        ),
      ).toBe(true);
      const local = sim.snapshots({ account: B, region: EAST }).filter((s) => s.type === "manual");
      expect(local.length).toBeGreaterThan(0);
      expect(local.every((s) => s.tags[TAG_INTERMEDIATE] === "YES")).toBe(true);
      // an encrypted snapshot's intermediate copy stays: its onward copy was never made
      expect(local.some((s) => s.clusterId === "orders")).toBe(true);
      expect(
        sim.snapshots({ account: B, region: WEST }).every((s) => s.clusterId === "reports"),
      ).toBe(true);
    });

    it("gives each step the simulated time it starts at, past the back-off of earlier steps in the tick", async () => {
      const { sim, options } = aFleet();
      // The take at 01:00 backs off on the simulated clock; share, prune, copy and prune-dest
      // run in the same tick after it.
      sim.failOn({ operation: "CreateDBClusterSnapshot", error: "Throttling", times: 4 });
      const runs: { step: string; at: number; end: number }[] = [];
      await simulateFleet({
        ...options,
        days: 1,
        onReport: (report, at) =>
          runs.push({ step: report.step, at: at.getTime(), end: sim.now().getTime() }),
      });
      const tick = 10 * 60_000;
      expect(runs.some((r) => r.at % tick !== 0)).toBe(true);
      for (let i = 1; i < runs.length; i++) {
        expect(runs[i]!.at, `${runs[i]!.step} after ${runs[i - 1]!.step}`).toBeGreaterThanOrEqual(
          runs[i - 1]!.end,
        );
      }
    });
  },
);
