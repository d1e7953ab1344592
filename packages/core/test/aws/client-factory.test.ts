import { DescribeKeyCommand } from "@aws-sdk/client-kms";
import { DescribeDBClustersCommand } from "@aws-sdk/client-rds";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { afterEach, describe, expect, it, vi } from "vitest";

import { assumeRoleCredentials, createClientFactory } from "../../src/aws/index.js";
import type { ClientPlugin } from "../../src/aws/index.js";

const FAKE_CREDENTIALS = { accessKeyId: "test", secretAccessKey: "test" };
const ROLE_ARN = "arn:aws:iam::444455556666:role/snapshot-tool";

interface SeenCall {
  readonly client: string;
  readonly command: string;
  readonly region: string;
  readonly input: unknown;
}

/**
 * A plugin that answers every command itself, before anything is signed or sent, and records
 * who asked: no test here can reach the network.
 */
function anAnsweringPlugin(
  region: string,
  seen: SeenCall[],
  answer: (command: string) => object = () => ({}),
): ClientPlugin {
  return {
    applyToStack(stack) {
      stack.add(
        () =>
          async (args: { input: unknown }): Promise<{ output: object; response: object }> => {
            const context = current;
            seen.push({ ...context, region, input: args.input });
            return { output: { ...answer(context.command), $metadata: {} }, response: {} };
          },
        { step: "initialize", name: "answerInMemory" },
      );
      let current = { client: "", command: "" };
      stack.add(
        (
          next: (args: unknown) => Promise<unknown>,
          context: { clientName: string; commandName: string },
        ) =>
          (args: unknown) => {
            current = { client: context.clientName, command: context.commandName };
            return next(args);
          },
        { step: "initialize", name: "rememberCommand", priority: "high" },
      );
    },
  };
}

function assumedRole(expiration: Date) {
  return {
    Credentials: {
      AccessKeyId: "ASIAASSUMED",
      SecretAccessKey: "assumed-secret",
      SessionToken: "assumed-token",
      Expiration: expiration,
    },
  };
}

const inAnHour = () => new Date(Date.now() + 60 * 60 * 1000);

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("createClientFactory", () => {
  it("creates one set of clients per region and hands the same set out again", () => {
    const factory = createClientFactory({ credentials: FAKE_CREDENTIALS });

    const first = factory.clients("eu-west-1");

    expect(factory.clients("eu-west-1")).toBe(first);
    expect(factory.clients("us-east-1")).not.toBe(first);
  });

  it("builds every client in the region it is asked for, with standard retries", async () => {
    const { rds, kms, sts } = createClientFactory({ credentials: FAKE_CREDENTIALS }).clients(
      "ap-southeast-2",
    );

    for (const client of [rds, kms, sts]) {
      await expect(client.config.region()).resolves.toBe("ap-southeast-2");
      await expect(client.config.retryStrategy()).resolves.toMatchObject({ mode: "standard" });
      await expect(client.config.maxAttempts()).resolves.toBe(3);
    }
  });

  it("lets the caller raise the number of attempts", async () => {
    const { rds } = createClientFactory({ credentials: FAKE_CREDENTIALS, maxAttempts: 7 }).clients(
      "eu-west-1",
    );

    await expect(rds.config.maxAttempts()).resolves.toBe(7);
  });

  it("points every client at an explicit endpoint", async () => {
    const { rds, kms, sts } = createClientFactory({
      credentials: FAKE_CREDENTIALS,
      endpoint: "http://127.0.0.1:5999",
    }).clients("eu-west-1");

    for (const client of [rds, kms, sts]) {
      const endpoint = await client.config.endpoint?.();
      expect(endpoint).toMatchObject({ hostname: "127.0.0.1", port: 5999, protocol: "http:" });
    }
  });

  it("uses the credentials it was given", async () => {
    const { rds } = createClientFactory({ credentials: FAKE_CREDENTIALS }).clients("eu-west-1");

    await expect(rds.config.credentials()).resolves.toMatchObject(FAKE_CREDENTIALS);
  });

  it("adds the region's plugins to the RDS, KMS and STS clients alike", async () => {
    const seen: SeenCall[] = [];
    const factory = createClientFactory({
      credentials: FAKE_CREDENTIALS,
      plugins: (region) => [anAnsweringPlugin(region, seen)],
    });
    const { rds, kms, sts } = factory.clients("eu-central-1");

    await rds.send(new DescribeDBClustersCommand({}));
    await kms.send(new DescribeKeyCommand({ KeyId: "alias/x" }));
    await sts.send(new GetCallerIdentityCommand({}));

    expect(seen.map(({ client, command, region }) => [client, command, region])).toEqual([
      ["RDSClient", "DescribeDBClustersCommand", "eu-central-1"],
      ["KMSClient", "DescribeKeyCommand", "eu-central-1"],
      ["STSClient", "GetCallerIdentityCommand", "eu-central-1"],
    ]);
  });

  it("acts in another account through AssumeRole when given a role", async () => {
    const seen: SeenCall[] = [];
    const factory = createClientFactory({
      credentials: FAKE_CREDENTIALS,
      roleArn: ROLE_ARN,
      externalId: "shared-secret",
      plugins: (region) => [anAnsweringPlugin(region, seen, () => assumedRole(inAnHour()))],
    });
    const { rds, kms } = factory.clients("eu-west-1");

    await expect(rds.config.credentials()).resolves.toMatchObject({
      accessKeyId: "ASIAASSUMED",
      sessionToken: "assumed-token",
    });
    await kms.config.credentials();
    factory.clients("us-east-1");

    expect(seen).toEqual([
      {
        client: "STSClient",
        command: "AssumeRoleCommand",
        region: "eu-west-1",
        input: {
          RoleArn: ROLE_ARN,
          RoleSessionName: "aurora-snapshot-tool",
          ExternalId: "shared-secret",
        },
      },
    ]);
  });
});

describe("assumeRoleCredentials", () => {
  function aProvider(seen: SeenCall[], expiration: () => Date) {
    return assumeRoleCredentials(ROLE_ARN, {
      region: "eu-west-1",
      credentials: FAKE_CREDENTIALS,
      plugins: [anAnsweringPlugin("eu-west-1", seen, () => assumedRole(expiration()))],
    });
  }

  it("keeps the credentials until they come close to expiring", async () => {
    const seen: SeenCall[] = [];
    const provider = aProvider(seen, inAnHour);

    const first = await provider();
    const second = await provider();

    expect(second).toBe(first);
    expect(seen).toHaveLength(1);
  });

  it("assumes the role again when the credentials expire within five minutes", async () => {
    const seen: SeenCall[] = [];
    const provider = aProvider(seen, () => new Date(Date.now() + 60 * 1000));

    await provider();
    await provider();

    expect(seen).toHaveLength(2);
  });

  it("makes one AssumeRole call for callers that ask at the same time", async () => {
    const seen: SeenCall[] = [];
    const provider = aProvider(seen, inAnHour);

    const [a, b] = await Promise.all([provider(), provider()]);

    expect(a).toBe(b);
    expect(seen).toHaveLength(1);
  });
});
