import {
  TAG_COPIED_BY,
  TAG_CREATED_BY,
  TAG_DATA_TIME,
  TAG_REENCRYPTED_FROM,
  TAG_SOURCE_ARN,
  TOOL_NAME,
  isAction,
  sharedWithTags,
  type ActionDecision,
  type Decision,
  type ShareDecision,
  type SkipDecision,
  type Step,
  type TakeDecision,
} from "../model/index.js";
import { AwsActionError } from "./errors.js";
import type { Gateway } from "./gateway.js";
import { BLOCKED_REASONS, DEFERRED_REASONS, type Outcome, type RunReport } from "./report.js";
import { withRetry, type RetryOptions } from "./retry.js";

export interface ExecuteOptions {
  /** Actions running at once (default 4). RDS's API rate limits are not published; stay modest. */
  readonly concurrency?: number;
  readonly retry?: RetryOptions;
  /** Epoch ms after which no new action starts; the rest are reported pending (Lambda time limit). */
  readonly deadline?: number;
  /**
   * Once aborted, no new action starts and the rest are reported pending with note `aborted`
   * (a container's SIGTERM, a scheduler cancelling the job); actions under way finish.
   */
  readonly signal?: AbortSignal;
  /** Clock for the deadline (default Date.now); injected so tests need no real waiting. */
  readonly clock?: () => number;
  /** Plan only: every action is reported pending with note `dry-run`, nothing is called. */
  readonly dryRun?: boolean;
  /**
   * Checked before an action runs; a returned error fails the action without any AWS call (used
   * for KMS keys found missing, disabled or in the wrong region before a copy).
   */
  readonly precheck?: (decision: ActionDecision) => { code: string; message: string } | undefined;
  /** The regions the step worked in, for the report (default: the regions of the decisions). */
  readonly regions?: readonly string[];
  /** Called once per finished action, for progress output. */
  readonly onOutcome?: (outcome: Outcome) => void;
}

const ALREADY_EXISTS = new Set([
  "DBClusterSnapshotAlreadyExistsFault",
  "DBClusterSnapshotAlreadyExists",
]);
const NOT_FOUND = new Set(["DBClusterSnapshotNotFoundFault", "DBClusterSnapshotNotFound"]);

/**
 * Runs the action decisions of one plan through a gateway: bounded concurrency, retries for
 * transient errors, idempotent outcomes (an identifier that already exists and is the tool's own
 * counts as done; a snapshot already gone counts as deleted), and one failure never stops the others.
 */
export async function execute(
  step: Step,
  decisions: readonly Decision[],
  gateway: Gateway,
  options: ExecuteOptions = {},
): Promise<RunReport> {
  const clock = options.clock ?? Date.now;
  const startedAt = new Date(clock()).toISOString();
  const actions = decisions.filter(isAction);
  const skipped = decisions.filter((d): d is SkipDecision => d.action === "skip");
  const outcomes: Outcome[] = new Array<Outcome>(actions.length);
  openMarkerBooks(actions);

  if (options.dryRun) {
    actions.forEach(
      (decision, i) => (outcomes[i] = { decision, status: "pending", note: "dry-run" }),
    );
  } else {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < actions.length) {
        const i = next++;
        const decision = actions[i]!;
        const left = options.deadline === undefined ? undefined : options.deadline - clock();
        const blocked = options.precheck?.(decision);
        const outcome: Outcome = blocked
          ? { decision, status: "failed", errorCode: blocked.code, errorMessage: blocked.message }
          : options.signal?.aborted === true
            ? { decision, status: "pending", note: "aborted" }
            : left !== undefined && left <= 0
              ? { decision, status: "pending", note: "deadline" }
              : await runAction(decision, gateway, options.retry, left, clock);
        outcomes[i] = outcome;
        options.onOutcome?.(outcome);
      }
    };
    const width = Math.max(1, Math.min(options.concurrency ?? 4, actions.length));
    await Promise.all(Array.from({ length: width }, worker));
  }

  return {
    step,
    dryRun: options.dryRun ?? false,
    startedAt,
    finishedAt: new Date(clock()).toISOString(),
    regions: options.regions ?? [...new Set(decisions.map((d) => d.region))],
    decisions,
    done: outcomes.filter((o) => o.status === "done"),
    failed: outcomes.filter((o) => o.status === "failed"),
    pending: outcomes.filter((o) => o.status === "pending"),
    skipped,
    deferred: skipped.filter((d) => DEFERRED_REASONS.has(d.reason)),
    blocked: skipped.filter((d) => BLOCKED_REASONS.has(d.reason)),
  };
}

/**
 * Errors of take's copy of an automated snapshot after which a created snapshot cannot do better:
 * the snapshot quota counts it too, and a name taken by someone else is taken for both.
 */
const NO_FALLBACK = new Set([
  ...ALREADY_EXISTS,
  "SnapshotQuotaExceededFault",
  "SnapshotQuotaExceeded",
]);

/**
 * One action, and for take's copy of an automated snapshot (SNAPSHOT_SOURCE=automated) the fallback
 * when the copy fails: the automated snapshot gone, not copyable, its key not accessible, or the copy
 * refused (AccessDenied) would otherwise leave the cluster without this interval's backup, so the
 * snapshot is created under the same name and tags (less SnapshotToolDataTime: its data is new),
 * and the outcome's decision says so (`automated: copy-failed`, with the copy's error). A transient
 * error is retried first as for any action, and one that outlasts the retries is left pending.
 */
async function runAction(
  decision: ActionDecision,
  gateway: Gateway,
  retry: RetryOptions | undefined,
  budgetMs: number | undefined,
  clock: () => number,
): Promise<Outcome> {
  const started = clock();
  const outcome = await runOne(decision, gateway, retry, budgetMs);
  if (
    decision.action !== "take" ||
    decision.copyFrom === undefined ||
    outcome.status !== "failed" ||
    outcome.errorCode === undefined ||
    outcome.errorCode === "UnexpectedError" ||
    NO_FALLBACK.has(outcome.errorCode)
  ) {
    return outcome;
  }
  const { copyFrom, ...rest } = decision;
  const { [TAG_DATA_TIME]: _dataTime, ...tags } = decision.tags;
  const created: TakeDecision = {
    ...rest,
    reason: "due",
    tags,
    facts: {
      ...decision.facts,
      automated: "copy-failed",
      copyFrom,
      copyErrorCode: outcome.errorCode,
      copyErrorMessage: outcome.errorMessage ?? null,
    },
  };
  const left = budgetMs === undefined ? undefined : budgetMs - (clock() - started);
  if (left !== undefined && left <= 0)
    return { decision: created, status: "pending", note: "deadline" };
  return runOne(created, gateway, retry, left);
}

async function runOne(
  decision: ActionDecision,
  gateway: Gateway,
  retry: RetryOptions | undefined,
  budgetMs: number | undefined,
): Promise<Outcome> {
  try {
    const note = await withRetry(() => perform(decision, gateway), retry, budgetMs);
    return note ? { decision, status: "done", note } : { decision, status: "done" };
  } catch (error) {
    const code = error instanceof AwsActionError ? error.code : "UnexpectedError";
    const message = error instanceof Error ? error.message : String(error);
    // A transient error that outlasted the retries is not a verdict on the action: the next
    // scheduled run will try again, so it is pending rather than failed.
    if (error instanceof AwsActionError && error.retryable) {
      return {
        decision,
        status: "pending",
        note: "retries-exhausted",
        errorCode: code,
        errorMessage: message,
      };
    }
    return { decision, status: "failed", errorCode: code, errorMessage: message };
  }
}

/**
 * The share marker of one snapshot during a run. A snapshot gets one share decision per destination
 * account, and they run concurrently; AddTagsToResource replaces a tag's whole value, so a write
 * for B started from the listed tags would erase A's record written a moment before. Each write
 * therefore waits for the previous one of its snapshot and records every account shared with so far
 * (the listed record, `sharedWith`, plus this run's successful shares): the last write names them
 * all. A share that failed is not recorded, and is planned again next run. Two runs at once can
 * still each write a marker without the other's account: that account is then shared again by a
 * later run, which RDS takes as a no-op (safety rule 7).
 */
interface MarkerBook {
  readonly accounts: Set<string>;
  last: Promise<unknown>;
}

/** By decision object, so the book reaches `perform` without a parameter through every layer. */
const markerBooks = new WeakMap<ShareDecision, MarkerBook>();

function openMarkerBooks(actions: readonly ActionDecision[]): void {
  const bySnapshot = new Map<string, MarkerBook>();
  for (const d of actions) {
    if (d.action !== "share") continue;
    const key = `${d.account}|${d.region}|${d.snapshotArn}`;
    let book = bySnapshot.get(key);
    if (book === undefined) {
      book = { accounts: new Set(), last: Promise.resolve() };
      bySnapshot.set(key, book);
    }
    for (const a of d.sharedWith ?? []) book.accounts.add(a);
    markerBooks.set(d, book);
  }
}

async function writeMarker(d: ShareDecision, gateway: Gateway): Promise<void> {
  let book = markerBooks.get(d);
  if (book === undefined) {
    book = { accounts: new Set(d.sharedWith ?? []), last: Promise.resolve() };
    markerBooks.set(d, book);
  }
  const { accounts } = book;
  accounts.add(d.shareWith);
  // The value is computed when the write starts, after the one before it has finished.
  const write = book.last
    .catch(() => undefined)
    .then(() => gateway.addTags(d.region, d.snapshotArn, sharedWithTags(accounts)));
  book.last = write;
  await write;
}

function codeOf(error: unknown): string | undefined {
  return error instanceof AwsActionError ? error.code : undefined;
}

async function perform(d: ActionDecision, gateway: Gateway): Promise<Outcome["note"]> {
  switch (d.action) {
    case "take":
      try {
        if (d.copyFrom !== undefined) {
          // A same-region copy of an automated snapshot (SNAPSHOT_SOURCE=automated): no KmsKeyId,
          // so an encrypted copy keeps the source's key; the tool's tags set, none copied.
          await gateway.copySnapshot({
            targetRegion: d.region,
            sourceArn: d.copyFrom,
            targetId: d.snapshot,
            tags: d.tags,
          });
          return undefined;
        }
        await gateway.createSnapshot({
          region: d.region,
          clusterId: d.cluster,
          snapshotId: d.snapshot,
          tags: d.tags,
        });
        return undefined;
      } catch (error) {
        if (!ALREADY_EXISTS.has(codeOf(error) ?? "")) throw error;
        // Two runs in the same minute (rule 7): fine if the existing one is ours, of this cluster.
        // Another deployment's snapshot of another cluster can carry the same name (prefix
        // `monthly` and cluster `prod`, against cluster `monthly-prod`): that is no backup of ours.
        const existing = await gateway.describeSnapshot(d.region, d.snapshot);
        if (
          existing?.tags[TAG_CREATED_BY] === TOOL_NAME &&
          existing.clusterId.toLowerCase() === d.cluster.toLowerCase()
        ) {
          return "already-exists";
        }
        throw error;
      }
    case "share":
      await gateway.shareSnapshot(d.region, d.snapshot, d.shareWith);
      // Marks the snapshot so later runs skip it without asking RDS for its attributes.
      await writeMarker(d, gateway);
      return undefined;
    case "copy":
      try {
        await gateway.copySnapshot({
          targetRegion: d.region,
          sourceArn: d.sourceArn,
          targetId: d.snapshot,
          ...(d.kmsKeyId ? { kmsKeyId: d.kmsKeyId } : {}),
          tags: d.tags,
        });
        return undefined;
      } catch (error) {
        if (!ALREADY_EXISTS.has(codeOf(error) ?? "")) throw error;
        // Ours only when it is a copy of the same source: a copy made by a concurrent run.
        const existing = await gateway.describeSnapshot(d.region, d.snapshot);
        const from = existing?.tags[TAG_SOURCE_ARN];
        // share's re-encrypted copy: the tool's, made from the same original.
        const reencryptedFrom = d.tags[TAG_REENCRYPTED_FROM];
        if (
          reencryptedFrom !== undefined &&
          existing?.tags[TAG_CREATED_BY] === TOOL_NAME &&
          existing.tags[TAG_REENCRYPTED_FROM] === reencryptedFrom
        ) {
          return "already-exists";
        }
        if (
          existing?.tags[TAG_COPIED_BY] === TOOL_NAME &&
          (from === undefined || from === d.tags[TAG_SOURCE_ARN])
        ) {
          return "already-exists";
        }
        throw error;
      }
    case "delete":
      try {
        await gateway.deleteSnapshot(d.region, d.snapshot);
        return undefined;
      } catch (error) {
        if (NOT_FOUND.has(codeOf(error) ?? "")) return "already-gone";
        throw error;
      }
  }
}
