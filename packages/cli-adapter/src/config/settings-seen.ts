import type { PolicySide, SettingLayers } from "@aurora-snapshot-tool/core";
import { settingsInEffect } from "@aurora-snapshot-tool/core/settings";

import type { Logger } from "../output/logger.js";
import { settingJson, unprefixedEnvWarning, type SettingsSeen } from "../output/settings-output.js";

/**
 * The settings of one side that this run takes from a flag, the --config file or an env var, and
 * a warning (logged on stderr) for each policy setting read from one of the Lambda's env vars.
 * Run settings (AWS_REGION, AWS_PROFILE, LOG_LEVEL) are not policy and are not warned about.
 */
export function settingsSeen(layers: SettingLayers, side: PolicySide, log: Logger): SettingsSeen {
  const found = settingsInEffect(layers, side);
  const warnings = found.filter((s) => s.origin.kind === "env").map(unprefixedEnvWarning);
  for (const warning of warnings) log.warn(warning);
  return { settings: found.map(settingJson), warnings };
}
