import { TAG_CREATED_BY, TAG_SHARE_AND_COPY, TOOL_NAME } from "../model/index.js";
import { InMemoryRds } from "./in-memory-rds.js";

/** One tool snapshot shared from a source account, waiting to be copied to a DR region. */
export interface SharedSnapshotScenario {
  readonly sim: InMemoryRds;
  readonly source: { readonly account: string; readonly region: string };
  readonly destination: { readonly account: string; readonly drRegion: string };
  readonly snapshot: string;
  /** Every wait asked for, in ms. */
  readonly sleeps: number[];
  /** A sleep that moves the simulation's clock instead of waiting: for follow-up loops. */
  readonly sleep: (ms: number) => Promise<void>;
}

/** Where sharedSnapshotScenario's accounts, regions and snapshot are. */
export const SHARED_SNAPSHOT = Object.freeze({
  source: { account: "111111111111", region: "us-east-1" },
  destination: { account: "222222222222", drRegion: "us-west-2" },
  snapshot: "orders-2026-04-01-01-00",
});

/**
 * Account 111111111111 has shared its tool snapshot `orders-2026-04-01-01-00` (us-east-1,
 * unencrypted) with 222222222222, which keeps its copies in us-west-2; the clock is at 02:00 that
 * day. A copy run on it has three stages: the local copy, the remote copy, the clean-up. Copies
 * wait a minute pending, then take 5 minutes within the region and 30 across (shorter than the
 * model's defaults, so a follow-up test can see all three stages in one run).
 */
export function sharedSnapshotScenario(): SharedSnapshotScenario {
  const { source, destination, snapshot } = SHARED_SNAPSHOT;
  const sim = new InMemoryRds({
    now: new Date("2026-04-01T02:00:00Z"),
    copyStartMinutes: 1,
    copyMinutes: 5,
    crossRegionCopyMinutes: 30,
  });
  sim.addCluster({ ...source, id: "orders" });
  sim.addSnapshot({
    ...source,
    id: snapshot,
    clusterId: "orders",
    sharedWith: [destination.account],
    tags: { [TAG_CREATED_BY]: TOOL_NAME, [TAG_SHARE_AND_COPY]: "YES" },
  });
  const sleeps: number[] = [];
  const sleep = async (ms: number): Promise<void> => {
    sleeps.push(ms);
    sim.advance(ms);
  };
  return { sim, source, destination, snapshot, sleeps, sleep };
}
