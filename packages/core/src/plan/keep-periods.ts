import { utc } from "@date-fns/utc";
import { format } from "date-fns";

import type { KeepRuleKey, KeepRules } from "../policy/keep-rules.js";

/** The reason a calendar rule gives for keeping a snapshot, in the order rules are reported. */
export type KeepRuleReason = "keep-daily" | "keep-weekly" | "keep-monthly" | "keep-yearly";

interface PeriodRule {
  readonly key: KeepRuleKey;
  readonly reason: KeepRuleReason;
  /** The period a time falls in, in UTC whatever the host's time zone. */
  readonly periodOf: (t: Date) => string;
}

const IN_UTC = { in: utc } as const;

/** The calendar rules, finest first: decisions name the finest rule that keeps a snapshot. */
export const PERIOD_RULES: readonly PeriodRule[] = [
  { key: "keepDaily", reason: "keep-daily", periodOf: (t) => format(t, "yyyy-MM-dd", IN_UTC) },
  {
    key: "keepWeekly",
    reason: "keep-weekly",
    // The ISO week-numbering year (RRRR) and week (II): 2026-12-31 and 2027-01-01 are both 2026-W53.
    periodOf: (t) => format(t, "RRRR-'W'II", IN_UTC),
  },
  { key: "keepMonthly", reason: "keep-monthly", periodOf: (t) => format(t, "yyyy-MM", IN_UTC) },
  { key: "keepYearly", reason: "keep-yearly", periodOf: (t) => format(t, "yyyy", IN_UTC) },
];

export interface Dated<T> {
  readonly item: T;
  readonly time: Date;
}

/** A rule that keeps a snapshot, and the period it keeps it for. */
export interface KeptBy {
  readonly reason: KeepRuleReason;
  readonly period: string;
}

/**
 * Which of one cluster's snapshots the calendar rules keep. `newestFirst` must hold one cluster's
 * candidates (owned, available, of known age) sorted newest first with ties broken the same way
 * on every run. For each rule with n > 0 the walk goes from the newest down; the first snapshot of
 * each period it meets (the newest in that period) is kept, until n periods have one. Periods with
 * no snapshot do not count, so a gap in backups keeps older ones instead.
 */
export function keptByRules<T>(
  newestFirst: readonly Dated<T>[],
  rules: KeepRules,
): Map<T, KeptBy[]> {
  const kept = new Map<T, KeptBy[]>();
  for (const rule of PERIOD_RULES) {
    let left = rules[rule.key];
    let last: string | undefined;
    for (const { item, time } of newestFirst) {
      if (left <= 0) break;
      const period = rule.periodOf(time);
      if (period === last) continue;
      last = period;
      left--;
      const list = kept.get(item);
      const entry = { reason: rule.reason, period };
      if (list) list.push(entry);
      else kept.set(item, [entry]);
    }
  }
  return kept;
}
