import {
  TAG_COPIED_BY,
  TAG_CREATED_BY,
  TAG_INTERMEDIATE,
  TAG_SHARED_WITH,
  TAG_SHARE_AND_COPY,
  sharedWithOf,
} from "@aurora-snapshot-tool/core";
import { type InventoryRow, type NextDecision } from "@aurora-snapshot-tool/core/inventory";

import type { PolicySide as Side } from "@aurora-snapshot-tool/core";
import type { Palette } from "./color.js";
import { SCHEMA_VERSION } from "./json-document.js";
import { NO_SETTINGS, type SettingsSeen } from "./settings-output.js";
import { reasonLegend, statusColor } from "./step-output.js";
import { renderTable } from "./table.js";

export interface ListJson extends SettingsSeen {
  readonly schemaVersion: typeof SCHEMA_VERSION;
  readonly command: "list";
  readonly side: Side;
  readonly rows: readonly InventoryRow[];
  readonly summary: { readonly clusters: number; readonly snapshots: number };
}

export function listJson(
  side: Side,
  rows: readonly InventoryRow[],
  seen: SettingsSeen = NO_SETTINGS,
): ListJson {
  return {
    schemaVersion: SCHEMA_VERSION,
    command: "list",
    side,
    rows,
    summary: {
      clusters: rows.filter((r) => r.kind === "cluster").length,
      snapshots: rows.filter((r) => r.kind === "snapshot").length,
    },
    settings: seen.settings,
    warnings: seen.warnings,
  };
}

export function formatAge(hours: number | null): string {
  if (hours === null) return "-";
  return hours < 48 ? `${hours.toFixed(1)}h` : `${(hours / 24).toFixed(1)}d`;
}

/** The tool's tags in a few words: which tool run made it and what has been done to it. */
export function formatToolTags(tags: Readonly<Record<string, string>>): string {
  const words: string[] = [];
  if (tags[TAG_CREATED_BY] !== undefined) words.push("created");
  if (tags[TAG_COPIED_BY] !== undefined) words.push("copied");
  if (tags[TAG_SHARE_AND_COPY] !== undefined)
    words.push(`shareAndCopy=${tags[TAG_SHARE_AND_COPY]}`);
  // Both marker tags (TAG_SHARED_WITH_2 past 19 accounts) as one list.
  if (tags[TAG_SHARED_WITH] !== undefined) words.push(`sharedWith=${sharedWithOf(tags).join(" ")}`);
  if (tags[TAG_INTERMEDIATE] !== undefined) words.push("intermediate");
  return words.length === 0 ? "-" : words.join(",");
}

function formatNext(next: readonly NextDecision[]): string {
  if (next.length === 0) return "-";
  return next
    .map((d) => {
      const where = d.step === "copy" ? `->${d.region}` : "";
      const what = d.snapshot === undefined ? d.action : `${d.action} ${d.snapshot}`;
      return `${d.step}${where}: ${what} (${d.reason})`;
    })
    .join("; ");
}

function status(row: InventoryRow): string {
  return row.percentProgress !== undefined && row.status !== "available"
    ? `${row.status} ${row.percentProgress}%`
    : row.status;
}

export function listTable(side: Side, rows: readonly InventoryRow[], palette: Palette): string {
  if (rows.length === 0) {
    return `No ${side === "source" ? "clusters or snapshots" : "snapshots or copies"} the tool manages were found (--all shows everything listed).\n`;
  }
  const places = new Map<string, InventoryRow[]>();
  for (const row of rows) {
    const place = `account ${row.account || "?"}, ${row.region}`;
    places.set(place, [...(places.get(place) ?? []), row]);
  }
  const parts: string[] = [];
  for (const [place, group] of places) {
    parts.push(palette.bold(place) + "\n");
    parts.push(
      renderTable(group, [
        { header: "CLUSTER", cell: (r) => r.cluster },
        {
          header: "SNAPSHOT",
          cell: (r) => (r.kind === "cluster" ? "(cluster)" : (r.snapshot ?? "-")),
        },
        { header: "TYPE", cell: (r) => r.type },
        { header: "STATUS", cell: (r) => statusColor(palette, r.status)(status(r)) },
        { header: "AGE", cell: (r) => formatAge(r.ageHours), right: true },
        { header: "TOOL TAGS", cell: (r) => formatToolTags(r.toolTags) },
        { header: "NEXT RUN", cell: (r) => formatNext(r.next) },
      ]),
    );
    parts.push("\n");
  }
  const legend = reasonLegend(
    rows.flatMap((r) => r.next.map((d) => d.reason)),
    palette,
  );
  return parts.join("") + legend.replace(/^\n/, "");
}
