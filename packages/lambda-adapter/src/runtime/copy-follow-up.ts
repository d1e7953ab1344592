import { ConfigError, type CopyFollowUp } from "@aurora-snapshot-tool/core";
import type { HandlerEnv } from "./env.js";

export const COPY_POLL_ENV = "COPY_POLL_SECONDS";

/**
 * COPY_POLL_SECONDS (default 30; 0 turns it off): while copies this run started are still going,
 * look again this often until the function's deadline, so the onward copy and the clean-up of an
 * intermediate copy happen in the same run instead of 30 minutes later. A run that started nothing
 * does not poll.
 */
export function copyFollowUp(
  env: HandlerEnv,
  deadline: number | undefined,
): { followUp?: CopyFollowUp } {
  const raw = env[COPY_POLL_ENV];
  const text = raw === undefined || raw.trim() === "" ? "30" : raw.trim();
  const seconds = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(seconds >= 0 && seconds <= 300)) {
    throw new ConfigError(COPY_POLL_ENV, raw, "whole seconds from 0 (off) to 300; default 30");
  }
  return seconds === 0 || deadline === undefined
    ? {}
    : { followUp: { until: deadline, pollMs: seconds * 1000 } };
}
