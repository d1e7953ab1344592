import { ConfigError, type FieldRef } from "./config-error.js";

/** The levels the tool logs at, as Powertools Logger spells them. */
export type LogLevel = "DEBUG" | "INFO" | "WARN" | "ERROR" | "CRITICAL";

/*
 * The original handed LOG_LEVEL to Python's logging, so stacks in place carry Python's names
 * (WARNING rather than WARN) in any letter case. WARN is accepted as well, being Powertools' name.
 */
const LEVELS: Readonly<Record<string, LogLevel>> = {
  DEBUG: "DEBUG",
  INFO: "INFO",
  WARNING: "WARN",
  WARN: "WARN",
  ERROR: "ERROR",
  CRITICAL: "CRITICAL",
};

export const LOG_LEVEL_EXPECTED = "DEBUG, INFO, WARN (or WARNING), ERROR or CRITICAL, in any case";

/**
 * LOG_LEVEL as the original takes it: not set or blank gives `fallback` (the Lambda functions'
 * is ERROR, the original template's default; the CLI's is INFO), anything unknown is refused.
 */
export function parseLogLevel(field: FieldRef, raw: unknown, fallback: LogLevel): LogLevel {
  if (raw === undefined || raw === null || (typeof raw === "string" && raw.trim() === "")) {
    return fallback;
  }
  const level = typeof raw === "string" ? LEVELS[raw.trim().toUpperCase()] : undefined;
  if (level === undefined) throw new ConfigError(field, raw, LOG_LEVEL_EXPECTED);
  return level;
}
