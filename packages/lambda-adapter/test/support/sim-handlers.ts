/** What a handler test over the in-memory RDS needs: clients that talk to it, a logger that records. */
import { createClientFactory, type ClientFactory } from "@aurora-snapshot-tool/core";
import type { InMemoryRds } from "@aurora-snapshot-tool/core/testing";

import type { HandlerOptions } from "../../src/runtime/invocation.js";
import type { ReportLogger } from "../../src/runtime/report-log.js";
import { anEmfRecorder } from "./emf.js";

export interface Logged {
  readonly level: string;
  readonly message: string;
  readonly fields: Record<string, unknown>;
}

/** SDK clients acting as `account` in `sim`, in whatever region they are asked for. */
export function clientsOver(sim: InMemoryRds, account: string): ClientFactory {
  return createClientFactory({
    credentials: { accessKeyId: "x", secretAccessKey: "x" },
    plugins: (region) => [sim.plugin(account, region)],
    retryStrategy: sim.retryStrategy(),
  });
}

/** A logger that keeps each line, its level spelled as Powertools spells it. */
export function aRecordingLogger(): { logger: ReportLogger; logged: Logged[] } {
  const logged: Logged[] = [];
  const record =
    (level: string) =>
    (message: string, fields: Record<string, unknown>): void => {
      logged.push({ level, message, fields });
    };
  return {
    logged,
    logger: {
      debug: record("DEBUG"),
      info: record("INFO"),
      warn: record("WARN"),
      error: record("ERROR"),
    },
  };
}

/**
 * Handler options acting as `account` over `sim`, on its clock: `env` as the function's whole
 * environment, the logs recorded and the EMF lines parsed (or sent to `writeMetrics`).
 */
export function optionsOverSim(
  sim: InMemoryRds,
  account: string,
  env: Record<string, string>,
  writeMetrics?: (line: string) => void,
): { options: HandlerOptions; logged: Logged[]; emf: ReturnType<typeof anEmfRecorder> } {
  const { logger, logged } = aRecordingLogger();
  const emf = anEmfRecorder();
  const options: HandlerOptions = {
    env,
    clients: clientsOver(sim, account),
    clock: () => sim.now().getTime(),
    logger: () => logger,
    writeMetrics: writeMetrics ?? emf.write,
  };
  return { options, logged, emf };
}
