import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import type { PutEventsRequestEntry } from "@aws-sdk/client-eventbridge";
import {
  CopyDBClusterSnapshotCommand,
  CreateDBClusterSnapshotCommand,
  RDSClient,
} from "@aws-sdk/client-rds";
import { describe, expect, it } from "vitest";

import { InMemoryRds } from "../../src/testing/index.js";

const SOURCE = "111111111111";
const DEST = "222222222222";
const STRANGER = "333333333333";
const HOME = "eu-west-1";
const AWAY = "us-east-1";
const CREDENTIALS = { accessKeyId: "x", secretAccessKey: "y" };
const START = new Date("2026-03-01T12:00:00Z");
const MINUTE = 60_000;

function aSim(): InMemoryRds {
  return new InMemoryRds({ now: START });
}

function events(sim: InMemoryRds, account = SOURCE, region = HOME): EventBridgeClient {
  const client = new EventBridgeClient({
    region,
    credentials: CREDENTIALS,
    retryStrategy: sim.retryStrategy(),
  });
  client.middlewareStack.use(sim.plugin(account, region));
  return client;
}

function rds(sim: InMemoryRds, account = SOURCE, region = HOME): RDSClient {
  const client = new RDSClient({
    region,
    credentials: CREDENTIALS,
    retryStrategy: sim.retryStrategy(),
  });
  client.middlewareStack.use(sim.plugin(account, region));
  return client;
}

function entry(bus: string | undefined, detail: object = { n: 1 }): PutEventsRequestEntry {
  return {
    ...(bus !== undefined && { EventBusName: bus }),
    Source: "aurora-snapshot-tool",
    DetailType: "Snapshots Shared",
    Detail: JSON.stringify(detail),
  };
}

/** The destination's bus in HOME, whose policy admits SOURCE. */
function destinationBus(sim: InMemoryRds): string {
  return sim.addEventBus({
    account: DEST,
    region: HOME,
    name: "snapshot-tool",
    allowAccounts: [SOURCE],
  });
}

describe("in-memory EventBridge PutEvents", () => {
  it("puts an event on another account's bus that admits the sender, recording sender, bus and time", async () => {
    const sim = aSim();
    const bus = destinationBus(sim);
    expect(bus).toBe(`arn:aws:events:${HOME}:${DEST}:event-bus/snapshot-tool`);
    sim.advance({ minutes: 5 });

    const out = await events(sim).send(
      new PutEventsCommand({
        Entries: [{ ...entry(bus, { snapshots: ["a"] }), Resources: ["arn:x"] }],
      }),
    );

    expect(out.FailedEntryCount).toBe(0);
    expect(out.Entries).toHaveLength(1);
    expect(out.Entries?.[0]?.EventId).toMatch(/^[0-9a-f-]{36}$/);
    expect(sim.events()).toEqual([
      {
        seq: 1,
        eventId: out.Entries?.[0]?.EventId,
        at: new Date(START.getTime() + 5 * MINUTE),
        account: SOURCE,
        region: HOME,
        busArn: bus,
        source: "aurora-snapshot-tool",
        detailType: "Snapshots Shared",
        detail: { snapshots: ["a"] },
        resources: ["arn:x"],
        time: new Date(START.getTime() + 5 * MINUTE),
      },
    ]);
    expect(sim.callCounts()).toEqual({ PutEvents: 1 });
    expect(sim.calls[0]).toMatchObject({ account: SOURCE, region: HOME, operation: "PutEvents" });
  });

  it("refuses a sender the bus policy does not admit with AccessDeniedException, recording nothing", async () => {
    const sim = aSim();
    const bus = destinationBus(sim);
    const put = events(sim, STRANGER).send(new PutEventsCommand({ Entries: [entry(bus)] }));
    await expect(put).rejects.toMatchObject({
      name: "AccessDeniedException",
      message: expect.stringContaining(bus),
    });
    expect(sim.events()).toEqual([]);
    expect(sim.calls.at(-1)).toMatchObject({ account: STRANGER, error: "AccessDeniedException" });
  });

  it("refuses another account's default bus unless its policy was set with addEventBus", async () => {
    const sim = aSim();
    const defaultBus = `arn:aws:events:${HOME}:${DEST}:event-bus/default`;
    await expect(
      events(sim).send(new PutEventsCommand({ Entries: [entry(defaultBus)] })),
    ).rejects.toMatchObject({ name: "AccessDeniedException" });
    sim.addEventBus({ account: DEST, region: HOME, name: "default", allowAccounts: [SOURCE] });
    const out = await events(sim).send(new PutEventsCommand({ Entries: [entry(defaultBus)] }));
    expect(out.FailedEntryCount).toBe(0);
    expect(sim.events().map((e) => e.busArn)).toEqual([defaultBus]);
  });

  it("answers ResourceNotFoundException for a bus that does not exist, by ARN or by name", async () => {
    const sim = aSim();
    const missing = `arn:aws:events:${HOME}:${DEST}:event-bus/nope`;
    await expect(
      events(sim).send(new PutEventsCommand({ Entries: [entry(missing)] })),
    ).rejects.toMatchObject({ name: "ResourceNotFoundException" });
    await expect(
      events(sim).send(new PutEventsCommand({ Entries: [entry("nope")] })),
    ).rejects.toMatchObject({ name: "ResourceNotFoundException" });
    expect(sim.events()).toEqual([]);
  });

  it("puts events on the sender's own buses: its default bus when none is named, a named one of its own", async () => {
    const sim = aSim();
    const own = sim.addEventBus({ account: SOURCE, region: HOME, name: "mine" });
    await events(sim).send(new PutEventsCommand({ Entries: [entry(undefined), entry("mine")] }));
    expect(sim.events().map((e) => e.busArn)).toEqual([
      `arn:aws:events:${HOME}:${SOURCE}:event-bus/default`,
      own,
    ]);
  });

  it("refuses a bus ARN of another region than the endpoint's", async () => {
    const sim = aSim();
    const bus = destinationBus(sim);
    await expect(
      events(sim, SOURCE, AWAY).send(new PutEventsCommand({ Entries: [entry(bus)] })),
    ).rejects.toMatchObject({ name: "ValidationException" });
  });

  it("takes 1 to 10 entries a call", async () => {
    const sim = aSim();
    const bus = destinationBus(sim);
    const eleven = Array.from({ length: 11 }, () => entry(bus));
    await expect(events(sim).send(new PutEventsCommand({ Entries: eleven }))).rejects.toMatchObject(
      { name: "ValidationException" },
    );
    await expect(events(sim).send(new PutEventsCommand({ Entries: [] }))).rejects.toMatchObject({
      name: "ValidationException",
    });
    const ten = await events(sim).send(new PutEventsCommand({ Entries: eleven.slice(1) }));
    expect(ten.FailedEntryCount).toBe(0);
    expect(sim.events()).toHaveLength(10);
  });

  it("refuses a call of 256 KB or more", async () => {
    const sim = aSim();
    const bus = destinationBus(sim);
    const big = entry(bus, { pad: "x".repeat(130 * 1024) });
    await expect(
      events(sim).send(new PutEventsCommand({ Entries: [big, big] })),
    ).rejects.toMatchObject({ name: "ValidationException" });
    expect(sim.events()).toEqual([]);
  });

  it("fails single entries in the answer (FailedEntryCount), accepting the others", async () => {
    const sim = aSim();
    const bus = destinationBus(sim);
    const out = await events(sim).send(
      new PutEventsCommand({
        Entries: [
          { ...entry(bus), Source: "aws.rds" },
          entry(bus),
          { ...entry(bus), Detail: "[1, 2]" },
          { ...entry(bus), DetailType: undefined },
        ],
      }),
    );
    expect(out.FailedEntryCount).toBe(3);
    expect(out.Entries?.map((e) => e.ErrorCode)).toEqual([
      "NotAuthorizedForSourceException",
      undefined,
      "MalformedDetail",
      "InvalidArgument",
    ]);
    expect(sim.events()).toHaveLength(1);
  });

  it("filters events by bus, sender, detail type and time", async () => {
    const sim = aSim();
    const bus = destinationBus(sim);
    await events(sim).send(new PutEventsCommand({ Entries: [entry(bus)] }));
    const t1 = sim.advance({ minutes: 10 }).getTime();
    await events(sim).send(
      new PutEventsCommand({ Entries: [entry(bus), { ...entry(undefined), DetailType: "Other" }] }),
    );
    expect(sim.events({ busArn: bus })).toHaveLength(2);
    expect(sim.events({ sinceMs: t1 - 1 })).toHaveLength(2);
    expect(sim.events({ sinceMs: t1 })).toHaveLength(0);
    expect(sim.events({ detailType: "Other" })).toHaveLength(1);
    expect(sim.events({ account: DEST })).toHaveLength(0);
  });

  it("injected faults apply to PutEvents as to any call", async () => {
    const sim = aSim();
    const bus = destinationBus(sim);
    sim.failOn({ operation: "PutEvents", error: "InternalFailure", times: 5 });
    await expect(
      events(sim).send(new PutEventsCommand({ Entries: [entry(bus)] })),
    ).rejects.toMatchObject({ name: "InternalFailure" });
    expect(sim.events()).toEqual([]);
  });

  it("refuses a bad bus definition", () => {
    const sim = aSim();
    expect(() => sim.addEventBus({ account: DEST, region: HOME, name: "a b" })).toThrow(/name/);
    expect(() =>
      sim.addEventBus({ account: DEST, region: HOME, name: "x", allowAccounts: ["all"] }),
    ).toThrow(/12-digit/);
    sim.addEventBus({ account: DEST, region: HOME, name: "x" });
    expect(() => sim.addEventBus({ account: DEST, region: HOME, name: "x" })).toThrow(/exists/);
    expect(sim.eventBuses().map((b) => b.arn)).toEqual([
      `arn:aws:events:${HOME}:${DEST}:event-bus/x`,
    ]);
  });
});

describe("in-memory RDS cluster snapshot events", () => {
  it("emits RDS-EVENT-0075 once, when a snapshot made by CreateDBClusterSnapshot becomes available", async () => {
    const sim = new InMemoryRds({ now: START, createMinutes: 10 });
    sim.addCluster({ account: SOURCE, region: HOME, id: "orders" });
    await rds(sim).send(
      new CreateDBClusterSnapshotCommand({
        DBClusterIdentifier: "orders",
        DBClusterSnapshotIdentifier: "orders-1",
      }),
    );
    const arn = `arn:aws:rds:${HOME}:${SOURCE}:cluster-snapshot:orders-1`;
    expect(sim.rdsEvents().map((e) => e.eventId)).toEqual(["RDS-EVENT-0074"]);

    sim.advance({ minutes: 4 });
    expect(sim.rdsEvents().filter((e) => e.eventId === "RDS-EVENT-0075")).toEqual([]);

    // Well past the ready time: the event carries the moment it became available, not the look.
    sim.advance({ minutes: 30 });
    const created = sim.rdsEvents().filter((e) => e.eventId === "RDS-EVENT-0075");
    expect(created).toEqual([
      {
        seq: 2,
        at: new Date(START.getTime() + 10 * MINUTE),
        account: SOURCE,
        region: HOME,
        eventId: "RDS-EVENT-0075",
        sourceType: "CLUSTER_SNAPSHOT",
        sourceArn: arn,
        sourceIdentifier: "orders-1",
        categories: ["backup"],
        message: "Manual cluster snapshot created.",
      },
    ]);
    expect(sim.rdsEvents()[0]).toMatchObject({
      at: START,
      sourceArn: arn,
      message: "Creating manual cluster snapshot.",
    });

    sim.advance({ days: 2 });
    expect(sim.rdsEvents().filter((e) => e.eventId === "RDS-EVENT-0075")).toHaveLength(1);
    expect(sim.rdsEvents(START.getTime())).toEqual(created);
    expect(sim.rdsEvents(START.getTime() + 10 * MINUTE)).toEqual([]);
  });

  it("emits nothing for copies, same-region or cross-account and cross-region, nor for seeded available snapshots", async () => {
    const sim = new InMemoryRds({ now: START });
    sim.addCluster({ account: SOURCE, region: HOME, id: "orders" });
    sim.addSnapshot({
      account: SOURCE,
      region: HOME,
      id: "orders-old",
      clusterId: "orders",
      sharedWith: [DEST],
    });
    const source = `arn:aws:rds:${HOME}:${SOURCE}:cluster-snapshot:orders-old`;
    await rds(sim).send(
      new CopyDBClusterSnapshotCommand({
        SourceDBClusterSnapshotIdentifier: source,
        TargetDBClusterSnapshotIdentifier: "orders-old-local",
      }),
    );
    await rds(sim, DEST, AWAY).send(
      new CopyDBClusterSnapshotCommand({
        SourceDBClusterSnapshotIdentifier: source,
        TargetDBClusterSnapshotIdentifier: "orders-old-away",
      }),
    );
    sim.advance({ days: 1 });
    expect(sim.snapshots().map((s) => [s.id, s.status])).toEqual([
      ["orders-old", "available"],
      ["orders-old-local", "available"],
      ["orders-old-away", "available"],
    ]);
    expect(sim.rdsEvents()).toEqual([]);
  });

  it("emits RDS-EVENT-0075 for a seeded creating snapshot at its ready time, and at the forcing time when forced", () => {
    const sim = new InMemoryRds({ now: START });
    sim.addSnapshot({
      account: SOURCE,
      region: HOME,
      id: "a",
      clusterId: "orders",
      status: "creating",
      readyAt: new Date(START.getTime() + 20 * MINUTE),
    });
    sim.addSnapshot({
      account: SOURCE,
      region: HOME,
      id: "b",
      clusterId: "orders",
      status: "creating",
      readyAt: new Date(START.getTime() + 60 * MINUTE),
    });
    sim.addSnapshot({
      account: SOURCE,
      region: HOME,
      id: "rds:orders-2026-03-01-12-00",
      clusterId: "orders",
      type: "automated",
      status: "creating",
    });
    sim.advance({ minutes: 30 });
    sim.setSnapshotStatus({ account: SOURCE, region: HOME, id: "b" }, "available");
    sim.advance({ hours: 2 });
    expect(
      sim
        .rdsEvents()
        .filter((e) => e.eventId === "RDS-EVENT-0075")
        .map((e) => [e.sourceIdentifier, e.at.toISOString()]),
    ).toEqual([
      ["a", "2026-03-01T12:20:00.000Z"],
      ["b", "2026-03-01T12:30:00.000Z"],
    ]);
  });
});
