import { readFileSync } from "node:fs";
import { resolve } from "node:path";

import {
  ConfigError,
  destinationPolicyFrom,
  parseConfigDocument,
  sourcePolicyFrom,
  type ConfigDocument,
  type FieldOrigin,
  type PolicySide,
  type SettingLayers,
} from "@aurora-snapshot-tool/core";
import {
  DESTINATION_SETTINGS,
  FLEET_SETTINGS,
  MAX_DAYS,
  REGION_EXPECTED,
  RUN_SETTINGS,
  SOURCE_SETTINGS,
  fieldLabel,
  fileKeyOf,
  isRegionName,
  lookUpSetting,
  parseInteger,
  parseKmsKeyRef,
  parseLogLevel,
  parseRegion,
  settingsOf,
  type LookedUp,
} from "@aurora-snapshot-tool/core/settings";
import { parseSchedule, type Schedule } from "@aurora-snapshot-tool/core/doctor";

/*
 * The CLI's side of settings: it reads the --config file and hands the env vars, the file and the
 * flags to core, which resolves every policy setting through its registry. Only the run settings
 * the CLI alone has (credentials, endpoint, log level) are checked here.
 */

/** The property commander stores a flag's value under: `--retention-days` is `retentionDays`. */
export function attributeOf(flag: string): string {
  return flag.replace(/^--/, "").replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
}

const ALL_SPECS = [
  ...Object.values(SOURCE_SETTINGS),
  ...Object.values(DESTINATION_SETTINGS),
  ...Object.values(RUN_SETTINGS),
  ...Object.values(FLEET_SETTINGS),
];

function readConfigFile(path: string): ConfigDocument {
  const absolute = resolve(path);
  let text: string;
  try {
    text = readFileSync(absolute, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : (code ?? "unreadable");
    throw new ConfigError("--config", path, `the path of a readable JSON file (${why})`);
  }
  const file = parseConfigDocument(text, absolute);
  checkConfigFile(file);
  return file;
}

/*
 * Stand-ins for settings the destination section may leave to the env vars or flags, chosen so that
 * no rule tying a file value to them can fail: a region (DEST_REGION is required) and the longest
 * retention (copies are kept at least as long as sourceRetentionDays).
 */
const STAND_INS: Readonly<Record<string, string>> = {
  DEST_REGION: "us-east-1",
  RETENTION_DAYS: String(MAX_DAYS),
};

/*
 * KMS keys given one per DEST_REGION entry while the regions come from elsewhere: how they line up
 * is the destination commands' check; here each key (or None), and each region of the by-region
 * form, is checked on its own.
 */
function checkKeysAlone(origin: FieldOrigin, raw: unknown): void {
  if (typeof raw === "object" && raw !== null && !Array.isArray(raw)) {
    for (const [region, key] of Object.entries(raw)) {
      parseRegion(origin, region);
      parseKmsKeyRef(origin, key);
    }
    return;
  }
  const entries: unknown[] =
    typeof raw === "string" ? raw.split(",") : Array.isArray(raw) ? raw : [];
  for (const entry of entries) parseKmsKeyRef(origin, entry);
}

/*
 * A command reads one side's settings, but the file holds both: every value in it is checked with
 * the parsers of the side it belongs to, so that a mistake in the destination section fails the
 * next take (and one in the source section the next copy) rather than the other account's next run.
 * A value is judged as the file gives it, whatever an env var or a flag sets for this run.
 */
function checkConfigFile(file: ConfigDocument): void {
  const fileOnly = { file };
  resolveLogLevel(fileOnly);
  resolveSchedule(fileOnly);
  awsTexts(fileOnly);
  sourcePolicyFrom(fileOnly);

  const section = file.values["destination"];
  const destination: Record<string, unknown> = { ...(section as Record<string, unknown>) };
  const keys = destination["kmsKeyDestination"];
  if (keys !== undefined && destination["destinationRegions"] === undefined) {
    const name = fileKeyOf("destination", DESTINATION_SETTINGS.kmsKeyDestination);
    checkKeysAlone({ kind: "file", name, file: file.path }, keys);
    delete destination["kmsKeyDestination"];
  }
  destinationPolicyFrom({ env: STAND_INS, file: { path: file.path, values: { destination } } });
}

/** Env vars, the --config file (read and checked whole) and the flags, for core's resolution. */
export function readLayers(
  env: Readonly<Record<string, string | undefined>>,
  opts: Readonly<Record<string, unknown>>,
): SettingLayers {
  const flags: Record<string, unknown> = {};
  for (const spec of ALL_SPECS) flags[spec.flag] = opts[attributeOf(spec.flag)];
  const file = typeof opts["config"] === "string" ? readConfigFile(opts["config"]) : undefined;
  return { env, flags, ...(file !== undefined && { file }) };
}

/** The name a policy setting's value is given under now, for doctor's fixes. */
export function nameOf(layers: SettingLayers, side: PolicySide, key: string): string {
  const spec = settingsOf(side).find((s) => s.key === key);
  if (spec === undefined) return key;
  const { raw, origin } = lookUpSetting(layers, side, spec);
  return raw === undefined ? `${spec.env ?? spec.key} (${spec.flag})` : fieldLabel(origin);
}

/**
 * The retention in the other side's section of the config file (doctor compares the two);
 * undefined when the file does not say.
 */
export function otherSideRetention(
  layers: SettingLayers,
  side: PolicySide,
): { days: number; name: string } | undefined {
  if (layers.file === undefined) return undefined;
  const spec =
    side === "source" ? SOURCE_SETTINGS.retentionDays : DESTINATION_SETTINGS.retentionDays;
  const { raw, origin } = lookUpSetting({ file: layers.file }, side, spec);
  if (raw === undefined) return undefined;
  const days = parseInteger(origin, raw, { min: 1, max: MAX_DAYS, unit: "days" }, 0);
  return { days, name: origin.name };
}

export interface AwsSettings {
  readonly region: string;
  /** Named profile; applied through AWS_PROFILE before any client exists. */
  readonly profile?: string;
  /** An explicit endpoint; AWS_ENDPOINT_URL is left to the SDK, which reads it itself. */
  readonly endpoint?: string;
  /** Act in another account through STS AssumeRole. */
  readonly roleArn?: string;
  /** `--debug`: one line per AWS request and response, secrets left out. */
  readonly requestLog?: (line: string) => void;
}

const ROLE_ARN = /^arn:aws(?:-[a-z]+)*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
export const ROLE_ARN_EXPECTED = "an IAM role ARN such as arn:aws:iam::123456789012:role/name";
export const ENDPOINT_EXPECTED = "an http:// or https:// URL such as http://127.0.0.1:5000";

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === "http:" || url.protocol === "https:") && url.hostname !== "";
  } catch {
    return false;
  }
}

/** The trimmed text of a run setting, or undefined when not set; `ok` judges the text. */
function text(
  found: LookedUp,
  ok: (value: string) => boolean,
  expected: string,
): string | undefined {
  if (found.raw === undefined) return undefined;
  const value = typeof found.raw === "string" ? found.raw.trim() : undefined;
  if (value === undefined || !ok(value)) throw new ConfigError(found.origin, found.raw, expected);
  return value;
}

/** The AWS settings as the layers give them, each checked; the region may be missing. */
function awsTexts(layers: SettingLayers): Partial<AwsSettings> {
  const found = lookUpSetting(layers, undefined, RUN_SETTINGS.region);
  // A blank region (AWS_DEFAULT_REGION="", --region "") counts as not set.
  const blank = typeof found.raw === "string" && found.raw.trim() === "";
  const region = blank ? undefined : text(found, isRegionName, REGION_EXPECTED);
  const profile = text(
    lookUpSetting(layers, undefined, RUN_SETTINGS.profile),
    (v) => v !== "",
    "the name of a profile in ~/.aws/config or ~/.aws/credentials",
  );
  const endpoint = text(
    lookUpSetting(layers, undefined, RUN_SETTINGS.endpointUrl),
    isHttpUrl,
    ENDPOINT_EXPECTED,
  );
  const roleArn = text(
    lookUpSetting(layers, undefined, RUN_SETTINGS.roleArn),
    (v) => ROLE_ARN.test(v),
    ROLE_ARN_EXPECTED,
  );
  return {
    ...(region !== undefined && { region }),
    ...(profile !== undefined && { profile }),
    ...(endpoint !== undefined && { endpoint }),
    ...(roleArn !== undefined && { roleArn }),
  };
}

/** `sdkRegion`: what the SDK resolved from the profile, used when no layer names a region. */
export function resolveAwsSettings(layers: SettingLayers, sdkRegion?: string): AwsSettings {
  const { region: given, ...rest } = awsTexts(layers);
  const region = given ?? sdkRegion;
  if (region === undefined) {
    const profile = rest.profile ?? layers.env?.["AWS_PROFILE"] ?? "default";
    const alternatives =
      "--region, AWS_REGION, AWS_DEFAULT_REGION, region in the --config file, " +
      `or region in the [${profile === "default" ? "default" : `profile ${profile}`}] section of ~/.aws/config (AWS_CONFIG_FILE)`;
    throw new ConfigError(
      { kind: "flag", name: "--region", alternatives },
      undefined,
      REGION_EXPECTED,
    );
  }
  // The SDK reads AWS_ENDPOINT_URL on its own; a malformed one would only fail at the first call.
  const envEndpoint = layers.env?.["AWS_ENDPOINT_URL"];
  if (
    rest.endpoint === undefined &&
    envEndpoint !== undefined &&
    envEndpoint !== "" &&
    !isHttpUrl(envEndpoint)
  ) {
    throw new ConfigError(
      { kind: "env", name: "AWS_ENDPOINT_URL" },
      envEndpoint,
      ENDPOINT_EXPECTED,
    );
  }
  return { region, ...rest };
}

export type LogLevel = "debug" | "info" | "warn" | "error";

/** LOG_LEVEL as the original takes it (core's rules); the CLI's default is INFO (progress on stderr). */
export function resolveLogLevel(layers: SettingLayers): LogLevel {
  const { raw, origin } = lookUpSetting(layers, undefined, RUN_SETTINGS.logLevel);
  const level = parseLogLevel(origin, raw, "INFO");
  // stderr has no level above error: CRITICAL shows what ERROR shows.
  return level === "CRITICAL" ? "error" : (level.toLowerCase() as LogLevel);
}

/** The take schedule doctor checks against the interval: `--schedule` or the file's `schedule`. */
export function resolveSchedule(layers: SettingLayers): Schedule | undefined {
  const found = lookUpSetting(layers, undefined, RUN_SETTINGS.schedule);
  return found.raw === undefined ? undefined : parseSchedule(found.origin, String(found.raw));
}
