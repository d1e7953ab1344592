import { AwsActionError, ConfigError } from "@aurora-snapshot-tool/core";
import { CommanderError } from "commander";

import { EXIT, type ExitCode } from "./errors.js";
import type { CliIo } from "./io.js";
import { SCHEMA_VERSION } from "./output/json-document.js";
import { buildProgram } from "./program.js";

const NAME = "aurora-snapshot-tool";

interface ErrorJson {
  readonly kind: "invalid-input" | "usage" | "aws" | "unexpected";
  readonly message: string;
  readonly field?: string;
  readonly value?: unknown;
  readonly expected?: string;
  readonly code?: string;
}

function classify(error: unknown): { exit: ExitCode; json: ErrorJson; text?: string } {
  if (error instanceof CommanderError) {
    // Commander has already printed its message (to stderr) by now.
    return {
      exit: EXIT.invalidInput,
      json: { kind: "usage", message: error.message.replace(/^error: /, ""), code: error.code },
    };
  }
  if (error instanceof ConfigError) {
    const e = error;
    return {
      exit: EXIT.invalidInput,
      json: {
        kind: "invalid-input",
        message: e.message,
        field: e.field,
        ...(e.value !== undefined && { value: e.value }),
        expected: e.expected,
      },
      text: `invalid input: ${e.message}`,
    };
  }
  if (error instanceof AwsActionError) {
    const hint = /credential/i.test(error.code)
      ? " (no usable AWS credentials: give --profile, set AWS_PROFILE or AWS_ACCESS_KEY_ID, or log in with SSO)"
      : "";
    return {
      // A transient failure (throttling, network) that outlasted the retries: nothing was left
      // half-done, so a later run is the remedy.
      exit: error.retryable ? EXIT.pending : EXIT.unexpected,
      json: { kind: "aws", message: error.message + hint, code: error.code },
      text: error.message + hint,
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { exit: EXIT.unexpected, json: { kind: "unexpected", message } };
}

/** `--json`, `--output json` or `--output=json` anywhere on the line: errors as JSON too. */
function wantsJson(argv: readonly string[]): boolean {
  return argv.some(
    (arg, i) =>
      arg === "--json" || arg === "--output=json" || (arg === "--output" && argv[i + 1] === "json"),
  );
}

/**
 * Runs the command line and returns the exit code; never calls process.exit, so tests can run it
 * in-process. With `--json` (`--output json`), a failure is still one JSON document on stdout.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let exitCode: ExitCode = EXIT.ok;
  const program = buildProgram(io, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync([...argv], { from: "user" });
    return exitCode;
  } catch (error) {
    // Help and version end through the same exception, with exit code 0.
    if (error instanceof CommanderError && error.exitCode === 0) return EXIT.ok;
    const { exit, json, text } = classify(error);
    if (text !== undefined) io.stderr.write(`${NAME}: ${text}\n`);
    else if (!(error instanceof CommanderError)) {
      io.stderr.write(`${NAME}: unexpected error: ${json.message}\n`);
      const debug = argv.includes("--debug") || /^debug$/i.test(io.env["LOG_LEVEL"] ?? "");
      if (error instanceof Error && error.stack && debug) {
        io.stderr.write(`${error.stack}\n`);
      }
    }
    if (wantsJson(argv))
      io.stdout.write(
        `${JSON.stringify({ schemaVersion: SCHEMA_VERSION, error: json }, null, 2)}\n`,
      );
    return exit;
  }
}
