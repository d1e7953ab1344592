import { ConfigError, type FieldRef } from "./config-error.js";
import type { ConfigDocument } from "./layers.js";
import {
  FLEET_SETTINGS,
  RUN_SETTINGS,
  fileKeyOf,
  settingsOf,
  type PolicySide,
  type SettingShape,
  type SettingSpec,
} from "./registry.js";

/*
 * The config file: one JSON object with the run settings at the top level and the policy settings
 * of each side in a `source` and a `destination` section, keyed as the policy inputs are. Its
 * keys and JSON types come from the registry; what each value means is checked by the policy
 * parsers when a policy is built, naming the key and the file the same way.
 */

const SIDES: readonly PolicySide[] = ["source", "destination"];

/** The file's top-level keys besides the sections: the run's settings and the fleet's. */
const TOP_LEVEL: readonly SettingSpec[] = [
  ...Object.values(RUN_SETTINGS),
  ...Object.values(FLEET_SETTINGS),
];

const SHAPE_TEXT: Record<SettingShape, string> = {
  string: "a string",
  integer: "a whole number (or a string of digits)",
  boolean: "true or false (or the strings TRUE / FALSE)",
  list: "a string (comma-separated) or an array of strings",
  keys: "a string (comma-separated), an array of strings, or an object of strings keyed by region",
  tags: 'a string ("k=v,k2=v2") or an array of { "key": ..., "value": ... } objects',
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const isString = (v: unknown): boolean => typeof v === "string";

function fits(shape: SettingShape, value: unknown): boolean {
  switch (shape) {
    case "string":
      return isString(value);
    case "integer":
      return typeof value === "number" || isString(value);
    case "boolean":
      return typeof value === "boolean" || isString(value);
    case "list":
      return isString(value) || (Array.isArray(value) && value.every(isString));
    case "keys":
      return fits("list", value) || (isRecord(value) && Object.values(value).every(isString));
    case "tags":
      return (
        isString(value) ||
        (Array.isArray(value) &&
          value.every(
            (v) =>
              isString(v) ||
              (isRecord(v) &&
                isString(v["key"]) &&
                isString(v["value"]) &&
                Object.keys(v).length === 2),
          ))
      );
  }
}

function checkSection(
  record: Record<string, unknown>,
  specs: readonly SettingSpec[],
  side: PolicySide | undefined,
  path: string,
): void {
  const known = specs.map((s) => s.key);
  const allowed = side === undefined ? [...known, ...SIDES] : known;
  for (const [key, value] of Object.entries(record)) {
    // An editor's pointer at config.schema.json; not a setting.
    if (side === undefined && key === "$schema" && isString(value)) continue;
    const name = side === undefined ? key : `${side}.${key}`;
    const where: FieldRef = { kind: "file", name, file: path };
    const spec = specs.find((s) => s.key === key);
    if (side === undefined && (SIDES as readonly string[]).includes(key)) {
      if (!isRecord(value)) throw new ConfigError(where, value, "an object");
      checkSection(value, settingsOf(key as PolicySide), key as PolicySide, path);
    } else if (spec === undefined) {
      throw new ConfigError(where, value, `one of the keys ${allowed.join(", ")}`);
    } else if (!fits(spec.shape, value)) {
      throw new ConfigError(where, value, SHAPE_TEXT[spec.shape]);
    }
  }
}

/**
 * Checks a fleet target's overrides: an object of policy setting keys of either side
 * (`retentionDays`, `destinationAccount`, ...), each of its JSON type. What a value means is
 * checked when the target's policy is built, naming `field.key`.
 */
export function checkOverrides(
  value: unknown,
  field: string,
  file?: string,
): Record<string, unknown> {
  const where: FieldRef =
    file === undefined ? { kind: "object", name: field } : { kind: "file", name: field, file };
  if (!isRecord(value)) throw new ConfigError(where, value, "an object of policy settings");
  const specs = [...settingsOf("source"), ...settingsOf("destination")];
  const overridable = [...new Set(specs.map((s) => s.key))]
    .filter((k) => !NOT_OVERRIDABLE.has(k))
    .sort();
  for (const [key, v] of Object.entries(value)) {
    const name = `${field}.${key}`;
    const at: FieldRef =
      file === undefined ? { kind: "object", name } : { kind: "file", name, file };
    const spec = specs.find((s) => s.key === key);
    if (spec === undefined || NOT_OVERRIDABLE.has(key)) {
      throw new ConfigError(at, v, `one of the keys ${overridable.join(", ")}`);
    }
    if (!fits(spec.shape, v)) throw new ConfigError(at, v, SHAPE_TEXT[spec.shape]);
  }
  return value;
}

/**
 * Settings no target may set for itself: the deployment's name and snapshot prefix decide which
 * snapshots are its own (a target given another deployment's prefix would prune that
 * deployment's snapshots), and a target's region is its own, not REGION_OVERRIDE's.
 */
export const NOT_OVERRIDABLE: ReadonlySet<string> = new Set([
  "deploymentName",
  "snapshotNamePrefix",
  "regionOverride",
]);

/** The schema of a fleet target's overrides: every policy setting key of either side. */
export function overridesJsonSchema(): Record<string, unknown> {
  const specs = new Map<string, SettingSpec>();
  for (const spec of [...settingsOf("source"), ...settingsOf("destination")]) {
    if (!specs.has(spec.key) && !NOT_OVERRIDABLE.has(spec.key)) specs.set(spec.key, spec);
  }
  return {
    type: "object",
    description:
      "Policy settings for this target only, above every other source (flat keys of either side).",
    properties: Object.fromEntries(
      [...specs.values()].map((spec) => [
        spec.key,
        { description: `${spec.help}.`, ...SHAPE_SCHEMA[spec.shape] },
      ]),
    ),
    additionalProperties: false,
  };
}

/**
 * Parses and checks a config file's text. Unknown keys and values of the wrong JSON type are
 * refused here (a misspelt `retentionDay` would otherwise fall back to the default without a word).
 * `fileField` names the setting that gave the path (the CLI's `--config`).
 */
export function parseConfigDocument(
  text: string,
  path: string,
  fileField: FieldRef = "--config",
): ConfigDocument {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(
      fileField,
      path,
      `a file holding one JSON object (${(error as Error).message})`,
    );
  }
  if (!isRecord(parsed)) throw new ConfigError(fileField, path, "a file holding one JSON object");
  checkSection(parsed, TOP_LEVEL, undefined, path);
  return Object.freeze({ path, values: parsed });
}

const SHAPE_SCHEMA: Record<SettingShape, object> = {
  string: { type: "string" },
  integer: { anyOf: [{ type: "integer" }, { type: "string", pattern: "^\\s*[+-]?\\d+\\s*$" }] },
  boolean: { anyOf: [{ type: "boolean" }, { type: "string" }] },
  list: { anyOf: [{ type: "string" }, { type: "array", items: { type: "string" } }] },
  keys: {
    anyOf: [
      { type: "string" },
      { type: "array", items: { type: "string" } },
      { type: "object", additionalProperties: { type: "string" } },
    ],
  },
  tags: {
    anyOf: [
      { type: "string" },
      {
        type: "array",
        items: {
          anyOf: [
            { type: "string" },
            {
              type: "object",
              properties: { key: { type: "string" }, value: { type: "string" } },
              required: ["key", "value"],
              additionalProperties: false,
            },
          ],
        },
      },
    ],
  },
};

function describe(side: PolicySide | undefined, spec: SettingSpec): string {
  const names = [spec.env === undefined ? undefined : `env ${spec.env}`, `flag ${spec.flag}`]
    .filter((n) => n !== undefined)
    .join(", ");
  return `${spec.help}. Default: ${spec.defaultText}. Same as ${names}; ${fileKeyOf(side, spec)}.`;
}

function properties(side: PolicySide | undefined, specs: readonly SettingSpec[]) {
  return Object.fromEntries(
    specs.map((spec) => [
      spec.key,
      { description: describe(side, spec), ...SHAPE_SCHEMA[spec.shape] },
    ]),
  );
}

/** The JSON Schema (draft 2020-12) of the config file, for editors; generated from the registry. */
export function configJsonSchema(): Record<string, unknown> {
  const section = (side: PolicySide, title: string) => ({
    type: "object",
    description: title,
    properties: properties(side, settingsOf(side)),
    additionalProperties: false,
  });
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    title: "aurora-snapshot-tool --config file",
    description:
      "Settings of both sides in one file. Precedence, lowest first: defaults, env vars, this file, flags.",
    type: "object",
    properties: {
      $schema: { description: "This schema, for editors.", type: "string" },
      ...properties(undefined, TOP_LEVEL),
      source: section("source", "Settings of the source-account steps: take, share, prune."),
      destination: section(
        "destination",
        "Settings of the destination-account steps: copy, prune-dest.",
      ),
    },
    additionalProperties: false,
  };
}
