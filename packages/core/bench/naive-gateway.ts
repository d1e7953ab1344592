import { ListTagsForResourceCommand } from "@aws-sdk/client-rds";
import type { DescribeDBClusterSnapshotsCommandInput } from "@aws-sdk/client-rds";

import { AwsGateway, snapshotFromRds, tagsFromList } from "../src/aws/aws-gateway.js";
import type { SnapshotQuery } from "../src/execute/gateway.js";
import type { Snapshot } from "../src/model/index.js";

/**
 * BENCHMARK BASELINE ONLY: do not use in production.
 *
 * Lists snapshots the way the original Python tool does, so `pnpm bench` can count what its
 * design costs: the manual pass carries no SnapshotType filter (automated snapshots come along and
 * are dropped afterwards), and the tags of every listed snapshot are fetched with one
 * ListTagsForResource call each, ignoring the TagList the listing already returned.
 * Everything else is inherited from `AwsGateway`.
 */
export class NaiveTagGateway extends AwsGateway {
  override async listSnapshots(region: string, query: SnapshotQuery): Promise<Snapshot[]> {
    // Another account's tags cannot be read (and the original never tried): the shared pass is
    // the same as the engine's.
    if (query.type === "shared") return super.listSnapshots(region, query);
    const input: DescribeDBClusterSnapshotsCommandInput = {};
    const found = await this.describeSnapshotPages(region, input);
    const client = this.rds(region);
    const snapshots: Snapshot[] = [];
    for (const raw of found) {
      const arn = raw.DBClusterSnapshotArn ?? "";
      const output = await this.attempt("ListTagsForResource", () =>
        client.send(new ListTagsForResourceCommand({ ResourceName: arn })),
      );
      snapshots.push(snapshotFromRds(raw, region, tagsFromList(output.TagList)));
    }
    return snapshots.filter(
      (s) =>
        s.type === "manual" && (query.clusterId === undefined || s.clusterId === query.clusterId),
    );
  }
}
