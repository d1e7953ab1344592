import { ConfigError, type PolicySide, type SettingLayers } from "@aurora-snapshot-tool/core";
import { Option } from "commander";
import {
  FLEET_SETTINGS,
  RUN_SETTINGS,
  settingsOf,
  type SettingSpec,
} from "@aurora-snapshot-tool/core/settings";
import type { Command } from "commander";

import {
  attributeOf,
  readLayers,
  resolveAwsSettings,
  resolveLogLevel,
  type AwsSettings,
} from "../config/resolve.js";
import type { CliIo } from "../io.js";
import { paletteFor, type Palette } from "../output/color.js";
import { createLogger, type Logger } from "../output/logger.js";

/* Every setting's flag and help come from core's registry; only the CLI's own switches are here. */

/** `(default 7)`; a default that is already a remark, such as `(required)`, as it stands. */
function defaultOf(spec: SettingSpec): string {
  return /^\(.*\)$/.test(spec.defaultText) ? spec.defaultText : `(default ${spec.defaultText})`;
}

function optionHelp(spec: SettingSpec, keys: string): string {
  const env = [spec.env, ...(spec.alsoEnv ?? [])].filter((e) => e !== undefined);
  const names = [env.length > 0 ? `env ${env.join(", then ")}` : undefined, `config ${keys}`];
  return `${spec.help} ${defaultOf(spec)}; ${names.filter(Boolean).join("; ")}`;
}

function addSetting(cmd: Command, spec: SettingSpec, keys: string, help = optionHelp(spec, keys)) {
  cmd.option(`${spec.flag} <${spec.valueName}>`, help);
}

/** Options every command takes. */
export function addCommonOptions(cmd: Command): Command {
  cmd.option(
    "--config <file>",
    "JSON settings file (schema: config.schema.json): run settings at the top level, " +
      '"source" and "destination" sections; overrides env vars, flags override it',
  );
  for (const key of ["region", "profile", "endpointUrl", "roleArn", "logLevel"] as const) {
    addSetting(cmd, RUN_SETTINGS[key], key);
  }
  return cmd
    .addOption(
      new Option(
        "--output <format>",
        "json: one JSON document; table: for people (default); text: tab-separated fields, one record per line, no header, for scripts",
      ).choices(OUTPUT_FORMATS),
    )
    .option("--json", "same as --output json")
    .option(
      "--debug",
      "log every AWS request (service, operation, region, endpoint) and its response (HTTP status, request id, duration) on stderr, secrets left out; implies --log-level DEBUG",
    )
    .option(
      "--no-color",
      "no colour, even on a terminal (colour is also off when NO_COLOR is set)",
    );
}

/** Fleet mode's flags (--targets, --organizational-units, ...), help from the registry. */
export function addFleetOptions(cmd: Command): Command {
  for (const spec of Object.values(FLEET_SETTINGS)) addSetting(cmd, spec, spec.key);
  return cmd;
}

/** The policy flags of the given sides; a flag both sides read (--retention-days) appears once. */
export function addPolicyOptions(cmd: Command, sides: readonly PolicySide[]): Command {
  const seen = new Set<string>();
  for (const spec of sides.flatMap((side) => settingsOf(side))) {
    if (seen.has(spec.flag)) continue;
    seen.add(spec.flag);
    const same = sides.flatMap((side) =>
      settingsOf(side)
        .filter((s) => s.flag === spec.flag)
        .map((s) => ({ side, spec: s })),
    );
    const keys = same.map(({ side, spec: s }) => `${side}.${s.key}`).join(" / ");
    const texts = [...new Set(same.map(({ spec: s }) => s.help))];
    const help =
      same.length > 1
        ? (texts.length === 1
            ? (texts[0] ?? "")
            : same.map(({ side, spec: s }) => `[${side}] ${s.help}`).join("; ")) +
          ` ${defaultOf(spec)}; env ${spec.env ?? "-"}; config ${keys}`
        : sides.length > 1
          ? `[${same[0]?.side}] ${optionHelp(spec, keys)}`
          : optionHelp(spec, keys);
    addSetting(cmd, spec, keys, help);
  }
  return cmd;
}

export const OUTPUT_FORMATS = ["json", "table", "text"] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface CommonOptions {
  readonly config?: string;
  readonly json?: boolean;
  readonly output?: OutputFormat;
  readonly debug?: boolean;
  readonly color: boolean;
  readonly [flag: string]: unknown;
}

/** What every command works from, all validated before any AWS call. */
export interface CommandContext {
  readonly io: CliIo;
  readonly layers: SettingLayers;
  readonly aws: AwsSettings;
  readonly json: boolean;
  /** For stdout (the result). */
  readonly palette: Palette;
  readonly log: Logger;
}

export function prepareContext(io: CliIo, opts: CommonOptions): CommandContext {
  const layers = readLayers(io.env, opts);
  const level = opts.debug === true ? "debug" : resolveLogLevel(layers);
  const aws = {
    ...resolveAwsSettings(layers, io.resolved?.region),
    ...(opts.debug === true && {
      requestLog: (line: string) => io.stderr.write(`debug: ${line}\n`),
    }),
  };
  if (opts.json === true && opts.output !== undefined && opts.output !== "json") {
    throw new ConfigError("--output", opts.output, "json with --json (--json is --output json)");
  }
  return {
    io,
    layers,
    aws,
    // `text` is rendered from the JSON document (see output/text-output.ts).
    json: opts.json === true || opts.output === "json" || opts.output === "text",
    palette: paletteFor(io.stdout, io.env, opts.color),
    log: createLogger(io.stderr, level),
  };
}

/**
 * The CLI's retry policy, as the steps' `execute` option: core's, or the one a test injected
 * through CliIo, without retrying connection failures, so a dead endpoint is reported at once.
 */
export function executeRetryOf(ctx: CommandContext): {
  execute: { retry: NonNullable<CliIo["retry"]> };
} {
  return { execute: { retry: cliRetryOf(ctx.io) } };
}

export function cliRetryOf(io: CliIo): NonNullable<CliIo["retry"]> {
  return { ...io.retry, retryConnectionErrors: false };
}

const SIDE_WORDS: Record<string, PolicySide> = {
  source: "source",
  destination: "destination",
  dest: "destination",
};

/** `--side source|destination` (or `dest`); a policy flag of the other side is refused. */
export function resolveSide(opts: CommonOptions): PolicySide {
  const raw = opts["side"];
  const side = raw === undefined ? "source" : SIDE_WORDS[String(raw).toLowerCase()];
  if (side === undefined) {
    throw new ConfigError("--side", raw, "source, or destination (dest for short)");
  }
  const other: PolicySide = side === "source" ? "destination" : "source";
  const ours = new Set(settingsOf(side).map((s) => s.flag));
  for (const spec of settingsOf(other)) {
    const value = opts[attributeOf(spec.flag)];
    if (!ours.has(spec.flag) && value !== undefined) {
      throw new ConfigError(
        spec.flag,
        value,
        `no ${spec.flag} with --side ${side}: it is a setting of the ${other} side`,
      );
    }
  }
  return side;
}
