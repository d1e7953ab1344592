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

const sharing = aSourcePolicy({ destinationAccounts: [DEST_ACCOUNT] });
const B = "333333333333";
const C = "444444444444";
/** 20 accounts, RDS's most for one snapshot: 200000000000 ... 200000000019. */
const TWENTY = Array.from({ length: 20 }, (_, i) => String(200_000_000_000 + i));

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
      sharedWith: [],
      facts: { encrypted: false, shareWith: DEST_ACCOUNT },
    });
  });

  it("plans nothing when no destination account is configured", () => {
    expect(share({ policy: aSourcePolicy() })).toEqual([]);
  });

  it("refuses to plan a share with anything but 12-digit accounts", () => {
    for (const bad of ["all", "ALL", "12345678901", "1234567890123", "111111111111 all"]) {
      expect(() => share({ policy: aSourcePolicy({ destinationAccounts: [bad] }) })).toThrow(
        /12 digits/,
      );
      expect(() =>
        share({ policy: aSourcePolicy({ destinationAccounts: [DEST_ACCOUNT, bad] }) }),
      ).toThrow(/12 digits/);
    }
  });

  it("refuses to plan a share with more than 20 accounts or one account twice", () => {
    const many = [...TWENTY, "300000000000"];
    expect(() => share({ policy: aSourcePolicy({ destinationAccounts: many }) })).toThrow(/20/);
    const twice = [DEST_ACCOUNT, B, DEST_ACCOUNT];
    expect(() => share({ policy: aSourcePolicy({ destinationAccounts: twice }) })).toThrow(/20/);
  });

  it("plans one share per destination account, each with one account", () => {
    const s = aToolSnapshot();
    const decisions = share({
      snapshots: [s],
      policy: aSourcePolicy({ destinationAccounts: [DEST_ACCOUNT, B] }),
    });
    expect(
      decisions.map((d) => [d.action, d.snapshot, d.action === "share" && d.shareWith]),
    ).toEqual([
      ["share", s.name, DEST_ACCOUNT],
      ["share", s.name, B],
    ]);
    for (const d of decisions) expect(d).toMatchObject({ reason: "not-shared", sharedWith: [] });
  });

  it("shares only with the accounts the marker does not record, carrying those it does (the old one-id marker too)", () => {
    const s = aToolSnapshot({ tags: { ...aToolSnapshot().tags, SnapshotToolSharedWith: B } });
    const decisions = share({
      snapshots: [s],
      policy: aSourcePolicy({ destinationAccounts: [DEST_ACCOUNT, B, C] }),
    });
    expect(decisions.map((d) => d.action === "share" && [d.shareWith, d.sharedWith])).toEqual([
      [DEST_ACCOUNT, [B]],
      [C, [B]],
    ]);
  });

  it("leaves accounts no longer configured out of the marker it carries", () => {
    const marker = `999999999999 ${DEST_ACCOUNT}`;
    const s = aToolSnapshot({ tags: { ...aToolSnapshot().tags, SnapshotToolSharedWith: marker } });
    const [d] = share({
      snapshots: [s],
      policy: aSourcePolicy({ destinationAccounts: [B, DEST_ACCOUNT] }),
    });
    expect(d).toMatchObject({ action: "share", shareWith: B, sharedWith: [DEST_ACCOUNT] });
  });

  it("skips a snapshot whose marker names all 20 destination accounts over its two tags", () => {
    const s = aToolSnapshot({
      tags: {
        ...aToolSnapshot().tags,
        SnapshotToolSharedWith: TWENTY.slice(0, 19).join(" "),
        SnapshotToolSharedWith2: TWENTY[19]!,
      },
    });
    const d = only({ snapshots: [s], policy: aSourcePolicy({ destinationAccounts: TWENTY }) });
    expect(d).toMatchObject({ reason: "already-shared", facts: { sharedWith: TWENTY.join(" ") } });
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
