/**
 * DB instances, the cluster settings a restore sets (deletion protection, subnet group, security
 * groups, port), DB subnet groups, and the time-driven lifecycle of clusters and instances:
 * `creating` → `available` and `deleting` → gone, completed by `settle()` on the simulated clock
 * the way SimStore settles `creating`/`copying` snapshots.
 *
 * Clusters stay ClusterState objects in the SimStore (so DescribeDBClusters, CreateDBClusterSnapshot
 * and the tag operations see a restored cluster like any other); what only restores and instances
 * need is kept here, keyed by the ClusterState object, so seeded clusters are untouched.
 */
import type { DBCluster, DBClusterMember, DBInstance } from "@aws-sdk/client-rds";
import { deterministicUuid, parseRdsArn, placeKey, tagsToList } from "./sim-names.js";
import type { ClusterState } from "./sim-state.js";
import type { SimStore } from "./sim-store.js";
import type { SimInstanceRecord } from "./sim-instance-types.js";
import type { SimPlace } from "./sim-types.js";

/** A pending status change; dropped when the status was changed meanwhile (e.g. forced `failed`). */
export interface Transition {
  readonly from: string;
  readonly to: "available" | "deleted";
  readonly startedAt: Date;
  readonly readyAt: Date;
}

export interface InstanceState {
  readonly account: string;
  readonly region: string;
  readonly id: string;
  readonly arn: string;
  readonly cluster: ClusterState;
  readonly instanceClass: string;
  readonly engine: string;
  status: string;
  readonly createTime: Date;
  readonly availabilityZone: string;
  readonly promotionTier: number;
  readonly resourceId: string;
  tags: Record<string, string>;
  transition?: Transition;
}

/** What a restore (or an instance) adds to a cluster; seeded clusters get defaults on first use. */
export interface ClusterDetails {
  deletionProtection: boolean;
  readonly subnetGroup: string;
  readonly securityGroups: readonly string[];
  readonly port: number;
  readonly copyTagsToSnapshot: boolean;
  transition?: Transition;
}

export const DEFAULT_SUBNET_GROUP = "default";

export class DbResources {
  private readonly instanceMap = new Map<string, Map<string, InstanceState>>();
  private readonly details = new WeakMap<ClusterState, ClusterDetails>();
  private readonly subnetGroups = new Map<string, Set<string>>();
  private readonly pendingInstances = new Set<InstanceState>();
  private readonly pendingClusters = new Set<ClusterState>();

  instancesAt(place: SimPlace): Map<string, InstanceState> {
    const key = placeKey(place.account, place.region);
    let inner = this.instanceMap.get(key);
    if (!inner) {
      inner = new Map();
      this.instanceMap.set(key, inner);
    }
    return inner;
  }

  allInstances(): InstanceState[] {
    return [...this.instanceMap.values()].flatMap((m) => [...m.values()]);
  }

  /** An instance of the caller's account and region by identifier or ARN. */
  findInstance(place: SimPlace, ref: string): InstanceState | undefined {
    if (!ref.startsWith("arn:")) return this.instancesAt(place).get(ref.toLowerCase());
    const arn = parseRdsArn(ref);
    if (!arn || arn.resourceType !== "db") return undefined;
    if (arn.account !== place.account || arn.region !== place.region) return undefined;
    return this.instancesAt(place).get(arn.id);
  }

  insertInstance(instance: InstanceState): void {
    this.instancesAt(instance).set(instance.id, instance);
    if (instance.transition) this.pendingInstances.add(instance);
  }

  startInstanceTransition(instance: InstanceState, transition: Transition): void {
    instance.transition = transition;
    this.pendingInstances.add(instance);
  }

  endInstanceTransition(instance: InstanceState): void {
    delete instance.transition;
    this.pendingInstances.delete(instance);
  }

  /** A cluster's members, oldest first (the writer is the oldest one not being deleted). */
  membersOf(cluster: ClusterState): InstanceState[] {
    return [...this.instancesAt(cluster).values()]
      .filter((i) => i.cluster === cluster)
      .sort((a, b) => a.createTime.getTime() - b.createTime.getTime() || compareIds(a.id, b.id));
  }

  isWriter(instance: InstanceState): boolean {
    const members = this.membersOf(instance.cluster);
    const writer = members.find((m) => m.status !== "deleting") ?? members[0];
    return writer === instance;
  }

  detailsOf(cluster: ClusterState): ClusterDetails | undefined {
    return this.details.get(cluster);
  }

  /** The cluster's details, created with the defaults of an API-created cluster when missing. */
  detailsFor(cluster: ClusterState): ClusterDetails {
    let found = this.details.get(cluster);
    if (!found) {
      found = {
        deletionProtection: false,
        subnetGroup: DEFAULT_SUBNET_GROUP,
        securityGroups: [defaultSecurityGroup(cluster)],
        port: enginePort(cluster.engine),
        copyTagsToSnapshot: false,
      };
      this.details.set(cluster, found);
    }
    return found;
  }

  setDetails(cluster: ClusterState, details: ClusterDetails): void {
    this.details.set(cluster, details);
    if (details.transition) this.pendingClusters.add(cluster);
  }

  startClusterTransition(cluster: ClusterState, transition: Transition): void {
    this.detailsFor(cluster).transition = transition;
    this.pendingClusters.add(cluster);
  }

  addSubnetGroup(place: SimPlace, name: string): void {
    const key = placeKey(place.account, place.region);
    const names = this.subnetGroups.get(key) ?? new Set<string>();
    names.add(name.toLowerCase());
    this.subnetGroups.set(key, names);
  }

  hasSubnetGroup(place: SimPlace, name: string): boolean {
    const lower = name.toLowerCase();
    if (lower === DEFAULT_SUBNET_GROUP) return true;
    return this.subnetGroups.get(placeKey(place.account, place.region))?.has(lower) ?? false;
  }

  /**
   * Completes every transition whose time has come. Instances go first, so a cluster whose last
   * `deleting` member disappears in the same step can disappear too: RDS keeps a `deleting`
   * cluster until its instances are gone.
   */
  settle(store: SimStore): void {
    const now = store.clock.getTime();
    for (const instance of this.pendingInstances) {
      const t = instance.transition;
      if (!t || instance.status !== t.from) {
        this.endInstanceTransition(instance);
        continue;
      }
      if (now < t.readyAt.getTime()) continue;
      this.endInstanceTransition(instance);
      if (t.to === "deleted") {
        const instances = this.instancesAt(instance);
        if (instances.get(instance.id) === instance) instances.delete(instance.id);
      } else {
        instance.status = t.to;
      }
    }
    for (const cluster of this.pendingClusters) {
      const details = this.details.get(cluster);
      const t = details?.transition;
      if (!details || !t || cluster.status !== t.from) {
        if (details) delete details.transition;
        this.pendingClusters.delete(cluster);
        continue;
      }
      if (now < t.readyAt.getTime()) continue;
      if (t.to === "deleted") {
        if (this.membersOf(cluster).length > 0) continue;
        const clusters = store.clustersAt(cluster);
        if (clusters.get(cluster.id) === cluster) clusters.delete(cluster.id);
      } else {
        cluster.status = t.to;
      }
      delete details.transition;
      this.pendingClusters.delete(cluster);
    }
  }

  /** DescribeDBClusters' view of a cluster: `base` plus what restores and instances add. */
  apiCluster(cluster: ClusterState, base: DBCluster): DBCluster {
    const details = this.details.get(cluster);
    const members = this.membersOf(cluster);
    // Seeded clusters that no restore or instance touched keep their shape exactly.
    if (!details && members.length === 0) return base;
    const d = details ?? this.detailsFor(cluster);
    const host = endpointHash(cluster.account, cluster.region);
    return {
      ...base,
      DBClusterMembers: members.map((m): DBClusterMember => ({
        DBInstanceIdentifier: m.id,
        IsClusterWriter: this.isWriter(m),
        DBClusterParameterGroupStatus: "in-sync",
        PromotionTier: m.promotionTier,
      })),
      DeletionProtection: d.deletionProtection,
      CopyTagsToSnapshot: d.copyTagsToSnapshot,
      DBSubnetGroup: d.subnetGroup,
      VpcSecurityGroups: d.securityGroups.map((id) => ({
        VpcSecurityGroupId: id,
        Status: "active",
      })),
      Port: d.port,
      Endpoint: `${cluster.id}.cluster-${host}.${cluster.region}.rds.amazonaws.com`,
      ReaderEndpoint: `${cluster.id}.cluster-ro-${host}.${cluster.region}.rds.amazonaws.com`,
    };
  }

  apiInstance(instance: InstanceState): DBInstance {
    const cluster = instance.cluster;
    const d = this.detailsFor(cluster);
    // RDS reports InstanceCreateTime and the endpoint once the instance exists, not while creating.
    const up = instance.status !== "creating";
    return {
      DBInstanceIdentifier: instance.id,
      DBInstanceArn: instance.arn,
      DBInstanceClass: instance.instanceClass,
      Engine: instance.engine,
      EngineVersion: cluster.engineVersion,
      DBInstanceStatus: instance.status,
      DBClusterIdentifier: cluster.id,
      DbiResourceId: instance.resourceId,
      AvailabilityZone: instance.availabilityZone,
      PromotionTier: instance.promotionTier,
      MultiAZ: false,
      PubliclyAccessible: false,
      AutoMinorVersionUpgrade: true,
      StorageType: "aurora",
      StorageEncrypted: cluster.encrypted,
      ...(cluster.kmsKeyId !== undefined && { KmsKeyId: cluster.kmsKeyId }),
      DBSubnetGroup: { DBSubnetGroupName: d.subnetGroup },
      VpcSecurityGroups: d.securityGroups.map((id) => ({
        VpcSecurityGroupId: id,
        Status: "active",
      })),
      DeletionProtection: false,
      ...(up && {
        InstanceCreateTime: new Date(instance.createTime),
        Endpoint: {
          Address: `${instance.id}.${endpointHash(instance.account, instance.region)}.${instance.region}.rds.amazonaws.com`,
          Port: d.port,
        },
      }),
      TagList: tagsToList(instance.tags),
    };
  }

  instanceRecord(instance: InstanceState): SimInstanceRecord {
    return {
      account: instance.account,
      region: instance.region,
      id: instance.id,
      arn: instance.arn,
      clusterId: instance.cluster.id,
      instanceClass: instance.instanceClass,
      engine: instance.engine,
      status: instance.status,
      isClusterWriter: this.isWriter(instance),
      createTime: new Date(instance.createTime),
      ...(instance.transition && { readyAt: new Date(instance.transition.readyAt) }),
      tags: { ...instance.tags },
    };
  }
}

export const instanceArn = (account: string, region: string, id: string): string =>
  `arn:aws:rds:${region}:${account}:db:${id}`;

/** The engine's default port (Default: "The same port as the original DB cluster"). */
export function enginePort(engine: string): number {
  return engine === "aurora-postgresql" ? 5432 : 3306;
}

/** A DbiResourceId / DbClusterResourceId look-alike (`db-` or `cluster-` and 26 characters). */
export function resourceId(prefix: "db" | "cluster", seed: string): string {
  const hex = deterministicUuid(seed).replace(/-/g, "");
  return `${prefix}-${hex.slice(0, 26).toUpperCase()}`;
}

export function defaultSecurityGroup(place: SimPlace): string {
  return `sg-${deterministicUuid(`${place.account}:${place.region}:default-sg`).replace(/-/g, "").slice(0, 17)}`;
}

function endpointHash(account: string, region: string): string {
  return deterministicUuid(`${account}:${region}:endpoint`).replace(/-/g, "").slice(0, 12);
}

const compareIds = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
