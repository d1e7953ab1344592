import type { FieldOrigin } from "@aurora-snapshot-tool/core";
import type { SettingInEffect } from "@aurora-snapshot-tool/core/settings";

import type { Palette } from "./color.js";

/** One setting in `--json`: where its value came from, named the way the user wrote it. */
export interface SettingJson {
  readonly key: string;
  readonly env: string | null;
  readonly value: unknown;
  readonly origin: {
    readonly kind: "flag" | "file" | "env";
    readonly name: string;
    readonly path?: string;
  };
}

/** What the settings of a run were, for the JSON documents and the table's block. */
export interface SettingsSeen {
  readonly settings: readonly SettingJson[];
  /** One sentence per unprefixed env var that was read (also on stderr). */
  readonly warnings: readonly string[];
}

export const NO_SETTINGS: SettingsSeen = { settings: [], warnings: [] };

function originJson(origin: FieldOrigin): SettingJson["origin"] {
  // The CLI's layers are flags, the --config file and env vars; an object key does not occur here.
  const kind = origin.kind === "object" ? "flag" : origin.kind;
  return { kind, name: origin.name, ...(origin.file !== undefined && { path: origin.file }) };
}

export function settingJson(setting: SettingInEffect): SettingJson {
  return {
    key: setting.key,
    env: setting.env ?? null,
    value: setting.value,
    origin: originJson(setting.origin),
  };
}

/** `flag --pattern`, `env PATTERN`, `file /etc/tool.json: source.retentionDays`. */
export function originText(origin: SettingJson["origin"]): string {
  return origin.kind === "file"
    ? `file ${origin.path ?? "--config"}: ${origin.name}`
    : `${origin.kind} ${origin.name}`;
}

function valueText(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/**
 * The policy env vars are the Lambda's, without a prefix: a `PATTERN` or `INTERVAL` exported for
 * something else would silently change what the CLI selects. They are still read (scripts written
 * for the Lambda's variables keep working), but never without saying so.
 */
export function unprefixedEnvWarning(setting: SettingInEffect): string {
  const name = setting.origin.name;
  return (
    `${name}=${valueText(setting.value)} was read from the environment (the Lambda's name for ` +
    `${setting.key}); to silence this, give ${setting.flag} or ${setting.key} in the --config ` +
    `file instead, or unset ${name}`
  );
}

/** A short block under a table: each setting not left to its default, and where it came from. */
export function settingsBlock(seen: SettingsSeen, palette: Palette): string {
  if (seen.settings.length === 0) return "";
  const keyWidth = Math.max(...seen.settings.map((s) => s.key.length));
  const values = seen.settings.map((s) => valueText(s.value));
  const valueWidth = Math.max(...values.map((v) => v.length));
  const lines = seen.settings.map(
    (s, i) =>
      `  ${s.key.padEnd(keyWidth)}  ${(values[i] ?? "").padEnd(valueWidth)}  ${palette.dim(originText(s.origin))}`,
  );
  return `\nSettings (not defaults):\n${lines.join("\n")}\n`;
}
