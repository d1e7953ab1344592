import { DisableKeyCommand } from "@aws-sdk/client-kms";
import { describe, expect, it } from "vitest";

import { destinationPolicyFromObject, sourcePolicyFromObject } from "../../src/policy/index.js";
import { runCopy, runShare, runTake } from "../../src/steps/index.js";
import type { EmulatedAccount } from "./emulator.js";
import {
  ACCOUNT_B,
  AWAY,
  FAST,
  HOME,
  NOW,
  aCluster,
  aKey,
  aToolSnapshot,
  manualIds,
  nameOf,
  restoreAccounts,
  snapshotsIn,
  useMotoServer,
} from "./emulator.js";

// moto 5.2.1 creates encrypted Aurora clusters with a customer key (StorageEncrypted + KmsKeyId)
// and carries the key onto their snapshots and copies. It describes `alias/aws/rds` as a CUSTOMER
// key, though, so the `encrypted-with-default-key` rule cannot be exercised here.

const moto = useMotoServer();

function copyInput(a: EmulatedAccount, kmsKeyDestination: Record<string, string> = {}) {
  return {
    gateway: a.gateway,
    policy: destinationPolicyFromObject({
      crossAccount: false,
      destinationRegions: [AWAY],
      kmsKeyDestination,
    }),
    region: HOME,
    now: NOW,
    execute: FAST,
  };
}

async function anEncryptedCluster(a: EmulatedAccount, id: string): Promise<string> {
  const key = await aKey(a.kms(HOME));
  await aCluster(a.rds(), id, { engine: "aurora-mysql", kmsKeyId: key });
  return key;
}

describe("an encrypted cluster with a customer KMS key, against moto", () => {
  it("is snapshotted and shared under its key, after one DescribeKey shows the key is not AWS-managed", async () => {
    const a = moto.accountA();
    const key = await anEncryptedCluster(a, "vault");
    const policy = sourcePolicyFromObject({ destinationAccount: ACCOUNT_B });
    const input = { gateway: a.gateway, policy, region: HOME, now: NOW, execute: FAST };

    await runTake(input);
    a.requests.clear();
    const shared = await runShare(input);

    const [snapshot] = await snapshotsIn(a.rds(), "manual");
    expect(snapshot).toMatchObject({ StorageEncrypted: true, KmsKeyId: key });
    expect(shared.done.map((o) => o.decision.snapshot)).toEqual([nameOf("vault", NOW)]);
    expect(a.requests.count("DescribeKey")).toBe(1);
    expect(await restoreAccounts(a.rds(), nameOf("vault", NOW))).toEqual([ACCOUNT_B]);
  });

  it("is copied across regions re-encrypted with the destination region's key", async () => {
    const a = moto.accountA();
    await anEncryptedCluster(a, "vault");
    await aToolSnapshot(a.rds(), "vault", NOW);
    const awayKey = await aKey(a.kms(AWAY));

    const report = await runCopy(copyInput(a, { [AWAY]: awayKey }));

    expect(report.failed).toEqual([]);
    expect(report.done.map((o) => o.decision)).toMatchObject([
      { action: "copy", region: AWAY, kmsKeyId: awayKey },
    ]);
    const [copy] = await snapshotsIn(a.rds(AWAY), "manual");
    expect(copy).toMatchObject({
      DBClusterSnapshotIdentifier: nameOf("vault", NOW),
      StorageEncrypted: true,
      KmsKeyId: awayKey,
    });
  });

  it("is not copied to a region that has no key configured (kms-key-required)", async () => {
    const a = moto.accountA();
    await anEncryptedCluster(a, "vault");
    await aToolSnapshot(a.rds(), "vault", NOW);

    const report = await runCopy(copyInput(a));

    expect(report.done).toEqual([]);
    expect(report.skipped.map((d) => [d.region, d.reason])).toEqual([[AWAY, "kms-key-required"]]);
    expect(await manualIds(a.rds(AWAY))).toEqual([]);
  });

  it("fails the copy with KMSKeyDisabled before any RDS call when the destination key is disabled", async () => {
    const a = moto.accountA();
    await anEncryptedCluster(a, "vault");
    await aToolSnapshot(a.rds(), "vault", NOW);
    const awayKey = await aKey(a.kms(AWAY));
    // moto answers DisableKey by ARN with an HTML error page; the bare key id works.
    await a.kms(AWAY).send(new DisableKeyCommand({ KeyId: awayKey.split("/").pop() }));

    const report = await runCopy(copyInput(a, { [AWAY]: awayKey }));

    expect(report.failed.map((o) => o.errorCode)).toEqual(["KMSKeyDisabled"]);
    expect(a.requests.count("CopyDBClusterSnapshot")).toBe(0);
    expect(await manualIds(a.rds(AWAY))).toEqual([]);
  });
});
