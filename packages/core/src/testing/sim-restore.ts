/**
 * The operations a restore verification needs: RestoreDBClusterFromSnapshot, CreateDBInstance,
 * DescribeDBInstances, DeleteDBInstance, DeleteDBCluster, and the DBClusterMembers /
 * DeletionProtection that DescribeDBClusters reports for restored clusters. Each refuses what RDS
 * refuses, with the modelled error names of the API reference:
 * https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_RestoreDBClusterFromSnapshot.html
 * https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html
 * https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBInstances.html
 * https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DeleteDBInstance.html
 * https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DeleteDBCluster.html
 * and the deletion rules of https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_DeleteCluster.html
 * Where AWS documents a refusal but not its code or text, the comment says so.
 */
import type {
  CreateDBClusterSnapshotMessage,
  CreateDBInstanceMessage,
  CreateDBInstanceResult,
  DBClusterMessage,
  DBInstanceMessage,
  DeleteDBClusterMessage,
  DeleteDBClusterResult,
  DeleteDBInstanceMessage,
  DeleteDBInstanceResult,
  DescribeDBInstancesMessage,
  Filter,
  RestoreDBClusterFromSnapshotMessage,
  RestoreDBClusterFromSnapshotResult,
} from "@aws-sdk/client-rds";
import {
  DEFAULT_SUBNET_GROUP,
  defaultSecurityGroup,
  enginePort,
  instanceArn,
  resourceId,
} from "./sim-db-resources.js";
import type { InstanceState } from "./sim-db-resources.js";
import { simError } from "./sim-errors.js";
import type {
  SimInstanceFilter,
  SimInstanceInit,
  SimInstanceRecord,
} from "./sim-instance-types.js";
import { clusterArn, placeKey } from "./sim-names.js";
import { paginate } from "./sim-paging.js";
import { required, validIdentifier, validTags } from "./sim-params.js";
import { apiCluster } from "./sim-state.js";
import type { ClusterState, SnapshotState } from "./sim-state.js";
import { byArn, sourceSnapshot } from "./sim-store.js";
import type { SimStore } from "./sim-store.js";
import type { SimPlace, SimRef } from "./sim-types.js";

const MINUTE = 60_000;
const DEFAULT_INSTANCE_CLASS = "db.serverless";

/** Statuses DeleteDBCluster accepts (USER_DeleteCluster: not `stopped`; nothing mid-operation). */
const DELETABLE_CLUSTER = new Set([
  "available",
  "failed",
  "inaccessible-encryption-credentials",
  "incompatible-network",
  "incompatible-parameters",
  "incompatible-restore",
]);

/**
 * Statuses DeleteDBInstance accepts. AWS names the failure states it deletes (API_DeleteDBInstance:
 * `failed`, `incompatible-restore`, `incompatible-network`); refusing `creating` is the model's
 * conservative reading (unverified), so a caller that gives up on a slow instance must wait for it
 * to settle before deleting, which works against AWS either way.
 */
const DELETABLE_INSTANCE = new Set([
  "available",
  "failed",
  "incompatible-network",
  "incompatible-parameters",
  "incompatible-restore",
  "inaccessible-encryption-credentials",
  "storage-full",
]);

const INSTANCE_FILTERS = new Set([
  "db-cluster-id",
  "db-instance-id",
  "dbi-resource-id",
  "domain",
  "engine",
]);

export function restoreClusterFromSnapshot(
  store: SimStore,
  place: SimPlace,
  input: RestoreDBClusterFromSnapshotMessage,
): RestoreDBClusterFromSnapshotResult {
  const id = validIdentifier(
    required(input.DBClusterIdentifier, "DBClusterIdentifier"),
    "DBClusterIdentifier",
  );
  const snapshotRef = required(input.SnapshotIdentifier, "SnapshotIdentifier");
  const engine = required(input.Engine, "Engine").toLowerCase();
  const tags = validTags(input.Tags);
  const port = validPort(input.Port, engine);
  const securityGroups = validSecurityGroups(input.VpcSecurityGroupIds, place);
  if (store.clustersAt(place).has(id)) {
    throw simError("DBClusterAlreadyExistsFault", "DB Cluster already exists");
  }
  const source = sourceSnapshot(store, place, snapshotRef, true);
  if (source.status !== "available") {
    throw simError(
      "InvalidDBClusterSnapshotStateFault",
      `Snapshot ${source.arn} is ${source.status}; only available snapshots can be restored`,
    );
  }
  // "Must be compatible with the engine of the source"; the refusal's code is not documented.
  if (engine !== source.engine) {
    throw simError(
      "InvalidParameterCombination",
      `Engine ${engine} is not compatible with the snapshot's engine ${source.engine}`,
    );
  }
  const subnetGroup = input.DBSubnetGroupName ?? DEFAULT_SUBNET_GROUP;
  if (!store.dbResources.hasSubnetGroup(place, subnetGroup)) {
    throw simError("DBSubnetGroupNotFoundFault", `DBSubnetGroup ${subnetGroup} not found.`);
  }
  const encryption = restoreKey(store, place, source, input.KmsKeyId);
  const now = store.now();
  const cluster: ClusterState = {
    account: place.account,
    region: place.region,
    id,
    arn: clusterArn(place.account, place.region, id),
    engine,
    // The API reference says an omitted EngineVersion means the region's default; a restore in
    // practice keeps the snapshot's version, which is also the only choice that cannot fail.
    engineVersion: input.EngineVersion ?? source.engineVersion,
    status: "creating",
    encrypted: encryption.encrypted,
    ...(encryption.kmsKeyId !== undefined && { kmsKeyId: encryption.kmsKeyId }),
    tags,
    createTime: now,
    resourceId: resourceId("cluster", `${place.account}:${place.region}:${id}:${now.getTime()}`),
  };
  store.clustersAt(place).set(id, cluster);
  store.dbResources.setDetails(cluster, {
    deletionProtection: input.DeletionProtection ?? false,
    subnetGroup: subnetGroup.toLowerCase(),
    securityGroups,
    port,
    copyTagsToSnapshot: input.CopyTagsToSnapshot ?? false,
    transition: {
      from: "creating",
      to: "available",
      startedAt: now,
      readyAt: new Date(now.getTime() + store.settings.restoreMinutes * MINUTE),
    },
  });
  return { DBCluster: fullCluster(store, cluster) };
}

/**
 * The restored cluster's encryption (API_RestoreDBClusterFromSnapshot, KmsKeyId): without a key it
 * keeps the snapshot's (or stays unencrypted); with one it is encrypted with that key. Either way
 * an encrypted snapshot's key must be usable by the caller: for a shared snapshot, the owner's key
 * policy must grant the caller (AuroraUserGuide/share-encrypted-snapshot).
 */
function restoreKey(
  store: SimStore,
  place: SimPlace,
  source: SnapshotState,
  keyRef: string | undefined,
): { encrypted: boolean; kmsKeyId?: string } {
  let sourceKeyArn: string | undefined;
  if (source.encrypted) {
    const key = source.kmsKeyId === undefined ? undefined : store.kms.byKeyArn(source.kmsKeyId);
    if (!key || !key.enabled || !store.kms.usableBy(key, place.account)) {
      throw simError(
        "KMSKeyNotAccessibleFault",
        `The snapshot's KMS key ${source.kmsKeyId ?? "(none)"} is not accessible`,
      );
    }
    sourceKeyArn = key.arn;
  }
  if (keyRef === undefined || keyRef === "") {
    return sourceKeyArn === undefined
      ? { encrypted: false }
      : { encrypted: true, kmsKeyId: sourceKeyArn };
  }
  // A key of another account is named by its key or alias ARN; resolve() also keeps it regional.
  const key = store.kms.resolve(keyRef, place.account, place.region);
  if (!key || !key.enabled || !store.kms.usableBy(key, place.account)) {
    throw simError("KMSKeyNotAccessibleFault", `KMS key ${keyRef} is not accessible`);
  }
  return { encrypted: true, kmsKeyId: key.arn };
}

export function createInstance(
  store: SimStore,
  place: SimPlace,
  input: CreateDBInstanceMessage,
): CreateDBInstanceResult {
  const id = validIdentifier(
    required(input.DBInstanceIdentifier, "DBInstanceIdentifier"),
    "DBInstanceIdentifier",
  );
  const instanceClass = validInstanceClass(required(input.DBInstanceClass, "DBInstanceClass"));
  const engine = required(input.Engine, "Engine").toLowerCase();
  // Only Aurora cluster members are modelled, so the cluster is required here.
  const clusterRef = required(input.DBClusterIdentifier, "DBClusterIdentifier");
  const tags = validTags(input.Tags);
  const promotionTier = input.PromotionTier ?? 1;
  if (!Number.isInteger(promotionTier) || promotionTier < 0 || promotionTier > 15) {
    throw simError("InvalidParameterValue", `PromotionTier must be 0 to 15, got ${promotionTier}`);
  }
  if (store.dbResources.instancesAt(place).has(id)) {
    throw simError("DBInstanceAlreadyExistsFault", "DB instance already exists");
  }
  const cluster = store.findCluster(place, clusterRef);
  if (!cluster) throw simError("DBClusterNotFoundFault", `DBCluster ${clusterRef} not found.`);
  if (engine !== cluster.engine) {
    throw simError(
      "InvalidParameterCombination",
      `The engine name requested for your DB instance (${engine}) doesn't match the engine name of your DB cluster (${cluster.engine}).`,
    );
  }
  // API_RestoreDBClusterFromSnapshot: "You can create DB instances only after the
  // RestoreDBClusterFromSnapshot operation has completed and the DB cluster is available."
  if (cluster.status !== "available") {
    throw simError(
      "InvalidDBClusterStateFault",
      `DBCluster ${cluster.id} is in ${cluster.status} state but expected it to be available.`,
    );
  }
  const now = store.now();
  const instance = newInstance(store, place, {
    id,
    cluster,
    instanceClass,
    status: "creating",
    createTime: now,
    promotionTier,
    tags,
    ...(input.AvailabilityZone !== undefined && { availabilityZone: input.AvailabilityZone }),
  });
  store.dbResources.insertInstance(instance);
  return { DBInstance: store.dbResources.apiInstance(instance) };
}

export function describeInstances(
  store: SimStore,
  place: SimPlace,
  input: DescribeDBInstancesMessage,
): DBInstanceMessage {
  const db = store.dbResources;
  let list = [...db.instancesAt(place).values()].sort(byArn);
  if (input.DBInstanceIdentifier !== undefined) {
    const found = db.findInstance(place, input.DBInstanceIdentifier);
    if (!found) {
      throw simError(
        "DBInstanceNotFoundFault",
        `DBInstance ${input.DBInstanceIdentifier} not found.`,
      );
    }
    list = [found];
  }
  for (const filter of input.Filters ?? []) {
    const name = filter.Name ?? "";
    if (!INSTANCE_FILTERS.has(name)) {
      throw simError("InvalidParameterValue", `Unrecognized filter name: ${name}`);
    }
    const values = filterValues(filter);
    list = list.filter((i) => {
      switch (name) {
        case "db-cluster-id":
          return values.includes(i.cluster.id) || values.includes(i.cluster.arn);
        case "db-instance-id":
          return values.includes(i.id) || values.includes(i.arn);
        case "dbi-resource-id":
          return values.includes(i.resourceId.toLowerCase());
        case "engine":
          return values.includes(i.engine);
        default:
          // `domain`: no modelled instance joins an Active Directory domain.
          return false;
      }
    });
  }
  const page = paginate(list, (i) => i.arn, input.MaxRecords, input.Marker);
  return {
    DBInstances: page.items.map((i) => db.apiInstance(i)),
    ...(page.marker !== undefined && { Marker: page.marker }),
  };
}

export function deleteInstance(
  store: SimStore,
  place: SimPlace,
  input: DeleteDBInstanceMessage,
): DeleteDBInstanceResult {
  const ref = required(input.DBInstanceIdentifier, "DBInstanceIdentifier");
  const db = store.dbResources;
  const instance = db.findInstance(place, ref);
  if (!instance) throw simError("DBInstanceNotFoundFault", `DBInstance ${ref} not found.`);
  if (instance.status === "deleting") {
    throw simError(
      "InvalidDBInstanceStateFault",
      `Instance ${instance.id} is already being deleted.`,
    );
  }
  if (!DELETABLE_INSTANCE.has(instance.status)) {
    throw simError(
      "InvalidDBInstanceStateFault",
      `Instance ${instance.id} is in ${instance.status} state and cannot be deleted now.`,
    );
  }
  // SkipFinalSnapshot / FinalDBSnapshotIdentifier do not apply to an Aurora member (its data lives
  // in the cluster volume): USER_DeleteCluster deletes members without either. Deletion protection
  // is the cluster's and does not stop it: "DB instances in a DB cluster can be deleted even when
  // deletion protection is enabled for the DB cluster" (API_CreateDBInstance, DeletionProtection).
  const now = store.now();
  instance.status = "deleting";
  db.startInstanceTransition(instance, {
    from: "deleting",
    to: "deleted",
    startedAt: now,
    readyAt: new Date(now.getTime() + store.settings.instanceDeleteMinutes * MINUTE),
  });
  return { DBInstance: db.apiInstance(instance) };
}

/**
 * DeleteDBCluster. `takeFinalSnapshot` is CreateDBClusterSnapshot as sim-operations.ts runs it, so
 * a final snapshot obeys the same rules (identifier, AlreadyExists, quota, available cluster).
 */
export function deleteCluster(
  store: SimStore,
  place: SimPlace,
  input: DeleteDBClusterMessage,
  takeFinalSnapshot: (input: CreateDBClusterSnapshotMessage) => unknown,
): DeleteDBClusterResult {
  const ref = required(input.DBClusterIdentifier, "DBClusterIdentifier");
  const cluster = store.findCluster(place, ref);
  if (!cluster) throw simError("DBClusterNotFoundFault", `DBCluster ${ref} not found.`);
  const db = store.dbResources;
  // The code and text AWS answers with, as the Aurora User Guide quotes them (aurora-serverless.delete).
  if (db.detailsOf(cluster)?.deletionProtection) {
    throw simError(
      "InvalidParameterCombination",
      "Cannot delete protected Cluster, please disable deletion protection and try again.",
    );
  }
  if (cluster.status === "deleting") {
    throw simError(
      "InvalidDBClusterStateFault",
      `DBCluster ${cluster.id} is already being deleted.`,
    );
  }
  if (!DELETABLE_CLUSTER.has(cluster.status)) {
    throw simError(
      "InvalidDBClusterStateFault",
      `DBCluster ${cluster.id} is in ${cluster.status} state and cannot be deleted now.`,
    );
  }
  // USER_DeleteCluster: members must be gone or `deleting` first; the text is AWS's own.
  if (db.membersOf(cluster).some((m) => m.status !== "deleting")) {
    throw simError(
      "InvalidDBClusterStateFault",
      "Cluster cannot be deleted, it still contains DB instances in non-deleting state.",
    );
  }
  const skip = input.SkipFinalSnapshot ?? false;
  const finalId = input.FinalDBSnapshotIdentifier;
  const hasFinalId = finalId !== undefined && finalId !== "";
  // API_DeleteDBCluster documents both refusals; the code is the one RDS answers DeleteDBInstance with.
  if (skip && hasFinalId) {
    throw simError(
      "InvalidParameterCombination",
      "FinalDBSnapshotIdentifier can not be specified when SkipFinalSnapshot is enabled.",
    );
  }
  if (!skip && !hasFinalId) {
    throw simError(
      "InvalidParameterCombination",
      "FinalDBSnapshotIdentifier is required unless SkipFinalSnapshot is specified.",
    );
  }
  // The answer shows the cluster as it was: USER_DeleteCluster's examples return "available".
  const before = fullCluster(store, cluster);
  if (hasFinalId) {
    takeFinalSnapshot({ DBClusterIdentifier: cluster.id, DBClusterSnapshotIdentifier: finalId });
  }
  const now = store.now();
  // With a final snapshot, RDS deletes the cluster once the snapshot is taken.
  const minutes =
    store.settings.clusterDeleteMinutes + (hasFinalId ? store.settings.createMinutes : 0);
  cluster.status = "deleting";
  db.startClusterTransition(cluster, {
    from: "deleting",
    to: "deleted",
    startedAt: now,
    readyAt: new Date(now.getTime() + minutes * MINUTE),
  });
  return { DBCluster: before };
}

/** DescribeDBClusters' answer with each cluster's members, deletion protection and network. */
export function withClusterDetails(
  store: SimStore,
  place: SimPlace,
  output: DBClusterMessage,
): DBClusterMessage {
  if (!output.DBClusters) return output;
  return {
    ...output,
    DBClusters: output.DBClusters.map((c) => {
      const cluster = store.clustersAt(place).get(c.DBClusterIdentifier ?? "");
      return cluster ? store.dbResources.apiCluster(cluster, c) : c;
    }),
  };
}

function fullCluster(store: SimStore, cluster: ClusterState) {
  return store.dbResources.apiCluster(cluster, apiCluster(cluster));
}

// ---------------------------------------------------------------- seeding and inspection

/** `InMemoryRds.addInstance`: an instance in an existing cluster, as if created earlier. */
export function seedInstance(store: SimStore, init: SimInstanceInit): SimInstanceRecord {
  const id = init.id.toLowerCase();
  const cluster = store.clustersAt(init).get(init.clusterId.toLowerCase());
  if (!cluster) {
    throw new Error(`no cluster ${init.clusterId} in ${placeKey(init.account, init.region)}`);
  }
  if (store.dbResources.instancesAt(init).has(id)) {
    throw new Error(`instance ${id} already exists in ${placeKey(init.account, init.region)}`);
  }
  const status = init.status ?? "available";
  const now = store.now();
  const instance = newInstance(store, init, {
    id,
    cluster,
    instanceClass: init.instanceClass ?? DEFAULT_INSTANCE_CLASS,
    status,
    createTime: new Date(init.createTime ?? now),
    promotionTier: 1,
    tags: { ...init.tags },
  });
  store.dbResources.detailsFor(cluster);
  store.dbResources.insertInstance(instance);
  store.settle();
  return store.dbResources.instanceRecord(instance);
}

/** `InMemoryRds.instances`: copies of the instances, sorted by ARN. */
export function listInstances(store: SimStore, filter: SimInstanceFilter): SimInstanceRecord[] {
  const clusterId = filter.clusterId?.toLowerCase();
  return store.dbResources
    .allInstances()
    .filter(
      (i) =>
        (filter.account === undefined || i.account === filter.account) &&
        (filter.region === undefined || i.region === filter.region) &&
        (clusterId === undefined || i.cluster.id === clusterId),
    )
    .sort(byArn)
    .map((i) => store.dbResources.instanceRecord(i));
}

/** `InMemoryRds.setInstanceStatus`: forces a status; any pending transition is dropped. */
export function forceInstanceStatus(store: SimStore, ref: SimRef, status: string): void {
  const instance = store.dbResources.instancesAt(ref).get(ref.id.toLowerCase());
  if (!instance) throw new Error(`no instance ${ref.id} in ${placeKey(ref.account, ref.region)}`);
  store.dbResources.endInstanceTransition(instance);
  instance.status = status;
}

/** `InMemoryRds.setDeletionProtection`. */
export function forceDeletionProtection(store: SimStore, ref: SimRef, enabled: boolean): void {
  const cluster = store.clustersAt(ref).get(ref.id.toLowerCase());
  if (!cluster) throw new Error(`no cluster ${ref.id} in ${placeKey(ref.account, ref.region)}`);
  store.dbResources.detailsFor(cluster).deletionProtection = enabled;
}

// ---------------------------------------------------------------- helpers

interface NewInstance {
  readonly id: string;
  readonly cluster: ClusterState;
  readonly instanceClass: string;
  readonly status: string;
  readonly createTime: Date;
  readonly promotionTier: number;
  readonly tags: Record<string, string>;
  readonly availabilityZone?: string;
}

function newInstance(store: SimStore, place: SimPlace, spec: NewInstance): InstanceState {
  const now = store.now();
  return {
    account: place.account,
    region: place.region,
    id: spec.id,
    arn: instanceArn(place.account, place.region, spec.id),
    cluster: spec.cluster,
    instanceClass: spec.instanceClass,
    engine: spec.cluster.engine,
    status: spec.status,
    createTime: spec.createTime,
    availabilityZone: spec.availabilityZone ?? `${place.region}a`,
    promotionTier: spec.promotionTier,
    resourceId: resourceId("db", `${place.account}:${place.region}:${spec.id}:${now.getTime()}`),
    tags: spec.tags,
    ...(spec.status === "creating" && {
      transition: {
        from: "creating",
        to: "available",
        startedAt: now,
        readyAt: new Date(now.getTime() + store.settings.instanceCreateMinutes * MINUTE),
      },
    }),
    ...(spec.status === "deleting" && {
      transition: {
        from: "deleting",
        to: "deleted",
        startedAt: now,
        readyAt: new Date(now.getTime() + store.settings.instanceDeleteMinutes * MINUTE),
      },
    }),
  };
}

/** "This value must be 1150-65535"; default the engine's port (API_RestoreDBClusterFromSnapshot). */
function validPort(port: number | undefined, engine: string): number {
  if (port === undefined) return enginePort(engine);
  if (!Number.isInteger(port) || port < 1150 || port > 65535) {
    throw simError("InvalidParameterValue", `Invalid port ${port}: must be 1150-65535`);
  }
  return port;
}

/**
 * VPC security group ids as given, or the default group ("If you don't specify a security group,
 * the new DB cluster is associated with the default security group"). Only their form is checked:
 * the model has no EC2, and the code RDS uses for a malformed id is not documented.
 */
function validSecurityGroups(ids: readonly string[] | undefined, place: SimPlace): string[] {
  if (ids === undefined || ids.length === 0) return [defaultSecurityGroup(place)];
  const bad = ids.find((id) => !/^sg-[0-9a-f]{8,17}$/.test(id));
  if (bad !== undefined) {
    throw simError("InvalidParameterValue", `Invalid security group id: ${bad}`);
  }
  return [...ids];
}

/** Aurora instance classes are `db.*` (`db.serverless`, `db.r6g.large`...); the code is a guess. */
function validInstanceClass(value: string): string {
  if (!/^db\.[a-z0-9.]+$/.test(value)) {
    throw simError("InvalidParameterValue", `Invalid DB instance class: ${value}`);
  }
  return value;
}

function filterValues(filter: Filter): string[] {
  if (!filter.Values || filter.Values.length === 0) {
    throw simError(
      "InvalidParameterValue",
      `Filter ${filter.Name ?? "(unnamed)"} needs at least one value`,
    );
  }
  return filter.Values.map((v) => v.toLowerCase());
}
