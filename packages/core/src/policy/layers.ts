import type { FieldOrigin } from "./config-error.js";
import { fileKeyOf, type PolicySide, type SettingSpec } from "./registry.js";

/**
 * Where settings come from, lowest precedence first: the defaults, env vars, a config file, then
 * flags. Each value keeps the name it was given under, so an error names the env var, the config
 * key (with the file's path) or the flag the user actually wrote. A layer that is absent is skipped.
 */
export interface SettingLayers {
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly file?: ConfigDocument;
  /** Flag values keyed by the flag (`--retention-days`); a flag not given is undefined. */
  readonly flags?: Readonly<Record<string, unknown>>;
  /** One fleet target's overrides, above every other layer (see checkOverrides). */
  readonly overrides?: SettingOverrides;
}

/**
 * Policy settings one target of a fleet sets for itself: flat setting keys (`retentionDays`),
 * whichever side's step runs. `field` names them in messages (`targets[3].overrides`).
 */
export interface SettingOverrides {
  readonly field: string;
  /** The targets document's path or URI, when it came from one. */
  readonly file?: string;
  readonly values: Readonly<Record<string, unknown>>;
}

/** A config file already read and checked (see parseConfigDocument). */
export interface ConfigDocument {
  /** The path, named in messages about the file's values. */
  readonly path: string;
  readonly values: Readonly<Record<string, unknown>>;
}

/** A setting's raw value and where it came from; `raw` undefined when no layer sets it. */
export interface LookedUp {
  readonly raw: unknown;
  readonly origin: FieldOrigin;
}

function fileValue(file: ConfigDocument, side: PolicySide | undefined, spec: SettingSpec): unknown {
  if (side === undefined) return file.values[spec.key];
  const section = file.values[side];
  return typeof section === "object" && section !== null
    ? (section as Record<string, unknown>)[spec.key]
    : undefined;
}

function envNames(spec: SettingSpec): string[] {
  return spec.env === undefined ? [] : [spec.env, ...(spec.alsoEnv ?? [])];
}

/** Every way the layers in use let the user give the setting, for "not set" messages. */
function alternatives(layers: SettingLayers, side: PolicySide | undefined, spec: SettingSpec) {
  const ways: string[] = [];
  if (layers.flags !== undefined) ways.push(spec.flag);
  if (layers.env !== undefined) ways.push(...envNames(spec).map((e) => `the env var ${e}`));
  if (layers.flags !== undefined || layers.file !== undefined) {
    ways.push(`${fileKeyOf(side, spec)} in the --config file`);
  }
  return ways.length > 1 ? ways.join(", ") : undefined;
}

/**
 * The value in effect for one setting: the highest layer that sets it wins, and a value a higher
 * layer overrides is never judged. When nothing sets it, the origin names the highest layer in use
 * (and, when there are several, every way to set it).
 */
export function lookUpSetting(
  layers: SettingLayers,
  side: PolicySide | undefined,
  spec: SettingSpec,
): LookedUp {
  const override = layers.overrides?.values[spec.key];
  if (override !== undefined && layers.overrides !== undefined) {
    const { field, file } = layers.overrides;
    const name = `${field}.${spec.key}`;
    return {
      raw: override,
      origin: file === undefined ? { kind: "object", name } : { kind: "file", name, file },
    };
  }
  const flag = layers.flags?.[spec.flag];
  if (flag !== undefined) return { raw: flag, origin: { kind: "flag", name: spec.flag } };
  if (layers.file !== undefined) {
    const raw = fileValue(layers.file, side, spec);
    if (raw !== undefined) {
      const name = fileKeyOf(side, spec);
      return { raw, origin: { kind: "file", name, file: layers.file.path } };
    }
  }
  const names = envNames(spec);
  for (const [i, env] of names.entries()) {
    const raw = layers.env?.[env];
    // In a chain (AWS_REGION, then AWS_DEFAULT_REGION) a blank variable does not hide the next.
    const blankInChain = raw !== undefined && raw.trim() === "" && i < names.length - 1;
    if (raw !== undefined && !blankInChain) return { raw, origin: { kind: "env", name: env } };
  }
  const ways = alternatives(layers, side, spec);
  const origin: FieldOrigin =
    layers.flags !== undefined || spec.env === undefined
      ? { kind: "flag", name: spec.flag }
      : { kind: "env", name: spec.env };
  return {
    raw: undefined,
    origin: ways === undefined ? origin : { ...origin, alternatives: ways },
  };
}
