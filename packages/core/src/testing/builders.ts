import type { Cluster, Snapshot } from "../model/index.js";

const ACCOUNT = "123456789012";

/**
 * An available aurora-mysql cluster in us-east-1 of account 123456789012 unless told otherwise:
 * for tests of code that takes core's model objects (planners, checks, renderers).
 */
export function aCluster(over: Partial<Cluster> & { id: string }): Cluster {
  const region = over.region ?? "us-east-1";
  return {
    arn: `arn:aws:rds:${region}:${over.account ?? ACCOUNT}:cluster:${over.id}`,
    engine: "aurora-mysql",
    status: "available",
    encrypted: false,
    tags: {},
    account: ACCOUNT,
    region,
    ...over,
  };
}

/** An available manual snapshot carrying the tool's tags unless told otherwise. */
export function aSnapshot(over: Partial<Snapshot> & { id: string; clusterId: string }): Snapshot {
  const region = over.region ?? "us-east-1";
  return {
    name: over.id,
    arn: `arn:aws:rds:${region}:${over.account ?? ACCOUNT}:cluster-snapshot:${over.id}`,
    engine: "aurora-mysql",
    type: "manual",
    status: "available",
    encrypted: false,
    tags: { CreatedBy: "Snapshot Tool for Aurora", shareAndCopy: "YES" },
    account: ACCOUNT,
    region,
    ...over,
  };
}
