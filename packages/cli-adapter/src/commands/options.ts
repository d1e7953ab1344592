import type { Command } from "commander";

import { readConfigFile } from "../config/config-file.js";
import { fieldsFor, fileKey, type Side } from "../config/fields.js";
import {
  resolveAwsSettings,
  resolveLogLevel,
  type AwsSettings,
  type ConfigLayers,
} from "../config/resolve.js";
import { InvalidInputError } from "../errors.js";
import type { CliIo } from "../io.js";
import { paletteFor, type Palette } from "../output/color.js";
import { createLogger, type Logger } from "../output/logger.js";

/** Options every command takes. Env equivalents are read by resolve.ts, named here for --help. */
export function addCommonOptions(cmd: Command): Command {
  return cmd
    .option(
      "--config <file>",
      'JSON settings file: { "region", "profile", "endpointUrl", "roleArn", "logLevel", "schedule", "source": {...}, "destination": {...} }; overrides env vars, flags override it',
    )
    .option(
      "--region <region>",
      "region the tool runs in (default: config region, then AWS_REGION, then AWS_DEFAULT_REGION; required)",
    )
    .option(
      "--profile <name>",
      "named AWS profile (default: config profile, then AWS_PROFILE, else the SDK's default credential chain)",
    )
    .option(
      "--endpoint-url <url>",
      "send every AWS call to this endpoint (default: config endpointUrl, then AWS_ENDPOINT_URL)",
    )
    .option(
      "--role-arn <arn>",
      "act in another account through STS AssumeRole on this role (config roleArn)",
    )
    .option("--json", "print one JSON document on stdout instead of a table")
    .option(
      "--log-level <level>",
      "stderr detail: DEBUG, INFO, WARN or ERROR (default INFO; env LOG_LEVEL; config logLevel)",
    )
    .option(
      "--no-color",
      "no colour, even on a terminal (colour is also off when NO_COLOR is set)",
    );
}

/** Help for the flags both sides read (the original's stacks both read these env vars). */
const EITHER_SIDE_HELP: Record<string, string> = {
  RETENTION_DAYS: "days a snapshot (source) or a copy (destination) is kept (default 7)",
  MIN_KEEP: "newest snapshots or copies kept per cluster whatever their age (default 1)",
  REGION_OVERRIDE:
    "region the clusters live in (source) or snapshots are shared into (destination), or NO",
};

/** The policy flags of the given sides; a flag both sides share (--retention-days) appears once. */
export function addPolicyOptions(cmd: Command, sides: readonly Side[]): Command {
  const seen = new Set<string>();
  for (const field of sides.flatMap((side) => fieldsFor(side))) {
    if (seen.has(field.flag)) continue;
    seen.add(field.flag);
    // The same flag on each side that reads it (RETENTION_DAYS is read by both stacks).
    const same = sides.flatMap((side) => fieldsFor(side).filter((f) => f.flag === field.flag));
    const help =
      same.length > 1
        ? (EITHER_SIDE_HELP[field.env] ?? field.help)
        : sides.length > 1
          ? `${field.help} [${field.side} side]`
          : field.help;
    const keys = same.map(fileKey).join(" / ");
    cmd.option(`${field.flag} <${field.valueName}>`, `${help}; env ${field.env}; config ${keys}`);
  }
  return cmd;
}

export interface CommonOptions {
  readonly config?: string;
  readonly json?: boolean;
  readonly color: boolean;
  readonly [flag: string]: unknown;
}

/** What every command works from, all validated before any AWS call. */
export interface CommandContext {
  readonly io: CliIo;
  readonly layers: ConfigLayers;
  readonly aws: AwsSettings;
  readonly json: boolean;
  /** For stdout (the result). */
  readonly palette: Palette;
  readonly log: Logger;
}

export function prepareContext(io: CliIo, opts: CommonOptions): CommandContext {
  const file = opts.config === undefined ? undefined : readConfigFile(opts.config);
  const layers: ConfigLayers = { env: io.env, flags: opts, ...(file !== undefined && { file }) };
  const level = resolveLogLevel(layers);
  const aws = resolveAwsSettings(layers);
  return {
    io,
    layers,
    aws,
    json: opts.json === true,
    palette: paletteFor(io.stdout, io.env, opts.color),
    log: createLogger(io.stderr, level),
  };
}

const SIDE_WORDS: Record<string, Side> = {
  source: "source",
  destination: "destination",
  dest: "destination",
};

/** `--side source|destination` (or `dest`); a policy flag of the other side is refused. */
export function resolveSide(opts: CommonOptions): Side {
  const raw = opts["side"];
  const side = raw === undefined ? "source" : SIDE_WORDS[String(raw).toLowerCase()];
  if (side === undefined) {
    throw new InvalidInputError("--side", raw, "source, or destination (dest for short)");
  }
  const other: Side = side === "source" ? "destination" : "source";
  const ours = new Set(fieldsFor(side).map((f) => f.flag));
  for (const field of fieldsFor(other)) {
    if (!ours.has(field.flag) && opts[field.attribute] !== undefined) {
      throw new InvalidInputError(
        field.flag,
        opts[field.attribute],
        `no ${field.flag} with --side ${side}: it is a setting of the ${other} side`,
      );
    }
  }
  return side;
}
