import type { StepLogger } from "@aurora-snapshot-tool/core";

import type { LogLevel } from "../config/resolve.js";
import type { OutputStream } from "../io.js";

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Diagnostics and progress: always stderr, so stdout holds only the result (table or JSON). */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export function createLogger(stream: OutputStream, level: LogLevel): Logger {
  const at =
    (lvl: LogLevel) =>
    (message: string): void => {
      if (RANK[lvl] >= RANK[level]) stream.write(`${lvl === "info" ? "" : `${lvl}: `}${message}\n`);
    };
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

/** Core's StepLogger over the CLI's: the message only (its fields name what the CLI shows). */
export function stepLoggerOf(log: Logger): StepLogger {
  return {
    debug: (m) => log.debug(m),
    info: (m) => log.info(m),
    warn: (m) => log.warn(m),
    error: (m) => log.error(m),
  };
}
