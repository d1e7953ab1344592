import { describe, expect, it } from "vitest";
import { sourcePolicyFromObject } from "@aurora-snapshot-tool/core";
import { InMemoryRds, simulatedGateway } from "@aurora-snapshot-tool/core/testing";
import { runDemo } from "../demo.js";
import { runMotoDemo } from "../demo-moto.js";
import { formatDecision, planFleet } from "../plan-fleet.js";

describe("the demo", () => {
  it(
    "runs a short scenario end to end and every safety rule holds",
    { timeout: 120_000 },
    async () => {
      const lines: string[] = [];
      const { days, violations } = await runDemo({ days: 9, log: (l) => lines.push(l) });
      expect(violations).toEqual([]);
      expect(days).toHaveLength(9);
      // day 9: one take, share and remote copy per Aurora cluster, and the first prunes
      expect(days[8]!.taken).toHaveLength(3);
      expect(days[8]!.pruned).toHaveLength(3);
      expect(lines.join("\n")).toContain("all rules held");
    },
  );
});

describe("the demo against moto_server through the CLI", () => {
  it(
    "takes, shares, prunes, copies across regions and keeps the checks",
    { timeout: 180_000 },
    async () => {
      const lines: string[] = [];
      const problems = await runMotoDemo({ log: (l) => lines.push(l) });
      expect(problems).toEqual([]);
      expect(lines.join("\n")).toMatch(/copy #3 +exit 0/);
    },
  );
});

describe("plan-fleet example", () => {
  it("explains a decision for every cluster without changing anything", async () => {
    const sim = new InMemoryRds({ now: new Date("2026-11-25T01:00:00Z") });
    sim.addCluster({ account: "111111111111", region: "us-east-1", id: "prod-orders" });
    sim.addCluster({
      account: "111111111111",
      region: "us-east-1",
      id: "graph",
      engine: "neptune",
    });
    const decisions = await planFleet(
      simulatedGateway(sim, "111111111111"),
      sourcePolicyFromObject({}),
      "us-east-1",
      sim.now(),
    );
    expect(decisions.map((d) => [d.cluster, d.action, d.reason])).toEqual([
      ["graph", "skip", "not-aurora"],
      ["prod-orders", "take", "due"],
    ]);
    expect(formatDecision(decisions[1]!)).toContain("due: ");
    expect(sim.snapshots({ type: "manual" })).toEqual([]);
  });
});
