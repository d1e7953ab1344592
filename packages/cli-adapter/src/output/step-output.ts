import {
  REASONS,
  type CopyBacklog,
  type Decision,
  type DecisionResult,
  type Facts,
  type Reason,
  type ReportSummary,
  type ResultStatus,
  type RunReport,
} from "@aurora-snapshot-tool/core";

import type { Palette } from "./color.js";
import { SCHEMA_VERSION } from "./json-document.js";
import { NO_SETTINGS, type SettingsSeen } from "./settings-output.js";
import { renderTable } from "./table.js";

/** One decision in `--json` output: the fields every decision has first, then the action's own. */
export interface DecisionJson {
  readonly step: string;
  readonly action: string;
  readonly cluster: string;
  readonly snapshot: string | null;
  readonly region: string;
  readonly account: string;
  readonly reason: Reason;
  readonly status: ResultStatus;
  readonly note?: string;
  readonly errorCode?: string;
  readonly errorMessage?: string;
  readonly facts: Facts;
  readonly [extra: string]: unknown;
}

export interface StepJson extends SettingsSeen {
  readonly schemaVersion: typeof SCHEMA_VERSION;
  readonly step: string;
  readonly dryRun: boolean;
  /** The first of `regions`: where the step listed. */
  readonly region: string;
  readonly regions: readonly string[];
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly decisions: readonly DecisionJson[];
  readonly summary: ReportSummary;
  /** copy only: copies in flight and waiting for a slot at the end of the run, in all and per region. */
  readonly backlog?: CopyBacklog;
  /** What the run adapted to, one sentence each (also on stderr). */
  readonly notices?: readonly string[];
}

const BASE_KEYS = new Set([
  "step",
  "action",
  "cluster",
  "snapshot",
  "region",
  "account",
  "reason",
  "facts",
]);

export function decisionJson(result: DecisionResult): DecisionJson {
  const d: Decision = result.decision;
  const extras = Object.fromEntries(Object.entries(d).filter(([key]) => !BASE_KEYS.has(key)));
  return {
    step: d.step,
    action: d.action,
    cluster: d.cluster,
    snapshot: d.snapshot ?? null,
    region: d.region,
    account: d.account,
    reason: d.reason,
    status: result.status,
    ...(result.note !== undefined && { note: result.note }),
    ...(result.errorCode !== undefined && { errorCode: result.errorCode }),
    ...(result.errorMessage !== undefined && { errorMessage: result.errorMessage }),
    facts: d.facts,
    ...extras,
  };
}

export function stepJson(
  report: RunReport,
  results: readonly DecisionResult[],
  summary: ReportSummary,
  seen: SettingsSeen = NO_SETTINGS,
): StepJson {
  return {
    schemaVersion: SCHEMA_VERSION,
    step: report.step,
    dryRun: report.dryRun,
    region: report.regions[0] ?? "",
    regions: report.regions,
    startedAt: report.startedAt,
    finishedAt: report.finishedAt,
    decisions: results.map(decisionJson),
    summary,
    ...(report.backlog !== undefined && { backlog: report.backlog }),
    ...(report.notices !== undefined && { notices: report.notices }),
    settings: seen.settings,
    warnings: seen.warnings,
  };
}

/** The copy backlog in one line under the table; empty when nothing is in flight or waiting. */
export function backlogLine(report: RunReport): string {
  const b = report.backlog;
  if (b === undefined || (b.inFlight === 0 && b.waiting === 0)) return "";
  const oldest =
    b.oldestWaitingMinutes === null ? "" : `, the oldest waiting ${b.oldestWaitingMinutes} min`;
  const regions = Object.entries(b.byRegion)
    .filter(([, c]) => c.inFlight > 0 || c.waiting > 0)
    .map(([r, c]) => `${r} ${c.inFlight}+${c.waiting}`)
    .join(", ");
  return `copy backlog: ${b.inFlight} in flight, ${b.waiting} waiting for a slot${oldest} (${regions})\n`;
}

export function formatFacts(facts: Facts): string {
  return Object.entries(facts)
    .map(([k, v]) => `${k}=${v === null ? "-" : String(v)}`)
    .join(" ");
}

export function statusColor(palette: Palette, status: string): (text: string) => string {
  switch (status) {
    case "done":
    case "pass":
    case "available":
      return palette.green;
    case "failed":
    case "fail":
    case "blocked":
      return palette.red;
    case "pending":
    case "deferred":
    case "warn":
      return palette.yellow;
    default:
      return palette.dim;
  }
}

function detail(r: DecisionResult): string {
  if (r.errorCode !== undefined) return `${r.errorCode}: ${r.errorMessage ?? ""}`.trim();
  const note = r.note === undefined ? "" : `(${r.note}) `;
  return note + formatFacts(r.decision.facts);
}

/** The reason codes a table shows, each explained once under it. */
export function reasonLegend(reasons: Iterable<Reason>, palette: Palette): string {
  const unique = [...new Set(reasons)].sort();
  if (unique.length === 0) return "";
  const width = Math.max(...unique.map((r) => r.length));
  const lines = unique.map((r) => `  ${r.padEnd(width)}  ${palette.dim(REASONS[r])}`);
  return `\nReasons:\n${lines.join("\n")}\n`;
}

export function summaryLine(step: string, summary: ReportSummary, dryRun: boolean): string {
  const verdict = dryRun
    ? " (dry run: nothing was changed)"
    : summary.complete
      ? ""
      : summary.blocked > 0
        ? " (incomplete: blocked work needs a fix, see the warnings)"
        : " (incomplete: run it again later)";
  return (
    `${step}: ${summary.done} done, ${summary.failed} failed, ${summary.pending} pending, ` +
    `${summary.deferred} deferred, ${summary.blocked} blocked, ${summary.skipped} skipped${verdict}\n`
  );
}

export function stepTable(
  report: RunReport,
  results: readonly DecisionResult[],
  summary: ReportSummary,
  palette: Palette,
): string {
  const where = report.regions.join(", ");
  const title = `${report.step}${report.dryRun ? " --dry-run" : ""} in ${where}\n\n`;
  const body =
    results.length === 0
      ? "Nothing to decide: no clusters or snapshots found.\n"
      : renderTable(
          results,
          [
            { header: "STATUS", cell: (r) => statusColor(palette, r.status)(r.status) },
            { header: "ACTION", cell: (r) => r.decision.action },
            { header: "CLUSTER", cell: (r) => r.decision.cluster },
            { header: "SNAPSHOT", cell: (r) => r.decision.snapshot ?? "-" },
            { header: "ACCOUNT", cell: (r) => r.decision.account || "-" },
            { header: "REGION", cell: (r) => r.decision.region },
            { header: "REASON", cell: (r) => r.decision.reason },
            { header: "DETAIL", cell: detail },
          ],
          palette.bold,
        );
  const legend = reasonLegend(
    results.map((r) => r.decision.reason),
    palette,
  );
  return (
    title +
    body +
    legend +
    "\n" +
    backlogLine(report) +
    summaryLine(report.step, summary, report.dryRun)
  );
}
