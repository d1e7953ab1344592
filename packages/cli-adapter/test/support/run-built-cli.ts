import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const CLI = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));

/** An empty HOME: no ~/.aws config or credentials of the machine can leak into a test. */
const HOME = mkdtempSync(join(tmpdir(), "ast-cli-home-"));

/** Fake credentials and a region; nothing else from the test runner's environment. */
export const BASE_ENV: Readonly<Record<string, string>> = {
  PATH: process.env["PATH"] ?? "",
  HOME,
  AWS_ACCESS_KEY_ID: "testing",
  AWS_SECRET_ACCESS_KEY: "testing",
  AWS_REGION: "us-east-1",
  AWS_EC2_METADATA_DISABLED: "true",
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
};

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout parsed as one JSON document (throws if it is not exactly one). */
  json<T = Record<string, unknown>>(): T;
}

export interface RunOptions {
  /**
   * Runs the CLI under libfaketime with this clock spec, for example `"+6d"` (six days ahead) or
   * `"-2h"`: `faketime -f SPEC node dist/cli.js ...`. Needs `faketime` on PATH
   * (`apt-get install faketime`). Only the wall clock moves (Date.now(), new Date()); the
   * monotonic clock Node's timers run on stays real.
   */
  readonly faketime?: string;
}

/**
 * Spawns `node dist/cli.js ...args`. `env` is laid over BASE_ENV; a value of undefined removes
 * the variable.
 */
export function runBuiltCli(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>> = {},
  options: RunOptions = {},
): Promise<CliRun> {
  const merged: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...BASE_ENV, ...env })) if (v !== undefined) merged[k] = v;
  const node = [process.execPath, CLI, ...args];
  let file = process.execPath;
  let argv = node.slice(1);
  if (options.faketime !== undefined) {
    file = "faketime";
    argv = ["-f", options.faketime, ...node];
    // Node 20 runs under either setting (checked with libfaketime 0.9.10); a real monotonic
    // clock keeps its timers and the SDK's timeouts out of the experiment.
    merged["FAKETIME_DONT_FAKE_MONOTONIC"] = "1";
  }
  return new Promise((resolve, reject) => {
    const child = spawn(file, argv, {
      env: merged,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.once("error", (error) =>
      reject(
        options.faketime !== undefined && (error as NodeJS.ErrnoException).code === "ENOENT"
          ? new Error("runBuiltCli({ faketime }) needs faketime on PATH: apt-get install faketime")
          : error,
      ),
    );
    child.once("close", (code) =>
      resolve({
        code,
        stdout,
        stderr,
        json: <T>() => JSON.parse(stdout) as T,
      }),
    );
  });
}
