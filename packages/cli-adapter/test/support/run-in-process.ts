import type { ClientFactory, Gateway, StepTarget } from "@aurora-snapshot-tool/core";

import type { AwsSettings } from "../../src/config/resolve.js";

import { runCli } from "../../src/index.js";

export interface InProcessRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly env: Record<string, string | undefined>;
}

export interface InProcessOptions {
  readonly env?: Record<string, string | undefined>;
  /** A gateway, or a factory that also sees the AWS settings the CLI resolved. */
  readonly gateway?: Gateway | ((settings: AwsSettings) => Gateway);
  /** The clients of each target of a fleet run (the in-memory RDS's simFleetClients). */
  readonly fleetClients?: (target: StepTarget) => ClientFactory;
  readonly tty?: boolean;
  readonly now?: Date | (() => Date);
  readonly sleep?: (ms: number) => Promise<void>;
  readonly sdkRegion?: (profile: string | undefined) => Promise<string | undefined>;
}

/** Runs the CLI in this process with captured streams and an injected gateway. */
export async function runInProcess(
  args: readonly string[],
  options: InProcessOptions = {},
): Promise<InProcessRun> {
  let stdout = "";
  let stderr = "";
  const env = { AWS_REGION: "us-east-1", ...options.env };
  const { now, gateway } = options;
  const code = await runCli(args, {
    stdout: { write: (t: string) => (stdout += t), isTTY: options.tty ?? false },
    stderr: { write: (t: string) => (stderr += t), isTTY: false },
    env,
    ...(now !== undefined && { now: typeof now === "function" ? now : () => now }),
    ...(options.sleep !== undefined && { sleep: options.sleep }),
    ...(options.fleetClients !== undefined && { fleetClients: options.fleetClients }),
    ...(gateway !== undefined && {
      gateway: typeof gateway === "function" ? gateway : () => gateway,
    }),
    // Transient errors fail at once instead of being retried with real waits.
    retry: { retries: 0 },
    // The SDK would read this process's own AWS_REGION and ~/.aws: only `env` counts here.
    sdkRegion: options.sdkRegion ?? (() => Promise.resolve(undefined)),
  });
  return { code, stdout, stderr, env };
}
