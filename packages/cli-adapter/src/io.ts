import type { ClientFactory, Gateway, RetryOptions, StepTarget } from "@aurora-snapshot-tool/core";

import type { AwsSettings } from "./config/resolve.js";

export interface OutputStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/**
 * Everything a command touches outside itself, so tests can run the CLI in-process with fake
 * streams, a fixed clock and a gateway that counts calls. `cli.ts` fills it from `process`.
 */
export interface CliIo {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  /** Read for settings; `--profile` writes AWS_PROFILE here before any AWS client exists. */
  readonly env: Record<string, string | undefined>;
  readonly now?: () => Date;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Replaces the AWS gateway (tests); default: the SDK-backed gateway for the settings. */
  readonly gateway?: (settings: AwsSettings) => Gateway;
  /**
   * Replaces the clients of each target of a fleet run (tests: the in-memory RDS's); default:
   * clients from the run's settings that assume the target's role.
   */
  readonly fleetClients?: (target: StepTarget) => ClientFactory;
  /** Replaces core's retry of transient AWS errors (tests: no waiting). */
  readonly retry?: RetryOptions;
  /**
   * The region the SDK would pick when no flag, env var or file gives one (the profile's `region`
   * in ~/.aws/config); default: the SDK's own resolution, which reads `process.env`.
   */
  readonly sdkRegion?: (profile: string | undefined) => Promise<string | undefined>;
  /** Set before a command's action runs: the SDK's region, when the settings give none. */
  readonly resolved?: { region?: string };
}

export function nowOf(io: CliIo): Date {
  return io.now?.() ?? new Date();
}

export function sleepOf(io: CliIo): (ms: number) => Promise<void> {
  return io.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
}
