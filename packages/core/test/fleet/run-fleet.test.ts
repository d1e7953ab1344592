import { describe, expect, it } from "vitest";

import {
  ConfigError,
  fleetPolicyFor,
  isFleetComplete,
  runFleet,
  runStep,
  type FleetTarget,
  type Gateway,
} from "../../src/index.js";
import { InMemoryRds, simFleetClients, simulatedGateway } from "../../src/testing/index.js";

const CENTRAL = "999999999999";
const MEMBERS = ["111111111111", "222222222222", "333333333333"];
const REGIONS = ["us-east-1", "eu-west-1"];
const ROLE = "aurora-snapshot-tool-member";
const NOW = new Date("2026-06-01T02:00:00Z");
const LAYERS = { env: { PATTERN: "ALL_CLUSTERS", INTERVAL: "24", RETENTION_DAYS: "7" } };

/** A central account and three members with two clusters in each of two regions and the member role. */
function anOrganisation(options: { trust?: readonly string[]; skipRoleIn?: string } = {}) {
  const sim = new InMemoryRds({ now: NOW });
  sim.addCluster({ account: CENTRAL, region: "us-east-1", id: "central-db" });
  const targets: FleetTarget[] = [];
  for (const account of MEMBERS) {
    if (account !== options.skipRoleIn) {
      sim.addRole({ account, name: ROLE, trustedAccounts: options.trust ?? [CENTRAL] });
    }
    for (const region of REGIONS) {
      sim.addCluster({ account, region, id: `orders-${account.slice(0, 3)}` });
      sim.addCluster({ account, region, id: "billing" });
      targets.push({ account, region, roleArn: `arn:aws:iam::${account}:role/${ROLE}` });
    }
  }
  return { sim, targets };
}

const fleetOf = (sim: InMemoryRds, targets: readonly FleetTarget[], extra = {}) =>
  runFleet({
    step: "take",
    targets,
    policyFor: fleetPolicyFor("take", LAYERS),
    clients: simFleetClients(sim, CENTRAL),
    clock: () => sim.now().getTime(),
    execute: { retry: { retries: 1, minTimeoutMs: 1, maxTimeoutMs: 2 } },
    ...extra,
  });

const snapshotsIn = (sim: InMemoryRds, account: string, region?: string) =>
  sim.snapshots({ account, ...(region !== undefined && { region }), type: "manual" });

describe("runFleet over the in-memory RDS", () => {
  it("takes each target's snapshots in its own account and region, and none in the central account", async () => {
    const { sim, targets } = anOrganisation();
    const report = await fleetOf(sim, targets, { maxConcurrency: 4 });

    expect(report.counts).toEqual({
      targets: 6,
      complete: 6,
      incomplete: 0,
      unreachable: 0,
      failed: 0,
    });
    expect(isFleetComplete(report)).toBe(true);
    for (const account of MEMBERS) {
      for (const region of REGIONS) {
        expect(
          snapshotsIn(sim, account, region)
            .map((s) => s.clusterId)
            .sort(),
        ).toEqual(["billing", `orders-${account.slice(0, 3)}`].sort());
      }
    }
    expect(snapshotsIn(sim, CENTRAL)).toEqual([]);
    // One AssumeRole per target, made as the central account.
    const calls = sim.calls;
    expect(calls.filter((c) => c.operation === "AssumeRole")).toHaveLength(6);
    expect(
      calls.filter((c) => c.operation === "AssumeRole").every((c) => c.account === CENTRAL),
    ).toBe(true);
  });

  it("names a target whose role cannot be assumed and completes the others", async () => {
    const { sim, targets } = anOrganisation({ skipRoleIn: MEMBERS[1] });
    const report = await fleetOf(sim, targets);

    const failed = report.results.filter((r) => r.status !== "complete");
    expect(failed.map((r) => `${r.target.account}/${r.target.region}`)).toEqual([
      `${MEMBERS[1]}/us-east-1`,
      `${MEMBERS[1]}/eu-west-1`,
    ]);
    expect(
      failed.every((r) => r.status === "unreachable" && r.error?.code === "AssumeRoleFailed"),
    ).toBe(true);
    expect(failed[0]!.error!.message).toContain("AccessDenied");
    expect(report.counts.complete).toBe(4);
    expect(snapshotsIn(sim, MEMBERS[1]!)).toEqual([]);
    expect(snapshotsIn(sim, MEMBERS[0]!)).toHaveLength(4);
  });

  it("a role that does not trust the central account is AccessDenied, not acted through", async () => {
    const { sim, targets } = anOrganisation({ trust: ["444444444444"] });
    const report = await fleetOf(sim, targets);
    expect(report.counts.unreachable).toBe(6);
    for (const account of MEMBERS) expect(snapshotsIn(sim, account)).toEqual([]);
  });

  it("never acts in the caller's account for a target that names another (no role: WrongAccount)", async () => {
    const { sim } = anOrganisation();
    const report = await fleetOf(sim, [{ account: MEMBERS[0]!, region: "us-east-1" }]);
    expect(report.results[0]!.status).toBe("unreachable");
    expect(report.results[0]!.error?.code).toBe("WrongAccount");
    expect(snapshotsIn(sim, CENTRAL)).toEqual([]);
    expect(snapshotsIn(sim, MEMBERS[0]!)).toEqual([]);
  });

  it("an empty listing of the caller's own account does not pass for the target's (WrongAccount, not complete)", async () => {
    const { sim } = anOrganisation();
    // The central account has no cluster in eu-west-1: nothing listed confirms or refutes the account.
    const report = await fleetOf(sim, [{ account: MEMBERS[0]!, region: "eu-west-1" }]);
    expect(report.results[0]!.status).toBe("unreachable");
    expect(report.results[0]!.error?.code).toBe("WrongAccount");
    expect(isFleetComplete(report)).toBe(false);
  });

  it("refuses a role of another account than the target's before any call", async () => {
    const { sim } = anOrganisation();
    const report = await fleetOf(sim, [
      {
        account: MEMBERS[0]!,
        region: "us-east-1",
        roleArn: `arn:aws:iam::${MEMBERS[1]}:role/${ROLE}`,
      },
    ]);
    expect(report.results[0]!.status).toBe("failed");
    expect(report.results[0]!.error?.code).toBe("ConfigError");
    expect(sim.calls).toEqual([]);
  });

  it("one target throttled beyond its retries is incomplete or failed; the others complete", async () => {
    const { sim, targets } = anOrganisation();
    sim.failOn({ operation: "CreateDBClusterSnapshot", error: "Throttling", account: MEMBERS[2]! });
    const report = await fleetOf(sim, targets);
    const bad = report.results.filter((r) => r.target.account === MEMBERS[2]);
    expect(bad.every((r) => r.status === "incomplete")).toBe(true);
    const left = [...bad[0]!.report!.failed, ...bad[0]!.report!.pending];
    expect(left.map((o) => o.decision.action)).toEqual(["take", "take"]);
    expect(snapshotsIn(sim, MEMBERS[2]!)).toEqual([]);
    expect(report.counts.complete).toBe(4);
  });

  it("a target's overrides apply to it alone, and a bad one fails that target only", async () => {
    const { sim, targets } = anOrganisation();
    const withOverrides: FleetTarget[] = targets.map((t, i) =>
      i === 0
        ? { ...t, overrides: { clusterPattern: "^billing$" } }
        : i === 1
          ? { ...t, overrides: { retentionDays: "soon" } }
          : t,
    );
    const report = await fleetOf(sim, withOverrides);
    expect(
      snapshotsIn(sim, targets[0]!.account, targets[0]!.region).map((s) => s.clusterId),
    ).toEqual(["billing"]);
    expect(report.results[1]!.status).toBe("failed");
    expect(report.results[1]!.error?.message).toContain("retentionDays");
    expect(snapshotsIn(sim, targets[1]!.account, targets[1]!.region)).toEqual([]);
    expect(report.counts.complete).toBe(5);
  });

  it("never sends a target to another region: REGION_OVERRIDE fails every target, acting nowhere", async () => {
    const { sim, targets } = anOrganisation();
    const report = await runFleet({
      step: "take",
      targets,
      policyFor: fleetPolicyFor("take", { env: { ...LAYERS.env, REGION_OVERRIDE: "us-east-1" } }),
      clients: simFleetClients(sim, CENTRAL),
      clock: () => sim.now().getTime(),
    });
    // us-east-1 targets may run (the override names their own region); eu-west-1 ones may not.
    const west = report.results.filter((r) => r.target.region === "eu-west-1");
    expect(
      west.every((r) => r.status === "failed" && r.error?.message.includes("REGION_OVERRIDE")),
    ).toBe(true);
    for (const account of MEMBERS) expect(snapshotsIn(sim, account, "eu-west-1")).toEqual([]);
    expect(
      report.results
        .filter((r) => r.target.region === "us-east-1")
        .every((r) => r.status === "complete"),
    ).toBe(true);
  });

  it("refuses an override of the other side's setting (it would be ignored without a word)", async () => {
    const { sim, targets } = anOrganisation();
    const report = await fleetOf(sim, [{ ...targets[0]!, overrides: { snapshotPattern: "^x" } }]);
    expect(report.results[0]!.status).toBe("failed");
    expect(report.results[0]!.error?.message).toContain("source setting");
  });

  it("refuses an empty fleet and a maxConcurrency out of range rather than report success", async () => {
    const { sim, targets } = anOrganisation();
    await expect(fleetOf(sim, [])).rejects.toBeInstanceOf(ConfigError);
    await expect(fleetOf(sim, targets, { maxConcurrency: Number.NaN })).rejects.toBeInstanceOf(
      ConfigError,
    );
    await expect(fleetOf(sim, targets, { maxConcurrency: 0 })).rejects.toBeInstanceOf(ConfigError);
  });

  it("keeps to maxConcurrency targets at once", async () => {
    const { sim, targets } = anOrganisation();
    let running = 0;
    let most = 0;
    const gateway = (target: FleetTarget): Gateway => {
      const inner = simulatedGateway(sim, target.account);
      return {
        ...inner,
        accountId: () => inner.accountId(),
        listSnapshots: (r, q) => inner.listSnapshots(r, q),
        listClusters: async (region) => {
          running += 1;
          most = Math.max(most, running);
          await new Promise((r) => setTimeout(r, 5));
          running -= 1;
          return inner.listClusters(region);
        },
        createSnapshot: (input) => inner.createSnapshot(input),
        describeSnapshot: (r, id) => inner.describeSnapshot(r, id),
        describeKey: (r, k) => inner.describeKey(r, k),
        shareSnapshot: (r, id, a) => inner.shareSnapshot(r, id, a),
        addTags: (r, arn, t) => inner.addTags(r, arn, t),
        copySnapshot: (input) => inner.copySnapshot(input),
        deleteSnapshot: (r, id) => inner.deleteSnapshot(r, id),
      };
    };
    const report = await runFleet({
      step: "take",
      targets,
      policyFor: fleetPolicyFor("take", LAYERS),
      gateway,
      maxConcurrency: 2,
      clock: () => sim.now().getTime(),
    });
    expect(report.counts.complete).toBe(6);
    expect(most).toBe(2);
  });

  it("starts no target once the signal has aborted, and reports them incomplete", async () => {
    const { sim, targets } = anOrganisation();
    const controller = new AbortController();
    controller.abort();
    const report = await fleetOf(sim, targets, { signal: controller.signal });
    expect(
      report.results.every((r) => r.status === "incomplete" && r.error?.code === "Aborted"),
    ).toBe(true);
    expect(sim.calls).toEqual([]);
  });
});

describe("runStep, the orchestration port", () => {
  it("runs one step at one target and returns its report; a dry run changes nothing", async () => {
    const { sim } = anOrganisation();
    const target = {
      account: MEMBERS[0]!,
      region: "eu-west-1",
      roleArn: `arn:aws:iam::${MEMBERS[0]}:role/${ROLE}`,
    };
    const policy = fleetPolicyFor("take", LAYERS)(target);
    const clients = simFleetClients(sim, CENTRAL);
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, warn: (m: string) => warnings.push(m), error() {} };
    const plan = await runStep({
      step: "take",
      target,
      policy,
      clients,
      clock: () => sim.now().getTime(),
      dryRun: true,
      logger,
    });
    expect(plan.pending.map((o) => o.note)).toEqual(["dry-run", "dry-run"]);
    expect(snapshotsIn(sim, MEMBERS[0]!)).toEqual([]);
    const report = await runStep({
      step: "take",
      target,
      policy,
      clients,
      clock: () => sim.now().getTime(),
    });
    expect(report.done).toHaveLength(2);
    expect(snapshotsIn(sim, MEMBERS[0]!, "eu-west-1")).toHaveLength(2);
    expect(warnings).toEqual([]);
  });

  it("stops starting actions once the signal aborts", async () => {
    const { sim } = anOrganisation();
    const controller = new AbortController();
    controller.abort();
    const target = {
      account: MEMBERS[0]!,
      region: "eu-west-1",
      roleArn: `arn:aws:iam::${MEMBERS[0]}:role/${ROLE}`,
    };
    const report = await runStep({
      step: "take",
      target,
      policy: fleetPolicyFor("take", LAYERS)(target),
      clients: simFleetClients(sim, CENTRAL),
      clock: () => sim.now().getTime(),
      signal: controller.signal,
    });
    expect(report.pending.map((o) => o.note)).toEqual(["aborted", "aborted"]);
    expect(snapshotsIn(sim, MEMBERS[0]!)).toEqual([]);
  });

  it("throws ConfigError for a bad target before any call", async () => {
    const { sim } = anOrganisation();
    await expect(
      runStep({
        step: "take",
        target: { account: "12345", region: "us-east-1" },
        policy: fleetPolicyFor("take", LAYERS)({ account: "111111111111", region: "us-east-1" }),
        gateway: simulatedGateway(sim, CENTRAL),
      }),
    ).rejects.toBeInstanceOf(ConfigError);
    expect(sim.calls).toEqual([]);
  });
});
