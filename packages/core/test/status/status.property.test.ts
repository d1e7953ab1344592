import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isInProgress } from "../../src/inventory/wait-rules.js";
import { UNSELECTED_REASONS, type Snapshot } from "../../src/model/index.js";
import { planPrune, planTake } from "../../src/plan/index.js";
import { ownsSourceSnapshot } from "../../src/plan/ownership.js";
import { stampedTime } from "../../src/plan/snapshot-time.js";
import { sourceStatusFrom } from "../../src/status/index.js";
import { aCluster } from "../../src/testing/index.js";
import { CLUSTERS, REGIONS, sourceInventoryArb } from "../plan/arbitraries.js";

/*
 * The status rules against their definition, over random inventories: the newest recovery point
 * of a place is the newest of the tool's own available snapshots of the cluster there whose time
 * can be trusted; protected exactly when that is within the RPO; at risk exactly when not, and
 * something is on its way; reasons exactly when not protected.
 */

const MINUTE = 60_000;
const REGION = REGIONS[0];

/**
 * The point in time a snapshot restores to: the older of the tool's stamp and RDS's create time,
 * not trusted when the stamp is more than an hour ahead of the run.
 */
function trustedTime(s: Snapshot, now: Date): number | undefined {
  const stamp = stampedTime(s)?.getTime();
  const created = s.createTime?.getTime();
  const times = [stamp, created].filter((t): t is number => t !== undefined && !Number.isNaN(t));
  if (times.length === 0) return undefined;
  if (stamp !== undefined && stamp - now.getTime() > 60 * MINUTE) return undefined;
  return Math.min(...times);
}

describe("sourceStatusFrom (property)", () => {
  it("agrees with the definition of the newest recovery point and of the three states", () => {
    fc.assert(
      fc.property(sourceInventoryArb, fc.integer({ min: 1, max: 72 }), (inv, rpoHours) => {
        const policy = { ...inv.policy, rpoHours, destinationAccounts: [] };
        const clusters = [...new Set(CLUSTERS)].map((id) => aCluster({ id, region: REGION }));
        const snapshots = inv.snapshots.filter((s) => s.region === REGION);
        const take = planTake({ clusters, snapshots, policy, now: inv.now });
        const prune = planPrune({ snapshots, policy, now: inv.now, clockSkewMs: 0 });
        const report = sourceStatusFrom({
          take: { decisions: take, region: REGION, snapshots, clusters },
          prune: { decisions: prune, region: REGION, snapshots },
          policy,
          now: inv.now,
          account: "111111111111",
        });

        const selected = clusters.filter((c) => {
          const ds = take.filter((d) => d.cluster === c.id);
          return ds.length > 0 && ds.some((d) => !UNSELECTED_REASONS.has(d.reason));
        });
        expect(report.places.map((p) => p.cluster).sort()).toEqual(
          selected.map((c) => c.id).sort(),
        );
        for (const place of report.places) {
          const own = snapshots.filter(
            (s) =>
              s.clusterId.toLowerCase() === place.cluster.toLowerCase() &&
              s.type === "manual" &&
              ownsSourceSnapshot(s, policy.snapshotNamePrefix),
          );
          const candidates = own
            .filter((s) => s.status === "available")
            .flatMap((s) => {
              const t = trustedTime(s, inv.now);
              return t === undefined ? [] : [{ s, t }];
            });
          const newest = Math.max(...candidates.map((c) => c.t));
          if (candidates.length === 0) {
            expect(place.newest).toBeNull();
          } else {
            expect(new Date(place.newest?.time ?? 0).getTime()).toBe(newest);
            expect(place.newest?.ageMinutes).toBe(
              Math.max(0, Math.floor((inv.now.getTime() - newest) / MINUTE)),
            );
          }
          expect(place.kept).toBe(own.filter((s) => s.status === "available").length);
          expect(place.inFlight).toBe(own.filter(isInProgress).length);
          const within =
            candidates.length > 0 && (inv.now.getTime() - newest) / MINUTE < rpoHours * 60 + 1;
          const expected = within ? "protected" : place.inFlight > 0 ? "at-risk" : "unprotected";
          expect(place.state).toBe(expected);
          expect(place.reasons.length === 0).toBe(place.state === "protected");
        }
        const { summary } = report;
        expect(summary.protected + summary.atRisk + summary.unprotected).toBe(report.places.length);
      }),
      { numRuns: 400 },
    );
  });
});
