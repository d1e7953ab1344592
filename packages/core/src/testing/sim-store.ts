import { DbResources } from "./sim-db-resources.js";
import { simError } from "./sim-errors.js";
import { KeyStore } from "./sim-kms.js";
import type { Listed } from "./sim-listing.js";
import { parseRdsArn, placeKey } from "./sim-names.js";
import type { ClusterState, SnapshotState } from "./sim-state.js";
import type { InMemoryRdsOptions, SimPlace } from "./sim-types.js";

export type SimSettings = Required<Omit<InMemoryRdsOptions, "now">>;

/**
 * The simulator's state: clusters, snapshots and keys per account and region, the simulated
 * clock, and the lookups and invariants every operation shares.
 */
export class SimStore {
  clock: Date;
  readonly kms: KeyStore;
  readonly clusterMap = new Map<string, Map<string, ClusterState>>();
  readonly snapshotMap = new Map<string, Map<string, SnapshotState>>();
  /** Snapshots `creating`, `pending` or `copying`, advanced by `settle()`. */
  readonly inFlight = new Set<SnapshotState>();
  /** Bumped whenever the membership of a snapshot listing can change (not on status changes). */
  version = 0;
  readonly listingCache = new Map<string, { version: number; listed: Listed[] }>();
  /** DB instances and restored clusters' settings and transitions (sim-db-resources.ts). */
  readonly dbResources = new DbResources();

  constructor(
    readonly settings: SimSettings,
    now: Date,
  ) {
    this.clock = new Date(now);
    this.kms = new KeyStore(() => this.now());
  }

  now(): Date {
    return new Date(this.clock);
  }

  clustersAt(place: SimPlace): Map<string, ClusterState> {
    return getOrCreate(this.clusterMap, placeKey(place.account, place.region));
  }

  snapshotsAt(place: SimPlace): Map<string, SnapshotState> {
    return getOrCreate(this.snapshotMap, placeKey(place.account, place.region));
  }

  findCluster(place: SimPlace, ref: string): ClusterState | undefined {
    if (!ref.startsWith("arn:")) return this.clustersAt(place).get(ref.toLowerCase());
    const arn = parseRdsArn(ref);
    if (!arn || arn.resourceType !== "cluster") return undefined;
    if (arn.account !== place.account || arn.region !== place.region) return undefined;
    return this.clustersAt(place).get(arn.id);
  }

  /** One of the caller's own snapshots, by id or ARN; DBClusterSnapshotNotFoundFault otherwise. */
  ownSnapshot(place: SimPlace, ref: string): SnapshotState {
    let snap: SnapshotState | undefined;
    if (ref.startsWith("arn:")) {
      const arn = parseRdsArn(ref);
      const own =
        arn?.resourceType === "cluster-snapshot" &&
        arn.account === place.account &&
        arn.region === place.region;
      snap = own ? this.snapshotsAt(place).get(arn.id) : undefined;
    } else {
      snap = this.snapshotsAt(place).get(ref.toLowerCase());
    }
    if (!snap)
      throw simError("DBClusterSnapshotNotFoundFault", `DBClusterSnapshot ${ref} not found.`);
    return snap;
  }

  assertNewSnapshot(place: SimPlace, id: string): void {
    if (this.snapshotsAt(place).has(id)) {
      throw simError(
        "DBClusterSnapshotAlreadyExistsFault",
        `Cannot create the snapshot because a snapshot with the identifier ${id} already exists.`,
      );
    }
  }

  assertManualQuota(place: SimPlace): void {
    let manual = 0;
    for (const snap of this.snapshotsAt(place).values()) if (snap.type !== "automated") manual += 1;
    if (manual >= this.settings.manualSnapshotQuota) {
      throw simError(
        "SnapshotQuotaExceededFault",
        `Cannot create more than ${this.settings.manualSnapshotQuota} manual snapshots`,
      );
    }
  }

  insertSnapshot(snap: SnapshotState): void {
    this.snapshotsAt(snap).set(snap.id, snap);
    if (snap.readyAt || snap.status === "pending") this.inFlight.add(snap);
    this.version += 1;
  }

  endTransition(snap: SnapshotState, status: string): void {
    snap.status = status;
    delete snap.startedAt;
    delete snap.readyAt;
    this.inFlight.delete(snap);
  }

  /** Where settle() stopped last: a pending copy can start no earlier than that. */
  private settledAt: number | undefined;

  /**
   * Brings every snapshot in transition up to the current time, event by event in time order: a
   * `creating` snapshot or a running copy becomes `available` at its end; a `pending` copy starts
   * `copying`, in the order the copies were asked for, once it has waited `copyStartMinutes` and
   * its account and region run fewer than `copiesRunningAtOnce` copies (the rest queue with no
   * progress, as AWS shows queued cross-region copies).
   */
  settle(): void {
    const now = this.clock.getTime();
    let cursor = this.settledAt ?? now;
    const startDelay = this.settings.copyStartMinutes * 60_000;
    for (;;) {
      let next: { at: number; snap: SnapshotState; start: boolean } | undefined;
      const running = new Map<string, number>();
      const head = new Map<string, SnapshotState>();
      for (const snap of this.inFlight) {
        const place = placeKey(snap.account, snap.region);
        if (snap.status === "pending") {
          const first = head.get(place);
          if (!first || (snap.queuedAt?.getTime() ?? 0) < (first.queuedAt?.getTime() ?? 0))
            head.set(place, snap);
          continue;
        }
        if (snap.sourceArn !== undefined) running.set(place, (running.get(place) ?? 0) + 1);
        const end = snap.readyAt?.getTime() ?? now;
        if (end <= now && (!next || end < next.at)) next = { at: end, snap, start: false };
      }
      for (const [place, snap] of head) {
        if ((running.get(place) ?? 0) >= this.settings.copiesRunningAtOnce) continue;
        const at = Math.max((snap.queuedAt?.getTime() ?? now) + startDelay, cursor);
        // A finish at the same instant goes first, so the slot it frees is used at once.
        if (at <= now && (!next || at < next.at)) next = { at, snap, start: true };
      }
      if (!next) break;
      cursor = Math.max(cursor, next.at);
      const { snap } = next;
      if (next.start) {
        snap.status = "copying";
        snap.startedAt = new Date(next.at);
        snap.readyAt = new Date(next.at + (snap.durationMs ?? 0));
      } else {
        this.endTransition(snap, "available");
        snap.percentProgress = 100;
      }
    }
    this.settledAt = now;
    for (const snap of this.inFlight) {
      if (snap.status === "pending") continue;
      const start = snap.startedAt?.getTime() ?? now;
      const end = snap.readyAt?.getTime() ?? now;
      snap.percentProgress =
        end <= start ? 0 : Math.min(99, Math.floor(((now - start) / (end - start)) * 100));
    }
    this.dbResources.settle(this);
  }
}

function getOrCreate<V>(map: Map<string, Map<string, V>>, key: string): Map<string, V> {
  let inner = map.get(key);
  if (!inner) {
    inner = new Map();
    map.set(key, inner);
  }
  return inner;
}

export const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
export const byArn = (a: { arn: string }, b: { arn: string }): number => compare(a.arn, b.arn);

/** How another account sees a snapshot: `shared` when named in `restore`, `public` for `all`. */
export function sharedView(snap: SnapshotState, account: string): "shared" | "public" | undefined {
  if (snap.account === account) return undefined;
  if (snap.sharedWith.includes(account)) return "shared";
  if (snap.sharedWith.includes("all")) return "public";
  return undefined;
}

/**
 * A snapshot named by a request (a copy's or a restore's source): the caller's own by id, or by
 * ARN one it owns or that is shared with it; DBClusterSnapshotNotFoundFault otherwise.
 * `sameRegion`: only in the caller's region (a restore reads its snapshot where it is).
 */
export function sourceSnapshot(
  store: SimStore,
  place: SimPlace,
  ref: string,
  sameRegion = false,
): SnapshotState {
  const notFound = () =>
    simError("DBClusterSnapshotNotFoundFault", `DBClusterSnapshot ${ref} not found.`);
  if (!ref.startsWith("arn:")) {
    const snap = store.snapshotsAt(place).get(ref.toLowerCase());
    if (!snap) throw notFound();
    return snap;
  }
  const arn = parseRdsArn(ref);
  if (!arn || arn.resourceType !== "cluster-snapshot") throw notFound();
  if (sameRegion && arn.region !== place.region) throw notFound();
  const snap = store.snapshotsAt(arn).get(arn.id);
  if (!snap) throw notFound();
  if (snap.account !== place.account && !sharedView(snap, place.account)) throw notFound();
  return snap;
}
