import {
  startMotoServer,
  timeInSnapshotName,
  type MotoServer,
} from "@aurora-snapshot-tool/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { MotoWorld } from "./support/moto-world.js";
import { runBuiltCli } from "./support/run-built-cli.js";

/*
 * runBuiltCli's `faketime` option: the built CLI as a process whose clock is not the machine's,
 * against moto (which keeps real time unless told otherwise).
 */

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

let moto: MotoServer;
let world: MotoWorld;

beforeAll(async () => {
  moto = await startMotoServer();
  world = new MotoWorld(moto);
  await world.cluster("prod-orders");
});

afterAll(async () => {
  await moto?.stop();
});

/** When `take --dry-run` would stamp the snapshot of prod-orders it plans. */
async function plannedStamp(options: { faketime?: string } = {}): Promise<Date | undefined> {
  const run = await runBuiltCli(
    ["take", "--dry-run", "--json", "--endpoint-url", moto.endpoint],
    {},
    options,
  );
  expect(run.code, run.stderr).toBe(0);
  const doc = run.json<{ decisions: { action: string; snapshot: string | null }[] }>();
  const planned = doc.decisions.find((d) => d.action === "take")?.snapshot ?? "";
  return timeInSnapshotName(planned);
}

describe("runBuiltCli with { faketime }", () => {
  it("runs the CLI with its clock shifted: +6d names the planned snapshot six days ahead", async () => {
    const before = Date.now();
    const shifted = await plannedStamp({ faketime: "+6d" });
    const plain = await plannedStamp();
    const after = Date.now();

    // The stamp is truncated to the minute.
    expect(shifted?.getTime()).toBeGreaterThan(before + 6 * DAY_MS - MINUTE_MS);
    expect(shifted?.getTime()).toBeLessThanOrEqual(after + 6 * DAY_MS);
    expect(plain?.getTime()).toBeGreaterThan(before - MINUTE_MS);
    expect(plain?.getTime()).toBeLessThanOrEqual(after);
  });
});
