import {
  resultsOf,
  type FleetCounts,
  type FleetReport,
  type ReportSummary,
  type TargetError,
  type TargetResult,
  type TargetStatus,
} from "@aurora-snapshot-tool/core";

import type { Palette } from "./color.js";
import { SCHEMA_VERSION } from "./json-document.js";
import { NO_SETTINGS, type SettingsSeen } from "./settings-output.js";
import { decisionJson, type DecisionJson } from "./step-output.js";
import { renderTable } from "./table.js";

/** One target of a fleet run in `--json` output. */
export interface FleetTargetJson {
  readonly account: string;
  readonly region: string;
  readonly roleArn?: string;
  readonly status: TargetStatus;
  readonly summary?: ReportSummary;
  readonly error?: TargetError;
  /** The target's decisions, as a single-target run prints them. */
  readonly results?: readonly DecisionJson[];
}

/** A fleet run's `--json` document: one step over many targets. */
export interface FleetJson extends SettingsSeen {
  readonly schemaVersion: typeof SCHEMA_VERSION;
  readonly command: "fleet";
  readonly step: string;
  readonly dryRun: boolean;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly counts: FleetCounts;
  readonly targets: readonly FleetTargetJson[];
}

export function fleetTargetJson(result: TargetResult): FleetTargetJson {
  const { target, report } = result;
  return {
    account: target.account,
    region: target.region,
    ...(target.roleArn !== undefined && { roleArn: target.roleArn }),
    status: result.status,
    ...(result.summary !== undefined && { summary: result.summary }),
    ...(result.error !== undefined && { error: result.error }),
    ...(report !== undefined && { results: resultsOf(report).map(decisionJson) }),
  };
}

export function fleetJson(report: FleetReport, seen: SettingsSeen = NO_SETTINGS): FleetJson {
  return {
    schemaVersion: SCHEMA_VERSION,
    command: "fleet",
    step: report.step,
    dryRun: report.dryRun,
    startedAt: report.startedAt,
    finishedAt: report.finishedAt,
    counts: report.counts,
    targets: report.results.map(fleetTargetJson),
    settings: seen.settings,
    warnings: seen.warnings,
  };
}

function targetStatusColor(palette: Palette, status: TargetStatus): (text: string) => string {
  switch (status) {
    case "complete":
      return palette.green;
    case "incomplete":
      return palette.yellow;
    default:
      return palette.red;
  }
}

function counted(summary: ReportSummary | undefined, key: keyof ReportSummary): string {
  return summary === undefined ? "-" : String(summary[key]);
}

/** `complete (2 done)`, `unreachable: AssumeRoleFailed: ...`: how one target ended. */
export function targetOutcome(result: TargetResult): string {
  const s = result.summary;
  const counts =
    s === undefined
      ? ""
      : ` (${[
          `${s.done} done`,
          ...(["failed", "pending", "deferred", "blocked"] as const)
            .filter((k) => s[k] > 0)
            .map((k) => `${s[k]} ${k}`),
        ].join(", ")})`;
  const error = result.error === undefined ? "" : `: ${result.error.code}: ${result.error.message}`;
  return `${result.status}${counts}${error}`;
}

/** The stderr line as each target finishes: `take: 111111111111/us-east-1: complete (2 done)`. */
export function fleetProgressLine(step: string, result: TargetResult): string {
  return `${step}: ${result.target.account}/${result.target.region}: ${targetOutcome(result)}`;
}

export function fleetSummaryLine(report: FleetReport): string {
  const c = report.counts;
  const verdict = report.dryRun
    ? " (dry run: nothing was changed)"
    : c.complete === c.targets
      ? ""
      : " (incomplete: see the targets above; running it again is safe)";
  return (
    `${report.step}: ${c.targets} targets: ${c.complete} complete, ${c.incomplete} incomplete, ` +
    `${c.unreachable} unreachable, ${c.failed} failed${verdict}\n`
  );
}

/** One line per target, then the fleet's summary line. */
export function fleetTable(report: FleetReport, palette: Palette): string {
  const title = `${report.step}${report.dryRun ? " --dry-run" : ""} over ${report.counts.targets} targets\n\n`;
  const body = renderTable(
    report.results,
    [
      { header: "ACCOUNT", cell: (r) => r.target.account },
      { header: "REGION", cell: (r) => r.target.region },
      { header: "STATUS", cell: (r) => targetStatusColor(palette, r.status)(r.status) },
      { header: "DONE", cell: (r) => counted(r.summary, "done"), right: true },
      { header: "FAILED", cell: (r) => counted(r.summary, "failed"), right: true },
      { header: "PENDING", cell: (r) => counted(r.summary, "pending"), right: true },
      { header: "SKIPPED", cell: (r) => counted(r.summary, "skipped"), right: true },
      {
        header: "ERROR",
        cell: (r) => (r.error === undefined ? "-" : `${r.error.code}: ${r.error.message}`),
      },
    ],
    palette.bold,
  );
  return `${title}${body}\n${fleetSummaryLine(report)}`;
}
