import { parseLogLevel as parseLevel, type LogLevel } from "@aurora-snapshot-tool/core/settings";

export { LOG_LEVEL_EXPECTED } from "@aurora-snapshot-tool/core/settings";

/** The levels the handlers log at, as Powertools Logger spells them. */
export type HandlerLogLevel = LogLevel;

/** The original tool's LogLevel default: only errors reach CloudWatch unless asked otherwise. */
export const DEFAULT_LOG_LEVEL: HandlerLogLevel = "ERROR";

/** LOG_LEVEL as the original takes it; not set or blank gives ERROR, anything unknown is refused. */
export function parseLogLevel(raw: string | undefined, field = "LOG_LEVEL"): HandlerLogLevel {
  return parseLevel(field, raw, DEFAULT_LOG_LEVEL);
}
