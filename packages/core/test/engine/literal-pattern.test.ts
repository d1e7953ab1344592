import { describe, expect, it } from "vitest";
import {
  TAG_CREATED_BY,
  TAG_CREATED_ON,
  TAG_SHARE_AND_COPY,
  TOOL_NAME,
} from "../../src/model/index.js";
import { formatSnapshotName, formatTimestamp } from "../../src/naming/index.js";
import { sourcePolicyFromObject } from "../../src/policy/index.js";
import { runPrune } from "../../src/steps/index.js";
import { InMemoryRds, simulatedGateway } from "../../src/testing/index.js";

const A = "111111111111";
const REGION = "eu-west-1";
const DAY = 86_400_000;

describe("a literal cluster pattern", () => {
  it("narrows the listing server-side and still prunes the snapshots of a deleted cluster", async () => {
    const sim = new InMemoryRds({ now: new Date("2026-05-20T12:00:00Z") });
    sim.addCluster({ account: A, region: REGION, id: "orders" });
    sim.addCluster({ account: A, region: REGION, id: "orders-archive" });
    for (const cluster of ["orders", "orders-archive"]) {
      for (const daysAgo of [3, 10, 11]) {
        const at = new Date(sim.now().getTime() - daysAgo * DAY);
        sim.addSnapshot({
          account: A,
          region: REGION,
          id: formatSnapshotName(cluster, at),
          clusterId: cluster,
          createTime: at,
          tags: {
            [TAG_CREATED_BY]: TOOL_NAME,
            [TAG_CREATED_ON]: formatTimestamp(at),
            [TAG_SHARE_AND_COPY]: "YES",
          },
        });
      }
    }
    sim.removeCluster({ account: A, region: REGION, id: "orders" });

    const report = await runPrune({
      gateway: simulatedGateway(sim, A),
      policy: sourcePolicyFromObject({ clusterPattern: "^orders$", retentionDays: 7 }),
      region: REGION,
      now: sim.now(),
      execute: { retry: { minTimeoutMs: 1, maxTimeoutMs: 2 } },
    });

    expect(report.done.map((o) => o.decision.snapshot).sort()).toEqual([
      "orders-2026-05-09-12-00",
      "orders-2026-05-10-12-00",
    ]);
    const listing = sim.calls.find((c) => c.operation === "DescribeDBClusterSnapshots");
    expect(listing?.input.Filters).toEqual([{ Name: "db-cluster-id", Values: ["orders"] }]);
    // the other cluster's snapshots were neither listed nor touched
    expect(
      sim.snapshots({ account: A, region: REGION }).filter((s) => s.clusterId === "orders-archive"),
    ).toHaveLength(3);
  });
});
