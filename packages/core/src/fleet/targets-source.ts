import { ConfigError } from "../policy/config-error.js";
import { partitionOf } from "../policy/fields.js";
import { lookUpSetting, type SettingLayers } from "../policy/layers.js";
import { FLEET_SETTINGS } from "../policy/registry.js";
import type { FleetSettings } from "./fleet-settings.js";
import { checkTargets, parseTargetsDocument, type FleetTarget } from "./targets-document.js";

/**
 * Where a fleet's targets are read from. Each is optional: an adapter gives what it can read
 * (the CLI files, S3, SSM and Organizations; the Lambda all but files), and a document named
 * in a way no reader serves is refused naming the setting.
 */
export interface TargetsReaders {
  readFile?(path: string): Promise<string>;
  readS3Object?(bucket: string, key: string): Promise<string>;
  readSsmParameter?(name: string): Promise<string>;
  /** The ids of the ACTIVE accounts under each parent (OU or root), recursively. */
  listActiveAccounts?(parentIds: readonly string[]): Promise<string[]>;
}

/** How a FLEET_TARGETS value names its document. */
export type TargetsLocation =
  | { readonly kind: "inline"; readonly text: string }
  | { readonly kind: "s3"; readonly bucket: string; readonly key: string }
  | { readonly kind: "ssm"; readonly name: string }
  | { readonly kind: "file"; readonly path: string };

const S3_URI = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(.+)$/;

export function targetsLocation(value: string): TargetsLocation {
  const trimmed = value.trim();
  if (trimmed.startsWith("[") || trimmed.startsWith("{")) return { kind: "inline", text: trimmed };
  if (trimmed.startsWith("s3://")) {
    const m = S3_URI.exec(trimmed);
    if (m === null) throw new ConfigError("FLEET_TARGETS", value, "s3://BUCKET/KEY");
    return { kind: "s3", bucket: m[1]!, key: m[2]! };
  }
  if (trimmed.startsWith("ssm:")) {
    const name = trimmed.slice(4);
    if (name === "") throw new ConfigError("FLEET_TARGETS", value, "ssm:PARAMETER-NAME or ssm:ARN");
    return { kind: "ssm", name };
  }
  return { kind: "file", path: trimmed };
}

/** The role ARN of the member role in an account, in the partition of `region`. */
export function memberRoleArn(account: string, roleName: string, region: string): string {
  return `arn:${partitionOf(region)}:iam::${account}:role/${roleName}`;
}

async function readDocument(
  value: string,
  readers: TargetsReaders,
  layers: SettingLayers,
): Promise<{ text: string; where: string }> {
  const origin = lookUpSetting(layers, undefined, FLEET_SETTINGS.targets).origin;
  const location = targetsLocation(value);
  const refuse = (what: string): never => {
    throw new ConfigError(
      origin,
      value,
      `${what} is not readable here; give the JSON itself, s3://BUCKET/KEY or ssm:NAME`,
    );
  };
  switch (location.kind) {
    case "inline":
      return { text: location.text, where: origin.name };
    case "s3":
      if (readers.readS3Object === undefined) return refuse("an S3 object");
      return { text: await readers.readS3Object(location.bucket, location.key), where: value };
    case "ssm":
      if (readers.readSsmParameter === undefined) return refuse("an SSM parameter");
      return { text: await readers.readSsmParameter(location.name), where: value };
    case "file":
      if (readers.readFile === undefined) return refuse("a file");
      return { text: await readers.readFile(location.path), where: location.path };
  }
}

/**
 * Every target of a fleet: the document's (FLEET_TARGETS), then one per ACTIVE account under the
 * organizational units and fleet region (acted on through the member role), each account and
 * region once; a target in the document wins over the same account and region found in an OU,
 * so its overrides and role stand. Refuses a fleet with no targets at all.
 */
export async function resolveTargets(
  settings: FleetSettings,
  readers: TargetsReaders,
  layers: SettingLayers = {},
): Promise<FleetTarget[]> {
  const targets: FleetTarget[] = [];
  if (settings.targets !== undefined) {
    const { text, where } = await readDocument(settings.targets, readers, layers);
    const origin = lookUpSetting(layers, undefined, FLEET_SETTINGS.targets).origin;
    targets.push(
      ...parseTargetsDocument(text, where, origin, {
        ...(settings.externalId !== undefined && { externalId: settings.externalId }),
      }),
    );
  }
  if (settings.organizationalUnits.length > 0) {
    const origin = lookUpSetting(layers, undefined, FLEET_SETTINGS.organizationalUnits).origin;
    if (readers.listActiveAccounts === undefined) {
      throw new ConfigError(
        origin,
        settings.organizationalUnits.join(","),
        "organizational units only where AWS Organizations can be read",
      );
    }
    const accounts = await readers.listActiveAccounts(settings.organizationalUnits);
    const listed = new Set(targets.map((t) => `${t.account}/${t.region}`));
    const found = [...new Set(accounts)].sort().flatMap((account) =>
      settings.regions.map((region) => ({
        account,
        region,
        roleArn: memberRoleArn(account, settings.memberRoleName, region),
        ...(settings.externalId !== undefined && { externalId: settings.externalId }),
      })),
    );
    const added = found.filter((t) => !listed.has(`${t.account}/${t.region}`));
    if (added.length > 0) targets.push(...checkTargets(added, "AWS Organizations", origin));
  }
  if (targets.length === 0) {
    throw new ConfigError(
      lookUpSetting(layers, undefined, FLEET_SETTINGS.targets).origin,
      undefined,
      "a targets document or organizational units holding at least one ACTIVE account",
    );
  }
  return targets;
}
