import {
  TAG_COPIED_BY,
  TAG_CREATED_BY,
  TAG_CREATED_ON,
  TAG_INTERMEDIATE,
  TAG_SHARED_WITH,
  TAG_SHARED_WITH_2,
  TAG_SHARE_AND_COPY,
  isToolCopy,
  isToolSnapshot,
  UNSELECTED_REASONS,
  type Action,
  type Cluster,
  type Decision,
  type Reason,
  type Snapshot,
  type Step,
} from "../model/index.js";
import { snapshotTime } from "../plan/index.js";
import type { Plan } from "../steps/index.js";

/*
 * `list`: the tool's inventory joined with the decisions the next run of each step would make.
 * Pure rules over the plans planSourceSteps and planDestinationSteps return.
 */

export interface NextDecision {
  readonly step: Step;
  readonly action: Action;
  readonly reason: Reason;
  /** Where the action would run (for a copy: the target region). */
  readonly region: string;
  /** For `take`: the identifier the new snapshot would get. */
  readonly snapshot?: string;
}

export interface InventoryRow {
  readonly kind: "cluster" | "snapshot";
  readonly account: string;
  readonly region: string;
  readonly cluster: string;
  /** The snapshot; null on a cluster row. */
  readonly snapshot: string | null;
  /** The cluster's engine, or the snapshot's type (manual, shared, ...). */
  readonly type: string;
  readonly status: string;
  /** When the snapshot was taken (from its name, CreatedOn tag, or SnapshotCreateTime). */
  readonly time: string | null;
  readonly ageHours: number | null;
  readonly percentProgress?: number;
  /** The tool's own tags on the snapshot. */
  readonly toolTags: Readonly<Record<string, string>>;
  readonly next: readonly NextDecision[];
}

const TOOL_TAGS = [
  TAG_CREATED_BY,
  TAG_CREATED_ON,
  TAG_SHARE_AND_COPY,
  TAG_SHARED_WITH,
  TAG_SHARED_WITH_2,
  TAG_COPIED_BY,
  TAG_INTERMEDIATE,
];

function toolTags(tags: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of TOOL_TAGS) if (tags[key] !== undefined) out[key] = tags[key];
  return out;
}

function next(d: Decision): NextDecision {
  const base = { step: d.step, action: d.action, reason: d.reason, region: d.region };
  return d.action === "take" ? { ...base, snapshot: d.snapshot } : base;
}

function snapshotRow(s: Snapshot, now: Date, decisions: readonly Decision[]): InventoryRow {
  const time = snapshotTime(s);
  return {
    kind: "snapshot",
    account: s.account,
    region: s.region,
    cluster: s.clusterId,
    snapshot: s.name,
    type: s.type,
    status: s.status,
    time: time?.toISOString() ?? null,
    ageHours: time ? Math.round((now.getTime() - time.getTime()) / 360_000) / 10 : null,
    ...(s.percentProgress !== undefined && { percentProgress: s.percentProgress }),
    toolTags: toolTags(s.tags),
    next: decisions.map(next),
  };
}

function clusterRow(c: Cluster, decisions: readonly Decision[]): InventoryRow {
  return {
    kind: "cluster",
    account: c.account,
    region: c.region,
    cluster: c.id,
    snapshot: null,
    type: c.engine,
    status: c.status,
    time: null,
    ageHours: null,
    toolTags: {},
    next: decisions.map(next),
  };
}

const key = (region: string, name: string): string => `${region}\n${name.toLowerCase()}`;

function uniqueSnapshots(lists: readonly (readonly Snapshot[])[]): Snapshot[] {
  const seen = new Map<string, Snapshot>();
  for (const list of lists) {
    for (const s of list) {
      const id = s.arn || key(s.region, s.id);
      if (!seen.has(id)) seen.set(id, s);
    }
  }
  return [...seen.values()];
}

function byPlace(a: InventoryRow, b: InventoryRow): number {
  const text = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);
  return (
    text(a.account, b.account) ||
    text(a.region, b.region) ||
    text(a.cluster, b.cluster) ||
    text(a.kind, b.kind) ||
    (b.time ?? "").localeCompare(a.time ?? "") ||
    text(a.snapshot ?? "", b.snapshot ?? "")
  );
}

export interface SourceInventoryInput {
  readonly take: Plan;
  /** Absent when no destination account is configured (nothing is shared). */
  readonly share?: Plan;
  readonly prune: Plan;
  readonly now: Date;
  /** Include clusters the tool does not select and snapshots it did not make. */
  readonly all: boolean;
}

export function sourceInventory(input: SourceInventoryInput): InventoryRow[] {
  const rows: InventoryRow[] = [];
  for (const c of input.take.clusters ?? []) {
    const decisions = input.take.decisions.filter(
      (d) => d.cluster === c.id && d.region === c.region,
    );
    if (!input.all && decisions.every((d) => UNSELECTED_REASONS.has(d.reason))) continue;
    rows.push(clusterRow(c, decisions));
  }
  const bySnapshot = new Map<string, Decision[]>();
  for (const d of [...(input.share?.decisions ?? []), ...input.prune.decisions]) {
    if (d.snapshot === undefined) continue;
    const k = key(d.region, d.snapshot);
    bySnapshot.set(k, [...(bySnapshot.get(k) ?? []), d]);
  }
  const snapshots = uniqueSnapshots([
    input.prune.snapshots,
    input.take.snapshots,
    input.share?.snapshots ?? [],
  ]);
  for (const s of snapshots) {
    if (!input.all && !isToolSnapshot(s.tags)) continue;
    rows.push(snapshotRow(s, input.now, bySnapshot.get(key(s.region, s.name)) ?? []));
  }
  return rows.sort(byPlace);
}

export interface DestinationInventoryInput {
  readonly copy: Plan;
  readonly pruneDest: Plan;
  readonly crossAccount: boolean;
  readonly now: Date;
  readonly all: boolean;
}

/**
 * Rows for the snapshots copy works from (shared in, or the account's own with cross-account copy
 * off) and for the copies the tool made. Copy decisions name the source snapshot, so they go on
 * the source's row, except the removal of an intermediate copy, which goes on that copy's row.
 */
export function destinationInventory(input: DestinationInventoryInput): InventoryRow[] {
  const { copy, pruneDest } = input;
  const snapshots = uniqueSnapshots([copy.snapshots, pruneDest.snapshots]);
  const isSource = (s: Snapshot): boolean =>
    input.crossAccount
      ? s.type === "shared"
      : s.region === copy.region && s.type === "manual" && isToolSnapshot(s.tags);
  const sources = snapshots.filter(isSource);
  const own = snapshots.filter((s) => !isSource(s));

  const forSource = new Map<Snapshot, Decision[]>();
  const forOwn = new Map<string, Decision[]>();
  const push = <K>(map: Map<K, Decision[]>, k: K, d: Decision): void => {
    map.set(k, [...(map.get(k) ?? []), d]);
  };
  for (const d of copy.decisions) {
    if (d.snapshot === undefined) continue;
    if (d.reason === "intermediate-done" || d.reason === "intermediate-waiting") {
      push(forOwn, key(d.region, d.snapshot), d);
      continue;
    }
    const name = d.snapshot.toLowerCase();
    const candidates = sources.filter((s) => s.name.toLowerCase() === name);
    const source =
      (d.action === "copy" && candidates.find((s) => s.arn === d.sourceArn)) || candidates[0];
    if (source !== undefined) push(forSource, source, d);
  }
  for (const d of pruneDest.decisions) {
    if (d.snapshot !== undefined) push(forOwn, key(d.region, d.snapshot), d);
  }

  const rows: InventoryRow[] = [];
  for (const s of sources) {
    const decisions = forSource.get(s) ?? [];
    if (
      !input.all &&
      decisions.length > 0 &&
      decisions.every((d) => UNSELECTED_REASONS.has(d.reason))
    ) {
      continue;
    }
    rows.push(snapshotRow(s, input.now, decisions));
  }
  for (const s of own) {
    if (!input.all && !isToolCopy(s.tags)) continue;
    rows.push(snapshotRow(s, input.now, forOwn.get(key(s.region, s.name)) ?? []));
  }
  return rows.sort(byPlace);
}
