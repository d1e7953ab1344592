/**
 * AwsGateway.publishEvents over HTTP (EventBridge's JSON 1.1 protocol) against moto. moto 5.2.1
 * looks a bus ARN up in the caller's own account and checks no bus policy, so the cross-account
 * case (a bus that admits the sender, and one that does not) is covered over the in-memory RDS
 * (test/aws/publish-events.test.ts). What arrived is read back through archives on the bus: moto
 * counts the events that match each archive's pattern (the count is all it tells).
 */
import {
  CreateArchiveCommand,
  CreateEventBusCommand,
  DescribeArchiveCommand,
  type EventBridgeClient,
} from "@aws-sdk/client-eventbridge";
import { describe, expect, it } from "vitest";

import { createClientFactory } from "../../src/aws/index.js";
import type { ToolEvent } from "../../src/execute/gateway.js";
import { ACCOUNT_A, HOME, LOOPBACK_ONLY, useMotoServer } from "./emulator.js";

const moto = useMotoServer();

function plainEvents(): EventBridgeClient {
  const events = createClientFactory({
    endpoint: moto.endpoint,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
    plugins: () => [LOOPBACK_ONLY],
  }).clients(HOME).events;
  if (events === undefined) throw new Error("the factory made no EventBridge client");
  return events;
}

/**
 * A bus with three archives: one with the destination rule's pattern, one matching the detail's
 * destination account, one matching another account (that one must stay empty).
 */
async function aBusWithArchives(events: EventBridgeClient): Promise<string> {
  const bus = await events.send(new CreateEventBusCommand({ Name: "snapshot-tool" }));
  const arn = bus.EventBusArn ?? "";
  await events.send(
    new CreateArchiveCommand({
      ArchiveName: "shared",
      EventSourceArn: arn,
      EventPattern: JSON.stringify({
        source: ["aurora-snapshot-tool"],
        "detail-type": ["Snapshots Shared"],
      }),
    }),
  );
  await events.send(
    new CreateArchiveCommand({
      ArchiveName: "to-b",
      EventSourceArn: arn,
      EventPattern: JSON.stringify({ detail: { destinationAccount: ["222222222222"] } }),
    }),
  );
  await events.send(
    new CreateArchiveCommand({
      ArchiveName: "to-other",
      EventSourceArn: arn,
      EventPattern: JSON.stringify({ detail: { destinationAccount: ["999999999999"] } }),
    }),
  );
  return arn;
}

async function archived(events: EventBridgeClient, name: string): Promise<number | undefined> {
  const out = await events.send(new DescribeArchiveCommand({ ArchiveName: name }));
  return out.EventCount;
}

function shared(n: number): ToolEvent {
  return {
    source: "aurora-snapshot-tool",
    detailType: "Snapshots Shared",
    detail: {
      sourceAccount: ACCOUNT_A,
      sourceRegion: HOME,
      destinationAccount: "222222222222",
      snapshots: [
        { arn: `arn:aws:rds:${HOME}:${ACCOUNT_A}:cluster-snapshot:s-${n}`, cluster: "c" },
      ],
    },
  };
}

describe("publishEvents against moto", () => {
  it("puts an event on the bus named by its ARN, where the destination rule's pattern matches it", async () => {
    const events = plainEvents();
    const bus = await aBusWithArchives(events);
    expect(bus).toBe(`arn:aws:events:${HOME}:${ACCOUNT_A}:event-bus/snapshot-tool`);
    const a = moto.accountA();

    await a.gateway.publishEvents(bus, [shared(1)]);

    expect(a.requests.operations).toEqual(["PutEvents"]);
    expect(await archived(events, "shared")).toBe(1);
    expect(await archived(events, "to-b")).toBe(1);
    expect(await archived(events, "to-other")).toBe(0);
  });

  it("sends ten events a call", async () => {
    // No archives here: moto takes a quarter of a second per event and archive to match them.
    const events = plainEvents();
    const bus = await events.send(new CreateEventBusCommand({ Name: "plain" }));
    const a = moto.accountA();
    await a.gateway.publishEvents(
      bus.EventBusArn ?? "",
      Array.from({ length: 12 }, (_, i) => shared(i)),
    );
    expect(a.requests.operations).toEqual(["PutEvents", "PutEvents"]);
  });

  it("reports an unknown bus as ResourceNotFoundException", async () => {
    const a = moto.accountA();
    await expect(
      a.gateway.publishEvents(`arn:aws:events:${HOME}:${ACCOUNT_A}:event-bus/missing`, [shared(1)]),
    ).rejects.toMatchObject({ code: "ResourceNotFoundException", operation: "PutEvents" });
  });

  it("reports a refused entry with its ErrorCode", async () => {
    const events = plainEvents();
    const bus = await aBusWithArchives(events);
    await expect(
      moto.accountA().gateway.publishEvents(bus, [{ ...shared(1), source: "" }]),
    ).rejects.toMatchObject({ code: "InvalidArgument", retryable: false });
    expect(await archived(events, "shared")).toBe(0);
  });
});
