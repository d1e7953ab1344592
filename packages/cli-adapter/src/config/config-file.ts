import { readFileSync } from "node:fs";
import { resolve } from "node:path";

import type { DestinationPolicyInput, SourcePolicyInput } from "@aurora-snapshot-tool/core";

import { InvalidInputError } from "../errors.js";
import type { Side } from "./fields.js";

/**
 * The `--config` file: one JSON object holding the settings of both sides, so one file can
 * describe a whole setup (and `doctor` can compare the two retentions). Policy keys are core's
 * policy input keys, inside a `source` or `destination` section.
 */
export interface ConfigFile {
  /** The absolute path, named in messages about the file's values. */
  readonly path: string;
  readonly region?: string;
  readonly profile?: string;
  readonly endpointUrl?: string;
  readonly roleArn?: string;
  readonly logLevel?: string;
  readonly schedule?: string;
  readonly source?: Readonly<Record<string, unknown>>;
  readonly destination?: Readonly<Record<string, unknown>>;
}

/** The JSON types a value may take; what the value means is checked by core's parsers later. */
type Shape = "string" | "integer" | "boolean" | "list" | "keys" | "tags";

const SHAPE_TEXT: Record<Shape, string> = {
  string: "a string",
  integer: "a whole number (or a string of digits)",
  boolean: "true or false (or the strings TRUE / FALSE)",
  list: "a string (comma-separated) or an array of strings",
  keys: "a string (comma-separated), an array of strings, or an object of strings keyed by region",
  tags: 'a string ("k=v,k2=v2") or an array of { "key": ..., "value": ... } objects',
};

const TOP_LEVEL: Record<string, Shape | "section"> = {
  region: "string",
  profile: "string",
  endpointUrl: "string",
  roleArn: "string",
  logLevel: "string",
  schedule: "string",
  source: "section",
  destination: "section",
};

const SOURCE_SHAPES: Record<keyof SourcePolicyInput, Shape> = {
  clusterPattern: "string",
  intervalHours: "integer",
  retentionDays: "integer",
  minKeep: "integer",
  destinationAccount: "string",
  snapshotNamePrefix: "string",
  regionOverride: "string",
  includeTags: "tags",
  excludeTags: "tags",
};

const DESTINATION_SHAPES: Record<keyof DestinationPolicyInput, Shape> = {
  snapshotPattern: "string",
  retentionDays: "integer",
  sourceRetentionDays: "integer",
  minKeep: "integer",
  destinationRegions: "list",
  regionOverride: "string",
  kmsKeySource: "string",
  kmsKeyDestination: "keys",
  crossAccount: "boolean",
  maxCopiesInFlight: "integer",
  sourceAccounts: "list",
};

const SECTION_SHAPES: Record<Side, Record<string, Shape>> = {
  source: SOURCE_SHAPES,
  destination: DESTINATION_SHAPES,
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function fits(shape: Shape, value: unknown): boolean {
  switch (shape) {
    case "string":
      return typeof value === "string";
    case "integer":
      return typeof value === "number" || typeof value === "string";
    case "boolean":
      return typeof value === "boolean" || typeof value === "string";
    case "list":
      return (
        typeof value === "string" ||
        (Array.isArray(value) && value.every((v) => typeof v === "string"))
      );
    case "keys":
      return (
        fits("list", value) ||
        (isRecord(value) && Object.values(value).every((v) => typeof v === "string"))
      );
    case "tags":
      return (
        typeof value === "string" ||
        (Array.isArray(value) &&
          value.every(
            (v) =>
              typeof v === "string" ||
              (isRecord(v) && typeof v["key"] === "string" && typeof v["value"] === "string"),
          ))
      );
  }
}

function checkKeys(
  record: Record<string, unknown>,
  shapes: Record<string, Shape | "section">,
  prefix: string,
  path: string,
): void {
  const known = Object.keys(shapes);
  for (const [key, value] of Object.entries(record)) {
    const name = `${prefix}${key}`;
    const shape = shapes[key];
    if (shape === undefined) {
      throw new InvalidInputError(name, value, `one of the keys ${known.join(", ")}`, path);
    }
    if (shape === "section") {
      if (!isRecord(value)) throw new InvalidInputError(name, value, "an object", path);
      checkKeys(value, SECTION_SHAPES[key as Side], `${key}.`, path);
    } else if (!fits(shape, value)) {
      throw new InvalidInputError(name, value, SHAPE_TEXT[shape], path);
    }
  }
}

/**
 * Reads and checks a config file. Unknown keys and values of the wrong JSON type are refused here
 * (a misspelt `retentionDay` would otherwise fall back to the default without a word); whether a
 * value is acceptable is checked when the policy is built, naming the key the same way.
 */
export function readConfigFile(path: string): ConfigFile {
  const absolute = resolve(path);
  let text: string;
  try {
    text = readFileSync(absolute, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : (code ?? "unreadable");
    throw new InvalidInputError("--config", path, `the path of a readable JSON file (${why})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new InvalidInputError(
      "--config",
      path,
      `a file holding one JSON object (${(error as Error).message})`,
    );
  }
  if (!isRecord(parsed)) {
    throw new InvalidInputError("--config", path, "a file holding one JSON object");
  }
  checkKeys(parsed, TOP_LEVEL, "", absolute);
  return { ...(parsed as Omit<ConfigFile, "path">), path: absolute };
}
