import { describe, expect, it } from "vitest";
import {
  TAG_COPIED_BY,
  TAG_CREATED_BY,
  TAG_SHARE_AND_COPY,
  TAG_SHARED_WITH,
  TAG_SOURCE_ARN,
  TOOL_NAME,
} from "../../src/model/index.js";
import { destinationPolicyFromObject, sourcePolicyFromObject } from "../../src/policy/index.js";
import {
  destinationRpoHours,
  destinationStatus,
  sourceStatus,
  statusMetrics,
  type PlaceStatus,
  type StatusReport,
} from "../../src/status/index.js";
import { InMemoryRds, simulatedGateway } from "../../src/testing/index.js";

const SRC = "111111111111";
const DST = "222222222222";
const REGION = "us-east-1";
const DR = "us-west-2";
const NOW = new Date("2026-06-10T12:00:00Z");
const HOUR = 3_600_000;

const toolTags = (extra: Record<string, string> = {}) => ({
  [TAG_CREATED_BY]: TOOL_NAME,
  [TAG_SHARE_AND_COPY]: "YES",
  ...extra,
});

/** `CLUSTER-YYYY-MM-DD-HH-MM` for a time `hours` before NOW. */
function nameOf(cluster: string, hours: number): string {
  const t = new Date(NOW.getTime() - hours * HOUR);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${cluster}-${t.getUTCFullYear()}-${p(t.getUTCMonth() + 1)}-${p(t.getUTCDate())}-${p(t.getUTCHours())}-${p(t.getUTCMinutes())}`;
}

function row(report: StatusReport, cluster: string, place: string): PlaceStatus {
  const found = report.places.find((p) => p.cluster === cluster && p.place === place);
  if (found === undefined) throw new Error(`no ${place} row for ${cluster}`);
  return found;
}

describe("sourceStatus", () => {
  function sourceScenario() {
    const sim = new InMemoryRds({ now: NOW });
    const at = { account: SRC, region: REGION };
    const snapshot = (cluster: string, hours: number, extra: object = {}) =>
      sim.addSnapshot({
        ...at,
        id: nameOf(cluster, hours),
        clusterId: cluster,
        createTime: new Date(NOW.getTime() - hours * HOUR),
        tags: toolTags({ [TAG_SHARED_WITH]: DST }),
        ...extra,
      });
    // orders: snapshot 2 hours old, shared: protected in both places.
    sim.addCluster({ ...at, id: "orders" });
    snapshot("orders", 2);
    // billing: newest 30 hours old (RPO 24 + 2), a new one being created: at risk.
    sim.addCluster({ ...at, id: "billing" });
    snapshot("billing", 30);
    snapshot("billing", 0, {
      status: "creating",
      readyAt: new Date(NOW.getTime() + HOUR),
      tags: toolTags(),
    });
    // ledger: newest 40 hours old, cluster stopped: unprotected, and why.
    sim.addCluster({ ...at, id: "ledger", status: "stopped" });
    snapshot("ledger", 40);
    // fresh: never taken, nothing on its way... except that take is due: still unprotected.
    sim.addCluster({ ...at, id: "fresh" });
    // a cluster the pattern leaves out is not reported at all.
    sim.addCluster({ ...at, id: "scratch" });
    const policy = sourcePolicyFromObject({
      clusterPattern: "^(orders|billing|ledger|fresh)$",
      destinationAccount: DST,
    });
    return { sim, policy };
  }

  it("reports protected, at-risk and unprotected clusters with reasons, in the region and shared", async () => {
    const { sim, policy } = sourceScenario();
    const report = await sourceStatus({
      gateway: simulatedGateway(sim, SRC),
      policy,
      region: REGION,
      now: NOW,
    });
    expect(report.side).toBe("source");
    expect(report.account).toBe(SRC);
    expect(report.places.map((p) => p.cluster)).not.toContain("scratch");

    expect(row(report, "orders", "source")).toMatchObject({
      state: "protected",
      reasons: [],
      kept: 1,
      rpoHours: 26,
      newest: { snapshot: nameOf("orders", 2), ageMinutes: 120 },
    });
    expect(row(report, "orders", "shared")).toMatchObject({
      state: "protected",
      account: DST,
    });
    expect(row(report, "billing", "source")).toMatchObject({
      state: "at-risk",
      inFlight: 1,
      reasons: ["stale", "snapshot-in-progress"],
      newest: { ageMinutes: 30 * 60 },
    });
    expect(row(report, "ledger", "source")).toMatchObject({
      state: "unprotected",
      inFlight: 0,
      reasons: ["stale", "cluster-unavailable"],
    });
    expect(row(report, "fresh", "source")).toMatchObject({
      state: "unprotected",
      newest: null,
      kept: 0,
      reasons: ["never-taken"],
    });
    expect(row(report, "fresh", "shared")).toMatchObject({
      state: "unprotected",
      reasons: ["never-shared"],
    });
    expect(report.summary).toEqual({
      protected: 2,
      atRisk: 2,
      unprotected: 4,
      maxAgeMinutes: 40 * 60,
    });
    // Reading the status changes nothing.
    expect(
      Object.keys(sim.callCounts()).every((op) => /^(Describe|List|GetCallerIdentity)/.test(op)),
    ).toBe(true);
  });

  it("counts a snapshot waiting to be shared as on its way to the shared place", async () => {
    const sim = new InMemoryRds({ now: NOW });
    sim.addCluster({ account: SRC, region: REGION, id: "orders" });
    sim.addSnapshot({
      account: SRC,
      region: REGION,
      id: nameOf("orders", 1),
      clusterId: "orders",
      createTime: new Date(NOW.getTime() - HOUR),
      tags: toolTags(),
    });
    const report = await sourceStatus({
      gateway: simulatedGateway(sim, SRC),
      policy: sourcePolicyFromObject({ destinationAccount: DST }),
      region: REGION,
      now: NOW,
    });
    expect(row(report, "orders", "source").state).toBe("protected");
    expect(row(report, "orders", "shared")).toMatchObject({
      state: "at-risk",
      inFlight: 1,
      reasons: ["never-shared", "share-pending"],
    });
  });

  it("reports one shared place per destination account, each from the marker and its own shares", async () => {
    const OTHER = "333333333333";
    const sim = new InMemoryRds({ now: NOW });
    sim.addCluster({ account: SRC, region: REGION, id: "orders" });
    sim.addSnapshot({
      account: SRC,
      region: REGION,
      id: nameOf("orders", 1),
      clusterId: "orders",
      createTime: new Date(NOW.getTime() - HOUR),
      // shared with DST by an earlier run (the old one-id marker); OTHER added since
      tags: toolTags({ [TAG_SHARED_WITH]: DST }),
    });
    const report = await sourceStatus({
      gateway: simulatedGateway(sim, SRC),
      policy: sourcePolicyFromObject({ destinationAccount: `${DST},${OTHER}` }),
      region: REGION,
      now: NOW,
    });
    const shared = report.places.filter((p) => p.place === "shared");
    expect(shared.map((p) => [p.account, p.state, p.inFlight])).toEqual([
      [DST, "protected", 0],
      [OTHER, "at-risk", 1],
    ]);
    expect(shared[1]?.reasons).toEqual(["never-shared", "share-pending"]);
  });

  it("applies RPO_HOURS when set, and emits the metrics of the report", async () => {
    const { sim } = sourceScenario();
    const report = await sourceStatus({
      gateway: simulatedGateway(sim, SRC),
      policy: sourcePolicyFromObject({ clusterPattern: "^orders$", rpoHours: 1 }),
      region: REGION,
      now: NOW,
    });
    expect(report.places).toHaveLength(1);
    expect(row(report, "orders", "source")).toMatchObject({ state: "unprotected", rpoHours: 1 });
    const fleet = statusMetrics(report, "prod", false);
    expect(fleet.map((m) => [m.name, m.value])).toEqual([
      ["PlacesProtected", 0],
      ["PlacesAtRisk", 0],
      ["PlacesUnprotected", 1],
      ["PlacesBeyondRpo", 1],
      ["RecoveryPointAgeMinutes", 120],
    ]);
    expect(fleet.every((m) => Object.keys(m.dimensions).join() === "Deployment,Side")).toBe(true);
    const perCluster = statusMetrics(report, "prod", true).slice(fleet.length);
    expect(perCluster).toEqual([
      {
        name: "RecoveryPointAgeMinutes",
        unit: "None",
        value: 120,
        dimensions: {
          Deployment: "prod",
          Side: "source",
          Place: "source",
          Region: REGION,
          Cluster: "orders",
        },
      },
    ]);
  });
});

describe("destinationStatus", () => {
  function destinationScenario() {
    const sim = new InMemoryRds({ now: NOW });
    const src = { account: SRC, region: REGION };
    const share = (cluster: string, hours: number, extra: object = {}) =>
      sim.addSnapshot({
        ...src,
        id: nameOf(cluster, hours),
        clusterId: cluster,
        createTime: new Date(NOW.getTime() - hours * HOUR),
        sharedWith: [DST],
        tags: toolTags(),
        ...extra,
      });
    const arnOf = (cluster: string, hours: number) =>
      `arn:aws:rds:${REGION}:${SRC}:cluster-snapshot:${nameOf(cluster, hours)}`;
    const copy = (cluster: string, hours: number, status = "available") =>
      sim.addSnapshot({
        account: DST,
        region: DR,
        id: nameOf(cluster, hours),
        clusterId: cluster,
        status,
        createTime: new Date(NOW.getTime() - hours * HOUR),
        tags: { [TAG_COPIED_BY]: TOOL_NAME, [TAG_SOURCE_ARN]: arnOf(cluster, hours) },
      });
    // orders: shared every 12 hours, copied 3 hours ago: protected (RPO 12 + 2 + 6).
    share("orders", 15);
    share("orders", 3);
    copy("orders", 15);
    copy("orders", 3);
    // billing: shared every 12 hours, the two newest (13 and 1 hours) not copied, the last copy
    // is 25 hours old (RPO 12 + 2 + 6): at risk, the next copy run starts the copies.
    share("billing", 25);
    share("billing", 13);
    share("billing", 1);
    copy("billing", 25);
    // ledger: encrypted, no key for the DR region: never copied and nothing can start.
    sim.addKey({ account: SRC, region: REGION, alias: "ledger", usableBy: [DST] });
    share("ledger", 2, { encrypted: true, kmsKeyId: "alias/ledger" });
    const policy = destinationPolicyFromObject({
      destinationRegions: DR,
      sourceAccounts: SRC,
    });
    return { sim, policy };
  }

  it("reports each cluster in each DR region with its state and reasons", async () => {
    const { sim, policy } = destinationScenario();
    const report = await destinationStatus({
      gateway: simulatedGateway(sim, DST),
      policy,
      region: REGION,
      now: NOW,
    });
    expect(report.side).toBe("destination");
    expect(report.places.map((p) => [p.cluster, p.place, p.region, p.state])).toEqual([
      ["billing", "dr", DR, "at-risk"],
      ["ledger", "dr", DR, "unprotected"],
      ["orders", "dr", DR, "protected"],
    ]);
    expect(row(report, "orders", "dr")).toMatchObject({ kept: 2, rpoHours: 20, reasons: [] });
    expect(row(report, "billing", "dr")).toMatchObject({
      kept: 1,
      inFlight: 2,
      rpoHours: 12 + 2 + 6,
      reasons: ["stale", "copy-pending"],
    });
    expect(row(report, "ledger", "dr")).toMatchObject({
      newest: null,
      reasons: ["never-copied", "key-missing"],
    });
    expect(report.summary).toMatchObject({ protected: 1, atRisk: 1, unprotected: 1 });
  });

  it("counts a running copy once and a copy waiting for a slot as backlog", async () => {
    const { sim } = destinationScenario();
    // Every copy slot of the DR region is taken by copies of other snapshots.
    for (let i = 0; i < 5; i++) {
      sim.addSnapshot({
        account: DST,
        region: DR,
        id: `other-copy-${i}`,
        clusterId: "other",
        status: "copying",
        readyAt: new Date(NOW.getTime() + HOUR),
        tags: {},
      });
    }
    const report = await destinationStatus({
      gateway: simulatedGateway(sim, DST),
      policy: destinationPolicyFromObject({ destinationRegions: DR, snapshotPattern: "^billing$" }),
      region: REGION,
      now: NOW,
    });
    expect(report.places).toHaveLength(1);
    expect(row(report, "billing", "dr")).toMatchObject({
      state: "at-risk",
      inFlight: 2,
      reasons: ["stale", "copy-backlog"],
    });
  });
});

describe("recovery point age", () => {
  it("is the source snapshot's time for a copy whose SnapshotCreateTime is the copy's own", async () => {
    const sim = new InMemoryRds({ now: NOW });
    const name = nameOf("orders", 30);
    sim.addSnapshot({
      account: DST,
      region: DR,
      id: name,
      clusterId: "orders",
      // Copied an hour ago: RDS reports the copy's time, the name carries the data's.
      createTime: new Date(NOW.getTime() - HOUR),
      tags: {
        [TAG_COPIED_BY]: TOOL_NAME,
        [TAG_SOURCE_ARN]: `arn:aws:rds:${REGION}:${SRC}:cluster-snapshot:${name}`,
      },
    });
    const report = await destinationStatus({
      gateway: simulatedGateway(sim, DST),
      policy: destinationPolicyFromObject({ destinationRegions: DR, rpoHours: 24 }),
      region: REGION,
      now: NOW,
    });
    expect(row(report, "orders", "dr")).toMatchObject({
      state: "unprotected",
      newest: { snapshot: name, ageMinutes: 30 * 60 },
      reasons: ["stale"],
    });
  });
});

describe("the destination's default RPO", () => {
  it("reads the interval from the tool's snapshots only, not from one shared by hand in between", async () => {
    const sim = new InMemoryRds({ now: NOW });
    for (const hours of [25, 1]) {
      sim.addSnapshot({
        account: SRC,
        region: REGION,
        id: nameOf("orders", hours),
        clusterId: "orders",
        createTime: new Date(NOW.getTime() - hours * HOUR),
        sharedWith: [DST],
        tags: toolTags(),
      });
    }
    sim.addSnapshot({
      account: SRC,
      region: REGION,
      id: "orders-before-upgrade",
      clusterId: "orders",
      createTime: new Date(NOW.getTime() - 2 * HOUR),
      sharedWith: [DST],
    });
    const report = await destinationStatus({
      gateway: simulatedGateway(sim, DST),
      policy: destinationPolicyFromObject({ destinationRegions: DR }),
      region: REGION,
      now: NOW,
    });
    expect(row(report, "orders", "dr").rpoHours).toBe(24 + 2 + 6);
  });
});

describe("destinationRpoHours", () => {
  const policy = destinationPolicyFromObject({ destinationRegions: DR });
  it("adds 2 hours of slack and 6 of copying to the interval read from the two newest snapshots", () => {
    const t = (h: number) => new Date(NOW.getTime() - h * HOUR);
    expect(destinationRpoHours(policy, [t(1), t(7), t(13)])).toBe(6 + 8);
    expect(destinationRpoHours(policy, [t(1)])).toBe(24 + 8);
    expect(destinationRpoHours(policy, [])).toBe(24 + 8);
  });
  it("takes RPO_HOURS as it is when set", () => {
    const set = destinationPolicyFromObject({ destinationRegions: DR, rpoHours: 48 });
    expect(destinationRpoHours(set, [])).toBe(48);
  });
});
