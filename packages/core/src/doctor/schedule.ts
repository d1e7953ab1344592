import { truncateToHour } from "../naming/index.js";
import { ConfigError, type FieldRef } from "../policy/index.js";

/*
 * EventBridge schedule expressions, for doctor's "does the schedule fire often enough" check.
 * Pure rules with no I/O.
 *
 * Cron: `cron(minutes hours day-of-month month day-of-week year)`, UTC, exactly one of
 * day-of-month / day-of-week is `?`, day-of-week 1-7 is SUN-SAT. The original template's
 * BackupSchedule parameter takes the body alone ("0 1 * * ? *") and wraps it, so both are accepted.
 * `L`, `W` and `#` are valid EventBridge syntax but are not simulated: such a schedule is accepted
 * and reported as not analysable.
 */

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;
const DAY_MS = 24 * HOUR_MS;

export const SCHEDULE_EXPECTED =
  'cron(minutes hours day-of-month month day-of-week year) with "?" in exactly one of ' +
  'day-of-month or day-of-week (e.g. "cron(0 1 * * ? *)"), the cron body alone as the ' +
  'BackupSchedule parameter takes it ("0 1 * * ? *"), or rate(N minutes|hours|days)';

export interface CronSchedule {
  readonly kind: "cron";
  readonly text: string;
  readonly minutes: readonly number[];
  readonly hours: readonly number[];
  /** undefined: any day (the field is `?` or `*`). */
  readonly daysOfMonth: ReadonlySet<number> | undefined;
  readonly months: ReadonlySet<number>;
  /** 1-7 = SUN-SAT; undefined: any day. */
  readonly daysOfWeek: ReadonlySet<number> | undefined;
  readonly years: ReadonlySet<number> | undefined;
  /** False when the expression uses L, W or # (valid, but not simulated here). */
  readonly analysable: boolean;
}

export interface RateSchedule {
  readonly kind: "rate";
  readonly text: string;
  readonly everyMinutes: number;
}

export type Schedule = CronSchedule | RateSchedule;

interface FieldRange {
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
}

const MINUTES: FieldRange = { min: 0, max: 59 };
const HOURS: FieldRange = { min: 0, max: 23 };
const DAYS_OF_MONTH: FieldRange = { min: 1, max: 31 };
const MONTHS: FieldRange = {
  min: 1,
  max: 12,
  names: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"],
};
const DAYS_OF_WEEK: FieldRange = {
  min: 1,
  max: 7,
  names: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"],
};
const YEARS: FieldRange = { min: 1970, max: 2199 };

class BadSchedule extends Error {}

function value(text: string, range: FieldRange): number {
  const named = range.names?.indexOf(text.toUpperCase()) ?? -1;
  const n = named >= 0 ? range.min + named : /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(n >= range.min && n <= range.max)) throw new BadSchedule();
  return n;
}

/** One comma-separated item: `*`, `a`, `a-b`, with an optional `/step`. */
function item(text: string, range: FieldRange, into: Set<number>): void {
  const [base = "", stepText, extra] = text.split("/");
  if (extra !== undefined) throw new BadSchedule();
  const step = stepText === undefined ? 1 : Number(stepText);
  if (!Number.isInteger(step) || step < 1 || (stepText !== undefined && !/^\d+$/.test(stepText))) {
    throw new BadSchedule();
  }
  let from: number;
  let to: number;
  if (base === "*") {
    from = range.min;
    to = range.max;
  } else if (base.includes("-")) {
    const [a = "", b = "", more] = base.split("-");
    if (more !== undefined) throw new BadSchedule();
    from = value(a, range);
    to = value(b, range);
    if (from > to) throw new BadSchedule();
  } else {
    from = value(base, range);
    // `5/15` means from 5 to the end, every 15.
    to = stepText === undefined ? from : range.max;
  }
  for (let n = from; n <= to; n += step) into.add(n);
}

function field(text: string, range: FieldRange): Set<number> {
  const out = new Set<number>();
  for (const part of text.split(",")) item(part, range, out);
  return out;
}

/** The day fields' special forms (`L`, `LW`, `15W`, `6L`, `2#3`): valid, but not simulated. */
const SPECIAL_DAY = /^(?:L|LW|\d{1,2}W|[1-7]L|[1-7]#[1-5])$/i;

function parseCron(text: string, body: string): CronSchedule {
  const parts = body.trim().split(/\s+/);
  if (parts.length !== 6) throw new BadSchedule();
  const [min, hour, dom, month, dow, year] = parts as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  // EventBridge: a value or `*` in one day field requires `?` in the other.
  if ((dom === "?") === (dow === "?")) throw new BadSchedule();
  let analysable = true;
  const days = (raw: string, range: FieldRange): Set<number> | undefined => {
    if (raw === "?" || raw === "*") return undefined;
    if (SPECIAL_DAY.test(raw)) {
      analysable = false;
      return undefined;
    }
    return field(raw, range);
  };
  return {
    kind: "cron",
    text,
    minutes: [...field(min, MINUTES)].sort((a, b) => a - b),
    hours: [...field(hour, HOURS)].sort((a, b) => a - b),
    daysOfMonth: days(dom, DAYS_OF_MONTH),
    months: field(month, MONTHS),
    daysOfWeek: days(dow, DAYS_OF_WEEK),
    years: year === "*" ? undefined : field(year, YEARS),
    analysable,
  };
}

const RATE = /^rate\(\s*(\d+)\s+(minutes?|hours?|days?)\s*\)$/i;
const UNIT_MINUTES: Record<string, number> = { minute: 1, hour: 60, day: 1440 };

/** Parses a schedule expression; throws ConfigError naming `field` when it is not one. */
export function parseSchedule(field: FieldRef, raw: string): Schedule {
  const text = raw.trim();
  try {
    const rate = RATE.exec(text);
    if (rate) {
      const n = Number(rate[1]);
      const unit = (rate[2] as string).toLowerCase().replace(/s$/, "");
      if (n < 1) throw new BadSchedule();
      return { kind: "rate", text, everyMinutes: n * (UNIT_MINUTES[unit] as number) };
    }
    const wrapped = /^cron\((.*)\)$/i.exec(text);
    return parseCron(text, wrapped ? (wrapped[1] as string) : text);
  } catch (error) {
    if (error instanceof BadSchedule) throw new ConfigError(field, raw, SCHEDULE_EXPECTED);
    throw error;
  }
}

function firesOn(s: CronSchedule, day: Date): boolean {
  if (s.years && !s.years.has(day.getUTCFullYear())) return false;
  if (!s.months.has(day.getUTCMonth() + 1)) return false;
  if (s.daysOfMonth && !s.daysOfMonth.has(day.getUTCDate())) return false;
  if (s.daysOfWeek && !s.daysOfWeek.has(day.getUTCDay() + 1)) return false;
  return true;
}

/** Every firing (epoch ms) from `from` for `days` days. A rate starts at `from`'s minute. */
export function firings(schedule: Schedule, from: Date, days: number): number[] {
  const start = Math.floor(from.getTime() / MINUTE_MS) * MINUTE_MS;
  const end = start + days * DAY_MS;
  const out: number[] = [];
  if (schedule.kind === "rate") {
    for (let t = start; t < end; t += schedule.everyMinutes * MINUTE_MS) out.push(t);
    return out;
  }
  const firstDay = Math.floor(start / DAY_MS) * DAY_MS;
  for (let dayStart = firstDay; dayStart < end; dayStart += DAY_MS) {
    if (!firesOn(schedule, new Date(dayStart))) continue;
    for (const h of schedule.hours) {
      for (const m of schedule.minutes) {
        const t = dayStart + h * HOUR_MS + m * MINUTE_MS;
        if (t >= start && t < end) out.push(t);
      }
    }
  }
  return out;
}

export interface ScheduleAnalysis {
  readonly analysable: boolean;
  /** Firings within the horizon. */
  readonly firings: number;
  /** Longest time between two firings, in hours (Infinity with fewer than two firings). */
  readonly longestGapHours: number;
  /**
   * Longest time between two snapshots when `take` runs on every firing with this interval: the
   * newest snapshot's time is truncated to the hour, as the original does, before it is compared.
   */
  readonly longestBackupGapHours: number;
}

/** The horizon covers a year and a bit, so monthly and yearly schedules show their real gaps. */
export const HORIZON_DAYS = 400;

function longestGap(times: readonly number[]): number {
  if (times.length < 2) return Infinity;
  let longest = 0;
  for (let i = 1; i < times.length; i++) {
    longest = Math.max(longest, (times[i] as number) - (times[i - 1] as number));
  }
  return longest / HOUR_MS;
}

export function analyseSchedule(
  schedule: Schedule,
  intervalHours: number,
  from: Date,
  horizonDays = HORIZON_DAYS,
): ScheduleAnalysis {
  if (schedule.kind === "cron" && !schedule.analysable) {
    return { analysable: false, firings: 0, longestGapHours: NaN, longestBackupGapHours: NaN };
  }
  const times = firings(schedule, from, horizonDays);
  const taken: number[] = [];
  for (const t of times) {
    const last = taken[taken.length - 1];
    if (
      last === undefined ||
      t - truncateToHour(new Date(last)).getTime() >= intervalHours * HOUR_MS
    ) {
      taken.push(t);
    }
  }
  return {
    analysable: true,
    firings: times.length,
    longestGapHours: longestGap(times),
    longestBackupGapHours: longestGap(taken),
  };
}
