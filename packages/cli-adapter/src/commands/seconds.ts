import { parseInteger } from "@aurora-snapshot-tool/core/settings";

/** A whole number of seconds given to a CLI flag (`--timeout`, `--poll-interval`). */
export function secondsOption(flag: string, raw: unknown, min: number, fallback: number): number {
  return parseInteger(flag, raw, { min, max: 7 * 24 * 3600, unit: "seconds" }, fallback);
}
