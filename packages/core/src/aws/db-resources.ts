import type { DBCluster, DBInstance } from "@aws-sdk/client-rds";
import type { DbClusterDetail, DbInstanceDetail } from "../execute/gateway.js";
import { tagsFromList } from "./aws-gateway.js";

/** DescribeDBClusters' entry as restore verification reads it. */
export function dbClusterFromRds(raw: DBCluster): DbClusterDetail {
  return {
    id: raw.DBClusterIdentifier ?? "",
    arn: raw.DBClusterArn ?? "",
    engine: raw.Engine ?? "",
    status: raw.Status ?? "",
    tags: tagsFromList(raw.TagList),
    ...(raw.Endpoint !== undefined && { endpoint: raw.Endpoint }),
    ...(raw.Port !== undefined && { port: raw.Port }),
    members: (raw.DBClusterMembers ?? [])
      .map((m) => m.DBInstanceIdentifier ?? "")
      .filter((id) => id !== ""),
    deletionProtection: raw.DeletionProtection ?? false,
  };
}

export function dbInstanceFromRds(raw: DBInstance): DbInstanceDetail {
  return {
    id: raw.DBInstanceIdentifier ?? "",
    arn: raw.DBInstanceArn ?? "",
    clusterId: raw.DBClusterIdentifier ?? "",
    status: raw.DBInstanceStatus ?? "",
    instanceClass: raw.DBInstanceClass ?? "",
    tags: tagsFromList(raw.TagList),
  };
}

/** Lambda's response payload as JSON, or its text when it is not JSON (undefined when empty). */
export function parseInvokePayload(bytes: Uint8Array | undefined): unknown {
  if (bytes === undefined || bytes.length === 0) return undefined;
  const text = new TextDecoder().decode(bytes);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
