import type { FieldOrigin } from "./config-error.js";
import { lookUpSetting, type SettingLayers } from "./layers.js";
import { fileKeyOf, settingsOf, type PolicySide } from "./registry.js";

/** One policy setting that a layer sets (not left to its default), and who set it. */
export interface SettingInEffect {
  /** The config file's name for it: `source.clusterPattern`. */
  readonly key: string;
  /** The Lambda env var that carries it (`PATTERN`), whatever layer set it this time. */
  readonly env: string | undefined;
  /** The command-line flag that sets it (`--pattern`). */
  readonly flag: string;
  /** The value as the winning layer gives it: text from a flag or env var, JSON from a file. */
  readonly value: unknown;
  /** The flag, the config file key (with the file's path) or the env var it was read from. */
  readonly origin: FieldOrigin;
}

/**
 * The settings of one side that the layers set, in the registry's order, each with the layer that
 * won: what a run would do differently from the defaults, and why. Pure: it reads only the layers.
 * The values are not judged here; the policy parsers do that (and name the same origin).
 */
export function settingsInEffect(layers: SettingLayers, side: PolicySide): SettingInEffect[] {
  const found: SettingInEffect[] = [];
  for (const spec of settingsOf(side)) {
    const { raw, origin } = lookUpSetting(layers, side, spec);
    if (raw === undefined) continue;
    found.push({ key: fileKeyOf(side, spec), env: spec.env, flag: spec.flag, value: raw, origin });
  }
  return found;
}
