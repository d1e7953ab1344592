import { describe, expect, it } from "vitest";

import { TAG_CREATED_BY, TAG_SHARE_AND_COPY, TOOL_NAME } from "../../src/model/index.js";
import { formatSnapshotName } from "../../src/naming/index.js";
import { destinationPolicyFromObject } from "../../src/policy/index.js";
import { runCopy, runPruneDest } from "../../src/steps/index.js";
import { InMemoryRds, simulatedGateway } from "../../src/testing/index.js";

/*
 * copy and prune-dest must agree on what the destination's calendar rules keep, whichever time RDS
 * gives a copy (its source's, or the copy's own: AWS documents neither). If they did not, copy would
 * bring in a month-end that prune-dest then filed under the day it was copied, deleted, and copy
 * brought in again, for ever.
 */

const SOURCE = "111111111111";
const DEST = "222222222222";
const HOME = "us-east-1";

function world(rule: "source" | "copy") {
  const sim = new InMemoryRds({ now: new Date("2026-04-10T12:00:00Z"), copyCreateTime: rule });
  const shared = [
    "2026-01-31",
    "2026-02-28",
    "2026-03-31",
    "2026-04-08",
    "2026-04-09",
    "2026-04-10",
  ];
  for (const day of shared) {
    const taken = new Date(`${day}T01:00:00Z`);
    sim.addSnapshot({
      account: SOURCE,
      region: HOME,
      id: formatSnapshotName("orders", taken),
      clusterId: "orders",
      createTime: taken,
      sharedWith: [DEST],
      tags: { [TAG_CREATED_BY]: TOOL_NAME, [TAG_SHARE_AND_COPY]: "YES" },
    });
  }
  const input = () => ({
    gateway: simulatedGateway(sim, DEST),
    region: HOME,
    now: sim.now(),
    policy: destinationPolicyFromObject({
      destinationRegions: [HOME],
      sourceAccounts: [SOURCE],
      retentionDays: 1,
      minKeep: 1,
      keepDaily: 3,
      keepMonthly: 4,
    }),
    execute: { retry: { minTimeoutMs: 1, maxTimeoutMs: 2 } },
  });
  const copies = () =>
    sim
      .snapshots({ account: DEST, region: HOME, type: "manual" })
      .map((s) => s.id.slice(-16, -6))
      .sort();
  return { sim, input, copies };
}

describe.each(["source", "copy"] as const)(
  "calendar rules with a copy's time = the %s's",
  (rule) => {
    it("prune-dest keeps what copy brought in, and copy brings in nothing more, day after day", async () => {
      const { sim, input, copies } = world(rule);
      // Six copies, five copy slots: two runs.
      for (let run = 0; run < 2; run++) {
        expect((await runCopy(input())).failed).toEqual([]);
        sim.advance({ hours: 2 });
      }
      // Every shared snapshot is the newest of a day of the last 3 or of a month of the last 4.
      expect(copies()).toEqual([
        "2026-01-31",
        "2026-02-28",
        "2026-03-31",
        "2026-04-08",
        "2026-04-09",
        "2026-04-10",
      ]);

      for (let day = 0; day < 4; day++) {
        sim.advance({ days: 1 });
        const prune = await runPruneDest(input());
        expect(prune.failed).toEqual([]);
        const after = copies();
        const again = await runCopy(input());
        expect(
          again.done.filter((o) => o.decision.action === "copy"),
          `day ${day}`,
        ).toEqual([]);
        sim.advance({ hours: 2 });
        expect(copies()).toEqual(after);
      }
      // Four days on, the source shares nothing new: the 3 dailies are still those days (periods
      // with no snapshot do not count), and the monthlies Jan to Apr stay.
      expect(copies()).toEqual([
        "2026-01-31",
        "2026-02-28",
        "2026-03-31",
        "2026-04-08",
        "2026-04-09",
        "2026-04-10",
      ]);
    });
  },
);
