import { DescribeDBClusterSnapshotsCommand, RDSClient } from "@aws-sdk/client-rds";
import { describe, expect, it } from "vitest";

import { HOME, LOOPBACK_ONLY, isReadOnly } from "./emulator.js";

describe("the emulator harness", () => {
  it("refuses to send a request addressed anywhere but 127.0.0.1", async () => {
    // localhost:9 would only be refused locally if the guard let it through.
    const rds = new RDSClient({
      region: HOME,
      endpoint: "http://localhost:9",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
      maxAttempts: 1,
    });
    rds.middlewareStack.use(LOOPBACK_ONLY);

    await expect(rds.send(new DescribeDBClusterSnapshotsCommand({}))).rejects.toThrow(
      "DescribeDBClusterSnapshotsCommand was addressed to localhost",
    );
  });

  it("counts only describe, list and identity calls as read-only", () => {
    expect(
      ["DescribeDBClusterSnapshots", "GetCallerIdentity", "AssumeRole", "DescribeKey"].every(
        isReadOnly,
      ),
    ).toBe(true);
    expect(
      [
        "CreateDBClusterSnapshot",
        "ModifyDBClusterSnapshotAttribute",
        "AddTagsToResource",
        "CopyDBClusterSnapshot",
        "DeleteDBClusterSnapshot",
      ].some(isReadOnly),
    ).toBe(false);
  });
});
