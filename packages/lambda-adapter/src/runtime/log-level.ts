import { ConfigError } from "@aurora-snapshot-tool/core";

/** The levels the handlers log at, as Powertools Logger spells them. */
export type HandlerLogLevel = "DEBUG" | "INFO" | "WARN" | "ERROR" | "CRITICAL";

/** The original tool's LogLevel default: only errors reach CloudWatch unless asked otherwise. */
export const DEFAULT_LOG_LEVEL: HandlerLogLevel = "ERROR";

/*
 * The original handed LOG_LEVEL to Python's logging, so stacks in place carry Python's names
 * (WARNING rather than WARN) in any letter case. WARN is accepted as well, being Powertools' name.
 */
const LEVELS: Readonly<Record<string, HandlerLogLevel>> = {
  DEBUG: "DEBUG",
  INFO: "INFO",
  WARNING: "WARN",
  WARN: "WARN",
  ERROR: "ERROR",
  CRITICAL: "CRITICAL",
};

export const LOG_LEVEL_EXPECTED = "DEBUG, INFO, WARNING, ERROR or CRITICAL (any letter case)";

/** LOG_LEVEL as the original takes it; not set or blank gives ERROR, anything unknown is refused. */
export function parseLogLevel(raw: string | undefined, field = "LOG_LEVEL"): HandlerLogLevel {
  if (raw === undefined || raw.trim() === "") return DEFAULT_LOG_LEVEL;
  const level = LEVELS[raw.trim().toUpperCase()];
  if (level === undefined) throw new ConfigError(field, raw, LOG_LEVEL_EXPECTED);
  return level;
}
