import { checkOverrides, overridesJsonSchema } from "../policy/config-document.js";
import { ConfigError, type FieldRef } from "../policy/config-error.js";
import { checkTarget, type StepTarget } from "../orchestration/target.js";

/** One target of a fleet: where a step runs, and the policy settings it sets for itself. */
export interface FleetTarget extends StepTarget {
  readonly account: string;
  /** Flat policy setting keys of either side (`retentionDays`), above every other layer. */
  readonly overrides?: Readonly<Record<string, unknown>>;
}

/** The most targets one document may hold: 10,000 accounts (Organizations' limit) × 10 regions. */
export const MAX_TARGETS = 100_000;

const TARGET_KEYS = ["account", "region", "roleArn", "externalId", "overrides"] as const;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Defaults a document's targets take when they do not say. */
export interface TargetDefaults {
  /** sts:ExternalId for targets with a role and none of their own (FLEET_EXTERNAL_ID). */
  readonly externalId?: string;
}

/**
 * Parses and checks a targets document: a JSON list of targets, or an object whose `targets` is
 * that list (`$schema` allowed beside it). Each target is `{account, region, roleArn?,
 * externalId?, overrides?}`, checked as {@link checkTarget} checks one, with its overrides'
 * keys and types checked against the settings registry. Unknown keys, a target listed twice
 * (the same account and region) and an empty list are refused, naming `targets[i].field` and
 * `where` (the file or URI it came from). Nothing is read from AWS.
 */
export function parseTargetsDocument(
  text: string,
  where: string,
  field: FieldRef = "--targets",
  defaults: TargetDefaults = {},
): FleetTarget[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(field, where, `a JSON targets document (${(error as Error).message})`);
  }
  return checkTargets(parsed, where, field, defaults);
}

/** {@link parseTargetsDocument} for a document already parsed (an event's or a test's). */
export function checkTargets(
  parsed: unknown,
  where: string,
  field: FieldRef = "--targets",
  defaults: TargetDefaults = {},
): FleetTarget[] {
  const at = (name: string): FieldRef => ({ kind: "file", name, file: where });
  let list: unknown = parsed;
  if (isRecord(parsed)) {
    for (const key of Object.keys(parsed)) {
      if (key !== "targets" && key !== "$schema") {
        throw new ConfigError(at(key), parsed[key], "only the keys targets and $schema");
      }
    }
    list = parsed["targets"];
  }
  if (!Array.isArray(list)) {
    throw new ConfigError(field, where, "a JSON list of targets, or an object with a targets list");
  }
  if (list.length === 0) throw new ConfigError(at("targets"), list, "at least one target");
  if (list.length > MAX_TARGETS) {
    throw new ConfigError(at("targets"), `${list.length} targets`, `at most ${MAX_TARGETS}`);
  }
  const seen = new Map<string, number>();
  return list.map((item: unknown, i) => {
    const name = `targets[${i}]`;
    if (!isRecord(item)) throw new ConfigError(at(name), item, "an object {account, region, ...}");
    for (const key of Object.keys(item)) {
      if (!(TARGET_KEYS as readonly string[]).includes(key)) {
        throw new ConfigError(
          at(`${name}.${key}`),
          item[key],
          `one of the keys ${TARGET_KEYS.join(", ")}`,
        );
      }
    }
    for (const key of ["account", "region", "roleArn", "externalId"] as const) {
      const value = item[key];
      if (value !== undefined && typeof value !== "string") {
        // An account id as a JSON number loses its leading zeros: refused, not guessed.
        throw new ConfigError(at(`${name}.${key}`), value, "a string");
      }
    }
    if (item["account"] === undefined)
      throw new ConfigError(at(`${name}.account`), undefined, "a 12-digit AWS account id");
    if (item["region"] === undefined)
      throw new ConfigError(at(`${name}.region`), undefined, "an AWS region such as eu-west-1");
    const roleArn = item["roleArn"] as string | undefined;
    const externalId =
      (item["externalId"] as string | undefined) ??
      (roleArn !== undefined ? defaults.externalId : undefined);
    const target: FleetTarget = {
      account: item["account"] as string,
      region: item["region"] as string,
      ...(roleArn !== undefined && { roleArn }),
      ...(externalId !== undefined && externalId !== "" && { externalId }),
      ...(item["overrides"] !== undefined && {
        overrides: checkOverrides(item["overrides"], `${name}.overrides`, where),
      }),
    };
    checkFleetTarget(target, name, where);
    const key = `${target.account}/${target.region}`;
    const first = seen.get(key);
    if (first !== undefined) {
      throw new ConfigError(
        at(name),
        key,
        `each account and region once (targets[${first}] is the same): two runs at once would race`,
      );
    }
    seen.set(key, i);
    return target;
  });
}

function checkFleetTarget(target: FleetTarget, name: string, where: string): void {
  try {
    checkTarget(target, name);
  } catch (error) {
    if (error instanceof ConfigError) {
      throw new ConfigError(
        { kind: "file", name: error.field, file: where },
        error.value,
        error.expected,
      );
    }
    throw error;
  }
}

/** The JSON Schema (draft 2020-12) of a targets document, with the overrides from the registry. */
export function targetsJsonSchema(): Record<string, unknown> {
  const target = {
    type: "object",
    properties: {
      account: { type: "string", pattern: "^\\d{12}$", description: "The 12-digit account id." },
      region: {
        type: "string",
        pattern: "^[a-z]{2}(-[a-z]+)+-\\d+$",
        description: "The region the step runs in.",
      },
      roleArn: {
        type: "string",
        pattern: "^arn:aws[a-z-]*:iam::\\d{12}:role/[\\w+=,.@/-]{1,512}$",
        description:
          "A role in that account to assume (STS AssumeRole). Omitted: the caller's own credentials, which must be of that account.",
      },
      externalId: {
        type: "string",
        pattern: "^[\\w+=,.@:/-]{2,1224}$",
        description: "The sts:ExternalId the role's trust policy asks for; only with roleArn.",
      },
      overrides: overridesJsonSchema(),
    },
    required: ["account", "region"],
    additionalProperties: false,
  };
  const list = { type: "array", items: target, minItems: 1, maxItems: MAX_TARGETS };
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    title: "aurora-snapshot-tool targets document",
    description:
      "The accounts and regions a fleet run fans out over. Each account and region at most once.",
    anyOf: [
      list,
      {
        type: "object",
        properties: { $schema: { type: "string" }, targets: list },
        required: ["targets"],
        additionalProperties: false,
      },
    ],
  };
}
