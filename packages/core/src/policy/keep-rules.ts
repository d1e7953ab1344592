import type { FieldRef } from "./config-error.js";
import { parseInteger } from "./fields.js";
import { SOURCE_SETTINGS } from "./registry.js";

/*
 * Calendar retention (grandfather-father-son), read the same way on both sides: KEEP_DAILY,
 * KEEP_WEEKLY, KEEP_MONTHLY and KEEP_YEARLY. Each side has its own values, so the source can keep a
 * week of dailies while DR keeps a year of monthlies.
 */

/**
 * How many calendar periods each rule keeps a snapshot in; 0 = the rule is not used. For a rule
 * with n > 0, the n most recent periods that hold at least one of the cluster's owned, available
 * snapshots each keep their newest one (as restic's `forget --keep-*` does).
 */
export interface KeepRules {
  /** UTC days. */
  readonly keepDaily: number;
  /** ISO weeks, Monday to Sunday, in UTC. */
  readonly keepWeekly: number;
  /** Calendar months, in UTC. */
  readonly keepMonthly: number;
  /** Calendar years, in UTC. */
  readonly keepYearly: number;
}

export type KeepRuleKey = keyof KeepRules;

/** The plain-object form; numbers may be decimal strings, as their env vars give them. */
export type KeepRulesInput = { [K in KeepRuleKey]?: number | string };

export const KEEP_RULE_KEYS: readonly KeepRuleKey[] = [
  "keepDaily",
  "keepWeekly",
  "keepMonthly",
  "keepYearly",
];

/**
 * At most this many periods per rule: ten years of dailies. More would only ask for snapshots RDS's
 * quota (100 manual cluster snapshots per region by default) could not hold anyway.
 */
export const MAX_KEEP_PERIODS = 3_660;

export const NO_KEEP_RULES: KeepRules = Object.freeze({
  keepDaily: 0,
  keepWeekly: 0,
  keepMonthly: 0,
  keepYearly: 0,
});

/** Reads the four rules through a side's lookup; unset or blank = 0. */
export function parseKeepRules(
  get: (key: KeepRuleKey) => [field: FieldRef, raw: unknown],
): KeepRules {
  const range = { min: 0, max: MAX_KEEP_PERIODS, unit: "periods; 0 = rule not used" };
  const rules = {} as Record<KeepRuleKey, number>;
  for (const key of KEEP_RULE_KEYS) rules[key] = parseInteger(...get(key), range, 0);
  return Object.freeze(rules);
}

/** Whether any calendar rule is in use. */
export function hasKeepRules(rules: KeepRules): boolean {
  return KEEP_RULE_KEYS.some((k) => rules[k] > 0);
}

/** The rules in use, as a report shows them: `KEEP_DAILY=7 KEEP_MONTHLY=12`. */
export function keepRulesText(rules: KeepRules): string {
  // The env var names come from the registry, the one place they are written.
  return KEEP_RULE_KEYS.filter((k) => rules[k] > 0)
    .map((k) => `${SOURCE_SETTINGS[k].env}=${rules[k]}`)
    .join(" ");
}
