import type { PolicySide as Side } from "@aurora-snapshot-tool/core";
import type { Check, CheckStatus } from "@aurora-snapshot-tool/core/doctor";
import type { Palette } from "./color.js";
import { SCHEMA_VERSION } from "./json-document.js";
import { NO_SETTINGS, type SettingsSeen } from "./settings-output.js";
import { statusColor } from "./step-output.js";

export interface DoctorJson extends SettingsSeen {
  readonly schemaVersion: typeof SCHEMA_VERSION;
  readonly command: "doctor";
  readonly side: Side;
  readonly region: string;
  readonly checks: readonly Check[];
  readonly summary: Readonly<Record<CheckStatus, number>>;
}

export function doctorJson(
  side: Side,
  region: string,
  checks: readonly Check[],
  seen: SettingsSeen = NO_SETTINGS,
): DoctorJson {
  const count = (status: CheckStatus): number => checks.filter((c) => c.status === status).length;
  return {
    schemaVersion: SCHEMA_VERSION,
    command: "doctor",
    side,
    region,
    checks,
    summary: { pass: count("pass"), warn: count("warn"), fail: count("fail") },
    settings: seen.settings,
    warnings: seen.warnings,
  };
}

export function doctorTable(side: Side, checks: readonly Check[], palette: Palette): string {
  const width = Math.max(...checks.map((c) => c.title.length));
  const lines = checks.map((c) => {
    const mark = statusColor(palette, c.status)(c.status.toUpperCase().padEnd(4));
    const fix =
      c.fix === undefined ? "" : `\n${" ".repeat(width + 8)}${palette.dim(`fix: ${c.fix}`)}`;
    return `${mark}  ${c.title.padEnd(width)}  ${c.detail}${fix}`;
  });
  const s = doctorJson(side, "", checks).summary;
  return `doctor (${side} side)\n\n${lines.join("\n")}\n\n${s.pass} passed, ${s.warn} warned, ${s.fail} failed\n`;
}
