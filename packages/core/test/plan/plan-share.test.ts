import { describe, expect, it } from "vitest";
import type { KeyInfo } from "../../src/model/index.js";
import { planShare } from "../../src/plan/index.js";
import type { PlanShareInput } from "../../src/plan/index.js";
import {
  DEST_ACCOUNT,
  NOW,
  aKey,
  aSnapshot,
  aSourcePolicy,
  aToolSnapshot,
  hoursAgo,
  regexPattern,
  toolTags,
} from "../../src/testing/index.js";

const sharing = aSourcePolicy({ destinationAccount: DEST_ACCOUNT });

function share(over: Partial<PlanShareInput> = {}) {
  return planShare({
    snapshots: [aToolSnapshot()],
    keys: new Map<string, KeyInfo>(),
    policy: sharing,
    now: NOW,
    ...over,
  });
}

function only(over: Partial<PlanShareInput> = {}) {
  const decisions = share(over);
  expect(decisions).toHaveLength(1);
  return decisions[0]!;
}

describe("planShare", () => {
  it("shares the tool's available snapshot with the destination account", () => {
    const s = aToolSnapshot();
    expect(only({ snapshots: [s] })).toEqual({
      step: "share",
      action: "share",
      reason: "not-shared",
      cluster: "prod-orders",
      account: s.account,
      region: s.region,
      snapshot: s.name,
      snapshotArn: s.arn,
      shareWith: DEST_ACCOUNT,
      facts: { encrypted: false, shareWith: DEST_ACCOUNT },
    });
  });

  it("plans nothing when no destination account is configured", () => {
    expect(share({ policy: aSourcePolicy() })).toEqual([]);
  });

  it("refuses to plan a share with anything but one 12-digit account", () => {
    for (const bad of ["all", "ALL", "12345678901", "1234567890123", "111111111111 all"]) {
      expect(() => share({ policy: aSourcePolicy({ destinationAccount: bad }) })).toThrow(
        /12 digits/,
      );
    }
  });

  it("never touches a snapshot without the tool's CreatedBy tag", () => {
    expect(only({ snapshots: [aSnapshot({ tags: { shareAndCopy: "YES" } })] }).reason).toBe(
      "no-tool-tag",
    );
  });

  it("skips a snapshot that is not manual", () => {
    const d = only({ snapshots: [aToolSnapshot({ type: "automated" })] });
    expect(d).toMatchObject({ reason: "not-manual", facts: { type: "automated" } });
  });

  it("skips a snapshot whose cluster does not match the pattern", () => {
    const d = only({ policy: { ...sharing, clusterPattern: regexPattern("users") } });
    expect(d.reason).toBe("pattern-mismatch");
  });

  it("skips a snapshot without shareAndCopy=YES", () => {
    const d = only({ snapshots: [aToolSnapshot({ tags: { shareAndCopy: "NO" } })] });
    expect(d).toMatchObject({ reason: "share-not-requested", facts: { shareAndCopy: "NO" } });
  });

  it("waits for a snapshot that is still being created", () => {
    const d = only({ snapshots: [aToolSnapshot({ status: "creating" })] });
    expect(d).toMatchObject({ reason: "not-available", facts: { status: "creating" } });
  });

  it("skips a snapshot whose SharedWith tag already names the destination account", () => {
    const takenAt = hoursAgo(2);
    const s = aSnapshot({
      takenAt,
      tags: toolTags(takenAt, { SnapshotToolSharedWith: `333333333333 ${DEST_ACCOUNT}` }),
    });
    expect(only({ snapshots: [s] }).reason).toBe("already-shared");
  });

  it("shares again when the SharedWith tag names only other accounts", () => {
    const s = aToolSnapshot({ tags: { SnapshotToolSharedWith: "333333333333" } });
    expect(only({ snapshots: [s] }).reason).toBe("not-shared");
  });

  it("skips a snapshot encrypted with the AWS-managed key", () => {
    const s = aToolSnapshot({ encrypted: true, kmsKeyId: "arn:aws:kms:x:1:key/aws-rds" });
    const keys = new Map([[s.kmsKeyId!, aKey({ manager: "AWS" })]]);
    const d = only({ snapshots: [s], keys });
    expect(d).toMatchObject({ reason: "encrypted-with-default-key", facts: { keyManager: "AWS" } });
  });

  it("shares a snapshot encrypted with a customer key, or with a key KMS did not describe", () => {
    const custom = aToolSnapshot({
      encrypted: true,
      kmsKeyId: "k-custom",
      name: "prod-orders-2026-01-01-00-00",
    });
    const unknown = aToolSnapshot({
      encrypted: true,
      kmsKeyId: "k-unknown",
      name: "prod-orders-2026-01-02-00-00",
    });
    const keys = new Map([["k-custom", aKey({ manager: "CUSTOMER" })]]);
    const decisions = share({ snapshots: [unknown, custom], keys });
    expect(decisions.map((d) => [d.snapshot, d.action])).toEqual([
      ["prod-orders-2026-01-01-00-00", "share"],
      ["prod-orders-2026-01-02-00-00", "share"],
    ]);
  });
});
