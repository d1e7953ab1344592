import { describe, expect, it } from "vitest";
import type { CopyDecision, Decision, Snapshot } from "../../src/model/index.js";
import { planCopy } from "../../src/plan/index.js";
import type { PlanCopyInput } from "../../src/plan/index.js";
import type { DestinationPolicy } from "../../src/policy/types.js";
import {
  DEST_ACCOUNT,
  NOW,
  SOURCE_ACCOUNT,
  aDestinationPolicy,
  aSnapshot,
  aToolCopy,
  aToolSnapshot,
  daysAgo,
  hoursAgo,
  regexPattern,
} from "../../src/testing/index.js";

const LOCAL = "us-east-1";
const REMOTE = "eu-west-1";
const takenAt = new Date("2026-11-24T01:00:00Z");

/** A snapshot the source account shared into the destination account's local region. */
function aShared(over: Parameters<typeof aSnapshot>[0] = {}): Snapshot {
  return aToolSnapshot({
    takenAt,
    type: "shared",
    account: SOURCE_ACCOUNT,
    region: LOCAL,
    ...over,
  });
}

/** The destination account's own copy of a snapshot in a region. */
function aCopyOf(
  s: Snapshot,
  region: string,
  over: Parameters<typeof aSnapshot>[0] = {},
): Snapshot {
  return aToolCopy({ takenAt, clusterId: s.clusterId, name: s.name, region, ...over });
}

function copy(
  over: Partial<Omit<PlanCopyInput, "policy">> & { policy?: Partial<DestinationPolicy> },
) {
  const { policy, ...rest } = over;
  return planCopy({
    account: DEST_ACCOUNT,
    localRegion: LOCAL,
    shared: [],
    own: [],
    now: NOW,
    ...rest,
    policy: aDestinationPolicy(policy),
  });
}

function summary(decisions: readonly Decision[]) {
  return decisions.map((d) => `${d.region} ${d.action} ${d.reason}`);
}

const localOnly = { destinationRegions: [LOCAL] };
/** The two-step copy (COPY_MODE two-step, or auto in a region that refused the one-call copy). */
const remoteOnly = { destinationRegions: [REMOTE], copyMode: "two-step" } as const;

describe("planCopy, cross-account", () => {
  describe("into the local region", () => {
    it("copies a shared snapshot keeping its identifier and tagging it as the tool's copy", () => {
      const s = aShared();
      expect(copy({ shared: [s], policy: localOnly })).toEqual([
        {
          step: "copy",
          action: "copy",
          reason: "not-copied",
          cluster: "prod-orders",
          account: DEST_ACCOUNT,
          region: LOCAL,
          snapshot: "prod-orders-2026-11-24-01-00",
          sourceArn: s.arn,
          sourceRegion: LOCAL,
          tags: {
            CopiedBy: "Snapshot Tool for Aurora",
            CreatedOn: "2026-11-24-01-00",
            SnapshotToolSourceArn: s.arn,
          },
          intermediate: false,
          facts: {
            time: "2026-11-24T01:00:00.000Z",
            ageDays: 1,
            encrypted: false,
            intermediate: false,
            copyMode: "cross-account",
            inFlightBefore: 0,
          },
        },
      ]);
    });

    it("re-encrypts an encrypted snapshot with the local region's destination key, else the source key", () => {
      const s = aShared({ encrypted: true, kmsKeyId: "source-key" });
      const withDest = copy({
        shared: [s],
        policy: { ...localOnly, kmsKeyDestination: { [LOCAL]: "dest-key" }, kmsKeySource: "src" },
      });
      expect((withDest[0] as CopyDecision).kmsKeyId).toBe("dest-key");
      const withSource = copy({ shared: [s], policy: { ...localOnly, kmsKeySource: "src" } });
      expect((withSource[0] as CopyDecision).kmsKeyId).toBe("src");
    });

    it("passes no key for an unencrypted snapshot", () => {
      const d = copy({ shared: [aShared()], policy: { ...localOnly, kmsKeySource: "src" } });
      expect(d[0]).not.toHaveProperty("kmsKeyId");
    });

    it("skips an encrypted snapshot when no key is configured, since AWS requires one", () => {
      const d = copy({ shared: [aShared({ encrypted: true })], policy: localOnly });
      expect(summary(d)).toEqual([`${LOCAL} skip kms-key-required`]);
    });

    it("reports a local copy that exists as already-copied, and one still copying as in progress", () => {
      const s = aShared();
      expect(summary(copy({ shared: [s], own: [aCopyOf(s, LOCAL)], policy: localOnly }))).toEqual([
        `${LOCAL} skip already-copied`,
      ]);
      const copying = copy({
        shared: [s],
        own: [aCopyOf(s, LOCAL, { status: "copying", percentProgress: 40 })],
        policy: localOnly,
      });
      expect(copying).toMatchObject([
        { reason: "copy-in-progress", facts: { status: "copying", percentProgress: 40 } },
      ]);
    });

    it("finds the local copy by name case-insensitively", () => {
      const s = aShared();
      const own = aCopyOf(s, LOCAL, { name: s.name.toUpperCase() });
      expect(summary(copy({ shared: [s], own: [own], policy: localOnly }))).toEqual([
        `${LOCAL} skip already-copied`,
      ]);
    });
  });

  describe("into another region, in two steps", () => {
    it("first makes an intermediate local copy with the source key, and the remote copy waits for it", () => {
      const s = aShared({ encrypted: true });
      const decisions = copy({
        shared: [s],
        policy: { ...remoteOnly, kmsKeySource: "src", kmsKeyDestination: { [REMOTE]: "dst" } },
      });
      expect(summary(decisions)).toEqual([
        `${REMOTE} skip copy-in-progress`,
        `${LOCAL} copy not-copied`,
      ]);
      expect(decisions[0]!.facts).toMatchObject({ waitingFor: "local copy" });
      expect(decisions[1]).toMatchObject({
        intermediate: true,
        kmsKeyId: "src",
        sourceArn: s.arn,
        tags: {
          CopiedBy: "Snapshot Tool for Aurora",
          CreatedOn: "2026-11-24-01-00",
          SnapshotToolIntermediate: "YES",
        },
      });
    });

    it("copies from the available local copy into the remote region with the remote key", () => {
      const s = aShared({ encrypted: true });
      const local = aCopyOf(s, LOCAL, {
        encrypted: true,
        tags: { SnapshotToolIntermediate: "YES" },
      });
      const decisions = copy({
        shared: [s],
        own: [local],
        policy: { ...remoteOnly, kmsKeyDestination: { [REMOTE]: "dst" } },
      });
      expect(summary(decisions)).toEqual([
        `${REMOTE} copy not-copied`,
        `${LOCAL} skip intermediate-waiting`,
      ]);
      expect(decisions[0]).toMatchObject({
        sourceArn: local.arn,
        sourceRegion: LOCAL,
        kmsKeyId: "dst",
        intermediate: false,
        tags: { CopiedBy: "Snapshot Tool for Aurora", CreatedOn: "2026-11-24-01-00" },
      });
      expect((decisions[0] as CopyDecision).tags).not.toHaveProperty("SnapshotToolIntermediate");
    });

    it("needs a remote key to copy an encrypted local copy onwards", () => {
      const s = aShared({ encrypted: true });
      const local = aCopyOf(s, LOCAL, { encrypted: true });
      const decisions = copy({ shared: [s], own: [local], policy: remoteOnly });
      expect(summary(decisions)).toEqual([`${REMOTE} skip kms-key-required`]);
    });

    it("waits while the local copy is still copying", () => {
      const s = aShared();
      const local = aCopyOf(s, LOCAL, { status: "copying" });
      const decisions = copy({ shared: [s], own: [local], policy: remoteOnly });
      expect(decisions).toMatchObject([
        { region: REMOTE, reason: "copy-in-progress", facts: { localStatus: "copying" } },
      ]);
    });

    it("reports a remote copy that is available, or still copying", () => {
      const s = aShared();
      const done = copy({ shared: [s], own: [aCopyOf(s, REMOTE)], policy: remoteOnly });
      expect(summary(done)).toEqual([`${REMOTE} skip already-copied`]);
      const running = copy({
        shared: [s],
        own: [aCopyOf(s, REMOTE, { status: "copying" })],
        policy: remoteOnly,
      });
      expect(summary(running)).toEqual([`${REMOTE} skip copy-in-progress`]);
    });

    it("does not make the local copy again once every remote copy exists", () => {
      const s = aShared();
      const decisions = copy({ shared: [s], own: [aCopyOf(s, REMOTE)], policy: remoteOnly });
      expect(decisions.filter((d) => d.action === "copy")).toEqual([]);
    });

    it("holds the remote copy back for the same reason as the local copy", () => {
      const s = aShared({ encrypted: true });
      const decisions = copy({
        shared: [s],
        policy: { ...remoteOnly, kmsKeyDestination: { [REMOTE]: "dst" } },
      });
      expect(summary(decisions)).toEqual([
        `${REMOTE} skip kms-key-required`,
        `${LOCAL} skip kms-key-required`,
      ]);
      expect(decisions[0]!.facts).toMatchObject({ waitingFor: "local copy" });
    });

    it("keeps the local copy as a final one when the local region is a destination too", () => {
      const s = aShared();
      const decisions = copy({
        shared: [s],
        policy: { destinationRegions: [LOCAL, REMOTE], copyMode: "two-step" },
      });
      expect(decisions).toMatchObject([
        { region: REMOTE, reason: "copy-in-progress" },
        { region: LOCAL, action: "copy", intermediate: false },
      ]);
    });
  });

  describe("which shared snapshots are copied", () => {
    it("skips a shared snapshot that is not available", () => {
      const d = copy({ shared: [aShared({ status: "creating" })], policy: localOnly });
      expect(summary(d)).toEqual([`${LOCAL} skip not-available`]);
    });

    it("skips a snapshot of a cluster outside the snapshot pattern", () => {
      const d = copy({
        shared: [aShared()],
        policy: { ...localOnly, snapshotPattern: regexPattern("^users") },
      });
      expect(summary(d)).toEqual([`${LOCAL} skip pattern-mismatch`]);
    });

    it("copies only from the configured source accounts", () => {
      const d = copy({
        shared: [aShared()],
        policy: { ...localOnly, sourceAccounts: ["333333333333"] },
      });
      expect(d).toMatchObject([
        { reason: "source-account-not-allowed", facts: { sourceAccount: SOURCE_ACCOUNT } },
      ]);
      const allowed = copy({
        shared: [aShared()],
        policy: { ...localOnly, sourceAccounts: [SOURCE_ACCOUNT] },
      });
      expect(summary(allowed)).toEqual([`${LOCAL} copy not-copied`]);
    });

    it("skips a snapshot older than the destination retention", () => {
      const old = daysAgo(8);
      const d = copy({ shared: [aShared({ takenAt: old })], policy: localOnly });
      expect(d).toMatchObject([
        { reason: "outside-retention", facts: { ageDays: 8, retentionDays: 7 } },
      ]);
    });

    it("skips a snapshot whose time cannot be read", () => {
      const s = aSnapshot({
        name: "hand-made",
        type: "shared",
        region: LOCAL,
        createTime: undefined,
      });
      expect(summary(copy({ shared: [s], policy: localOnly }))).toEqual([
        `${LOCAL} skip unknown-age`,
      ]);
    });

    it("plans one copy when two accounts share snapshots with the same name", () => {
      const a = aShared();
      const b = aShared({ account: "333333333333" });
      const decisions = copy({ shared: [a, b], policy: localOnly });
      expect(summary(decisions)).toEqual([
        `${LOCAL} copy not-copied`,
        `${LOCAL} skip copy-in-progress`,
      ]);
    });
  });

  describe("copy slots", () => {
    const shared = [1, 2, 3, 4].map((h) => aShared({ takenAt: hoursAgo(h) }));

    it("counts every copy in flight in the region, the tool's or not", () => {
      const busy = [aSnapshot({ name: "other-1", account: DEST_ACCOUNT, status: "copying" })];
      const decisions = copy({ shared, own: busy, policy: { ...localOnly, maxCopiesInFlight: 3 } });
      expect(decisions.filter((d) => d.action === "copy")).toHaveLength(2);
      expect(decisions.find((d) => d.reason === "copy-slots-full")!.facts).toEqual({
        time: hoursAgo(4).toISOString(),
        ageDays: 0.2,
        inFlight: 3,
        max: 3,
      });
    });

    it("counts a copy in any state before available: five pending, creating or copying leave no sixth", () => {
      const states = ["pending", "creating", "copying", "pending", "creating"];
      const busy = states.map((status, i) =>
        aSnapshot({
          name: `other-${i}`,
          account: DEST_ACCOUNT,
          status,
          sourceArn: `arn:aws:rds:${LOCAL}:333333333333:cluster-snapshot:other-${i}`,
        }),
      );
      const decisions = copy({ shared, own: busy, policy: { ...localOnly, maxCopiesInFlight: 5 } });
      expect(decisions.filter((d) => d.action === "copy")).toEqual([]);
      expect(decisions.filter((d) => d.reason === "copy-slots-full")).toHaveLength(4);
      // A snapshot being taken (no source) is not a copy, and a failed copy holds no slot.
      const notCopies = [
        aSnapshot({ name: "taking", account: DEST_ACCOUNT, status: "creating" }),
        aSnapshot({ name: "broken", account: DEST_ACCOUNT, status: "failed", sourceArn: "x" }),
      ];
      const free = copy({
        shared,
        own: [...busy.slice(0, 4), ...notCopies],
        policy: { ...localOnly, maxCopiesInFlight: 5 },
      });
      expect(free.filter((d) => d.action === "copy")).toHaveLength(1);
    });

    it("gives the slots to the newest snapshots first", () => {
      const decisions = copy({ shared, policy: { ...localOnly, maxCopiesInFlight: 2 } });
      expect(decisions.map((d) => [d.snapshot, d.reason])).toEqual([
        ["prod-orders-2026-11-24-21-02", "copy-slots-full"],
        ["prod-orders-2026-11-24-22-02", "copy-slots-full"],
        ["prod-orders-2026-11-24-23-02", "not-copied"],
        ["prod-orders-2026-11-25-00-02", "not-copied"],
      ]);
    });

    it("counts intermediate local copies against the local region", () => {
      const decisions = copy({ shared, policy: { ...remoteOnly, maxCopiesInFlight: 1 } });
      expect(decisions.filter((d) => d.action === "copy")).toMatchObject([
        { region: LOCAL, snapshot: "prod-orders-2026-11-25-00-02" },
      ]);
      expect(decisions.filter((d) => d.reason === "copy-slots-full")).toHaveLength(6);
    });
  });

  describe("intermediate copies", () => {
    const s = aShared();
    const REMOTE2 = "eu-central-1";
    const regions = { destinationRegions: [REMOTE, REMOTE2], copyMode: "two-step" } as const;
    const intermediate = aCopyOf(s, LOCAL, { tags: { SnapshotToolIntermediate: "YES" } });

    it("deletes an intermediate copy once every onward copy is available", () => {
      const decisions = copy({
        own: [intermediate, aCopyOf(s, REMOTE), aCopyOf(s, REMOTE2)],
        policy: regions,
      });
      expect(decisions).toEqual([
        {
          step: "copy",
          action: "delete",
          reason: "intermediate-done",
          cluster: "prod-orders",
          account: DEST_ACCOUNT,
          region: LOCAL,
          snapshot: intermediate.name,
          snapshotArn: intermediate.arn,
          facts: { onwardRegions: `${REMOTE2}, ${REMOTE}` },
        },
      ]);
    });

    it("keeps an intermediate copy while an onward copy is missing or still copying", () => {
      const decisions = copy({
        own: [intermediate, aCopyOf(s, REMOTE, { status: "copying" })],
        policy: regions,
      });
      expect(decisions).toMatchObject([
        {
          action: "skip",
          reason: "intermediate-waiting",
          facts: { waitingFor: `${REMOTE2} (missing), ${REMOTE} (copying)` },
        },
      ]);
    });

    it("never deletes a copy without the intermediate tag, nor one that is not available", () => {
      const decisions = copy({
        own: [
          aCopyOf(s, LOCAL),
          aCopyOf(s, LOCAL, {
            name: "other-1",
            tags: { SnapshotToolIntermediate: "YES" },
            status: "copying",
          }),
          aCopyOf(s, REMOTE),
          aCopyOf(s, REMOTE2),
        ],
        policy: regions,
      });
      expect(decisions.filter((d) => d.action === "delete")).toEqual([]);
    });
  });
});

describe("planCopy, cross-account, single-step (COPY_MODE auto or single-step)", () => {
  const REMOTE2 = "eu-central-1";
  const keys = { kmsKeySource: "src", kmsKeyDestination: { [REMOTE]: "dst", [REMOTE2]: "dst2" } };

  it("copies a shared snapshot straight into the other region, with that region's key and no intermediate", () => {
    const s = aShared({ encrypted: true, kmsKeyId: "source-key" });
    for (const copyMode of ["auto", "single-step"] as const) {
      const decisions = copy({
        shared: [s],
        policy: { destinationRegions: [REMOTE], copyMode, ...keys },
      });
      expect(decisions).toMatchObject([
        {
          action: "copy",
          region: REMOTE,
          sourceArn: s.arn,
          sourceRegion: LOCAL,
          kmsKeyId: "dst",
          intermediate: false,
          facts: { copyMode: "single-step" },
        },
      ]);
      expect((decisions[0] as CopyDecision).tags).not.toHaveProperty("SnapshotToolIntermediate");
    }
  });

  it("in auto, goes in two steps into a region that refused the one-call copy, and in one call elsewhere", () => {
    const s = aShared();
    const decisions = copy({
      shared: [s],
      policy: { destinationRegions: [REMOTE, REMOTE2], copyMode: "auto" },
      singleStepRefused: new Set([REMOTE]),
    });
    expect(summary(decisions)).toEqual([
      `${REMOTE2} copy not-copied`,
      `${REMOTE} skip copy-in-progress`,
      `${LOCAL} copy not-copied`,
    ]);
    const local = decisions.find((d) => d.region === LOCAL) as CopyDecision;
    expect(local.intermediate).toBe(true);
  });

  it("in single-step, a refusal changes nothing: the mode is the operator's choice", () => {
    const decisions = copy({
      shared: [aShared()],
      policy: { destinationRegions: [REMOTE], copyMode: "single-step" },
      singleStepRefused: new Set([REMOTE]),
    });
    expect(summary(decisions)).toEqual([`${REMOTE} copy not-copied`]);
  });

  it("does not wait for a local name taken by something else", () => {
    const s = aShared();
    const stranger = aSnapshot({ name: s.name, account: DEST_ACCOUNT, region: LOCAL });
    const decisions = copy({
      shared: [s],
      own: [stranger],
      policy: { destinationRegions: [REMOTE], copyMode: "single-step" },
    });
    expect(summary(decisions)).toEqual([`${REMOTE} copy not-copied`]);
  });

  it("removes an intermediate left by earlier two-step runs once the onward copy is there", () => {
    const s = aShared();
    const intermediate = aCopyOf(s, LOCAL, { tags: { SnapshotToolIntermediate: "YES" } });
    const waiting = copy({
      shared: [s],
      own: [intermediate, aCopyOf(s, REMOTE, { status: "copying" })],
      policy: { destinationRegions: [REMOTE], copyMode: "single-step" },
    });
    expect(summary(waiting)).toEqual([
      `${REMOTE} skip copy-in-progress`,
      `${LOCAL} skip intermediate-waiting`,
    ]);
    const done = copy({
      shared: [s],
      own: [intermediate, aCopyOf(s, REMOTE)],
      policy: { destinationRegions: [REMOTE], copyMode: "single-step" },
    });
    expect(summary(done)).toEqual([
      `${REMOTE} skip already-copied`,
      `${LOCAL} delete intermediate-done`,
    ]);
  });
});

describe("planCopy: who gets the copy slots when more copies are wanted than RDS runs", () => {
  const policy = { destinationRegions: [REMOTE], maxCopiesInFlight: 2 };
  const snap = (cluster: string, h: number) =>
    aShared({ clusterId: cluster, name: `${cluster}-${h}`, takenAt: hoursAgo(h) });
  const started = (decisions: readonly Decision[]) =>
    decisions.filter((d) => d.action === "copy").map((d) => d.snapshot);

  it("gives every cluster's newest snapshot a slot before any cluster's second newest", () => {
    // Cluster a has three snapshots newer than b's only one: newest-first would give a two slots.
    const shared = [snap("a", 1), snap("a", 2), snap("a", 3), snap("b", 4)];
    expect(started(copy({ shared, policy })).sort()).toEqual(["a-1", "b-4"]);
  });

  it("puts the cluster furthest behind in DR first", () => {
    // Both have a new snapshot; a's newest DR copy is 2 days old, b's 1 day, c's 3 hours (within its interval).
    const shared = [snap("a", 1), snap("b", 1), snap("c", 1)];
    const own = [
      aCopyOf(snap("a", 49), REMOTE, { clusterId: "a", name: "a-49", takenAt: hoursAgo(49) }),
      aCopyOf(snap("b", 25), REMOTE, { clusterId: "b", name: "b-25", takenAt: hoursAgo(25) }),
      aCopyOf(snap("c", 3), REMOTE, { clusterId: "c", name: "c-3", takenAt: hoursAgo(3) }),
    ];
    expect(started(copy({ shared, own, policy })).sort()).toEqual(["a-1", "b-1"]);
  });

  it("gives the first slot to a cluster never copied, over one merely behind", () => {
    const shared = [snap("a", 1), snap("b", 2)];
    const own = [
      aCopyOf(snap("a", 30), REMOTE, { clusterId: "a", name: "a-30", takenAt: hoursAgo(30) }),
    ];
    const decisions = copy({ shared, own, policy: { ...policy, maxCopiesInFlight: 1 } });
    expect(started(decisions)).toEqual(["b-2"]);
  });

  it("names the snapshot's time on each copy left waiting, for the backlog", () => {
    const shared = [snap("a", 1), snap("b", 2), snap("c", 3)];
    const waiting = copy({ shared, policy }).filter((d) => d.reason === "copy-slots-full");
    expect(waiting).toMatchObject([
      { snapshot: "c-3", facts: { time: hoursAgo(3).toISOString() } },
    ]);
  });
});

describe("planCopy, same account", () => {
  const sameAccount = { crossAccount: false, destinationRegions: [REMOTE] };
  function anOwn(over: Parameters<typeof aSnapshot>[0] = {}): Snapshot {
    return aToolSnapshot({ takenAt, account: DEST_ACCOUNT, region: LOCAL, ...over });
  }

  it("copies the account's own tool snapshot straight into each destination region", () => {
    const s = anOwn();
    const decisions = copy({
      own: [s],
      policy: { ...sameAccount, destinationRegions: [REMOTE, "eu-central-1"] },
    });
    expect(decisions).toMatchObject([
      {
        region: "eu-central-1",
        action: "copy",
        sourceArn: s.arn,
        sourceRegion: LOCAL,
        intermediate: false,
      },
      {
        region: REMOTE,
        action: "copy",
        sourceArn: s.arn,
        sourceRegion: LOCAL,
        intermediate: false,
      },
    ]);
    expect((decisions[0] as CopyDecision).tags).toEqual({
      CopiedBy: "Snapshot Tool for Aurora",
      CreatedOn: "2026-11-24-01-00",
      SnapshotToolSourceArn: s.arn,
    });
  });

  it("copies an aws/rds original, not the cmk- copy made to share it, so DR keeps each backup once", () => {
    const original = anOwn({ encrypted: true, kmsKeyId: "aws-rds-key" });
    const shareable = anOwn({
      name: `cmk-${original.name}`,
      encrypted: true,
      kmsKeyId: "customer-key",
      tags: { SnapshotToolReencryptedFrom: original.arn },
    });
    const decisions = copy({
      own: [original, shareable],
      policy: { ...sameAccount, kmsKeyDestination: { [REMOTE]: "dr-key" } },
    });
    expect(decisions.map((d) => [d.snapshot, d.action, d.reason])).toEqual([
      [shareable.name, "skip", "reencrypted-copy"],
      [original.name, "copy", "not-copied"],
    ]);
  });

  it("says already-copied for the local region itself", () => {
    const decisions = copy({
      own: [anOwn()],
      policy: { ...sameAccount, destinationRegions: [LOCAL] },
    });
    expect(summary(decisions)).toEqual([`${LOCAL} skip already-copied`]);
  });

  it("reports existing copies and needs a key for an encrypted snapshot", () => {
    const s = anOwn({ encrypted: true });
    const existing = copy({ own: [s, aCopyOf(s, REMOTE)], policy: sameAccount });
    expect(summary(existing)).toEqual([`${REMOTE} skip already-copied`]);
    expect(summary(copy({ own: [s], policy: sameAccount }))).toEqual([
      `${REMOTE} skip kms-key-required`,
    ]);
    const keyed = copy({
      own: [s],
      policy: { ...sameAccount, kmsKeyDestination: { [REMOTE]: "dst" } },
    });
    expect(keyed).toMatchObject([{ action: "copy", kmsKeyId: "dst" }]);
  });

  it("skips snapshots the tool did not take, or not marked shareAndCopy=YES, or not manual", () => {
    const decisions = copy({
      own: [
        aSnapshot({ name: "a-1", account: DEST_ACCOUNT }),
        anOwn({ name: "prod-orders-2026-11-24-02-00", tags: { shareAndCopy: "NO" } }),
        anOwn({ name: "prod-orders-2026-11-24-03-00", type: "automated" }),
        anOwn({ name: "c-1" }),
      ],
      policy: sameAccount,
    });
    expect(decisions.map((d) => [d.snapshot, d.reason])).toEqual([
      ["a-1", "no-tool-tag"],
      ["c-1", "not-owned"],
      ["prod-orders-2026-11-24-02-00", "share-not-requested"],
      ["prod-orders-2026-11-24-03-00", "not-manual"],
    ]);
  });

  it("applies availability, pattern and retention as for shared snapshots", () => {
    const decisions = copy({
      own: [
        anOwn({ name: "prod-orders-2026-11-24-01-00", status: "creating" }),
        anOwn({ clusterId: "users", takenAt }),
        anOwn({ takenAt: daysAgo(9) }),
      ],
      policy: { ...sameAccount, snapshotPattern: regexPattern("orders") },
    });
    expect(decisions.map((d) => d.reason)).toEqual([
      "outside-retention",
      "not-available",
      "pattern-mismatch",
    ]);
  });
});

describe("planCopy, found in review", () => {
  it("takes the original tool's same-account copy (CopyTags: CreatedBy, no CopiedBy) as copied, by RDS's source ARN", () => {
    const s = aToolSnapshot({ takenAt, account: DEST_ACCOUNT, region: LOCAL });
    const legacy = aSnapshot({
      name: s.name,
      account: DEST_ACCOUNT,
      region: REMOTE,
      sourceArn: s.arn,
      tags: { CreatedBy: "Snapshot Tool for Aurora", shareAndCopy: "YES" },
    });
    const decisions = copy({
      own: [s, legacy],
      policy: { destinationRegions: [REMOTE], crossAccount: false },
    });
    expect(decisions.filter((d) => d.region === REMOTE).map((d) => d.reason)).toEqual([
      "already-copied",
    ]);
  });

  it("a failed copy is blocked as copy-failed, never copy-in-progress", () => {
    const s = aShared();
    const failed = aToolCopy({
      name: s.name,
      region: LOCAL,
      status: "failed",
      tags: { SnapshotToolSourceArn: s.arn },
    });
    const decisions = copy({ shared: [s], own: [failed], policy: localOnly });
    expect(decisions.map((d) => d.reason)).toEqual(["copy-failed"]);
  });
});
