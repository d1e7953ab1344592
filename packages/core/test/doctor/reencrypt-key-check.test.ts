import { describe, expect, it } from "vitest";
import { sourceDoctor } from "../../src/doctor/index.js";
import { readFileSync } from "node:fs";
import {
  DESTINATION_KEY_ACTIONS,
  destinationKeyStatement,
  missingDestinationActions,
  readKeyPolicy,
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
    ["the bare account id and the six actions", { AWS: [DEST] }, [...DESTINATION_KEY_ACTIONS], []],
    [
      "trailing wildcards",
      { AWS: `arn:aws:iam::${DEST}:root` },
      [
        "kms:Describe*",
        "kms:Decrypt",
        "kms:CreateGrant",
        "kms:Encrypt",
        "kms:ReEncrypt*",
        "kms:GenerateDataKey*",
      ],
      [],
    ],
    [
      "no CreateGrant",
      { AWS: `arn:aws:iam::${DEST}:root` },
      DESTINATION_KEY_ACTIONS.filter((a) => a !== "kms:CreateGrant"),
      ["kms:CreateGrant"],
    ],
    [
      "another account",
      { AWS: "arn:aws:iam::333333333333:root" },
      "kms:*",
      [...DESTINATION_KEY_ACTIONS],
    ],
    ["Principal * without an account condition", "*", "kms:*", [...DESTINATION_KEY_ACTIONS]],
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
    expect(missingDestinationActions(deny, DEST)).toHaveLength(DESTINATION_KEY_ACTIONS.length);
    expect(missingDestinationActions("not json", DEST)).toHaveLength(
      DESTINATION_KEY_ACTIONS.length,
    );
  });
});

describe("readKeyPolicy", () => {
  const root = `arn:aws:iam::${DEST}:root`;
  const allow = (over: object = {}) => ({
    Effect: "Allow",
    Principal: { AWS: root },
    Action: "kms:*",
    Resource: "*",
    ...over,
  });

  it.each([
    ["an unconditioned Allow of the account root", [allow()]],
    [
      "Principal * narrowed by aws:PrincipalAccount",
      [allow({ Principal: "*", Condition: { StringEquals: { "aws:PrincipalAccount": DEST } } })],
    ],
    [
      "AWS * narrowed by kms:CallerAccount",
      [
        allow({
          Principal: { AWS: "*" },
          Condition: { StringEquals: { "kms:CallerAccount": DEST } },
        }),
      ],
    ],
    [
      "AWS's two statements: use unconditioned, grants for AWS resources",
      [
        allow({ Action: DESTINATION_KEY_ACTIONS.filter((a) => a !== "kms:CreateGrant") }),
        allow({
          Action: ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
          Condition: { Bool: { "kms:GrantIsForAWSResource": "true" } },
        }),
      ],
    ],
  ])("passes %s", (_what, statements) => {
    expect(readKeyPolicy(policyOf(statements), DEST)).toEqual({ missing: [], doubts: [] });
  });

  it("doubts an Allow under another condition", () => {
    const r = readKeyPolicy(
      policyOf([allow({ Sid: "Vpc", Condition: { StringEquals: { "aws:SourceVpc": "vpc-1" } } })]),
      DEST,
    );
    expect(r.missing).toEqual([]);
    expect(r.doubts).toEqual([expect.stringContaining(`"Vpc"`)]);
  });

  it("doubts an Allow followed by a Deny that could match the destination", () => {
    for (const principal of ["*", { AWS: root }, { AWS: `arn:aws:iam::${DEST}:role/x` }]) {
      const r = readKeyPolicy(
        policyOf([
          allow(),
          {
            Sid: "NoDecrypt",
            Effect: "Deny",
            Principal: principal,
            Action: "kms:Decrypt",
            Resource: "*",
          },
        ]),
        DEST,
      );
      expect(r.doubts).toEqual([expect.stringContaining(`Deny statement "NoDecrypt"`)]);
    }
    // A Deny of another account or of unrelated actions is no doubt.
    const other = readKeyPolicy(
      policyOf([
        allow(),
        { Effect: "Deny", Principal: { AWS: "333333333333" }, Action: "kms:*", Resource: "*" },
        { Effect: "Deny", Principal: "*", Action: "kms:ScheduleKeyDeletion", Resource: "*" },
      ]),
      DEST,
    );
    expect(other.doubts).toEqual([]);
  });

  it("doubts a NotPrincipal statement that could match the destination", () => {
    const r = readKeyPolicy(
      policyOf([
        allow(),
        {
          Effect: "Deny",
          NotPrincipal: { AWS: "arn:aws:iam::111111111111:root" },
          Action: "kms:*",
          Resource: "*",
        },
      ]),
      DEST,
    );
    expect(r.doubts).toEqual([expect.stringContaining("NotPrincipal")]);
  });

  it("doubts a role of the destination account, naming it", () => {
    const role = `arn:aws:iam::${DEST}:role/copy`;
    const r = readKeyPolicy(policyOf([allow({ Principal: { AWS: role } })]), DEST);
    expect(r.missing).toEqual([]);
    expect(r.doubts).toEqual([expect.stringContaining(`admits only ${role}`)]);
  });

  it("suggests the README's statement, built from the one list doctor requires", () => {
    const readme = readFileSync(new URL("../../../../README.md", import.meta.url), "utf8");
    const section = readme.slice(readme.indexOf('"Sid": "DestinationCopiesSharedSnapshots"'));
    const actions = JSON.parse(section.slice(section.indexOf("["), section.indexOf("]") + 1));
    expect(actions).toEqual([...DESTINATION_KEY_ACTIONS]);
    expect(JSON.parse(destinationKeyStatement(DEST))).toMatchObject({
      Principal: { AWS: root },
      Action: [...DESTINATION_KEY_ACTIONS],
    });
  });
});

describe("reencryptKeyChecks", () => {
  const base = {
    field: "REENCRYPT_KMS_KEY",
    ref: "alias/share",
    region: HOME,
    destinationAccounts: [DEST],
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

  it("warns, not passes, when the only admission is in doubt", () => {
    const doc = policyOf([
      {
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${DEST}:role/copy` },
        Action: "kms:*",
        Resource: "*",
      },
    ]);
    const checks = reencryptKeyChecks({ ...base, info: key, policy: doc });
    expect(checks.map((c) => [c.id, c.status])).toEqual([
      ["reencrypt-key", "pass"],
      ["reencrypt-key-policy", "warn"],
    ]);
    expect(checks[1]?.detail).toContain(`admits only arn:aws:iam::${DEST}:role/copy`);
  });

  it("checks the key policy for each destination account and fails the one it leaves out", () => {
    const other = "333333333333";
    const doc = policyOf([
      {
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${DEST}:root` },
        Action: "kms:*",
        Resource: "*",
      },
    ]);
    const checks = reencryptKeyChecks({
      ...base,
      destinationAccounts: [DEST, other],
      info: key,
      policy: doc,
    });
    expect(checks.map((c) => [c.id, c.status])).toEqual([
      ["reencrypt-key", "pass"],
      ["reencrypt-key-policy", "pass"],
      ["reencrypt-key-policy", "fail"],
    ]);
    expect(checks[1]?.detail).toContain(DEST);
    expect(checks[2]?.detail).toContain(`destination account ${other}`);
    expect(checks[2]?.fix).toContain(`arn:aws:iam::${other}:root`);
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
