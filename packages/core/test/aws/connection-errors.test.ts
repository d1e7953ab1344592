import { describe, expect, it } from "vitest";

import { isConnectionError, toAwsActionError } from "../../src/aws/index.js";
import { REQUEST_TARGET } from "../../src/aws/errors.js";
import { AwsActionError } from "../../src/execute/errors.js";
import { withRetry } from "../../src/execute/retry.js";

const fast = { retries: 3, minTimeoutMs: 1, maxTimeoutMs: 1 };

function refused(): Error {
  return Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), {
    code: "ECONNREFUSED",
    [REQUEST_TARGET]: { endpoint: "http://127.0.0.1:1", region: "eu-west-1" },
  });
}

describe("connection errors", () => {
  it.each([
    ["refused", Object.assign(new Error("x"), { code: "ECONNREFUSED" })],
    ["not resolved", Object.assign(new Error("x"), { code: "ENOTFOUND" })],
    ["connect timed out", Object.assign(new Error("x"), { name: "TimeoutError" })],
    ["reset", Object.assign(new Error("x"), { code: "ECONNRESET" })],
  ])("count as a failure below HTTP: %s", (_what, error) => {
    expect(isConnectionError(error)).toBe(true);
    expect(toAwsActionError(error, "Op").connection).toBe(true);
  });

  it("throttling and 5xx answers are not connection errors", () => {
    const throttled = Object.assign(new Error("Rate exceeded"), {
      name: "Throttling",
      $metadata: { httpStatusCode: 400 },
    });
    const server = Object.assign(new Error("x"), {
      name: "InternalFailure",
      $metadata: { httpStatusCode: 503 },
    });

    expect(toAwsActionError(throttled, "Op")).toMatchObject({ retryable: true, connection: false });
    expect(toAwsActionError(server, "Op")).toMatchObject({ retryable: true, connection: false });
  });

  it("name the endpoint and region the request was going to", () => {
    const error = toAwsActionError(refused(), "DescribeDBClusters");

    expect(error.message).toBe(
      "DescribeDBClusters: ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:1 (endpoint http://127.0.0.1:1, region eu-west-1)",
    );
    expect(error.retryable).toBe(true);
  });
});

describe("withRetry, one retry layer", () => {
  it("with retryConnectionErrors off (the CLI), does not retry a connection error: the SDK already did", async () => {
    let calls = 0;

    await expect(
      withRetry(
        async () => {
          calls++;
          throw toAwsActionError(refused(), "DescribeDBClusters");
        },
        { ...fast, retryConnectionErrors: false },
      ),
    ).rejects.toMatchObject({ code: "ECONNREFUSED" });
    expect(calls).toBe(1);
  });

  it("by default (the Lambda's runs), rides out a burst of connection errors", async () => {
    let calls = 0;

    const result = await withRetry(async () => {
      calls++;
      if (calls < 4) throw toAwsActionError(refused(), "DescribeDBClusters");
      return "listed";
    }, fast);

    expect(result).toBe("listed");
    expect(calls).toBe(4);
  });

  it("still retries throttling with its backoff", async () => {
    let calls = 0;

    const result = await withRetry(async () => {
      calls++;
      if (calls < 3) {
        throw new AwsActionError({
          code: "Throttling",
          message: "Rate exceeded",
          retryable: true,
          operation: "CreateDBClusterSnapshot",
        });
      }
      return "done";
    }, fast);

    expect(result).toBe("done");
    expect(calls).toBe(3);
  });
});

describe("socket timeouts per client", () => {
  it("a synchronous Lambda Invoke may stay silent longer than RDS calls (a user's check function runs)", async () => {
    const { createServer } = await import("node:http");
    const { DescribeDBClustersCommand } = await import("@aws-sdk/client-rds");
    const { InvokeCommand } = await import("@aws-sdk/client-lambda");
    const { createClientFactory } = await import("../../src/aws/client-factory.js");
    // Answers every request after 600 ms, as a slow check function would.
    const server = createServer((req, res) => {
      req.resume();
      setTimeout(() => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(req.url?.includes("invocations") ? '{"ok":true}' : "{}");
      }, 600);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const factory = createClientFactory({
        endpoint: `http://127.0.0.1:${port}`,
        credentials: { accessKeyId: "test", secretAccessKey: "test" },
        socketTimeoutMs: 200,
        maxAttempts: 1,
      });
      const clients = factory.clients("us-east-1");
      await expect(clients.rds.send(new DescribeDBClustersCommand({}))).rejects.toThrow(
        /timed? ?out/i,
      );
      const out = await clients.lambda!.send(new InvokeCommand({ FunctionName: "check" }));
      expect(out.StatusCode).toBe(200);
    } finally {
      server.close();
    }
  });
});
