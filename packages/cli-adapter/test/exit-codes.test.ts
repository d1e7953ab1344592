import { AwsActionError } from "@aurora-snapshot-tool/core";
import { aCluster } from "@aurora-snapshot-tool/core/testing";
import { describe, expect, it } from "vitest";

import { ACCOUNT, fakeGateway } from "./support/fake-gateway.js";
import { runInProcess } from "./support/run-in-process.js";

function failingListing(error: Error) {
  const gateway = fakeGateway({ clusters: [aCluster({ id: "prod-a", account: ACCOUNT })] });
  return { ...gateway, listClusters: () => Promise.reject(error) };
}

function awsError(code: string, retryable: boolean): AwsActionError {
  return new AwsActionError({
    code,
    message: `${code} happened`,
    retryable,
    operation: "DescribeDBClusters",
  });
}

describe("exit codes", () => {
  it("is 0 when everything was done", async () => {
    const run = await runInProcess(["take"], {
      gateway: fakeGateway({ clusters: [aCluster({ id: "prod-a", account: ACCOUNT })] }),
    });
    expect(run.code).toBe(0);
  });

  it("is 0 when there is nothing to do", async () => {
    const run = await runInProcess(["prune"], { gateway: fakeGateway() });
    expect(run.code).toBe(0);
  });

  it("is 3 when an action failed, and safe to re-run", async () => {
    const gateway = fakeGateway({ clusters: [aCluster({ id: "prod-a", account: ACCOUNT })] });
    const broken = {
      ...gateway,
      createSnapshot: () => Promise.reject(awsError("SnapshotQuotaExceededFault", false)),
    };
    const run = await runInProcess(["take", "--json"], { gateway: broken });

    expect(run.code).toBe(3);
    expect(JSON.parse(run.stdout).decisions[0]).toMatchObject({
      status: "failed",
      errorCode: "SnapshotQuotaExceededFault",
    });
  });

  it("is 3 when AWS stayed unreachable or throttled while listing", async () => {
    const run = await runInProcess(["take", "--json"], {
      gateway: failingListing(awsError("Throttling", true)),
    });

    expect(run.code).toBe(3);
    expect(JSON.parse(run.stdout)).toEqual({
      schemaVersion: 1,
      error: {
        kind: "aws",
        code: "Throttling",
        message: "DescribeDBClusters: Throttling: Throttling happened",
      },
    });
  });

  it("is 1 when AWS refuses for good (permissions), with the AWS error on stderr", async () => {
    const run = await runInProcess(["take"], {
      gateway: failingListing(awsError("AccessDenied", false)),
    });

    expect(run.code).toBe(1);
    expect(run.stderr).toContain("DescribeDBClusters: AccessDenied: AccessDenied happened");
  });

  it("is 1 for anything unexpected", async () => {
    const run = await runInProcess(["take"], { gateway: failingListing(new TypeError("boom")) });

    expect(run.code).toBe(1);
    expect(run.stderr).toContain("unexpected error: boom");
  });

  it("is 0 for a dry run that found work, since it changed nothing", async () => {
    const run = await runInProcess(["take", "--dry-run"], {
      gateway: fakeGateway({
        clusters: [aCluster({ id: "prod-a", account: ACCOUNT, status: "stopped" })],
      }),
    });
    expect(run.code).toBe(0);
  });

  it("is 0 for --help, help <command> and --version", async () => {
    expect((await runInProcess(["--help"])).code).toBe(0);
    expect((await runInProcess(["doctor", "--help"])).code).toBe(0);
    expect((await runInProcess(["help", "take"])).code).toBe(0);
    expect((await runInProcess(["--version"])).code).toBe(0);
  });

  it("is 2 for a usage error, which --json reports as one JSON document", async () => {
    const run = await runInProcess(["take", "--bogus", "--json"]);

    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout)).toEqual({
      schemaVersion: 1,
      error: {
        kind: "usage",
        message: "unknown option '--bogus'",
        code: "commander.unknownOption",
      },
    });
    expect(run.stderr).toContain("error: unknown option '--bogus'");
  });
});
