import { isInProgress } from "../inventory/wait-rules.js";
import {
  TAG_DATA_TIME,
  TAG_INTERMEDIATE,
  UNSELECTED_REASONS,
  isToolSnapshot,
  sharedWithOf,
  type Decision,
  type Reason,
  type Snapshot,
} from "../model/index.js";
import { isOwnName, parseTimestamp } from "../naming/index.js";
import { isForeignCopy, ownsCopy, ownsSourceSnapshot } from "../plan/ownership.js";
import { isOwnReencryptedCopy } from "../plan/reencrypt-pairs.js";
import { isFutureStamped, stampedTime } from "../plan/snapshot-time.js";
import { COPY_ALLOWANCE_HOURS, RPO_SLACK_HOURS } from "../policy/assurance.js";
import { matchesPattern } from "../policy/pattern.js";
import type { DestinationPolicy, SourcePolicy } from "../policy/types.js";
import type { Plan } from "../steps/source-steps.js";
import type {
  PlaceKind,
  PlaceStatus,
  ProtectionState,
  RecoveryPoint,
  StatusReason,
  StatusReport,
  StatusSummary,
} from "./types.js";

/*
 * Recovery status from the plans the steps would make now: pure rules, no AWS call. A place is
 * protected when its newest available recovery point is no older than the RPO; otherwise at risk
 * when something is on its way there, else unprotected. The reasons say why.
 */

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DEFAULT_INTERVAL_HOURS = 24;

/** The source side's RPO: RPO_HOURS, else the interval plus the slack. */
export function sourceRpoHours(policy: SourcePolicy): number {
  return policy.rpoHours ?? policy.intervalHours + RPO_SLACK_HOURS;
}

/**
 * The destination side's RPO for a cluster: RPO_HOURS, else the cluster's interval (read from the
 * spacing of its two newest snapshots, 24 h with fewer) plus the slack and the copy allowance.
 */
export function destinationRpoHours(policy: DestinationPolicy, times: readonly Date[]): number {
  if (policy.rpoHours !== undefined) return policy.rpoHours;
  const sorted = [...times].map((t) => t.getTime()).sort((a, b) => b - a);
  const [newest, previous] = sorted;
  const interval =
    newest !== undefined && previous !== undefined && newest > previous
      ? Math.ceil((newest - previous) / HOUR_MS)
      : DEFAULT_INTERVAL_HOURS;
  return interval + RPO_SLACK_HOURS + COPY_ALLOWANCE_HOURS;
}

interface PlaceInput {
  readonly cluster: string;
  readonly place: PlaceKind;
  readonly account: string;
  readonly region: string;
  /** The place's available recovery points of the cluster. */
  readonly points: readonly Snapshot[];
  readonly inFlight: number;
  readonly rpoHours: number;
  /** Reasons found in the plans, in the order found (deduplicated and ranked here). */
  readonly found: readonly StatusReason[];
  readonly now: Date;
}

/** Ranks reasons so the most telling comes first: what blocks protection, then what is under way. */
const REASON_RANK: readonly StatusReason[] = [
  "never-taken",
  "never-shared",
  "never-copied",
  "stale",
  "default-key",
  "key-missing",
  "copy-failed",
  "copy-blocked",
  "cluster-skipped",
  "cluster-unavailable",
  "future-timestamp",
  "outside-retention",
  "snapshot-in-progress",
  "share-pending",
  "copy-in-progress",
  "copy-backlog",
  "copy-pending",
];

/**
 * The point in time a snapshot or copy restores to, for the RPO: the oldest of the tool's stamp
 * (name or CreatedOn tag: for a copy, its source's time), RDS's SnapshotCreateTime (which on a
 * copy may be the copy's own) and SnapshotToolDataTime (on a copy of an automated snapshot, and
 * the copies made of it: the automated snapshot's time; ignored when it is not a timestamp).
 * Retention takes the younger of stamp and SnapshotCreateTime, so as to keep longer; the RPO
 * takes the oldest, so as never to report a recovery point fresher than the data in it.
 */
export function recoveryTime(s: Snapshot): Date | undefined {
  const dataTag = s.tags[TAG_DATA_TIME];
  const dataTime = dataTag === undefined ? undefined : parseTimestamp(dataTag);
  const times = [stampedTime(s), s.createTime, dataTime].flatMap((t) =>
    t === undefined || Number.isNaN(t.getTime()) ? [] : [t.getTime()],
  );
  return times.length === 0 ? undefined : new Date(Math.min(...times));
}

function newestPoint(points: readonly Snapshot[], now: Date): RecoveryPoint | null {
  let best: { s: Snapshot; t: Date } | undefined;
  for (const s of points) {
    const t = recoveryTime(s);
    if (t === undefined || isFutureStamped(s, now)) continue;
    if (best === undefined || t.getTime() > best.t.getTime()) best = { s, t };
  }
  if (best === undefined) return null;
  return {
    snapshot: best.s.name,
    arn: best.s.arn,
    time: best.t.toISOString(),
    ageMinutes: Math.max(0, Math.floor((now.getTime() - best.t.getTime()) / MINUTE_MS)),
  };
}

function placeStatus(p: PlaceInput): PlaceStatus {
  const newest = newestPoint(p.points, p.now);
  const within = newest !== null && newest.ageMinutes <= p.rpoHours * 60;
  const state: ProtectionState = within ? "protected" : p.inFlight > 0 ? "at-risk" : "unprotected";
  const never: StatusReason =
    p.place === "source" ? "never-taken" : p.place === "shared" ? "never-shared" : "never-copied";
  const reasons = within
    ? []
    : [...new Set<StatusReason>([newest === null ? never : "stale", ...p.found])].sort(
        (a, b) => REASON_RANK.indexOf(a) - REASON_RANK.indexOf(b),
      );
  return {
    cluster: p.cluster,
    place: p.place,
    account: p.account,
    region: p.region,
    newest,
    kept: p.points.length,
    inFlight: p.inFlight,
    rpoHours: p.rpoHours,
    state,
    reasons,
  };
}

const PLACE_ORDER: readonly PlaceKind[] = ["source", "shared", "dr"];

function report(
  side: StatusReport["side"],
  account: string,
  now: Date,
  places: PlaceStatus[],
): StatusReport {
  places.sort(
    (a, b) =>
      a.cluster.localeCompare(b.cluster) ||
      PLACE_ORDER.indexOf(a.place) - PLACE_ORDER.indexOf(b.place) ||
      a.region.localeCompare(b.region),
  );
  const ages = places.flatMap((p) => (p.newest === null ? [] : [p.newest.ageMinutes]));
  const summary: StatusSummary = {
    protected: places.filter((p) => p.state === "protected").length,
    atRisk: places.filter((p) => p.state === "at-risk").length,
    unprotected: places.filter((p) => p.state === "unprotected").length,
    maxAgeMinutes: ages.length === 0 ? null : Math.max(...ages),
  };
  return { side, account, generatedAt: now.toISOString(), places, summary };
}

const lower = (s: string): string => s.toLowerCase();

function decisionsBy(decisions: readonly Decision[], key: (d: Decision) => string) {
  const map = new Map<string, Decision[]>();
  for (const d of decisions) {
    const k = key(d);
    const list = map.get(k);
    if (list) list.push(d);
    else map.set(k, [d]);
  }
  return map;
}

/** Take reasons that leave a selected cluster without a new snapshot, as status reasons. */
function takeReason(reason: Reason): StatusReason | undefined {
  switch (reason) {
    case "cluster-unavailable":
      return "cluster-unavailable";
    case "future-timestamp":
      return "future-timestamp";
    case "identifier-too-long":
    case "identifier-invalid":
    case "snapshot-name-taken":
      return "cluster-skipped";
    default:
      return undefined;
  }
}

export interface SourceStatusInput {
  readonly take: Plan;
  readonly share?: Plan;
  readonly prune: Plan;
  readonly policy: SourcePolicy;
  readonly now: Date;
  /** The source account. */
  readonly account: string;
}

/**
 * Source side: each selected cluster in its region (the tool's own available snapshots), and,
 * with a destination account, what is shared with it.
 */
export function sourceStatusFrom(input: SourceStatusInput): StatusReport {
  const { policy, now } = input;
  const rpoHours = sourceRpoHours(policy);
  const region = input.take.region;
  // Take's decisions name the cluster exactly as RDS lists it.
  const take = decisionsBy(input.take.decisions, (d) => d.cluster);
  const selected = (input.take.clusters ?? []).filter((c) => {
    const ds = take.get(c.id) ?? [];
    return ds.length > 0 && !ds.every((d) => UNSELECTED_REASONS.has(d.reason));
  });
  const owned = input.prune.snapshots.filter(
    (s) =>
      s.region === region &&
      s.type === "manual" &&
      ownsSourceSnapshot(s, policy.snapshotNamePrefix),
  );
  const shareByName = decisionsBy(input.share?.decisions ?? [], (d) => lower(d.snapshot ?? ""));
  const places: PlaceStatus[] = [];
  for (const c of selected) {
    const mine = owned.filter((s) => lower(s.clusterId) === lower(c.id));
    const available = mine.filter((s) => s.status === "available");
    const creating = mine.filter(isInProgress).length;
    const found: StatusReason[] = [];
    for (const d of take.get(c.id) ?? []) {
      const r = takeReason(d.reason);
      if (r !== undefined) found.push(r);
    }
    if (mine.some((s) => isFutureStamped(s, now))) found.push("future-timestamp");
    if (creating > 0) found.push("snapshot-in-progress");
    places.push(
      placeStatus({
        cluster: c.id,
        place: "source",
        account: input.account,
        region,
        points: available,
        inFlight: creating,
        rpoHours,
        found,
        now,
      }),
    );

    if (policy.destinationAccounts.length === 0 || input.share === undefined) continue;
    // An aws/rds snapshot is shared through its re-encrypted copy (REENCRYPT_KMS_KEY), which
    // carries the original's time in its name: the copy is that recovery point in this place.
    const reencrypted = input.prune.snapshots.filter(
      (s) =>
        s.region === region &&
        s.type === "manual" &&
        s.status === "available" &&
        lower(s.clusterId) === lower(c.id) &&
        isOwnReencryptedCopy(s, policy.snapshotNamePrefix),
    );
    const shareable = [...available, ...reencrypted];
    // One `shared` place per destination account: each is a place of its own that a restore can
    // come from, with its own newest point, so a share that reaches A but not B shows B behind
    // rather than counting the snapshot as shared or as not shared for both.
    for (const destination of policy.destinationAccounts) {
      const shared = shareable.filter((s) => sharedWithOf(s.tags).includes(destination));
      let pending = creating;
      const shareFound: StatusReason[] = [];
      for (const s of shareable) {
        for (const d of shareByName.get(lower(s.name)) ?? []) {
          if (d.action === "share" && d.shareWith !== destination) continue;
          if (d.action === "share" || (d.action === "skip" && d.reason === "reencrypting")) {
            pending += 1;
            shareFound.push("share-pending");
          } else if (
            d.reason === "encrypted-with-default-key" ||
            d.reason === "reencrypt-key-unusable"
          ) {
            shareFound.push("default-key");
            // The re-encryption that would share it cannot start: the key is the problem.
            if (d.reason === "reencrypt-key-unusable") shareFound.push("key-missing");
          } else {
            const stalled = reencryptStall(d);
            if (stalled === "copy-backlog") pending += 1;
            if (stalled !== undefined) shareFound.push(stalled);
          }
        }
      }
      if (creating > 0) shareFound.push("snapshot-in-progress");
      places.push(
        placeStatus({
          cluster: c.id,
          place: "shared",
          account: destination,
          region,
          points: shared,
          inFlight: pending,
          rpoHours,
          found: shareFound,
          now,
        }),
      );
    }
  }
  return report("source", input.account, now, places);
}

export interface DestinationStatusInput {
  readonly copy: Plan;
  readonly pruneDest: Plan;
  readonly policy: DestinationPolicy;
  readonly now: Date;
  /** The destination account. */
  readonly account: string;
}

/**
 * Share's skips of an aws/rds original whose re-encrypting copy (cmk-NAME) did not start or did not
 * finish, as reasons of the shared place: the copy waits for a slot, failed, or cannot be made.
 */
function reencryptStall(d: Decision): StatusReason | undefined {
  if (d.action !== "skip") return undefined;
  switch (d.reason) {
    case "copy-slots-full":
      return "copy-backlog";
    case "copy-failed":
      return "copy-failed";
    case "snapshot-name-taken":
    case "identifier-too-long":
    case "identifier-invalid":
      return "copy-blocked";
    default:
      return undefined;
  }
}

/** Copy reasons as status reasons, and whether they mean a copy is on its way. */
function copyReason(d: Decision): { reason?: StatusReason; underway: boolean } {
  if (d.action === "copy") return { reason: "copy-pending", underway: true };
  switch (d.reason) {
    case "copy-in-progress":
      return { reason: "copy-in-progress", underway: true };
    case "copy-slots-full":
      return { reason: "copy-backlog", underway: true };
    case "kms-key-required":
    case "source-key-not-accessible":
      return { reason: "key-missing", underway: false };
    case "copy-failed":
      return { reason: "copy-failed", underway: false };
    case "copy-name-taken":
      return { reason: "copy-blocked", underway: false };
    case "future-timestamp":
      return { reason: "future-timestamp", underway: false };
    case "outside-retention":
      return { reason: "outside-retention", underway: false };
    default:
      return { underway: false };
  }
}

/**
 * Destination side: each cluster whose snapshots the copy step selects (or of which the tool keeps
 * copies), in each target region: the tool's own available copies there (intermediates and copies
 * from accounts outside SOURCE_ACCOUNTS do not count).
 */
export function destinationStatusFrom(input: DestinationStatusInput): StatusReport {
  const { policy, now, copy } = input;
  const localRegion = copy.region;
  const regions = policy.crossAccount
    ? policy.destinationRegions
    : policy.destinationRegions.filter((r) => r !== localRegion);
  const all = [...copy.snapshots, ...input.pruneDest.snapshots];
  const seen = new Set<string>();
  const snapshots = all.filter((s) => {
    const k = s.arn || `${s.region}|${s.id}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  const copies = snapshots.filter(
    (s) =>
      s.type === "manual" &&
      ownsCopy(s) &&
      s.tags[TAG_INTERMEDIATE] === undefined &&
      !isForeignCopy(s, policy.sourceAccounts) &&
      matchesPattern(policy.snapshotPattern, s.clusterId),
  );
  // The clusters copy selects: those with a decision not about being left out.
  const copyDecisions = copy.decisions.filter((d) => d.step === "copy");
  const byCluster = decisionsBy(copyDecisions, (d) => lower(d.cluster));
  const clusters = new Map<string, string>();
  for (const [key, ds] of byCluster) {
    if (ds.some((d) => !UNSELECTED_REASONS.has(d.reason))) clusters.set(key, ds[0]?.cluster ?? key);
  }
  for (const s of copies) {
    if (regions.includes(s.region) && !clusters.has(lower(s.clusterId))) {
      clusters.set(lower(s.clusterId), s.clusterId);
    }
  }
  const sourceTimes = (cluster: string): Date[] => {
    // Only the tool's own backups tell the interval: a snapshot taken by hand (or shared by
    // another account) between two of them would shorten it and the RPO with it.
    const sources = snapshots.filter(
      (s) =>
        lower(s.clusterId) === cluster &&
        isOwnName(s.name, s.clusterId, { any: true }) &&
        (policy.crossAccount
          ? s.type === "shared" &&
            (policy.sourceAccounts.length === 0 || policy.sourceAccounts.includes(s.account))
          : s.region === localRegion &&
            s.type === "manual" &&
            isToolSnapshot(s.tags) &&
            !ownsCopy(s)),
    );
    const list =
      sources.length > 1 ? sources : copies.filter((s) => lower(s.clusterId) === cluster);
    return list.flatMap((s) => {
      const t = recoveryTime(s);
      return t === undefined || isFutureStamped(s, now) ? [] : [t];
    });
  };

  const places: PlaceStatus[] = [];
  for (const [key, cluster] of clusters) {
    const rpoHours = destinationRpoHours(policy, sourceTimes(key));
    for (const region of regions) {
      const here = copies.filter((s) => s.region === region && lower(s.clusterId) === key);
      const found: StatusReason[] = [];
      let inFlight = here.filter(isInProgress).length;
      if (inFlight > 0) found.push("copy-in-progress");
      const counted = new Set(here.filter(isInProgress).map((s) => lower(s.name)));
      for (const d of byCluster.get(key) ?? []) {
        if (d.region !== region) continue;
        const { reason, underway } = copyReason(d);
        if (reason !== undefined) found.push(reason);
        // A running copy is counted once, from the copy itself when it is listed.
        if (
          underway &&
          !(d.reason === "copy-in-progress" && counted.has(lower(d.snapshot ?? "")))
        ) {
          inFlight += 1;
        }
      }
      if (here.some((s) => isFutureStamped(s, now))) found.push("future-timestamp");
      places.push(
        placeStatus({
          cluster,
          place: "dr",
          account: input.account,
          region,
          points: here.filter((s) => s.status === "available"),
          inFlight,
          rpoHours,
          found,
          now,
        }),
      );
    }
  }
  return report("destination", input.account, now, places);
}
