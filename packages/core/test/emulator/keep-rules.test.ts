/**
 * Calendar retention through the real prune step, the real SDK and moto_server: 400 days of daily
 * snapshots of two clusters, with times set as a year of real backups would have them.
 */
import { describe, expect, it } from "vitest";

import { sourcePolicyFromObject } from "../../src/policy/index.js";
import { runPrune } from "../../src/steps/index.js";
import { oracleKept } from "../plan/keep-oracle.js";
import {
  FAST,
  HOME,
  NOW,
  aCluster,
  aToolSnapshot,
  daysBefore,
  manualIds,
  nameOf,
  useMotoServer,
} from "./emulator.js";

const moto = useMotoServer();

const RULES = {
  retentionDays: 1,
  minKeep: 1,
  keepDaily: 7,
  keepWeekly: 4,
  keepMonthly: 12,
  keepYearly: 2,
};

describe("calendar retention against moto", () => {
  it("400 days of dailies of two clusters with KEEP 7/4/12/2 and RETENTION_DAYS=1 leave exactly the oracle's set", async () => {
    const a = moto.accountA();
    const clusters = ["orders", "billing"];
    const history = new Map<string, { name: string; time: Date }[]>();
    for (const cluster of clusters) {
      await aCluster(a.rds(), cluster);
      const list: { name: string; time: Date }[] = [];
      for (let day = 0; day < 400; day++) {
        // The daily backup at 01:00 UTC (NOW is 12:00), the newest this morning.
        const at = new Date(daysBefore(day).getTime() - 11 * 3_600_000);
        await aToolSnapshot(a.rds(), cluster, at);
        list.push({ name: nameOf(cluster, at), time: at });
      }
      history.set(cluster, list);
    }

    const report = await runPrune({
      gateway: a.gateway,
      policy: sourcePolicyFromObject(RULES),
      region: HOME,
      now: NOW,
      execute: FAST,
    });

    const expected = clusters.flatMap((c) => [...oracleKept(history.get(c)!, RULES, NOW)]).sort();
    expect(report.failed).toEqual([]);
    expect(await manualIds(a.rds())).toEqual(expected);
    // Per cluster: 7 days (Sunday 1 March back to 23 February), 3 more ISO weeks (22, 15 and
    // 8 February), 10 more month-ends (January 2026 back to April 2025). The two years' newest
    // (today, 31 December 2025) are kept by finer rules already, so keep-yearly names none.
    expect(expected).toHaveLength(2 * 20);
    expect(report.done).toHaveLength(2 * 400 - expected.length);
    const reasons = report.skipped.map((d) => d.reason);
    expect(reasons.filter((r) => r === "within-retention")).toHaveLength(2);
    expect(reasons.filter((r) => r === "keep-daily")).toHaveLength(2 * 6);
    expect(reasons.filter((r) => r === "keep-weekly")).toHaveLength(2 * 3);
    expect(reasons.filter((r) => r === "keep-monthly")).toHaveLength(2 * 10);
    const yearEnd = report.skipped.find(
      (d) => d.snapshot === nameOf("orders", new Date("2025-12-31T01:00:00Z")),
    );
    expect(yearEnd?.facts["keptBy"]).toBe("keep-monthly 2025-12, keep-yearly 2025");

    // A second run finds nothing more to delete.
    const again = await runPrune({
      gateway: a.gateway,
      policy: sourcePolicyFromObject(RULES),
      region: HOME,
      now: NOW,
      execute: FAST,
    });
    expect(again.done).toEqual([]);
    expect(await manualIds(a.rds())).toEqual(expected);
  }, 300_000);
});
