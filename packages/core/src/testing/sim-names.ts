import { createHash } from "node:crypto";
import type { Tag } from "@aws-sdk/client-rds";
import { parseArn } from "../model/snapshot.js";
import type { SimDuration } from "./sim-types.js";

export const placeKey = (account: string, region: string): string => `${account}|${region}`;

export const clusterArn = (account: string, region: string, id: string): string =>
  `arn:aws:rds:${region}:${account}:cluster:${id}`;

export const snapshotArn = (account: string, region: string, id: string): string =>
  `arn:aws:rds:${region}:${account}:cluster-snapshot:${id}`;

export const isAccountId = (value: string): boolean => /^\d{12}$/.test(value);

/** The RDS resource an ARN names (`cluster` or `cluster-snapshot`), with its identifier lowercased. */
export function parseRdsArn(
  arn: string,
): { account: string; region: string; resourceType: string; id: string } | undefined {
  const parsed = parseArn(arn);
  if (!parsed || parsed.service !== "rds" || parsed.resource === "") return undefined;
  return {
    account: parsed.account,
    region: parsed.region,
    resourceType: parsed.resourceType,
    id: parsed.resource.toLowerCase(),
  };
}

/**
 * Why an identifier breaks RDS's rules for cluster snapshot names (1-63 letters, digits or hyphens,
 * a letter first, no trailing hyphen, no two hyphens in a row); undefined when it is valid.
 */
export function snapshotIdentifierProblem(id: string): string | undefined {
  if (id.length < 1 || id.length > 63) return "must be 1 to 63 characters";
  if (!/^[A-Za-z]/.test(id)) return "must begin with a letter";
  if (!/^[A-Za-z0-9-]+$/.test(id)) return "must contain only letters, digits and hyphens";
  if (id.endsWith("-")) return "cannot end with a hyphen";
  if (id.includes("--")) return "cannot contain two consecutive hyphens";
  return undefined;
}

export const MAX_TAGS = 50;

/** Why a tag list would be refused by RDS; undefined when it is acceptable. */
export function tagListProblem(tags: readonly Tag[]): string | undefined {
  for (const tag of tags) {
    const key = tag.Key ?? "";
    if (key.length < 1 || key.length > 128) return `tag key "${key}" must be 1 to 128 characters`;
    // RDS reserves these prefixes for itself; the SDK passes them through, the service refuses them.
    if (/^(aws|rds):/i.test(key)) return `tag key "${key}" uses a reserved prefix`;
    if ((tag.Value ?? "").length > 256) return `tag value for "${key}" exceeds 256 characters`;
  }
  return undefined;
}

export function tagsToList(tags: Readonly<Record<string, string>>): Tag[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

export function tagsFromList(list: readonly Tag[] | undefined): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const tag of list ?? []) {
    if (tag.Key !== undefined) tags[tag.Key] = tag.Value ?? "";
  }
  return tags;
}

/** A UUID-shaped id derived from a seed, so key ids are the same on every run. */
export function deterministicUuid(seed: string): string {
  const hex = createHash("sha256").update(seed).digest("hex");
  return [
    hex.slice(0, 8),
    hex.slice(8, 12),
    `4${hex.slice(13, 16)}`,
    `8${hex.slice(17, 20)}`,
    hex.slice(20, 32),
  ].join("-");
}

export function durationMs(duration: SimDuration): number {
  if (typeof duration === "number") return duration;
  const { days = 0, hours = 0, minutes = 0, seconds = 0 } = duration;
  return (((days * 24 + hours) * 60 + minutes) * 60 + seconds) * 1000;
}

/** Drops the `Command` suffix SDK v3 puts on `context.commandName`. */
export const operationName = (name: string): string => name.replace(/Command$/, "");
