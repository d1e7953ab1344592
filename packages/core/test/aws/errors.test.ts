import { RDSServiceException } from "@aws-sdk/client-rds";
import { describe, expect, it } from "vitest";

import { isRetryableAwsError, toAwsActionError } from "../../src/aws/index.js";
import { AwsActionError } from "../../src/execute/errors.js";

function anSdkError(name: string, httpStatusCode = 400): RDSServiceException {
  return new RDSServiceException({
    name,
    $fault: httpStatusCode >= 500 ? "server" : "client",
    message: `${name} happened`,
    $metadata: { httpStatusCode },
  });
}

function aSocketError(code: string, message = `connect ${code}`): Error {
  return Object.assign(new Error(message), { code });
}

describe("isRetryableAwsError", () => {
  it.each([
    "Throttling",
    "ThrottlingException",
    "RequestLimitExceeded",
    "TooManyRequestsException",
    "RequestThrottled",
    "ProvisionedThroughputExceededException",
  ])("retries throttling (%s)", (name) => {
    expect(isRetryableAwsError(anSdkError(name))).toBe(true);
  });

  it.each([500, 502, 503, 504])("retries an HTTP %i answer", (status) => {
    expect(isRetryableAwsError(anSdkError("InternalFailure", status))).toBe(true);
  });

  it("retries an error the SDK marked $retryable", () => {
    const error = Object.assign(anSdkError("SomethingTransient"), { $retryable: {} });

    expect(isRetryableAwsError(error)).toBe(true);
  });

  it.each(["ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT"])(
    "retries a network failure (%s)",
    (code) => {
      expect(isRetryableAwsError(aSocketError(code))).toBe(true);
    },
  );

  it("retries a timeout and a hung-up socket", () => {
    expect(isRetryableAwsError(Object.assign(new Error("late"), { name: "TimeoutError" }))).toBe(
      true,
    );
    expect(isRetryableAwsError(new Error("socket hang up"))).toBe(true);
  });

  it.each([
    "SnapshotQuotaExceededFault",
    "SharedSnapshotQuotaExceededFault",
    "KMSKeyNotAccessibleFault",
    "InvalidDBClusterStateFault",
    "DBClusterSnapshotAlreadyExistsFault",
    "DBClusterSnapshotNotFoundFault",
    "AccessDenied",
  ])("does not retry %s", (name) => {
    expect(isRetryableAwsError(anSdkError(name))).toBe(false);
  });
});

describe("toAwsActionError", () => {
  it("carries the modelled error name as code, the message, the operation and the cause", () => {
    const cause = anSdkError("SnapshotQuotaExceededFault");

    const error = toAwsActionError(cause, "CreateDBClusterSnapshot");

    expect(error).toBeInstanceOf(AwsActionError);
    expect(error).toMatchObject({
      code: "SnapshotQuotaExceededFault",
      message:
        "CreateDBClusterSnapshot: SnapshotQuotaExceededFault: SnapshotQuotaExceededFault happened",
      retryable: false,
      operation: "CreateDBClusterSnapshot",
      cause,
    });
  });

  it("uses a socket error's code, which says more than its generic name", () => {
    const error = toAwsActionError(aSocketError("ECONNRESET"), "DescribeDBClusters");

    expect(error).toMatchObject({ code: "ECONNRESET", retryable: true });
  });

  it("returns an AwsActionError unchanged rather than wrapping it twice", () => {
    const original = toAwsActionError(anSdkError("Throttling"), "DescribeDBClusters");

    expect(toAwsActionError(original, "Other")).toBe(original);
  });

  it("copes with something thrown that is not an Error", () => {
    const error = toAwsActionError("boom", "DeleteDBClusterSnapshot");

    expect(error).toMatchObject({ code: "UnknownError", retryable: false });
    expect(error.message).toContain("boom");
  });
});
