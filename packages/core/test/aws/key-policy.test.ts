import {
  DescribeKeyCommand,
  GetKeyPolicyCommand,
  KMSClient,
  NotFoundException,
} from "@aws-sdk/client-kms";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, afterEach, describe, expect, it } from "vitest";

import { AwsGateway, createClientFactory } from "../../src/aws/index.js";
import { AwsActionError } from "../../src/execute/errors.js";

const ACCOUNT = "111122223333";
const REGION = "eu-west-1";
const KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

const kmsMock = mockClient(KMSClient);
afterEach(() => kmsMock.reset());
afterAll(() => kmsMock.restore());

function aGateway(): AwsGateway {
  const clients = createClientFactory({
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  return new AwsGateway({ clients });
}

describe("AwsGateway.keyPolicy (GetKeyPolicy)", () => {
  it("reads the key's `default` policy", async () => {
    kmsMock.on(GetKeyPolicyCommand).resolves({ Policy: '{"Statement":[]}', PolicyName: "default" });

    expect(await aGateway().keyPolicy(REGION, KEY_ARN)).toBe('{"Statement":[]}');
    expect(kmsMock.commandCalls(GetKeyPolicyCommand)[0]?.args[0].input).toEqual({
      KeyId: KEY_ARN,
      PolicyName: "default",
    });
  });

  it("answers undefined for a key KMS does not know", async () => {
    kmsMock
      .on(GetKeyPolicyCommand)
      .rejects(new NotFoundException({ message: "no such key", $metadata: {} }));
    expect(await aGateway().keyPolicy(REGION, KEY_ARN)).toBeUndefined();
  });

  it("fails with the AWS error code when refused", async () => {
    kmsMock
      .on(GetKeyPolicyCommand)
      .rejects(Object.assign(new Error("denied"), { name: "AccessDeniedException" }));
    const error = await aGateway()
      .keyPolicy(REGION, KEY_ARN)
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(AwsActionError);
    expect(error).toMatchObject({ code: "AccessDeniedException" });
  });
});

describe("AwsGateway.describeKey reports the key spec and usage", () => {
  it("passes KeySpec and KeyUsage through", async () => {
    kmsMock.on(DescribeKeyCommand).resolves({
      KeyMetadata: {
        KeyId: "1234abcd-12ab-34cd-56ef-1234567890ab",
        Arn: KEY_ARN,
        AWSAccountId: ACCOUNT,
        KeyState: "Enabled",
        Enabled: true,
        KeyManager: "CUSTOMER",
        KeySpec: "RSA_2048",
        KeyUsage: "SIGN_VERIFY",
      },
    });
    expect(await aGateway().describeKey(REGION, "alias/x")).toMatchObject({
      spec: "RSA_2048",
      usage: "SIGN_VERIFY",
    });
  });
});
