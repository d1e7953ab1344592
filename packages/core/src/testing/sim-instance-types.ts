/** Public types of the in-memory RDS's DB instances and restored clusters (see sim-restore.ts). */
import type { SimPlace, SimRef } from "./sim-types.js";

/** A DB instance seeded into an existing cluster, as if created earlier. */
export interface SimInstanceInit extends SimRef {
  /** The cluster the instance belongs to; it must exist in the same account and region. */
  readonly clusterId: string;
  /** Default `db.serverless`. */
  readonly instanceClass?: string;
  /** Default `available`. A `creating` seed becomes `available` after `instanceCreateMinutes`. */
  readonly status?: string;
  readonly tags?: Readonly<Record<string, string>>;
  /** InstanceCreateTime. Default: the simulated now. */
  readonly createTime?: Date;
}

export interface SimInstanceRecord {
  readonly account: string;
  readonly region: string;
  /** Lowercase identifier. */
  readonly id: string;
  readonly arn: string;
  readonly clusterId: string;
  readonly instanceClass: string;
  readonly engine: string;
  readonly status: string;
  /** Whether the instance is the cluster's writer (the oldest member not being deleted). */
  readonly isClusterWriter: boolean;
  readonly createTime: Date;
  /** When a `creating` instance becomes available, or a `deleting` one disappears. */
  readonly readyAt?: Date;
  readonly tags: Readonly<Record<string, string>>;
}

/** Which instances `InMemoryRds.instances()` returns (every field optional). */
export interface SimInstanceFilter extends Partial<SimPlace> {
  readonly clusterId?: string;
}

/** A DB subnet group that RestoreDBClusterFromSnapshot may name (`default` always exists). */
export interface SimSubnetGroupInit extends SimPlace {
  readonly name: string;
}
