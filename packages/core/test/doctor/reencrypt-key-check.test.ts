import { describe, expect, it } from "vitest";
import { sourceDoctor } from "../../src/doctor/index.js";
import {
  missingDestinationActions,
  reencryptKeyChecks,
} from "../../src/doctor/reencrypt-key-check.js";
import { sourcePolicyFromObject } from "../../src/policy/index.js";
import { InMemoryRds, simulatedGateway } from "../../src/testing/index.js";

const SOURCE = "111111111111";
const DEST = "222222222222";
const HOME = "us-east-1";
const NOW = new Date("2026-06-15T12:00:00Z");

function policyOf(statements: object[]): string {
  return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

describe("missingDestinationActions", () => {
  it.each([
    ["the account's root ARN with kms:*", { AWS: `arn:aws:iam::${DEST}:root` }, "kms:*", []],
    [
      "the bare account id and the three actions",
      { AWS: [DEST] },
      ["kms:CreateGrant", "kms:Decrypt", "kms:DescribeKey"],
      [],
    ],
    [
      "a trailing wildcard",
      { AWS: `arn:aws:iam::${DEST}:root` },
      ["kms:Describe*", "kms:Decrypt", "kms:CreateGrant"],
      [],
    ],
    [
      "no CreateGrant",
      { AWS: `arn:aws:iam::${DEST}:root` },
      ["kms:Decrypt", "kms:DescribeKey"],
      ["kms:CreateGrant"],
    ],
    [
      "another account",
      { AWS: "arn:aws:iam::333333333333:root" },
      "kms:*",
      ["kms:CreateGrant", "kms:Decrypt", "kms:DescribeKey"],
    ],
    ["Principal *", "*", "kms:*", ["kms:CreateGrant", "kms:Decrypt", "kms:DescribeKey"]],
  ])("%s", (_what, principal, action, missing) => {
    const doc = policyOf([
      { Effect: "Allow", Principal: principal, Action: action, Resource: "*" },
    ]);
    expect(missingDestinationActions(doc, DEST)).toEqual(missing);
  });

  it("does not count a Deny, nor a document that is not JSON", () => {
    const deny = policyOf([
      { Effect: "Deny", Principal: { AWS: DEST }, Action: "kms:*", Resource: "*" },
    ]);
    expect(missingDestinationActions(deny, DEST)).toHaveLength(3);
    expect(missingDestinationActions("not json", DEST)).toHaveLength(3);
  });
});

describe("reencryptKeyChecks", () => {
  const base = {
    field: "REENCRYPT_KMS_KEY",
    ref: "alias/share",
    region: HOME,
    destinationAccount: DEST,
  };
  const key = {
    ref: "alias/share",
    arn: `arn:aws:kms:${HOME}:${SOURCE}:key/k`,
    region: HOME,
    account: SOURCE,
    enabled: true,
    manager: "CUSTOMER" as const,
    spec: "SYMMETRIC_DEFAULT",
    usage: "ENCRYPT_DECRYPT",
  };

  it("fails an asymmetric key", () => {
    const [check] = reencryptKeyChecks({
      ...base,
      info: { ...key, spec: "RSA_2048" },
      policy: "{}",
    });
    expect(check).toMatchObject({ status: "fail" });
    expect(check?.detail).toContain("RSA_2048");
  });

  it("warns when the policy cannot be read", () => {
    const checks = reencryptKeyChecks({ ...base, info: key, policy: "unsupported" });
    expect(checks.map((c) => [c.id, c.status])).toEqual([
      ["reencrypt-key", "pass"],
      ["reencrypt-key-policy", "warn"],
    ]);
  });
});

describe("doctor checks REENCRYPT_KMS_KEY (in-memory RDS)", () => {
  async function doctor(setUp: (sim: InMemoryRds) => void, key = "alias/share") {
    const sim = new InMemoryRds({ now: NOW });
    setUp(sim);
    const checks = await sourceDoctor({
      gateway: simulatedGateway(sim, SOURCE),
      region: HOME,
      now: NOW,
      policy: sourcePolicyFromObject({ destinationAccount: DEST, reencryptKmsKey: key }),
      name: (k) => (k === "reencryptKmsKey" ? "REENCRYPT_KMS_KEY" : k),
    });
    return checks.filter((c) => c.id.startsWith("reencrypt-key"));
  }

  it("passes a customer key whose policy admits the destination", async () => {
    const checks = await doctor((sim) => {
      sim.addKey({ account: SOURCE, region: HOME, alias: "share", usableBy: [DEST] });
    });
    expect(checks.map((c) => [c.id, c.status])).toEqual([
      ["reencrypt-key", "pass"],
      ["reencrypt-key-policy", "pass"],
    ]);
  });

  it("fails a missing key, naming it", async () => {
    const checks = await doctor(() => {});
    expect(checks.map((c) => [c.id, c.status])).toEqual([["reencrypt-key", "fail"]]);
    expect(checks[0]?.detail).toContain("alias/share");
  });

  it("fails a disabled key", async () => {
    const checks = await doctor((sim) => {
      sim.addKey({
        account: SOURCE,
        region: HOME,
        alias: "share",
        enabled: false,
        usableBy: [DEST],
      });
    });
    expect(checks.map((c) => [c.id, c.status])).toEqual([["reencrypt-key", "fail"]]);
    expect(checks[0]?.detail).toContain("not enabled");
  });

  it("fails the AWS-managed key", async () => {
    const checks = await doctor(() => {}, "alias/aws/rds");
    expect(checks.map((c) => [c.id, c.status])).toEqual([["reencrypt-key", "fail"]]);
    expect(checks[0]?.detail).toContain("AWS-managed");
  });

  it("fails a key whose policy does not admit the destination", async () => {
    const checks = await doctor((sim) => {
      sim.addKey({ account: SOURCE, region: HOME, alias: "share" });
    });
    expect(checks.map((c) => [c.id, c.status])).toEqual([
      ["reencrypt-key", "pass"],
      ["reencrypt-key-policy", "fail"],
    ]);
    expect(checks[1]?.detail).toContain(DEST);
    expect(checks[1]?.fix).toContain(`arn:aws:iam::${DEST}:root`);
  });
});
