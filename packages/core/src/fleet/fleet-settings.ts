import { ConfigError } from "../policy/config-error.js";
import { EXTERNAL_ID, parseInteger, parseRegionList } from "../policy/fields.js";
import { lookUpSetting, type SettingLayers } from "../policy/layers.js";
import { FLEET_SETTINGS } from "../policy/registry.js";

/** Fleet mode's settings, read from the same layers as the policies (FLEET_* env vars, flags). */
export interface FleetSettings {
  /** The targets document as given: a path, s3://, ssm: or the JSON; undefined when not set. */
  readonly targets?: string;
  readonly organizationalUnits: readonly string[];
  /** Regions of the targets found under the OUs. */
  readonly regions: readonly string[];
  readonly memberRoleName: string;
  readonly externalId?: string;
  readonly maxConcurrency: number;
}

export const DEFAULT_MEMBER_ROLE_NAME = "aurora-snapshot-tool-member";
export const DEFAULT_FLEET_CONCURRENCY = 10;
export const MAX_FLEET_CONCURRENCY = 1000;

const OU_ID = /^(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|r-[0-9a-z]{4,32})$/;
/** IAM role names: 1 to 64 of letters, digits and +=,.@_- (a path is not part of the name). */
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;

function text(raw: unknown): string | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== "string") return String(raw);
  return raw.trim() === "" ? undefined : raw.trim();
}

/** True when the layers name any fleet target source (a targets document or OUs). */
export function isFleet(layers: SettingLayers): boolean {
  return (
    text(lookUpSetting(layers, undefined, FLEET_SETTINGS.targets).raw) !== undefined ||
    text(lookUpSetting(layers, undefined, FLEET_SETTINGS.organizationalUnits).raw) !== undefined
  );
}

/**
 * Reads and checks the fleet settings; `runRegion` is the default of the OU targets' regions.
 * Each error names the setting as the user gave it.
 */
export function fleetSettingsFrom(layers: SettingLayers, runRegion: string): FleetSettings {
  const get = (key: keyof typeof FLEET_SETTINGS) =>
    lookUpSetting(layers, undefined, FLEET_SETTINGS[key]);
  const targets = get("targets");
  const ous = get("organizationalUnits");
  const ouList = (
    Array.isArray(ous.raw) ? (ous.raw as unknown[]) : (text(ous.raw)?.split(",") ?? [])
  )
    .map((v) => String(v).trim())
    .filter((v) => v !== "");
  for (const id of ouList) {
    if (!OU_ID.test(id)) {
      throw new ConfigError(
        ous.origin,
        id,
        "comma-separated organizational unit ids (ou-xxxx-xxxxxxxx) or a root id (r-xxxx)",
      );
    }
  }
  const regions = get("regions");
  const roleName = get("memberRoleName");
  const memberRoleName = text(roleName.raw) ?? DEFAULT_MEMBER_ROLE_NAME;
  if (!ROLE_NAME.test(memberRoleName)) {
    throw new ConfigError(
      roleName.origin,
      roleName.raw,
      "an IAM role name: 1 to 64 of letters, digits and +=,.@_-",
    );
  }
  const external = get("externalId");
  const externalId = text(external.raw);
  if (externalId !== undefined && !EXTERNAL_ID.test(externalId)) {
    throw new ConfigError(
      external.origin,
      external.raw,
      "2 to 1224 characters of letters, digits and +=,.@:/-",
    );
  }
  const concurrency = get("maxConcurrency");
  const targetsText = text(targets.raw);
  return {
    ...(targetsText !== undefined && { targets: targetsText }),
    organizationalUnits: [...new Set(ouList)],
    regions:
      text(regions.raw) === undefined && !Array.isArray(regions.raw)
        ? [runRegion]
        : parseRegionList(regions.origin, regions.raw),
    memberRoleName,
    ...(externalId !== undefined && { externalId }),
    maxConcurrency: parseInteger(
      concurrency.origin,
      concurrency.raw,
      { min: 1, max: MAX_FLEET_CONCURRENCY, unit: "targets at once" },
      DEFAULT_FLEET_CONCURRENCY,
    ),
  };
}
