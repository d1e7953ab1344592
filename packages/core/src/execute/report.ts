import type { ActionDecision, Decision, Reason, SkipDecision, Step } from "../model/index.js";

/**
 * Skips that are work the step wanted to do but could not do now: a due backup of a cluster that
 * is not `available`, a copy waiting for one of RDS's copy slots. They leave the step incomplete,
 * so the state machine's SnapshotToolException retry (and the CLI's exit code 3) bring it back.
 * Work already under way is not among them: a re-encrypting copy (`reencrypting`) can run for
 * hours, and share, every 10 minutes, would fail on each run and set off its alarm; status counts
 * it as under way, and the share run after the copy is available shares it.
 */
export const DEFERRED_REASONS: ReadonlySet<Reason> = new Set<Reason>([
  "cluster-unavailable",
  "copy-slots-full",
]);

/**
 * Skips that mean a selected cluster or snapshot is not protected as configured, and will not be
 * by running again: the operator has to act. They leave the step incomplete (the Lambda throws
 * SnapshotToolException so the state machine's alarm fires, the CLI exits 3) and are logged at
 * WARN with the fix from REMEDIES. Leaving a cluster out on purpose is what the pattern and the tag
 * selectors are for; those skips are not blocked.
 */
export const BLOCKED_REASONS: ReadonlySet<Reason> = new Set<Reason>([
  "identifier-too-long",
  "identifier-invalid",
  "encrypted-with-default-key",
  "reencrypt-key-unusable",
  "kms-key-required",
  "source-key-not-accessible",
  "future-timestamp",
  "copy-name-taken",
  "snapshot-name-taken",
  "copy-failed",
  "clock-skew",
]);

/** What an operator does about each blocked reason. */
export const REMEDIES: Readonly<Partial<Record<Reason, string>>> = {
  "identifier-too-long":
    "shorten SNAPSHOT_NAME_PREFIX (the identifier is PREFIX-CLUSTER-YYYY-MM-DD-HH-MM, at most 63 characters), or leave the cluster out with PATTERN or CLUSTER_TAGS_EXCLUDE",
  "identifier-invalid":
    "use a SNAPSHOT_NAME_PREFIX of letters, digits and single hyphens that starts with a letter",
  "encrypted-with-default-key":
    "in the source account, re-encrypt the cluster's snapshots with a customer-managed KMS key whose policy admits the destination account (a snapshot encrypted with aws/rds cannot be shared)",
  "reencrypt-key-unusable":
    "set REENCRYPT_KMS_KEY to an enabled customer-managed symmetric KMS key in the snapshots' region whose key policy admits the destination account (kms:Decrypt, kms:DescribeKey, kms:CreateGrant, kms:Encrypt, kms:ReEncrypt*, kms:GenerateDataKey*); `doctor` checks it",
  "kms-key-required":
    "set KMS_KEY_DEST_REGION (and KMS_KEY_SOURCE_REGION for cross-account copies) to a key in the target region",
  "source-key-not-accessible":
    "in the source account, grant this account the snapshot's KMS key (kms:Decrypt, kms:DescribeKey, kms:CreateGrant in the key policy); a snapshot encrypted with aws/rds cannot be granted and must be re-encrypted there with a customer-managed key",
  "snapshot-name-taken":
    "give one of the deployments another SNAPSHOT_NAME_PREFIX so that PREFIX-CLUSTER names cannot collide",
  "copy-failed":
    "look at the failed copy (RDS events, KMS access), delete it, and the next run copies again",
  "future-timestamp":
    "check the clock of whatever made the snapshot; delete it by hand once it is known not to be needed",
  "copy-name-taken":
    "a snapshot with the copy's name exists but was copied from another source; rename or delete it by hand after checking it, and set SOURCE_ACCOUNTS",
  "clock-skew":
    "synchronise this machine's clock (NTP); nothing is deleted while it is more than 5 minutes from AWS's",
};

/** One line for a blocked skip: what, where, why, and the fix. */
export function blockedLine(d: SkipDecision): string {
  const what = d.snapshot === undefined ? d.cluster : `${d.snapshot} (${d.cluster})`;
  const fix = REMEDIES[d.reason];
  // A decision about a KMS key that cannot be used names it, so the line says which key to fix.
  const key = d.facts["reencryptKmsKey"];
  const problem = d.facts["keyProblem"];
  const about =
    typeof key === "string" && typeof problem === "string" ? ` (key ${key}: ${problem})` : "";
  return `${d.step}: ${what} in ${d.region}: ${d.reason}${about}${fix === undefined ? "" : `; fix: ${fix}`}`;
}

/** What happened to one action. */
export interface Outcome {
  readonly decision: ActionDecision;
  readonly status: "done" | "failed" | "pending";
  /** Why a done action needed no change, or why an action is pending. */
  readonly note?:
    "already-exists" | "already-gone" | "deadline" | "aborted" | "retries-exhausted" | "dry-run";
  /** The AWS error code (SDK v3 modelled name) for a failed or retried-out action. */
  readonly errorCode?: string;
  readonly errorMessage?: string;
}

export interface RunReport {
  readonly step: Step;
  readonly dryRun: boolean;
  readonly startedAt: string;
  readonly finishedAt: string;
  /** The regions the step worked in (listed, and acted in). */
  readonly regions: readonly string[];
  /** Every decision the planner made, actions and skips, in plan order. */
  readonly decisions: readonly Decision[];
  readonly done: readonly Outcome[];
  readonly failed: readonly Outcome[];
  readonly pending: readonly Outcome[];
  readonly skipped: readonly SkipDecision[];
  /** The skips among `skipped` whose reason is in DEFERRED_REASONS. */
  readonly deferred: readonly SkipDecision[];
  /** The skips among `skipped` whose reason is in BLOCKED_REASONS: gaps the operator must fix. */
  readonly blocked: readonly SkipDecision[];
  /**
   * Things the run learnt and adapted to, one sentence each, said once per run (the Lambda logs
   * them at WARN, the CLI on stderr): for example a region where RDS refused a single-step copy.
   */
  readonly notices?: readonly string[];
  /** copy only: the copies in flight and the copies waiting for one of RDS's copy slots. */
  readonly backlog?: CopyBacklog;
  /**
   * copy only: destination regions where RDS refused a single-step copy in this run (or in the
   * rounds of the loop before it), copied into in two steps instead.
   */
  readonly singleStepRefused?: readonly string[];
}

/** Copies in flight and copies waiting for a slot, at the end of a copy run. */
export interface CopyBacklogCounts {
  /** Unfinished copies in this account (pending, creating, copying), the tool's or not. */
  readonly inFlight: number;
  /** Copies the run wanted to start but found no free slot for (copy-slots-full). */
  readonly waiting: number;
  /** Age of the oldest snapshot waiting for a slot, in minutes; null when none waits. */
  readonly oldestWaitingMinutes: number | null;
}

export interface CopyBacklog extends CopyBacklogCounts {
  readonly byRegion: Readonly<Record<string, CopyBacklogCounts>>;
}

/** What became of one decision: an action's outcome, or a skip (deferred when it is work left). */
export type ResultStatus = "done" | "failed" | "pending" | "deferred" | "blocked" | "skipped";

export interface DecisionResult {
  readonly decision: Decision;
  readonly status: ResultStatus;
  /** Core's note for an action (already-exists, dry-run, deadline, ...). */
  readonly note?: Outcome["note"];
  readonly errorCode?: string;
  readonly errorMessage?: string;
}

/**
 * The one summary of a run, shown alike by the CLI table, the CLI's JSON and the Lambda log.
 * The counts are disjoint and add up to the number of decisions: a deferred skip counts as
 * deferred, not as skipped.
 */
export interface ReportSummary {
  readonly done: number;
  readonly failed: number;
  readonly pending: number;
  readonly deferred: number;
  /** Selected work that cannot be done as configured (see BLOCKED_REASONS). */
  readonly blocked: number;
  readonly skipped: number;
  /** True when the run left nothing for a later run (see isComplete). */
  readonly complete: boolean;
}

/** Every decision of the report in plan order, each with what became of it. */
export function resultsOf(report: RunReport): DecisionResult[] {
  const outcomes = new Map<Decision, Outcome>();
  for (const o of [...report.done, ...report.failed, ...report.pending])
    outcomes.set(o.decision, o);
  const deferred = new Set<Decision>(report.deferred);
  const blocked = new Set<Decision>(report.blocked);
  return report.decisions.map((decision): DecisionResult => {
    const o = outcomes.get(decision);
    if (o === undefined) {
      const status = deferred.has(decision)
        ? "deferred"
        : blocked.has(decision)
          ? "blocked"
          : "skipped";
      return { decision, status };
    }
    return {
      decision,
      status: o.status,
      ...(o.note !== undefined && { note: o.note }),
      ...(o.errorCode !== undefined && { errorCode: o.errorCode }),
      ...(o.errorMessage !== undefined && { errorMessage: o.errorMessage }),
    };
  });
}

/** What a decision is about: a snapshot (or cluster) in a region, whatever was decided for it. */
function targetOf(d: Decision): string {
  return `${d.region}|${d.snapshot ?? d.cluster}`;
}

export function summarize(report: RunReport): ReportSummary {
  return {
    done: report.done.length,
    failed: report.failed.length,
    pending: report.pending.length,
    deferred: report.deferred.length,
    blocked: report.blocked.length,
    skipped: report.skipped.length - report.deferred.length - report.blocked.length,
    complete: isComplete(report),
  };
}

/**
 * True when the step left nothing undone: no failure, nothing pending or deferred, and nothing
 * selected that it could not protect (blocked).
 */
export function isComplete(report: RunReport): boolean {
  return (
    report.failed.length === 0 &&
    report.pending.length === 0 &&
    report.deferred.length === 0 &&
    report.blocked.length === 0
  );
}

/**
 * One report from the rounds of a run that kept going (a copy run following its copies): the
 * last round says what is failed, pending or skipped now; every action done in any round is done,
 * and its decision is among the decisions, ahead of the last round's plan. A failure or pending
 * action of an earlier round whose target the last round did not plan again is kept: it is not
 * known to be resolved.
 */
export function mergeRounds(rounds: readonly [RunReport, ...RunReport[]]): RunReport {
  const first = rounds[0];
  const last = rounds[rounds.length - 1] as RunReport;
  if (rounds.length === 1) return first;
  const before = rounds.slice(0, -1);
  const earlier = before.flatMap((r) => r.done);
  const planned = new Set(last.decisions.map(targetOf));
  const unresolved = (outcomes: readonly Outcome[]): Outcome[] =>
    outcomes.filter((o) => !planned.has(targetOf(o.decision)));
  const failed = unresolved(before.flatMap((r) => r.failed));
  const pending = unresolved(before.flatMap((r) => r.pending));
  const regions = [...new Set(rounds.flatMap((r) => r.regions))];
  return {
    ...last,
    startedAt: first.startedAt,
    regions,
    decisions: [...[...earlier, ...failed, ...pending].map((o) => o.decision), ...last.decisions],
    done: [...earlier, ...last.done],
    failed: [...failed, ...last.failed],
    pending: [...pending, ...last.pending],
  };
}

/**
 * The error a step ends with when work is left. Its `name` is fixed: the Step Functions state
 * machines (ours and the original's) retry `SnapshotToolException` on a 300 s interval.
 */
export class SnapshotToolException extends Error {
  override readonly name = "SnapshotToolException";
  readonly report: RunReport;

  constructor(report: RunReport) {
    const s = summarize(report);
    // The blocked ones are named here: at the Lambda's default log level (ERROR) this message is
    // all an operator sees, and they will not go away by themselves.
    const shown = report.blocked.slice(0, 3).map(blockedLine);
    const more =
      report.blocked.length > shown.length
        ? [`and ${report.blocked.length - shown.length} more`]
        : [];
    super(
      `${report.step}: ${s.failed} failed, ${s.pending} pending, ${s.deferred} deferred, ` +
        `${s.blocked} blocked, ${s.done} done; ` +
        (s.blocked > 0
          ? `blocked work needs a change of configuration or a hand fix: ${[...shown, ...more].join(" | ")}`
          : "a later run will pick up the rest"),
    );
    this.report = report;
  }
}

/** Throws SnapshotToolException when the report has failed or pending work. */
export function assertComplete(report: RunReport): RunReport {
  if (!isComplete(report)) throw new SnapshotToolException(report);
  return report;
}
