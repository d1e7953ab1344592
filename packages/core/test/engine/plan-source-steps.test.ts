import { describe, expect, it } from "vitest";
import { TAG_CREATED_BY, TAG_SHARE_AND_COPY, TOOL_NAME } from "../../src/model/index.js";
import { sourcePolicyFromObject } from "../../src/policy/index.js";
import { planShareStep, planSourceSteps } from "../../src/steps/index.js";
import { ConfigError } from "../../src/policy/index.js";
import { InMemoryRds, simulatedGateway } from "../../src/testing/index.js";

const A = "111111111111";
const REGION = "eu-west-1";

describe("planSourceSteps", () => {
  it("plans take, share and prune from one listing pass and changes nothing", async () => {
    const sim = new InMemoryRds({ now: new Date("2026-05-20T12:00:00Z") });
    sim.addCluster({ account: A, region: REGION, id: "orders" });
    sim.addSnapshot({
      account: A,
      region: REGION,
      id: "orders-2026-05-01-01-00",
      clusterId: "orders",
      createTime: new Date("2026-05-01T01:00:00Z"),
      tags: { [TAG_CREATED_BY]: TOOL_NAME, [TAG_SHARE_AND_COPY]: "YES" },
    });
    const plans = await planSourceSteps({
      gateway: simulatedGateway(sim, A),
      policy: sourcePolicyFromObject({ destinationAccount: "222222222222", minKeep: 0 }),
      region: REGION,
      now: sim.now(),
    });
    expect(plans.take.decisions.map((d) => [d.action, d.reason])).toEqual([["take", "due"]]);
    expect(plans.share?.decisions.map((d) => [d.action, d.reason])).toEqual([
      ["share", "not-shared"],
    ]);
    expect(plans.prune.decisions.map((d) => [d.action, d.reason])).toEqual([["delete", "expired"]]);
    expect(sim.callCounts()).toEqual({ DescribeDBClusters: 1, DescribeDBClusterSnapshots: 1 });
  });

  it("leaves the share plan out when no destination account is set", async () => {
    const sim = new InMemoryRds();
    const plans = await planSourceSteps({
      gateway: simulatedGateway(sim, A),
      policy: sourcePolicyFromObject({}),
      region: REGION,
    });
    expect(plans.share).toBeUndefined();
  });

  it("planShareStep refuses the templates' placeholder 000000000000 before any AWS call, naming the parameter", async () => {
    const sim = new InMemoryRds();
    const plan = planShareStep({
      gateway: simulatedGateway(sim, A),
      policy: sourcePolicyFromObject({ destinationAccount: "000000000000" }),
      region: REGION,
    });
    await expect(plan).rejects.toBeInstanceOf(ConfigError);
    await expect(plan).rejects.toMatchObject({ field: "DEST_ACCOUNT", value: "000000000000" });
    await expect(plan).rejects.toThrow(/DestinationAccount/);
    expect(sim.calls).toEqual([]);
  });

  it("planShareStep refuses a missing destination account before any AWS call", async () => {
    const sim = new InMemoryRds();
    const plan = planShareStep({
      gateway: simulatedGateway(sim, A),
      policy: sourcePolicyFromObject({}),
      region: REGION,
    });
    await expect(plan).rejects.toBeInstanceOf(ConfigError);
    await expect(plan).rejects.toMatchObject({ field: "DEST_ACCOUNT" });
    expect(sim.calls).toEqual([]);
  });
});
