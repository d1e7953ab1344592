import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { KeyInfo, Snapshot } from "../../src/model/index.js";
import { TAG_REENCRYPTED_FROM } from "../../src/model/index.js";
import { planPrune, planShare } from "../../src/plan/index.js";
import { isOwnReencryptedCopy, reencryptedCopyName } from "../../src/plan/reencrypt-pairs.js";
import { NOW, aSnapshot, aSourcePolicy, daysAgo, toolTags } from "../../src/testing/builders.js";

/*
 * Re-encrypted copies (cmk-NAME) and their aws/rds originals: one backup to prune, the copy shared
 * in the original's stead.
 */

const DEST = "222222222222";

function original(days: number, cluster = "orders", over: Partial<Snapshot> = {}): Snapshot {
  const at = daysAgo(days);
  return aSnapshot({
    clusterId: cluster,
    takenAt: at,
    tags: toolTags(at),
    encrypted: true,
    ...over,
  });
}

function copyOf(o: Snapshot, over: Partial<Snapshot> = {}): Snapshot {
  const name = reencryptedCopyName(o.name);
  return aSnapshot({
    clusterId: o.clusterId,
    name,
    arn: o.arn.replace(/cluster-snapshot:.*$/, `cluster-snapshot:${name}`),
    encrypted: true,
    // A copy's SnapshotCreateTime is its own: later than the original's.
    createTime: new Date((o.createTime ?? NOW).getTime() + 3_600_000),
    tags: { ...o.tags, [TAG_REENCRYPTED_FROM]: o.arn },
    ...over,
  });
}

function pruneOf(snapshots: Snapshot[], over = {}) {
  const decisions = planPrune({ snapshots, policy: aSourcePolicy(over), now: NOW });
  return new Map(decisions.map((d) => [d.snapshot, d]));
}

describe("whose re-encrypted copy", () => {
  it("is this deployment's only with the tags, the cmk- name of an own name and the tag naming it", () => {
    const o = original(1);
    expect(isOwnReencryptedCopy(copyOf(o), undefined)).toBe(true);
    // The tag names another snapshot.
    const elsewhere = original(2);
    expect(
      isOwnReencryptedCopy(
        copyOf(o, { tags: { ...o.tags, [TAG_REENCRYPTED_FROM]: elsewhere.arn } }),
        undefined,
      ),
    ).toBe(false);
    // No tool tag.
    expect(
      isOwnReencryptedCopy(copyOf(o, { tags: { [TAG_REENCRYPTED_FROM]: o.arn } }), undefined),
    ).toBe(false);
    // The stripped name is another prefix's.
    expect(isOwnReencryptedCopy(copyOf(o), "monthly")).toBe(false);
    // With prefix cmk, cmk-orders-... is an original name, cmk-cmk-orders-... its copy.
    const prefixed = aSnapshot({ clusterId: "orders", name: `cmk-${o.name}`, tags: o.tags });
    expect(isOwnReencryptedCopy(copyOf(prefixed), "cmk")).toBe(true);
    expect(isOwnReencryptedCopy(copyOf(o), "cmk")).toBe(false);
  });
});

describe("prune keeps a pair consistent", () => {
  it("deletes the copy in the run that deletes its original", () => {
    const old = original(10);
    const recent = original(1);
    const d = pruneOf([old, copyOf(old), recent, copyOf(recent)]);
    expect(d.get(old.name)).toMatchObject({ action: "delete", reason: "expired" });
    expect(d.get(copyOf(old).name)).toMatchObject({
      action: "delete",
      reason: "original-pruned",
      snapshotArn: copyOf(old).arn,
    });
    expect(d.get(recent.name)).toMatchObject({ action: "skip", reason: "within-retention" });
    expect(d.get(copyOf(recent).name)).toMatchObject({ action: "skip", reason: "original-kept" });
  });

  it("keeps the copy while its original is kept by MIN_KEEP, and the pair holds one place", () => {
    // Two old pairs, MIN_KEEP 2: both originals are kept (the copies do not take the places).
    const a = original(20);
    const b = original(30);
    const d = pruneOf([a, copyOf(a), b, copyOf(b)], { minKeep: 2 });
    expect(d.get(a.name)).toMatchObject({ reason: "min-keep", facts: { rank: 1 } });
    expect(d.get(b.name)).toMatchObject({ reason: "min-keep", facts: { rank: 2 } });
    expect(d.get(copyOf(a).name)).toMatchObject({ action: "skip", reason: "original-kept" });
    expect(d.get(copyOf(b).name)).toMatchObject({ action: "skip", reason: "original-kept" });
  });

  it("with its original gone, judges the copy by the original's rules: expired goes, newest stays", () => {
    const a = original(20);
    const b = original(30);
    const d = pruneOf([copyOf(a), copyOf(b)], { minKeep: 1 });
    expect(d.get(copyOf(a).name)).toMatchObject({ action: "skip", reason: "min-keep" });
    expect(d.get(copyOf(b).name)).toMatchObject({
      action: "delete",
      reason: "expired",
      snapshotArn: copyOf(b).arn,
    });
  });

  it("a copy whose original is gone and is within retention by the name's time stays", () => {
    const a = original(3);
    const d = pruneOf([copyOf(a)], { minKeep: 0 });
    expect(d.get(copyOf(a).name)).toMatchObject({ action: "skip", reason: "within-retention" });
  });

  it("keeps an expired original while its copy is unfinished (deleting it would end the copy)", () => {
    const old = original(10);
    const recent = original(1);
    for (const status of ["creating", "copying", "pending"]) {
      const d = pruneOf([old, copyOf(old, { status }), recent]);
      expect(d.get(old.name)).toMatchObject({
        action: "skip",
        reason: "reencrypting",
        facts: { copy: copyOf(old).name, copyStatus: status, originalReason: "expired" },
      });
      expect(d.get(old.name)).not.toHaveProperty("snapshotArn");
      expect(d.get(copyOf(old).name)).toMatchObject({ action: "skip", reason: "not-available" });
    }
    // Once the copy is available, the pair goes together.
    const d = pruneOf([old, copyOf(old), recent]);
    expect(d.get(old.name)).toMatchObject({ action: "delete", reason: "expired" });
    expect(d.get(copyOf(old).name)).toMatchObject({ action: "delete", reason: "original-pruned" });
  });

  it("deletes an expired original whose copy failed, and reports the failed copy as blocked", () => {
    const old = original(10);
    const recent = original(1);
    const d = pruneOf([old, copyOf(old, { status: "failed" }), recent]);
    expect(d.get(old.name)).toMatchObject({ action: "delete", reason: "expired" });
    expect(d.get(copyOf(old).name)).toMatchObject({
      action: "skip",
      reason: "copy-failed",
      facts: { reencryptedFrom: old.name, status: "failed" },
    });
  });

  it("property: a copy is never deleted while its original is kept, and the pairs count once", () => {
    const pairArb = fc.record({
      days: fc.integer({ min: 0, max: 40 }),
      hasOriginal: fc.boolean(),
      hasCopy: fc.boolean(),
      copyStatus: fc.constantFrom("available", "available", "copying", "failed"),
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(pairArb, { selector: (p) => p.days, maxLength: 12 }),
        fc.integer({ min: 0, max: 4 }),
        fc.integer({ min: 1, max: 14 }),
        (pairs, minKeep, retentionDays) => {
          const snapshots: Snapshot[] = [];
          const originals: Snapshot[] = [];
          for (const p of pairs) {
            const o = original(p.days);
            if (p.hasOriginal) {
              snapshots.push(o);
              originals.push(o);
            }
            if (p.hasCopy || !p.hasOriginal) snapshots.push(copyOf(o, { status: p.copyStatus }));
          }
          const decisions = planPrune({
            snapshots,
            policy: aSourcePolicy({ minKeep, retentionDays }),
            now: NOW,
          });
          const byName = new Map(decisions.map((d) => [d.snapshot, d]));
          // Exactly one decision per snapshot.
          expect(decisions).toHaveLength(snapshots.length);
          for (const o of originals) {
            const copy = byName.get(reencryptedCopyName(o.name));
            if (copy === undefined) continue;
            if (byName.get(o.name)?.action !== "delete") expect(copy.action).toBe("skip");
            // An original is never deleted while its copy is being made.
            const copyStatus = snapshots.find((s) => s.name === copy.snapshot)?.status;
            if (copyStatus === "copying") expect(byName.get(o.name)?.action).toBe("skip");
          }
          // The newest minKeep backups survive, each counted once (original or its stand-in copy).
          const backups = pairs
            .map((p) => ({
              days: p.days,
              name: p.hasOriginal
                ? original(p.days).name
                : reencryptedCopyName(original(p.days).name),
              available: p.hasOriginal || p.copyStatus === "available",
            }))
            .filter((b) => b.available)
            .sort((a, b) => a.days - b.days)
            .slice(0, minKeep);
          for (const b of backups) expect(byName.get(b.name)?.action).toBe("skip");
          // Nothing within retention by its name's time is deleted.
          for (const d of decisions) {
            if (d.action !== "delete") continue;
            const days = Number(d.facts["ageDays"] ?? Infinity);
            if (d.reason === "expired") expect(days).toBeGreaterThanOrEqual(retentionDays);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("planShare with REENCRYPT_KMS_KEY", () => {
  const awsKey = {
    ref: "arn:aws:kms:us-east-1:111111111111:key/aws",
    arn: "arn:aws:kms:us-east-1:111111111111:key/aws",
    region: "us-east-1",
    account: "111111111111",
    enabled: true,
    manager: "AWS" as const,
  };
  const cmk = {
    ...awsKey,
    ref: "alias/share",
    arn: "arn:aws:kms:us-east-1:111111111111:key/cmk",
    manager: "CUSTOMER" as const,
  };
  const plan = (snapshots: Snapshot[], over = {}) =>
    planShare({
      snapshots,
      keys: new Map<string, KeyInfo>([
        [awsKey.arn, awsKey],
        [cmk.arn, cmk],
      ]),
      policy: aSourcePolicy({
        destinationAccounts: [DEST],
        reencryptKmsKey: "alias/share",
        ...over,
      }),
      now: NOW,
      reencryptKey: cmk,
    });

  it("plans a copy with the original's name time, tags and the key's ARN", () => {
    const o = original(1, "orders", { kmsKeyId: awsKey.arn });
    const [copy, skip] = plan([o]);
    expect(copy).toMatchObject({
      step: "share",
      action: "copy",
      snapshot: `cmk-${o.name}`,
      sourceArn: o.arn,
      kmsKeyId: cmk.arn,
      tags: { ...o.tags, [TAG_REENCRYPTED_FROM]: o.arn },
    });
    expect(skip).toMatchObject({ action: "skip", reason: "reencrypting", snapshot: o.name });
  });

  it("takes a key of another account as unusable", () => {
    const o = original(1, "orders", { kmsKeyId: awsKey.arn });
    const decisions = planShare({
      snapshots: [o],
      keys: new Map<string, KeyInfo>([[awsKey.arn, awsKey]]),
      policy: aSourcePolicy({ destinationAccounts: [DEST], reencryptKmsKey: "alias/share" }),
      now: NOW,
      reencryptKey: { ...cmk, account: "333333333333" },
    });
    expect(decisions.map((d) => [d.reason, d.facts["keyProblem"]])).toEqual([
      ["reencrypt-key-unusable", "in another account (333333333333)"],
    ]);
  });

  it("skips a copy name over 63 characters as identifier-too-long", () => {
    const long = "c".repeat(63 - 17 - 3);
    const o = original(1, long, { kmsKeyId: awsKey.arn });
    expect(o.name.length).toBeLessThanOrEqual(63);
    expect(plan([o]).map((d) => d.reason)).toEqual(["identifier-too-long"]);
  });

  it("shares an available copy and reports a failed one", () => {
    const o = original(1, "orders", { kmsKeyId: awsKey.arn });
    const available = copyOf(o, { kmsKeyId: cmk.arn });
    expect(plan([o, available]).map((d) => [d.snapshot, d.action, d.reason])).toEqual([
      [available.name, "share", "not-shared"],
      [o.name, "skip", "reencrypted"],
    ]);
    const failed = copyOf(o, { kmsKeyId: cmk.arn, status: "failed" });
    expect(plan([o, failed]).map((d) => [d.snapshot, d.reason])).toEqual([
      [failed.name, "not-available"],
      [o.name, "copy-failed"],
    ]);
  });

  it("makes one re-encrypted copy for several destination accounts, and shares it with each", () => {
    const both = { destinationAccounts: [DEST, "333333333333"] };
    const o = original(1, "orders", { kmsKeyId: awsKey.arn });
    expect(plan([o], both).map((d) => [d.snapshot, d.action, d.reason])).toEqual([
      [`cmk-${o.name}`, "copy", "reencrypting"],
      [o.name, "skip", "reencrypting"],
    ]);
    const available = copyOf(o, { kmsKeyId: cmk.arn });
    expect(
      plan([o, available], both).map((d) => [
        d.snapshot,
        d.action,
        d.action === "share" ? d.shareWith : d.reason,
      ]),
    ).toEqual([
      [available.name, "share", DEST],
      [available.name, "share", "333333333333"],
      [o.name, "skip", "reencrypted"],
    ]);
  });
});
