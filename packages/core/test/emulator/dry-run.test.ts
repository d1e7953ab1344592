import { describe, expect, it } from "vitest";

import type { RunReport } from "../../src/execute/report.js";
import { destinationPolicyFromObject, sourcePolicyFromObject } from "../../src/policy/index.js";
import { runCopy, runPrune, runPruneDest, runShare, runTake } from "../../src/steps/index.js";
import type { EmulatedAccount } from "./emulator.js";
import {
  ACCOUNT_B,
  AWAY,
  FAST,
  HOME,
  NOW,
  aCluster,
  aCopy,
  aToolSnapshot,
  copyTags,
  daysBefore,
  isReadOnly,
  nameOf,
  restoreAccounts,
  snapshotsIn,
  tagsOf,
  useMotoServer,
} from "./emulator.js";

const moto = useMotoServer();

/**
 * An account where every step has work: take is due (the newest backup is a day old), share has
 * unshared snapshots, prune and prune-dest have expired ones, copy has a recent one to bring over.
 */
async function aWorldWithWorkForEveryStep(a: EmulatedAccount): Promise<void> {
  await aCluster(a.rds(), "orders");
  for (const days of [10, 9, 1]) {
    const at = daysBefore(days);
    const arn = await aToolSnapshot(a.rds(), "orders", at);
    if (days > 1) await aCopy(a.rds(AWAY), arn, nameOf("orders", at), copyTags(at));
  }
}

/** Everything a step could change: which snapshots exist, their status, tags and sharing. */
async function inventory(a: EmulatedAccount, b: EmulatedAccount): Promise<unknown> {
  const describe = async (account: EmulatedAccount, region: string) =>
    Promise.all(
      (await snapshotsIn(account.rds(region))).map(async (s) => ({
        id: s.DBClusterSnapshotIdentifier,
        type: s.SnapshotType,
        status: s.Status,
        tags: tagsOf(s),
        restore:
          s.SnapshotType === "manual"
            ? await restoreAccounts(account.rds(region), s.DBClusterSnapshotIdentifier ?? "")
            : [],
      })),
    );
  return {
    aHome: await describe(a, HOME),
    aAway: await describe(a, AWAY),
    bHome: await describe(b, HOME),
  };
}

const source = sourcePolicyFromObject({ destinationAccount: ACCOUNT_B, retentionDays: 7 });
const destination = destinationPolicyFromObject({
  crossAccount: false,
  destinationRegions: [AWAY],
  retentionDays: 7,
});

type Input = Parameters<typeof runTake>[0] & Parameters<typeof runCopy>[0];
const steps: [string, string, (input: Omit<Input, "policy">) => Promise<RunReport>][] = [
  ["take", "take", (input) => runTake({ ...input, policy: source })],
  ["share", "share", (input) => runShare({ ...input, policy: source })],
  ["prune", "delete", (input) => runPrune({ ...input, policy: source })],
  ["copy", "copy", (input) => runCopy({ ...input, policy: destination })],
  ["prune-dest", "delete", (input) => runPruneDest({ ...input, policy: destination })],
];

describe("a dry run against moto", () => {
  it.each(steps)(
    "of %s reports its %s actions pending (dry-run) and changes nothing",
    async (_step, action, run) => {
      const a = moto.accountA();
      const b = moto.accountB();
      await aWorldWithWorkForEveryStep(a);
      const before = await inventory(a, b);
      a.requests.clear();

      const report = await run({
        gateway: a.gateway,
        region: HOME,
        now: NOW,
        dryRun: true,
        execute: FAST,
      });

      expect(report.dryRun).toBe(true);
      expect(report.done).toEqual([]);
      expect(report.failed).toEqual([]);
      expect(report.pending.length).toBeGreaterThan(0);
      for (const outcome of report.pending) {
        expect(outcome).toMatchObject({ status: "pending", note: "dry-run" });
        expect(outcome.decision.action).toBe(action);
      }
      expect(a.requests.operations.filter((o) => !isReadOnly(o))).toEqual([]);
      expect(await inventory(a, b)).toEqual(before);
    },
  );
});
