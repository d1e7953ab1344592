/**
 * The calendar retention rules written out from their definition, apart from the planner and
 * without date-fns: for each rule with n > 0, the n most recent periods (UTC days, ISO weeks from
 * Monday, calendar months, calendar years) holding at least one candidate each keep their newest
 * candidate. A candidate is also kept within retention and among the newest MIN_KEEP.
 */
export interface OracleRules {
  readonly retentionDays: number;
  readonly minKeep: number;
  readonly keepDaily: number;
  readonly keepWeekly: number;
  readonly keepMonthly: number;
  readonly keepYearly: number;
}

export interface OracleSnapshot {
  readonly name: string;
  /** The age retention and MIN_KEEP go by (the younger of the name's time and RDS's). */
  readonly time: Date;
  /** When it was taken, by its name: the periods go by this (no later than now). */
  readonly stamp?: Date;
}

const DAY_MS = 86_400_000;

/** `2026-W53`, `2027-W01`: the year is that of the week's Thursday (padded, so periods sort as text). */
export function isoWeekOf(t: Date): string {
  const midnight = Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate());
  const sinceMonday = (new Date(midnight).getUTCDay() + 6) % 7;
  const thursday = new Date(midnight - sinceMonday * DAY_MS + 3 * DAY_MS);
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * DAY_MS)) + 1;
  return `${year}-W${String(week).padStart(2, "0")}`;
}

const PERIODS: readonly [keyof OracleRules, (t: Date) => string][] = [
  ["keepDaily", (t) => t.toISOString().slice(0, 10)],
  ["keepWeekly", isoWeekOf],
  ["keepMonthly", (t) => t.toISOString().slice(0, 7)],
  ["keepYearly", (t) => t.toISOString().slice(0, 4)],
];

/** The names of one cluster's candidates that stay. */
export function oracleKept(
  candidates: readonly OracleSnapshot[],
  rules: OracleRules,
  now: Date,
): Set<string> {
  const byAge = [...candidates].sort(
    (a, b) =>
      b.time.getTime() - a.time.getTime() || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
  const kept = new Set<string>();
  for (const s of byAge) {
    if (now.getTime() - s.time.getTime() <= rules.retentionDays * DAY_MS) kept.add(s.name);
  }
  for (const s of byAge.slice(0, rules.minKeep)) kept.add(s.name);
  const taken = (s: OracleSnapshot): Date => {
    const t = s.stamp ?? s.time;
    return t.getTime() > now.getTime() ? now : t;
  };
  const byStamp = [...candidates].sort(
    (a, b) =>
      taken(b).getTime() - taken(a).getTime() || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
  for (const [rule, periodOf] of PERIODS) {
    const n = rules[rule];
    if (n <= 0) continue;
    const newestIn = new Map<string, OracleSnapshot>();
    for (const s of byStamp) {
      const period = periodOf(taken(s));
      if (!newestIn.has(period)) newestIn.set(period, s);
    }
    const periods = [...newestIn.keys()].sort().reverse().slice(0, n);
    for (const p of periods) kept.add(newestIn.get(p)!.name);
  }
  return kept;
}
