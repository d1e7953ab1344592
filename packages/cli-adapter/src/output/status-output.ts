import {
  STATUS_REASONS,
  type PlaceStatus,
  type ProtectionState,
  type StatusReason,
  type StatusReport,
} from "@aurora-snapshot-tool/core";

import type { Palette } from "./color.js";
import { SCHEMA_VERSION } from "./json-document.js";
import { NO_SETTINGS, type SettingsSeen } from "./settings-output.js";
import { renderTable } from "./table.js";

/** `status --json`: the report as core makes it, under a command name like every other document. */
export interface StatusJson extends StatusReport, SettingsSeen {
  readonly schemaVersion: typeof SCHEMA_VERSION;
  readonly command: "status";
}

export function statusJson(report: StatusReport, seen: SettingsSeen = NO_SETTINGS): StatusJson {
  return { schemaVersion: SCHEMA_VERSION, command: "status", ...report, ...seen };
}

/** An age in minutes the way people read it: 45m, 5.5h, 3.2d. */
export function formatMinutes(minutes: number | null): string {
  if (minutes === null) return "-";
  if (minutes < 60) return `${minutes}m`;
  const hours = minutes / 60;
  return hours < 48 ? `${hours.toFixed(1)}h` : `${(hours / 24).toFixed(1)}d`;
}

function stateColor(palette: Palette, state: ProtectionState): (text: string) => string {
  return state === "protected" ? palette.green : state === "at-risk" ? palette.yellow : palette.red;
}

function where(p: PlaceStatus): string {
  return p.place === "shared" ? `shared ${p.account}` : `${p.place} ${p.region}`;
}

export function statusTable(report: StatusReport, palette: Palette): string {
  if (report.places.length === 0) {
    return "No selected cluster was found: nothing is protected or at risk (see `list --all`).\n";
  }
  const table = renderTable(report.places, [
    { header: "CLUSTER", cell: (p) => p.cluster },
    { header: "PLACE", cell: where },
    { header: "STATE", cell: (p) => stateColor(palette, p.state)(p.state) },
    { header: "NEWEST", cell: (p) => p.newest?.snapshot ?? "-" },
    { header: "AGE", cell: (p) => formatMinutes(p.newest?.ageMinutes ?? null), right: true },
    { header: "RPO", cell: (p) => `${p.rpoHours}h`, right: true },
    { header: "KEPT", cell: (p) => String(p.kept), right: true },
    { header: "IN FLIGHT", cell: (p) => String(p.inFlight), right: true },
    { header: "REASONS", cell: (p) => (p.reasons.length === 0 ? "-" : p.reasons.join(", ")) },
  ]);
  const { summary } = report;
  const line =
    `${report.side} account ${report.account || "?"}: ` +
    `${palette.green(`${summary.protected} protected`)}, ` +
    `${palette.yellow(`${summary.atRisk} at risk`)}, ` +
    `${palette.red(`${summary.unprotected} unprotected`)}; ` +
    `oldest recovery point ${formatMinutes(summary.maxAgeMinutes)}\n`;
  return `${table}\n${line}${legend(
    report.places.flatMap((p) => p.reasons),
    palette,
  )}`;
}

function legend(reasons: readonly StatusReason[], palette: Palette): string {
  const unique = [...new Set(reasons)].sort();
  if (unique.length === 0) return "";
  const width = Math.max(...unique.map((r) => r.length));
  const lines = unique.map((r) => `  ${r.padEnd(width)}  ${palette.dim(STATUS_REASONS[r])}`);
  return `\nReasons:\n${lines.join("\n")}\n`;
}
