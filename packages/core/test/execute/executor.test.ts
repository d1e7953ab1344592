import { describe, expect, it } from "vitest";
import { AwsActionError } from "../../src/execute/errors.js";
import { execute } from "../../src/execute/executor.js";
import type { Gateway } from "../../src/execute/gateway.js";
import { SnapshotToolException, assertComplete, summarize } from "../../src/execute/report.js";
import type { Decision, Snapshot } from "../../src/model/index.js";
import {
  TAG_CREATED_BY,
  TAG_SHARED_WITH,
  TAG_SHARED_WITH_2,
  TOOL_NAME,
} from "../../src/model/index.js";

const fast = { retries: 5, minTimeoutMs: 1, maxTimeoutMs: 2 };

function awsError(code: string, retryable = false, operation = "Op"): AwsActionError {
  return new AwsActionError({ code, message: code, retryable, operation });
}

type Call = { op: string; args: unknown[] };

/** A gateway whose every method records its call and defers to an optional override. */
function aGateway(overrides: Partial<Gateway> = {}): Gateway & { calls: Call[] } {
  const calls: Call[] = [];
  const record =
    <A extends unknown[], R>(op: string, fallback: (...args: A) => Promise<R>) =>
    (...args: A): Promise<R> => {
      calls.push({ op, args });
      const fn = (overrides as Record<string, ((...a: A) => Promise<R>) | undefined>)[op];
      return fn ? fn(...args) : fallback(...args);
    };
  const none = async () => undefined;
  return {
    calls,
    accountId: record("accountId", async () => "111111111111"),
    listClusters: record("listClusters", async () => []),
    listSnapshots: record("listSnapshots", async () => []),
    describeSnapshot: record("describeSnapshot", none),
    describeKey: record("describeKey", none),
    createSnapshot: record("createSnapshot", async () => ({}) as Snapshot),
    shareSnapshot: record("shareSnapshot", async () => {}),
    addTags: record("addTags", async () => {}),
    copySnapshot: record("copySnapshot", async () => ({}) as Snapshot),
    deleteSnapshot: record("deleteSnapshot", async () => {}),
  };
}

const base = { cluster: "db", account: "111111111111", region: "eu-west-1", facts: {} };
const take = (snapshot: string): Decision => ({
  ...base,
  step: "take",
  action: "take",
  reason: "due",
  snapshot,
  tags: { [TAG_CREATED_BY]: TOOL_NAME },
});
const del = (snapshot: string): Decision => ({
  ...base,
  step: "prune",
  action: "delete",
  reason: "expired",
  snapshot,
  snapshotArn: `arn:aws:rds:eu-west-1:111111111111:cluster-snapshot:${snapshot}`,
});
const skip: Decision = { ...base, step: "take", action: "skip", reason: "not-due" };

describe("execute", () => {
  it("runs each action once and reports skips apart", async () => {
    const gw = aGateway();
    const report = await execute("take", [take("a"), skip, take("b")], gw, { retry: fast });
    expect(summarize(report)).toEqual({
      done: 2,
      failed: 0,
      pending: 0,
      deferred: 0,
      blocked: 0,
      skipped: 1,
      complete: true,
    });
    expect(gw.calls.filter((c) => c.op === "createSnapshot")).toHaveLength(2);
  });

  it("retries throttling and succeeds", async () => {
    let n = 0;
    const gw = aGateway({
      createSnapshot: async () => {
        if (n++ < 2) throw awsError("Throttling", true);
        return {} as Snapshot;
      },
    });
    const report = await execute("take", [take("a")], gw, { retry: fast });
    expect(report.done).toHaveLength(1);
    expect(n).toBe(3);
  });

  it("reports a transient error that outlasts the retries as pending, with its code", async () => {
    const gw = aGateway({
      createSnapshot: async () => {
        throw awsError("Throttling", true);
      },
    });
    const report = await execute("take", [take("a")], gw, { retry: { ...fast, retries: 2 } });
    expect(report.pending[0]).toMatchObject({ note: "retries-exhausted", errorCode: "Throttling" });
    expect(gw.calls.filter((c) => c.op === "createSnapshot")).toHaveLength(3);
  });

  it("fails only the decision with a terminal error and keeps the AWS code", async () => {
    const gw = aGateway({
      createSnapshot: async (input) => {
        if (input.snapshotId === "a") throw awsError("SnapshotQuotaExceededFault");
        return {} as Snapshot;
      },
    });
    const report = await execute("take", [take("a"), take("b")], gw, { retry: fast });
    expect(report.failed.map((o) => [o.decision.snapshot, o.errorCode])).toEqual([
      ["a", "SnapshotQuotaExceededFault"],
    ]);
    expect(report.done.map((o) => o.decision.snapshot)).toEqual(["b"]);
    expect(gw.calls.filter((c) => c.op === "createSnapshot")).toHaveLength(2);
  });

  it("counts an existing snapshot with the tool's tag as taken", async () => {
    const gw = aGateway({
      createSnapshot: async () => {
        throw awsError("DBClusterSnapshotAlreadyExistsFault");
      },
      describeSnapshot: async () =>
        ({ clusterId: base.cluster, tags: { [TAG_CREATED_BY]: TOOL_NAME } }) as unknown as Snapshot,
    });
    const report = await execute("take", [take("a")], gw, { retry: fast });
    expect(report.done[0]?.note).toBe("already-exists");
  });

  it("fails when the tool's snapshot of that name is another cluster's (another deployment's prefix)", async () => {
    const gw = aGateway({
      createSnapshot: async () => {
        throw awsError("DBClusterSnapshotAlreadyExistsFault");
      },
      describeSnapshot: async () =>
        ({
          clusterId: "monthly-" + base.cluster,
          tags: { [TAG_CREATED_BY]: TOOL_NAME },
        }) as unknown as Snapshot,
    });
    const report = await execute("take", [take("a")], gw, { retry: fast });
    expect(report.failed[0]?.errorCode).toBe("DBClusterSnapshotAlreadyExistsFault");
  });

  it("fails when the existing snapshot of that name is not the tool's", async () => {
    const gw = aGateway({
      createSnapshot: async () => {
        throw awsError("DBClusterSnapshotAlreadyExistsFault");
      },
      describeSnapshot: async () => ({ tags: {} }) as unknown as Snapshot,
    });
    const report = await execute("take", [take("a")], gw, { retry: fast });
    expect(report.failed[0]?.errorCode).toBe("DBClusterSnapshotAlreadyExistsFault");
  });

  it("counts a snapshot already gone as deleted", async () => {
    const gw = aGateway({
      deleteSnapshot: async () => {
        throw awsError("DBClusterSnapshotNotFoundFault");
      },
    });
    const report = await execute("prune", [del("a")], gw, { retry: fast });
    expect(report.done[0]?.note).toBe("already-gone");
  });

  it("tags a snapshot once it is shared, so later runs know without asking", async () => {
    const gw = aGateway();
    const share: Decision = {
      ...base,
      step: "share",
      action: "share",
      reason: "not-shared",
      snapshot: "a",
      snapshotArn: "arn:aws:rds:eu-west-1:111111111111:cluster-snapshot:a",
      shareWith: "222222222222",
    };
    await execute("share", [share], gw, { retry: fast });
    expect(gw.calls.map((c) => c.op)).toEqual(["shareSnapshot", "addTags"]);
    expect(gw.calls[1]?.args[2]).toEqual({ [TAG_SHARED_WITH]: "222222222222" });
  });

  describe("the share marker", () => {
    const arn = "arn:aws:rds:eu-west-1:111111111111:cluster-snapshot:a";
    const shareOf = (shareWith: string, sharedWith: string[] = []): Decision => ({
      ...base,
      step: "share",
      action: "share",
      reason: "not-shared",
      snapshot: "a",
      snapshotArn: arn,
      shareWith,
      sharedWith,
    });
    /** AddTagsToResource as RDS does it: each call replaces the values of the keys it names. */
    function taggingGateway(delayFirstMs = 0, failShareWith?: string) {
      const tags: Record<string, string> = {};
      let writes = 0;
      const gw = aGateway({
        shareSnapshot: async (_region: string, _id: string, account: string) => {
          if (account === failShareWith) throw awsError("SharedSnapshotQuotaExceededFault");
        },
        addTags: async (_region: string, _arn: string, add: Record<string, string>) => {
          writes += 1;
          if (writes === 1 && delayFirstMs > 0) {
            await new Promise((resolve) => setTimeout(resolve, delayFirstMs));
          }
          Object.assign(tags, add);
        },
      });
      return { gw, tags };
    }

    it("keeps the accounts already recorded when it records a new one", async () => {
      const { gw, tags } = taggingGateway();
      await execute("share", [shareOf("333333333333", ["222222222222"])], gw, { retry: fast });
      expect(tags).toEqual({ [TAG_SHARED_WITH]: "222222222222 333333333333" });
    });

    it("names both accounts when two shares of one snapshot run at once and the first write lands last", async () => {
      const { gw, tags } = taggingGateway(30);
      const report = await execute(
        "share",
        [shareOf("222222222222"), shareOf("333333333333")],
        gw,
        { retry: fast, concurrency: 4 },
      );
      expect(report.done).toHaveLength(2);
      expect(tags).toEqual({ [TAG_SHARED_WITH]: "222222222222 333333333333" });
    });

    it("does not record an account whose share failed while another's succeeded", async () => {
      const { gw, tags } = taggingGateway(0, "222222222222");
      const report = await execute(
        "share",
        [shareOf("222222222222", ["444444444444"]), shareOf("333333333333", ["444444444444"])],
        gw,
        { retry: fast, concurrency: 4 },
      );
      expect(report.failed.map((o) => (o.decision as { shareWith: string }).shareWith)).toEqual([
        "222222222222",
      ]);
      expect(tags).toEqual({ [TAG_SHARED_WITH]: "333333333333 444444444444" });
    });

    it("records 20 accounts in two tags of at most 256 characters, sorted", async () => {
      const twenty = Array.from({ length: 20 }, (_, i) => String(299_999_999_999 - i));
      const { gw, tags } = taggingGateway();
      await execute(
        "share",
        twenty.map((a) => shareOf(a)),
        gw,
        { retry: fast, concurrency: 8 },
      );
      const sorted = [...twenty].sort();
      expect(tags).toEqual({
        [TAG_SHARED_WITH]: sorted.slice(0, 19).join(" "),
        [TAG_SHARED_WITH_2]: sorted[19],
      });
      expect(tags[TAG_SHARED_WITH]).toHaveLength(246);
      expect(sorted.join(" ")).toHaveLength(259);
    });
  });

  it("does not tag a snapshot whose share failed", async () => {
    const gw = aGateway({
      shareSnapshot: async () => {
        throw awsError("SharedSnapshotQuotaExceededFault");
      },
    });
    const share: Decision = {
      ...base,
      step: "share",
      action: "share",
      reason: "not-shared",
      snapshot: "a",
      snapshotArn: "arn",
      shareWith: "222222222222",
    };
    const report = await execute("share", [share], gw, { retry: fast });
    expect(report.failed).toHaveLength(1);
    expect(gw.calls.map((c) => c.op)).toEqual(["shareSnapshot"]);
  });

  it("starts nothing after the deadline and reports the rest pending", async () => {
    let now = 1_000;
    const gw = aGateway({
      createSnapshot: async () => {
        now += 500;
        return {} as Snapshot;
      },
    });
    const report = await execute("take", [take("a"), take("b"), take("c")], gw, {
      retry: fast,
      concurrency: 1,
      deadline: 1_400,
      clock: () => now,
    });
    expect(report.done.map((o) => o.decision.snapshot)).toEqual(["a"]);
    expect(report.pending.map((o) => [o.decision.snapshot, o.note])).toEqual([
      ["b", "deadline"],
      ["c", "deadline"],
    ]);
  });

  it("never runs more actions at once than the concurrency bound", async () => {
    let running = 0;
    let peak = 0;
    const gw = aGateway({
      deleteSnapshot: async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 2));
        running--;
      },
    });
    const decisions = Array.from({ length: 12 }, (_, i) => del(`s${i}`));
    const report = await execute("prune", decisions, gw, { concurrency: 3, retry: fast });
    expect(report.done).toHaveLength(12);
    expect(peak).toBe(3);
  });

  it("calls nothing on a dry run", async () => {
    const gw = aGateway();
    const report = await execute("take", [take("a"), skip], gw, { dryRun: true });
    expect(gw.calls).toEqual([]);
    expect(report.pending[0]?.note).toBe("dry-run");
    expect(report.dryRun).toBe(true);
  });
});

describe("assertComplete", () => {
  it("throws an error named SnapshotToolException with the report when work is pending", async () => {
    const gw = aGateway({
      createSnapshot: async () => {
        throw awsError("InvalidDBClusterStateFault");
      },
    });
    const report = await execute("take", [take("a")], gw, { retry: fast });
    let thrown: unknown;
    try {
      assertComplete(report);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(SnapshotToolException);
    expect((thrown as Error).name).toBe("SnapshotToolException");
    expect((thrown as SnapshotToolException).report).toBe(report);
  });

  it("returns the report when everything is done", async () => {
    const report = await execute("take", [take("a")], aGateway(), { retry: fast });
    expect(assertComplete(report)).toBe(report);
  });
});

describe("deferred skips", () => {
  it("leave the step incomplete: a due cluster that is not available is retried later", async () => {
    const deferred: Decision = {
      ...base,
      step: "take",
      action: "skip",
      reason: "cluster-unavailable",
    };
    const report = await execute("take", [take("a"), deferred, skip], aGateway(), { retry: fast });
    expect(report.deferred).toEqual([deferred]);
    expect(summarize(report)).toMatchObject({ done: 1, skipped: 1, deferred: 1, complete: false });
    expect(() => assertComplete(report)).toThrow(SnapshotToolException);
  });

  it("do not include ordinary skips", async () => {
    const report = await execute("take", [skip], aGateway(), { retry: fast });
    expect(report.deferred).toEqual([]);
    expect(assertComplete(report)).toBe(report);
  });
});
