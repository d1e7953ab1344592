import { describe, expect, it } from "vitest";
import { isComplete, SnapshotToolException, blockedLine } from "../../src/execute/index.js";
import {
  TAG_CREATED_BY,
  TAG_CREATED_ON,
  TAG_REENCRYPTED_FROM,
  TAG_SHARE_AND_COPY,
  TAG_SHARED_WITH,
  TOOL_NAME,
} from "../../src/model/index.js";
import { formatSnapshotName, formatTimestamp } from "../../src/naming/index.js";
import { destinationPolicyFromObject, sourcePolicyFromObject } from "../../src/policy/index.js";
import type { SourcePolicyInput } from "../../src/policy/index.js";
import { sourceStatus } from "../../src/status/index.js";
import { runCopy, runPrune, runShare, runTake } from "../../src/steps/index.js";
import { InMemoryRds, simulatedGateway } from "../../src/testing/index.js";

/*
 * REENCRYPT_KMS_KEY in the in-memory RDS: a tool snapshot encrypted with aws/rds is copied in the
 * source account under a customer key, and the copy is what is shared (and copied by the
 * destination). A key that cannot do it leaves the step incomplete, naming the key.
 */

const SOURCE = "111111111111";
const DEST = "222222222222";
const HOME = "us-east-1";
const DR = "us-west-2";
const NOW = new Date("2026-06-15T12:00:00Z");
const RETRY = { retry: { minTimeoutMs: 1, maxTimeoutMs: 2 } };

function hoursBefore(hours: number): Date {
  return new Date(NOW.getTime() - hours * 3_600_000);
}

function setUp(options: ConstructorParameters<typeof InMemoryRds>[0] = {}) {
  const sim = new InMemoryRds({ now: NOW, copyMinutes: 20, ...options });
  const cmk = sim.addKey({ account: SOURCE, region: HOME, alias: "share", usableBy: [DEST] });
  const policy = (over: SourcePolicyInput = {}) =>
    sourcePolicyFromObject({
      destinationAccount: DEST,
      reencryptKmsKey: "alias/share",
      ...over,
    });
  const input = (over: SourcePolicyInput = {}) => ({
    gateway: simulatedGateway(sim, SOURCE),
    region: HOME,
    now: sim.now(),
    policy: policy(over),
    execute: RETRY,
  });
  /** A tool snapshot of `cluster` taken `hours` ago, encrypted with aws/rds. */
  const addOriginal = (cluster: string, hours: number) => {
    const at = hoursBefore(hours);
    const id = formatSnapshotName(cluster, at);
    return sim.addSnapshot({
      account: SOURCE,
      region: HOME,
      id,
      clusterId: cluster,
      encrypted: true,
      kmsKeyId: "alias/aws/rds",
      createTime: at,
      tags: {
        [TAG_CREATED_BY]: TOOL_NAME,
        [TAG_CREATED_ON]: formatTimestamp(at),
        [TAG_SHARE_AND_COPY]: "YES",
      },
    });
  };
  return { sim, cmk, input, addOriginal };
}

describe("share with REENCRYPT_KMS_KEY (in-memory RDS)", () => {
  it("copies an aws/rds snapshot under the key, then shares the copy, never the original", async () => {
    const { sim, cmk, input, addOriginal } = setUp();
    const original = addOriginal("orders", 2);
    const copyId = `cmk-${original.id}`;

    const first = await runShare(input());
    // The copy was started; the original waits for it, under way rather than deferred.
    expect(first.failed).toEqual([]);
    expect(first.done.map((o) => [o.decision.action, o.decision.snapshot])).toEqual([
      ["copy", copyId],
    ]);
    expect(first.skipped.map((d) => [d.snapshot, d.reason])).toEqual([
      [original.id, "reencrypting"],
    ]);
    expect(first.deferred).toEqual([]);
    expect(isComplete(first)).toBe(true);
    expect(sim.snapshot({ account: SOURCE, region: HOME, id: copyId })).toMatchObject({
      clusterId: "orders",
      encrypted: true,
      kmsKeyId: cmk,
      sourceArn: original.arn,
      tags: {
        [TAG_CREATED_BY]: TOOL_NAME,
        [TAG_CREATED_ON]: original.tags[TAG_CREATED_ON],
        [TAG_SHARE_AND_COPY]: "YES",
        [TAG_REENCRYPTED_FROM]: original.arn,
      },
    });

    // While RDS copies, a second run starts nothing more and reports the copy under way, without
    // failing: the copy can take hours, and a share run that failed every 10 minutes meanwhile
    // would set off the share alarm.
    const during = await runShare(input());
    expect(during.done).toEqual([]);
    expect(during.deferred).toEqual([]);
    expect(during.skipped.map((d) => d.reason)).toContain("reencrypting");
    expect(isComplete(during)).toBe(true);
    expect(sim.callCounts()["CopyDBClusterSnapshot"]).toBe(1);

    sim.advance({ minutes: 30 });
    const after = await runShare(input());
    expect(after.failed).toEqual([]);
    expect(after.done.map((o) => [o.decision.action, o.decision.snapshot])).toEqual([
      ["share", copyId],
    ]);
    expect(isComplete(after)).toBe(true);
    expect(after.skipped.map((d) => [d.snapshot, d.reason])).toEqual([
      [original.id, "reencrypted"],
    ]);
    const copy = sim.snapshot({ account: SOURCE, region: HOME, id: copyId });
    expect(copy?.sharedWith).toEqual([DEST]);
    expect(copy?.tags[TAG_SHARED_WITH]).toBe(DEST);
    expect(sim.snapshot({ account: SOURCE, region: HOME, id: original.id })?.sharedWith).toEqual(
      [],
    );

    // Nothing left to do on the next run, and nothing asked of KMS: the original is decided from
    // its cmk- copy.
    const keyCalls = sim.callCounts()["DescribeKey"] ?? 0;
    const again = await runShare(input());
    expect(again.done).toEqual([]);
    expect(isComplete(again)).toBe(true);
    expect(again.skipped.map((d) => [d.snapshot, d.reason])).toContainEqual([
      original.id,
      "reencrypted",
    ]);
    expect(sim.callCounts()["DescribeKey"] ?? 0).toBe(keyCalls);
  });

  it("an error describing the key blocks only the aws/rds snapshots; the rest are shared", async () => {
    const { sim, input, addOriginal } = setUp();
    const original = addOriginal("orders", 2);
    sim.addKey({ account: SOURCE, region: HOME, alias: "plain" });
    const at = hoursBefore(3);
    const plain = sim.addSnapshot({
      account: SOURCE,
      region: HOME,
      id: formatSnapshotName("billing", at),
      clusterId: "billing",
      encrypted: true,
      kmsKeyId: "alias/plain",
      createTime: at,
      tags: {
        [TAG_CREATED_BY]: TOOL_NAME,
        [TAG_CREATED_ON]: formatTimestamp(at),
        [TAG_SHARE_AND_COPY]: "YES",
      },
    });
    sim.failOn({ operation: "DescribeKey", target: "alias/share", error: "AccessDeniedException" });

    const report = await runShare(input());
    expect(report.failed).toEqual([]);
    expect(report.done.map((o) => [o.decision.action, o.decision.snapshot])).toEqual([
      ["share", plain.id],
    ]);
    expect(report.blocked.map((d) => [d.snapshot, d.reason, d.facts["keyProblem"]])).toEqual([
      [original.id, "reencrypt-key-unusable", "could not be described: AccessDeniedException"],
    ]);
    expect(blockedLine(report.blocked[0]!)).toContain("key alias/share");
    expect(isComplete(report)).toBe(false);
    expect(sim.callCounts()["CopyDBClusterSnapshot"]).toBeUndefined();
  });

  it("gives copy slots to the newest snapshots first, and none to one prune deletes within a day", async () => {
    const { input, addOriginal } = setUp({ copyMinutes: 600 });
    // Eight of orders' snapshots, listed oldest first; 5 copy slots (RDS's per-region limit).
    const days = [6.5, 5, 4.5, 4, 3, 2, 1, 0];
    const made = days.map((d) => addOriginal("orders", d * 24 + 2));
    const report = await runShare(input({ retentionDays: 7, minKeep: 1 }));
    const copied = report.done
      .filter((o) => o.decision.action === "copy")
      .map((o) => o.decision.snapshot);
    // The newest five; the 6.5-day-old one is deleted by prune within a day and gets no copy.
    expect(copied.sort()).toEqual(
      made
        .slice(3)
        .map((s) => `cmk-${s.id}`)
        .sort(),
    );
    const reasons = new Map(report.skipped.map((d) => [d.snapshot, d.reason]));
    expect(reasons.get(made[0]!.id)).toBe("expiring");
    expect(reasons.get(made[1]!.id)).toBe("copy-slots-full");
    expect(reasons.get(made[2]!.id)).toBe("copy-slots-full");
    // With a calendar rule in use, nothing is taken as expiring.
    const { input: input2, addOriginal: add2 } = setUp();
    const old = add2("orders", 6.5 * 24 + 2);
    add2("orders", 2);
    const kept = await runShare(input2({ retentionDays: 7, minKeep: 1, keepWeekly: 4 }));
    expect(kept.done.map((o) => o.decision.snapshot)).toContain(`cmk-${old.id}`);
  });

  it("lets the destination copy the shared re-encrypted snapshot, under the original's time", async () => {
    const { sim, addOriginal, input } = setUp();
    sim.addKey({ account: DEST, region: DR, alias: "dr" });
    sim.addKey({ account: DEST, region: HOME, alias: "local" });
    const original = addOriginal("orders", 2);
    await runShare(input());
    sim.advance({ minutes: 30 });
    await runShare(input());

    const copy = await runCopy({
      gateway: simulatedGateway(sim, DEST),
      region: HOME,
      now: sim.now(),
      policy: destinationPolicyFromObject({
        destinationRegions: [DR],
        sourceAccounts: [SOURCE],
        kmsKeySource: "alias/local",
        kmsKeyDestination: { [DR]: "alias/dr" },
      }),
      execute: RETRY,
    });
    expect(copy.failed).toEqual([]);
    expect(copy.blocked).toEqual([]);
    const started = copy.done.filter((o) => o.decision.action === "copy");
    expect(started.length).toBeGreaterThan(0);
    expect(started[0]?.decision.snapshot).toContain(original.id.slice("orders-".length));
    expect(started[0]?.decision.snapshot).toMatch(/^cmk-orders-/);
  });

  it.each([
    ["a key KMS does not know", "alias/missing", "not found"],
    ["a disabled key", "alias/off", "not enabled"],
    ["an AWS-managed key", "alias/aws/rds", "AWS-managed"],
  ])(
    "with %s: blocked, naming the key; nothing copied, shared or deleted",
    async (_what, key, problem) => {
      const { sim, input, addOriginal } = setUp();
      sim.addKey({ account: SOURCE, region: HOME, alias: "off", enabled: false });
      const original = addOriginal("orders", 2);
      const before = sim.snapshots({ account: SOURCE }).length;

      const report = await runShare(input({ reencryptKmsKey: key }));

      expect(report.done).toEqual([]);
      expect(report.blocked.map((d) => [d.snapshot, d.reason, d.facts["keyProblem"]])).toEqual([
        [original.id, "reencrypt-key-unusable", problem],
      ]);
      expect(report.blocked[0]?.facts["reencryptKmsKey"]).toBe(key);
      expect(blockedLine(report.blocked[0]!)).toContain(`key ${key}`);
      expect(isComplete(report)).toBe(false);
      expect(() => {
        throw new SnapshotToolException(report);
      }).toThrow(key);
      expect(sim.callCounts()["CopyDBClusterSnapshot"]).toBeUndefined();
      expect(sim.callCounts()["ModifyDBClusterSnapshotAttribute"]).toBeUndefined();
      expect(sim.snapshots({ account: SOURCE }).length).toBe(before);
      expect(sim.snapshot({ account: SOURCE, region: HOME, id: original.id })?.sharedWith).toEqual(
        [],
      );
    },
  );

  it("without REENCRYPT_KMS_KEY skips the aws/rds snapshot as before", async () => {
    const { sim, input, addOriginal } = setUp();
    addOriginal("orders", 2);
    const report = await runShare(input({ reencryptKmsKey: "None" }));
    expect(report.blocked.map((d) => d.reason)).toEqual(["encrypted-with-default-key"]);
    expect(sim.callCounts()["CopyDBClusterSnapshot"]).toBeUndefined();
  });

  it("starts no more copies than the free copy slots; the rest wait, reported", async () => {
    const { sim, input, addOriginal } = setUp({ copyMinutes: 600 });
    // Three copies already in flight in the region (someone else's), two slots free.
    for (let i = 0; i < 3; i += 1) {
      const other = sim.addSnapshot({
        account: SOURCE,
        region: HOME,
        id: `manual-source-${i}`,
        clusterId: "other",
      });
      await simulatedGateway(sim, SOURCE).copySnapshot({
        targetRegion: HOME,
        sourceArn: other.arn,
        targetId: `manual-copy-${i}`,
        tags: {},
      });
    }
    for (const c of ["a1", "a2", "a3", "a4"]) addOriginal(c, 2);

    const report = await runShare(input());
    const copies = report.done.filter((o) => o.decision.action === "copy");
    expect(copies).toHaveLength(2);
    expect(report.deferred.filter((d) => d.reason === "copy-slots-full")).toHaveLength(2);
    expect(report.failed).toEqual([]);
    expect(isComplete(report)).toBe(false);
  });

  it("is not confused by a snapshot of another cluster holding the copy's name", async () => {
    const { sim, input, addOriginal } = setUp();
    const original = addOriginal("orders", 2);
    // A cluster named cmk-orders, snapshot at the same minute: its name is the copy's name.
    sim.addSnapshot({
      account: SOURCE,
      region: HOME,
      id: `cmk-${original.id}`,
      clusterId: "cmk-orders",
      tags: { [TAG_CREATED_BY]: TOOL_NAME, [TAG_SHARE_AND_COPY]: "YES" },
    });
    const report = await runShare(input());
    expect(report.blocked.map((d) => [d.snapshot, d.reason])).toEqual([
      [original.id, "snapshot-name-taken"],
    ]);
    expect(sim.callCounts()["CopyDBClusterSnapshot"]).toBeUndefined();
  });
});

describe("status with re-encrypted copies (in-memory RDS)", () => {
  it("reads the shared copy as the shared recovery point, with the original's time, and no default-key", async () => {
    const { sim, input, addOriginal } = setUp();
    sim.addCluster({ account: SOURCE, region: HOME, id: "orders", encrypted: true });
    const original = addOriginal("orders", 2);

    await runShare(input());
    const during = await sourceStatus(input());
    const sharedDuring = during.places.find((p) => p.cluster === "orders" && p.place === "shared");
    expect(sharedDuring?.reasons).not.toContain("default-key");
    expect(sharedDuring?.reasons).toContain("share-pending");

    sim.advance({ minutes: 30 });
    await runShare(input());
    const report = await sourceStatus(input());
    const shared = report.places.find((p) => p.cluster === "orders" && p.place === "shared");
    expect(shared?.reasons).not.toContain("default-key");
    expect(shared?.newest?.snapshot).toBe(`cmk-${original.id}`);
    expect(shared?.newest?.time).toBe(original.createTime.toISOString());
    const source = report.places.find((p) => p.cluster === "orders" && p.place === "source");
    // The copy is no backup of its own in the source region: one recovery point there.
    expect(source?.kept).toBe(1);
    expect(source?.newest?.snapshot).toBe(original.id);
  });

  it("explains a stalled re-encryption in the shared place", async () => {
    // The copy failed.
    const { sim, input, addOriginal } = setUp();
    sim.addCluster({ account: SOURCE, region: HOME, id: "orders", encrypted: true });
    const original = addOriginal("orders", 2);
    await runShare(input());
    const copy = sim.snapshot({ account: SOURCE, region: HOME, id: `cmk-${original.id}` });
    expect(copy).toBeDefined();
    sim.setSnapshotStatus({ account: SOURCE, region: HOME, id: copy!.id }, "failed");
    const failed = await sourceStatus(input());
    expect(failed.places.find((p) => p.place === "shared")?.reasons).toContain("copy-failed");

    // The key cannot be used.
    const keyless = setUp();
    keyless.sim.addCluster({ account: SOURCE, region: HOME, id: "orders", encrypted: true });
    keyless.addOriginal("orders", 2);
    const unusable = await sourceStatus(keyless.input({ reencryptKmsKey: "alias/missing" }));
    expect(unusable.places.find((p) => p.place === "shared")?.reasons).toContain("key-missing");

    // The copy's name is taken.
    const taken = setUp();
    taken.sim.addCluster({ account: SOURCE, region: HOME, id: "orders", encrypted: true });
    const o = taken.addOriginal("orders", 2);
    taken.sim.addSnapshot({
      account: SOURCE,
      region: HOME,
      id: `cmk-${o.id}`,
      clusterId: "cmk-orders",
      tags: { [TAG_CREATED_BY]: TOOL_NAME, [TAG_SHARE_AND_COPY]: "YES" },
    });
    const blocked = await sourceStatus(taken.input());
    expect(
      blocked.places.find((p) => p.cluster === "orders" && p.place === "shared")?.reasons,
    ).toContain("copy-blocked");
  });

  it("without REENCRYPT_KMS_KEY still reports default-key", async () => {
    const { sim, input, addOriginal } = setUp();
    sim.addCluster({ account: SOURCE, region: HOME, id: "orders", encrypted: true });
    addOriginal("orders", 2);
    const report = await sourceStatus(input({ reencryptKmsKey: "None" }));
    const shared = report.places.find((p) => p.cluster === "orders" && p.place === "shared");
    expect(shared?.reasons).toContain("default-key");
  });
});

describe("take and prune with re-encrypted copies (in-memory RDS)", () => {
  it("take does not count a re-encrypted copy as a backup, also with SNAPSHOT_NAME_PREFIX=cmk", async () => {
    const { sim, input, addOriginal } = setUp();
    sim.addCluster({ account: SOURCE, region: HOME, id: "orders" });
    // An unprefixed deployment's aws/rds snapshot (2 hours old) and its re-encrypted copy.
    addOriginal("orders", 2);
    await runShare(input());
    sim.advance({ minutes: 30 });

    // The prefixed deployment: its name for a snapshot of orders reads like the copy's name.
    const take = await runTake(input({ snapshotNamePrefix: "cmk" }));
    expect(take.done.map((o) => o.decision.reason)).toEqual(["due"]);
  });

  it("prune deletes the copy with its original, and keeps both while the original is kept", async () => {
    const { sim, input, addOriginal } = setUp();
    const old = addOriginal("orders", 24 * 10);
    const recent = addOriginal("orders", 2);
    // Shared under a longer retention, so the old one is not left out as expiring.
    await runShare(input({ retentionDays: 30 }));
    sim.advance({ minutes: 30 });
    await runShare(input({ retentionDays: 30 }));
    expect(sim.snapshot({ account: SOURCE, region: HOME, id: `cmk-${old.id}` })).toBeDefined();

    const report = await runPrune(input({ retentionDays: 7, minKeep: 1 }));
    expect(report.failed).toEqual([]);
    expect(report.done.map((o) => [o.decision.snapshot, o.decision.reason]).sort()).toEqual([
      [`cmk-${old.id}`, "original-pruned"],
      [old.id, "expired"],
    ]);
    expect(sim.snapshot({ account: SOURCE, region: HOME, id: recent.id })).toBeDefined();
    expect(sim.snapshot({ account: SOURCE, region: HOME, id: `cmk-${recent.id}` })).toBeDefined();
  });
});
