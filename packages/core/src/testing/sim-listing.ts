/**
 * DescribeDBClusters and DescribeDBClusterSnapshots: which snapshots a caller sees (its own, and
 * those shared with it in the same region), filters, and Marker paging. A listing is computed once
 * and cached until a snapshot is created, deleted or (un)shared, so paging through 100,000
 * snapshots costs one sort, not one per page.
 */
import type {
  DBClusterMessage,
  DBClusterSnapshotMessage,
  DescribeDBClusterSnapshotsMessage,
  DescribeDBClustersMessage,
  Filter,
} from "@aws-sdk/client-rds";
import { simError } from "./sim-errors.js";
import { parseRdsArn, placeKey } from "./sim-names.js";
import { paginate } from "./sim-paging.js";
import { apiCluster, apiSnapshot, sourceClusterArn } from "./sim-state.js";
import type { SnapshotState, SnapshotView } from "./sim-state.js";
import { byArn, compare, sharedView } from "./sim-store.js";
import type { SimStore } from "./sim-store.js";
import type { SimPlace } from "./sim-types.js";

/** One entry of a snapshot listing: the snapshot and how the caller sees it. */
export interface Listed {
  readonly snap: SnapshotState;
  readonly view: SnapshotView;
}

const SNAPSHOT_TYPES = ["automated", "manual", "shared", "public", "awsbackup"] as const;
const SNAPSHOT_FILTERS = new Set([
  "db-cluster-id",
  "db-cluster-snapshot-id",
  "snapshot-type",
  "engine",
]);
const LISTING_CACHE_SIZE = 16;

export function describeClusters(
  store: SimStore,
  place: SimPlace,
  input: DescribeDBClustersMessage,
): DBClusterMessage {
  let list = [...store.clustersAt(place).values()].sort(byArn);
  if (input.DBClusterIdentifier !== undefined) {
    const cluster = store.findCluster(place, input.DBClusterIdentifier);
    if (!cluster) {
      throw simError("DBClusterNotFoundFault", `DBCluster ${input.DBClusterIdentifier} not found.`);
    }
    list = [cluster];
  }
  for (const filter of input.Filters ?? []) {
    const values = filterValues(filter);
    if (filter.Name === "db-cluster-id") {
      list = list.filter((c) => values.includes(c.id) || values.includes(c.arn));
    } else if (filter.Name === "engine") {
      list = list.filter((c) => values.includes(c.engine));
    }
    // Other DescribeDBClusters filters are accepted and ignored: the tool does not use them.
  }
  const page = paginate(list, (c) => c.arn, input.MaxRecords, input.Marker);
  return {
    DBClusters: page.items.map(apiCluster),
    ...(page.marker !== undefined && { Marker: page.marker }),
  };
}

export function describeSnapshots(
  store: SimStore,
  place: SimPlace,
  input: DescribeDBClusterSnapshotsMessage,
): DBClusterSnapshotMessage {
  const listed = snapshotListing(store, place, input);
  const page = paginate(listed, (l) => l.snap.arn, input.MaxRecords, input.Marker);
  return {
    DBClusterSnapshots: page.items.map((l) => apiSnapshot(l.snap, l.view)),
    ...(page.marker !== undefined && { Marker: page.marker }),
  };
}

/** The full, sorted result of a listing (before paging), cached until the membership changes. */
function snapshotListing(
  store: SimStore,
  place: SimPlace,
  input: DescribeDBClusterSnapshotsMessage,
): Listed[] {
  const cacheKey = JSON.stringify([
    place.account,
    place.region,
    input.DBClusterIdentifier,
    input.DBClusterSnapshotIdentifier,
    input.SnapshotType,
    input.Filters,
    input.IncludeShared,
    input.IncludePublic,
  ]);
  const cached = store.listingCache.get(cacheKey);
  if (cached && cached.version === store.version) return cached.listed;

  if (input.DBClusterIdentifier !== undefined && input.DBClusterSnapshotIdentifier !== undefined) {
    throw simError(
      "InvalidParameterCombination",
      "DBClusterIdentifier cannot be combined with DBClusterSnapshotIdentifier",
    );
  }
  const filters = snapshotFilters(input.Filters);
  const types = wantedTypes(input, filters.get("snapshot-type"));
  let listed: Listed[];
  if (input.DBClusterSnapshotIdentifier !== undefined) {
    const found = visibleSnapshot(store, place, input.DBClusterSnapshotIdentifier);
    if (!found) {
      throw simError(
        "DBClusterSnapshotNotFoundFault",
        `DBClusterSnapshot ${input.DBClusterSnapshotIdentifier} not found.`,
      );
    }
    listed = [found];
  } else {
    listed = candidates(store, place, types);
  }
  const clusterIds = [
    ...(input.DBClusterIdentifier !== undefined ? [[input.DBClusterIdentifier.toLowerCase()]] : []),
    ...(filters.has("db-cluster-id") ? [filters.get("db-cluster-id") ?? []] : []),
  ];
  const snapshotIds = filters.get("db-cluster-snapshot-id");
  const engines = filters.get("engine");
  listed = listed
    .filter(
      ({ snap, view }) =>
        types.has(view === "own" ? snap.type : view) &&
        clusterIds.every(
          (ids) => ids.includes(snap.clusterId) || ids.includes(sourceClusterArn(snap)),
        ) &&
        (snapshotIds === undefined ||
          snapshotIds.includes(snap.id) ||
          snapshotIds.includes(snap.arn)) &&
        (engines === undefined || engines.includes(snap.engine)),
    )
    .sort((a, b) => compare(a.snap.arn, b.snap.arn));

  if (store.listingCache.size >= LISTING_CACHE_SIZE) store.listingCache.clear();
  store.listingCache.set(cacheKey, { version: store.version, listed });
  return listed;
}

function candidates(store: SimStore, place: SimPlace, types: ReadonlySet<string>): Listed[] {
  const listed: Listed[] = [];
  for (const snap of store.snapshotsAt(place).values()) {
    if (types.has(snap.type)) listed.push({ snap, view: "own" });
  }
  if (!types.has("shared") && !types.has("public")) return listed;
  // Sharing is regional: a snapshot shows up only in the same region of the other account.
  for (const [key, snaps] of store.snapshotMap) {
    if (key === placeKey(place.account, place.region) || !key.endsWith(`|${place.region}`))
      continue;
    for (const snap of snaps.values()) {
      const view = sharedView(snap, place.account);
      if (view && types.has(view)) listed.push({ snap, view });
    }
  }
  return listed;
}

/** A snapshot the caller can see by id (its own) or ARN (its own, or shared with it). */
function visibleSnapshot(store: SimStore, place: SimPlace, ref: string): Listed | undefined {
  if (!ref.startsWith("arn:")) {
    const snap = store.snapshotsAt(place).get(ref.toLowerCase());
    return snap && { snap, view: "own" };
  }
  const arn = parseRdsArn(ref);
  if (!arn || arn.resourceType !== "cluster-snapshot" || arn.region !== place.region)
    return undefined;
  const snap = store.snapshotsAt(arn).get(arn.id);
  if (!snap) return undefined;
  if (snap.account === place.account) return { snap, view: "own" };
  const view = sharedView(snap, place.account);
  return view && { snap, view };
}

function filterValues(filter: Filter): string[] {
  if (!filter.Name || !filter.Values || filter.Values.length === 0) {
    throw simError(
      "InvalidParameterValue",
      `Filter ${filter.Name ?? "(unnamed)"} needs at least one value`,
    );
  }
  return filter.Values.map((v) => v.toLowerCase());
}

function snapshotFilters(filters: readonly Filter[] | undefined): Map<string, string[]> {
  const byName = new Map<string, string[]>();
  for (const filter of filters ?? []) {
    const values = filterValues(filter);
    const name = filter.Name ?? "";
    if (!SNAPSHOT_FILTERS.has(name)) {
      throw simError("InvalidParameterValue", `Unrecognized filter name: ${name}`);
    }
    byName.set(name, [...(byName.get(name) ?? []), ...values]);
  }
  return byName;
}

/**
 * The snapshot types a listing returns. Default: automated + manual, plus shared with
 * IncludeShared and public with IncludePublic; an explicit SnapshotType (or a `snapshot-type`
 * filter, treated as several SnapshotTypes) replaces the default; naming one snapshot by id or ARN
 * finds it whatever its type. AWS Backup snapshots go with manual ones (see SimSnapshotType).
 */
function wantedTypes(
  input: DescribeDBClusterSnapshotsMessage,
  filterTypes: readonly string[] | undefined,
): Set<string> {
  const explicit = input.SnapshotType?.toLowerCase();
  if (explicit !== undefined && !(SNAPSHOT_TYPES as readonly string[]).includes(explicit)) {
    throw simError("InvalidParameterValue", `Invalid SnapshotType: ${input.SnapshotType}`);
  }
  let types: Set<string>;
  if (explicit !== undefined) {
    types = new Set(filterTypes === undefined || filterTypes.includes(explicit) ? [explicit] : []);
  } else if (filterTypes !== undefined) {
    types = new Set(filterTypes);
  } else if (input.DBClusterSnapshotIdentifier !== undefined) {
    types = new Set(SNAPSHOT_TYPES);
  } else {
    types = new Set(["automated", "manual"]);
    if (input.IncludeShared) types.add("shared");
    if (input.IncludePublic) types.add("public");
  }
  if (types.has("manual")) types.add("awsbackup");
  return types;
}
