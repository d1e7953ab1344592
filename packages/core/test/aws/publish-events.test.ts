/**
 * AwsGateway.publishEvents through the real SDK (EventBridgeClient from the client factory) over
 * the in-memory RDS, which checks the bus policy across accounts as EventBridge does. The same
 * calls over HTTP against moto are in test/emulator/publish-events.test.ts.
 */
import { describe, expect, it } from "vitest";

import {
  AwsGateway,
  createClientFactory,
  PUT_EVENTS_MAX_BYTES,
  PUT_EVENTS_MAX_ENTRIES,
  putEventsEntrySize,
} from "../../src/aws/index.js";
import { AwsActionError } from "../../src/execute/errors.js";
import type { ToolEvent } from "../../src/execute/gateway.js";
import { InMemoryRds } from "../../src/testing/index.js";

const SOURCE = "111111111111";
const DEST = "222222222222";
const STRANGER = "333333333333";
const HOME = "eu-west-1";
const DEST_REGION = "us-east-1";

function gatewayOf(sim: InMemoryRds, account: string): AwsGateway {
  return new AwsGateway({
    clients: createClientFactory({
      credentials: { accessKeyId: "x", secretAccessKey: "y" },
      plugins: (region) => [sim.plugin(account, region)],
      retryStrategy: sim.retryStrategy(),
    }),
    homeRegion: HOME,
  });
}

function anEvent(n: number, extra: Partial<ToolEvent> = {}): ToolEvent {
  return {
    source: "aurora-snapshot-tool",
    detailType: "Snapshots Shared",
    detail: { n },
    ...extra,
  };
}

/** A bus of the destination account, in another region than the gateway's home, admitting SOURCE. */
function aBus(sim: InMemoryRds, allowAccounts: readonly string[] = [SOURCE]): string {
  return sim.addEventBus({ account: DEST, region: DEST_REGION, name: "tool", allowAccounts });
}

async function refusal(promise: Promise<unknown>): Promise<AwsActionError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AwsActionError);
  return error as AwsActionError;
}

describe("AwsGateway.publishEvents", () => {
  it("puts the events on a bus of another account and region by its ARN, from a client in the bus's region", async () => {
    const sim = new InMemoryRds();
    const bus = aBus(sim);
    const time = new Date("2026-01-01T00:00:00Z");
    await gatewayOf(sim, SOURCE).publishEvents(bus, [
      anEvent(1, { resources: ["arn:aws:rds:eu-west-1:111111111111:cluster-snapshot:a"], time }),
    ]);
    expect(sim.calls.map((c) => [c.operation, c.account, c.region])).toEqual([
      ["PutEvents", SOURCE, DEST_REGION],
    ]);
    expect(sim.calls[0]?.input).toMatchObject({
      Entries: [
        {
          EventBusName: bus,
          Source: "aurora-snapshot-tool",
          DetailType: "Snapshots Shared",
          Detail: '{"n":1}',
          Resources: ["arn:aws:rds:eu-west-1:111111111111:cluster-snapshot:a"],
          Time: time,
        },
      ],
    });
    expect(sim.events()).toMatchObject([
      { account: SOURCE, busArn: bus, detail: { n: 1 }, time, resources: [expect.any(String)] },
    ]);
  });

  it("sends at most 10 entries a call, in order", async () => {
    const sim = new InMemoryRds();
    const bus = aBus(sim);
    const events = Array.from({ length: 23 }, (_, i) => anEvent(i));
    await gatewayOf(sim, SOURCE).publishEvents(bus, events);
    expect(PUT_EVENTS_MAX_ENTRIES).toBe(10);
    expect(sim.calls.map((c) => (c.input["Entries"] as unknown[]).length)).toEqual([10, 10, 3]);
    expect(sim.events().map((e) => e.detail["n"])).toEqual(events.map((_, i) => i));
  });

  it("keeps each call below 256 KB, and refuses an event that alone is too large before any call", async () => {
    const sim = new InMemoryRds();
    const bus = aBus(sim);
    const pad = "x".repeat(100 * 1024);
    const big = [
      anEvent(1, { detail: { pad } }),
      anEvent(2, { detail: { pad } }),
      anEvent(3, { detail: { pad } }),
    ];
    await gatewayOf(sim, SOURCE).publishEvents(bus, big);
    expect(sim.calls.map((c) => (c.input["Entries"] as unknown[]).length)).toEqual([2, 1]);
    expect(sim.events()).toHaveLength(3);

    sim.resetCalls();
    const huge = anEvent(4, { detail: { pad: "x".repeat(PUT_EVENTS_MAX_BYTES) } });
    const error = await refusal(gatewayOf(sim, SOURCE).publishEvents(bus, [anEvent(5), huge]));
    expect(error).toMatchObject({
      code: "EventTooLarge",
      retryable: false,
      operation: "PutEvents",
    });
    expect(sim.calls).toEqual([]);
  });

  it("counts an entry's size as EventBridge does", () => {
    expect(
      putEventsEntrySize({
        Source: "abc",
        DetailType: "dé",
        Detail: "{}",
        Resources: ["r1", "r2"],
        Time: new Date(),
      }),
    ).toBe(14 + 3 + 3 + 2 + 4);
  });

  it("turns a bus policy that does not admit the account into AccessDeniedException, not retryable", async () => {
    const sim = new InMemoryRds();
    const bus = aBus(sim);
    const error = await refusal(gatewayOf(sim, STRANGER).publishEvents(bus, [anEvent(1)]));
    expect(error).toMatchObject({ code: "AccessDeniedException", retryable: false });
    expect(error.message).toContain(bus);
    expect(sim.events()).toEqual([]);
  });

  it("turns an unknown bus into ResourceNotFoundException", async () => {
    const sim = new InMemoryRds();
    const bus = `arn:aws:events:${DEST_REGION}:${DEST}:event-bus/missing`;
    const error = await refusal(gatewayOf(sim, SOURCE).publishEvents(bus, [anEvent(1)]));
    expect(error).toMatchObject({ code: "ResourceNotFoundException", operation: "PutEvents" });
  });

  it("turns a refused entry (FailedEntryCount > 0) into an error with the entry's ErrorCode, and stops there", async () => {
    const sim = new InMemoryRds();
    const bus = aBus(sim);
    const events = [
      ...Array.from({ length: 9 }, (_, i) => anEvent(i)),
      anEvent(9, { source: "aws.rds" }),
      anEvent(10),
    ];
    const error = await refusal(gatewayOf(sim, SOURCE).publishEvents(bus, events));
    expect(error).toMatchObject({
      code: "NotAuthorizedForSourceException",
      retryable: false,
      operation: "PutEvents",
    });
    expect(error.message).toMatch(/1 of 10 events refused by .*event-bus\/tool/);
    // The other entries of the call went through; the next call was not made.
    expect(sim.events()).toHaveLength(9);
    expect(sim.callCounts()).toEqual({ PutEvents: 1 });
  });

  it("marks an entry refused for throttling or an internal failure retryable", async () => {
    const sim = new InMemoryRds();
    const bus = aBus(sim);
    const clients = createClientFactory({
      credentials: { accessKeyId: "x", secretAccessKey: "y" },
      plugins: (region) => [sim.plugin(SOURCE, region)],
    });
    // In place of the simulator's answer: one entry throttled.
    clients.clients(DEST_REGION).events?.middlewareStack.add(
      () => () =>
        Promise.resolve({
          output: {
            FailedEntryCount: 1,
            Entries: [{ ErrorCode: "ThrottlingException", ErrorMessage: "Rate exceeded" }],
            $metadata: {},
          },
          response: {},
        }),
      { step: "finalizeRequest", name: "throttledEntry", priority: "high" },
    );
    const gateway = new AwsGateway({ clients, homeRegion: HOME });
    const error = await refusal(gateway.publishEvents(bus, [anEvent(1)]));
    expect(error).toMatchObject({ code: "ThrottlingException", retryable: true });
  });

  it("refuses what is not an event bus ARN without a call, and sends nothing for no events", async () => {
    const sim = new InMemoryRds();
    const gateway = gatewayOf(sim, SOURCE);
    for (const arn of [
      "tool",
      "arn:aws:sns:us-east-1:222222222222:topic",
      "arn:aws:events::1:event-bus/x",
    ]) {
      const error = await refusal(gateway.publishEvents(arn, [anEvent(1)]));
      expect(error.code).toBe("InvalidEventBusArn");
    }
    await gateway.publishEvents(aBus(sim), []);
    expect(sim.calls).toEqual([]);
  });
});
