import {
  ConfigError,
  MAX_DAYS,
  REGION_EXPECTED,
  destinationPolicyFromObject,
  isRegionName,
  parseInteger,
  sourcePolicyFromObject,
  type DestinationPolicy,
  type DestinationPolicyInput,
  type SourcePolicy,
  type SourcePolicyInput,
  parseSchedule,
  type Schedule,
} from "@aurora-snapshot-tool/core";

import { InvalidInputError } from "../errors.js";
import type { ConfigFile } from "./config-file.js";
import { allNames, fieldsFor, fileKey, type PolicyField, type Side } from "./fields.js";

/**
 * Where settings come from, lowest precedence first: core's defaults, the original Lambda env
 * vars, the `--config` file, then flags. Each value keeps the name it was given under, so an error
 * names the env var, the config key or the flag the user actually wrote.
 */
export interface ConfigLayers {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly file?: ConfigFile;
  /** Flag values by commander attribute; a flag the user did not give is undefined. */
  readonly flags: Readonly<Record<string, unknown>>;
}

interface Named {
  readonly value: unknown;
  readonly field: string;
  readonly origin?: string;
}

function pick(
  layers: ConfigLayers,
  flag: { attribute: string; name: string } | undefined,
  fileKeyPath: readonly string[] | undefined,
  envNames: readonly string[],
): Named | undefined {
  if (flag !== undefined && layers.flags[flag.attribute] !== undefined) {
    return { value: layers.flags[flag.attribute], field: flag.name };
  }
  if (fileKeyPath !== undefined && layers.file !== undefined) {
    let node: unknown = layers.file;
    for (const key of fileKeyPath) {
      node =
        typeof node === "object" && node !== null
          ? (node as Record<string, unknown>)[key]
          : undefined;
    }
    if (node !== undefined) {
      return { value: node, field: fileKeyPath.join("."), origin: layers.file.path };
    }
  }
  for (const env of envNames) {
    if (layers.env[env] !== undefined) return { value: layers.env[env], field: env };
  }
  return undefined;
}

function pickField(layers: ConfigLayers, f: PolicyField): Named | undefined {
  return pick(layers, { attribute: f.attribute, name: f.flag }, [f.side, f.key], [f.env]);
}

/**
 * Builds a policy with core's parser from the merged values, then renames the field of a
 * ConfigError from core's object key to the name the value was given under.
 */
function buildPolicy<P>(
  side: Side,
  layers: ConfigLayers,
  build: (input: Record<string, unknown>) => P,
): P {
  const fields = fieldsFor(side);
  const input: Record<string, unknown> = {};
  const names = new Map<string, Named>();
  for (const f of fields) {
    const named = pickField(layers, f);
    if (named === undefined) continue;
    input[f.key] = named.value;
    names.set(f.key, named);
  }
  try {
    return build(input);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const named = names.get(error.field);
    if (named !== undefined) {
      throw InvalidInputError.from(error, named.field, named.origin);
    }
    const field = fields.find((f) => f.key === error.field);
    if (field !== undefined) {
      throw new InvalidInputError(
        field.flag,
        error.value,
        error.expected,
        undefined,
        `set it with ${allNames(field)}`,
      );
    }
    throw InvalidInputError.from(error);
  }
}

export function resolveSourcePolicy(layers: ConfigLayers): SourcePolicy {
  return buildPolicy("source", layers, (input) =>
    sourcePolicyFromObject(input as SourcePolicyInput),
  );
}

export function resolveDestinationPolicy(layers: ConfigLayers): DestinationPolicy {
  return buildPolicy("destination", layers, (input) =>
    destinationPolicyFromObject(input as unknown as DestinationPolicyInput),
  );
}

/** The name a policy field's current value was given under, for messages and doctor's fixes. */
export function nameOf(layers: ConfigLayers, side: Side, key: string): string {
  const f = fieldsFor(side).find((field) => field.key === key);
  if (f === undefined) return key;
  return pickField(layers, f)?.field ?? `${f.env} (${f.flag})`;
}

/**
 * A whole number from the other side's section of the config file (doctor compares the two
 * retentions); undefined when the file does not say.
 */
export function otherSideInteger(
  layers: ConfigLayers,
  side: Side,
  key: string,
): { days: number; name: string } | undefined {
  const section = side === "source" ? layers.file?.source : layers.file?.destination;
  const raw = section?.[key];
  if (raw === undefined || layers.file === undefined) return undefined;
  const name = fileKey({ side, key });
  try {
    return { days: parseInteger(name, raw, { min: 1, max: MAX_DAYS, unit: "days" }, 0), name };
  } catch (error) {
    if (error instanceof ConfigError) throw InvalidInputError.from(error, name, layers.file.path);
    throw error;
  }
}

export interface AwsSettings {
  readonly region: string;
  /** Named profile; applied through AWS_PROFILE before any client exists. */
  readonly profile?: string;
  /** An explicit endpoint; AWS_ENDPOINT_URL is left to the SDK, which reads it itself. */
  readonly endpoint?: string;
  /** Act in another account through STS AssumeRole. */
  readonly roleArn?: string;
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

function fail(named: Named, expected: string): never {
  throw new InvalidInputError(named.field, named.value, expected, named.origin);
}

export function resolveAwsSettings(layers: ConfigLayers): AwsSettings {
  const region = pick(
    layers,
    { attribute: "region", name: "--region" },
    ["region"],
    ["AWS_REGION", "AWS_DEFAULT_REGION"],
  );
  if (region === undefined || region.value === "") {
    throw new InvalidInputError(
      "--region",
      undefined,
      REGION_EXPECTED,
      undefined,
      "or set AWS_REGION, AWS_DEFAULT_REGION, or region in the --config file",
    );
  }
  if (typeof region.value !== "string" || !isRegionName(region.value.trim())) {
    fail(region, REGION_EXPECTED);
  }

  const profile = pick(layers, { attribute: "profile", name: "--profile" }, ["profile"], []);
  if (profile !== undefined && (typeof profile.value !== "string" || profile.value.trim() === "")) {
    fail(profile, "the name of a profile in ~/.aws/config or ~/.aws/credentials");
  }

  const endpoint = pick(
    layers,
    { attribute: "endpointUrl", name: "--endpoint-url" },
    ["endpointUrl"],
    [],
  );
  if (
    endpoint !== undefined &&
    (typeof endpoint.value !== "string" || !isHttpUrl(endpoint.value))
  ) {
    fail(endpoint, ENDPOINT_EXPECTED);
  }
  // The SDK reads AWS_ENDPOINT_URL on its own; a malformed one would only fail at the first call.
  const envEndpoint = layers.env["AWS_ENDPOINT_URL"];
  if (
    endpoint === undefined &&
    envEndpoint !== undefined &&
    envEndpoint !== "" &&
    !isHttpUrl(envEndpoint)
  ) {
    fail({ field: "AWS_ENDPOINT_URL", value: envEndpoint }, ENDPOINT_EXPECTED);
  }

  const roleArn = pick(layers, { attribute: "roleArn", name: "--role-arn" }, ["roleArn"], []);
  if (
    roleArn !== undefined &&
    (typeof roleArn.value !== "string" || !ROLE_ARN.test(roleArn.value.trim()))
  ) {
    fail(roleArn, ROLE_ARN_EXPECTED);
  }

  return {
    region: (region.value as string).trim(),
    ...(profile !== undefined && { profile: (profile.value as string).trim() }),
    ...(endpoint !== undefined && { endpoint: (endpoint.value as string).trim() }),
    ...(roleArn !== undefined && { roleArn: (roleArn.value as string).trim() }),
  };
}

export type LogLevel = "debug" | "info" | "warn" | "error";

const LOG_LEVELS: Record<string, LogLevel> = {
  DEBUG: "debug",
  INFO: "info",
  WARN: "warn",
  WARNING: "warn",
  ERROR: "error",
  // Python's level names, which the original's LOG_LEVEL accepted.
  CRITICAL: "error",
};
export const LOG_LEVEL_EXPECTED = "DEBUG, INFO, WARN (or WARNING), ERROR or CRITICAL, in any case";

/** LOG_LEVEL as the original takes it; the CLI's default is INFO (progress on stderr). */
export function resolveLogLevel(layers: ConfigLayers): LogLevel {
  const named = pick(
    layers,
    { attribute: "logLevel", name: "--log-level" },
    ["logLevel"],
    ["LOG_LEVEL"],
  );
  if (named === undefined) return "info";
  const level =
    typeof named.value === "string" ? LOG_LEVELS[named.value.trim().toUpperCase()] : undefined;
  if (level === undefined) fail(named, LOG_LEVEL_EXPECTED);
  return level;
}

/** The take schedule doctor checks against the interval: `--schedule` or the file's `schedule`. */
export function resolveSchedule(layers: ConfigLayers): Schedule | undefined {
  const named = pick(layers, { attribute: "schedule", name: "--schedule" }, ["schedule"], []);
  if (named === undefined) return undefined;
  try {
    return parseSchedule(named.field, String(named.value));
  } catch (error) {
    if (error instanceof ConfigError)
      throw InvalidInputError.from(error, named.field, named.origin);
    throw error;
  }
}
