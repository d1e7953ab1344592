import { AwsActionError } from "../execute/errors.js";
import { execute } from "../execute/executor.js";
import { mergeRounds, type Outcome, type RunReport } from "../execute/report.js";
import {
  parseArn,
  type ActionDecision,
  type KeyInfo,
  type Reason,
  type Snapshot,
} from "../model/index.js";
import { planCopy, planPruneDest } from "../plan/index.js";
import type { DestinationPolicy } from "../policy/types.js";
import {
  clockOf,
  clockSkewMs,
  executeOptions,
  markClock,
  readWithRetry,
  runTime,
  type StepContext,
} from "./context.js";
import { copyBacklog, copyLoopState, type CopyLoopState } from "./copy-loop.js";
import type { Plan } from "./source-steps.js";

export interface DestinationStepInput extends StepContext {
  readonly policy: DestinationPolicy;
}

function localRegion(input: DestinationStepInput): string {
  return input.policy.regionOverride ?? input.region;
}

async function listOwn(
  input: DestinationStepInput,
  regions: Iterable<string>,
): Promise<Snapshot[]> {
  const lists = await Promise.all(
    [...new Set(regions)].map((r) =>
      readWithRetry(input, () => input.gateway.listSnapshots(r, { type: "manual" })),
    ),
  );
  return lists.flat();
}

/** The destination side's inventory: shared-in snapshots (local region) and own snapshots everywhere. */
interface DestinationInventory {
  readonly account: string;
  readonly local: string;
  readonly shared: readonly Snapshot[];
  readonly own: readonly Snapshot[];
  /** AWS's clock minus the run's, measured while listing (null: not measured). */
  readonly clockSkewMs: number | null;
}

async function listDestinationInventory(
  input: DestinationStepInput,
): Promise<DestinationInventory> {
  const local = localRegion(input);
  const mark = markClock(input);
  const [account, shared, own] = await Promise.all([
    readWithRetry(input, () => input.gateway.accountId()),
    input.policy.crossAccount
      ? readWithRetry(input, () => input.gateway.listSnapshots(local, { type: "shared" }))
      : Promise.resolve([]),
    listOwn(input, [local, ...input.policy.destinationRegions]),
  ]);
  return { account, local, shared, own, clockSkewMs: clockSkewMs(input, mark) };
}

function planCopyFrom(
  input: DestinationStepInput,
  inv: DestinationInventory,
  blockedSourceKeys?: ReadonlyMap<string, Reason>,
): Plan {
  const decisions = planCopy({
    account: inv.account,
    localRegion: inv.local,
    shared: inv.shared,
    own: inv.own,
    policy: input.policy,
    now: runTime(input),
    ...(blockedSourceKeys !== undefined && { blockedSourceKeys }),
  });
  return { decisions, region: inv.local, snapshots: [...inv.shared, ...inv.own] };
}

function planPruneDestFrom(
  input: DestinationStepInput,
  own: readonly Snapshot[],
  skewMs: number | null,
): Plan {
  const regions = new Set(input.policy.destinationRegions);
  const snapshots = own.filter((s) => regions.has(s.region));
  const decisions = planPruneDest({
    snapshots,
    policy: input.policy,
    now: runTime(input),
    clockSkewMs: skewMs,
  });
  return { decisions, region: localRegion(input), snapshots };
}

/** The regions a copy run works in: where snapshots are shared in, and every destination. */
function copyRegions(input: DestinationStepInput): string[] {
  return [...new Set([localRegion(input), ...input.policy.destinationRegions])];
}

export async function planCopyStep(input: DestinationStepInput): Promise<Plan> {
  return planCopyFrom(input, await listDestinationInventory(input));
}

export async function planPruneDestStep(input: DestinationStepInput): Promise<Plan> {
  const mark = markClock(input);
  const own = await listOwn(input, input.policy.destinationRegions);
  return planPruneDestFrom(input, own, clockSkewMs(input, mark));
}

/**
 * The two destination plans from one inventory pass (for `list`, `doctor` and other read-only
 * views), as the copy and prune-dest steps would make them now.
 */
export async function planDestinationSteps(
  input: DestinationStepInput,
): Promise<{ copy: Plan; pruneDest: Plan }> {
  const inv = await listDestinationInventory(input);
  return {
    copy: planCopyFrom(input, inv),
    pruneDest: planPruneDestFrom(input, inv.own, inv.clockSkewMs),
  };
}

export interface KeyProblem {
  readonly code: "KMSKeyNotFound" | "KMSKeyDisabled" | "KMSKeyWrongRegion" | "KMSKeyCheckFailed";
  readonly message: string;
}

/**
 * Checks every KMS key the planned copies name, once per (region, key): it must exist, be enabled
 * and live in the region where the copy is made. A copy with a bad key fails before any RDS call,
 * with a code saying which of the three it was. `known` carries the verdicts of earlier rounds of
 * the same run (a key found fine stays fine for the run), so a follow-up round asks KMS nothing new.
 */
export async function checkCopyKeys(
  input: DestinationStepInput,
  decisions: readonly ActionDecision[],
  known: Map<string, KeyProblem | undefined> = new Map(),
): Promise<Map<string, KeyProblem>> {
  const wanted = new Map<string, { region: string; key: string }>();
  for (const d of decisions) {
    if (d.action !== "copy" || !d.kmsKeyId) continue;
    const k = `${d.region}|${d.kmsKeyId}`;
    if (!known.has(k)) wanted.set(k, { region: d.region, key: d.kmsKeyId });
  }
  await Promise.all(
    [...wanted].map(async ([k, { region, key }]) => {
      let problem: KeyProblem | undefined;
      try {
        const info = await readWithRetry(input, () => input.gateway.describeKey(region, key));
        problem = keyProblem(region, key, info);
      } catch (error) {
        // A key that cannot even be described (access denied, or throttled past the retries) is
        // not used blind: its copies fail with the reason and the next run tries again.
        const code = error instanceof AwsActionError ? error.code : "UnexpectedError";
        problem = {
          code: "KMSKeyCheckFailed",
          message: `DescribeKey ${key} in ${region}: ${code}`,
        };
      }
      known.set(k, problem);
    }),
  );
  const problems = new Map<string, KeyProblem>();
  for (const [k, problem] of known) if (problem) problems.set(k, problem);
  return problems;
}

function keyProblem(
  region: string,
  key: string,
  info: KeyInfo | undefined,
): KeyProblem | undefined {
  if (!info)
    return { code: "KMSKeyNotFound", message: `KMS key ${key} was not found in ${region}` };
  const keyRegion = info.region || parseArn(info.arn)?.region;
  if (keyRegion && keyRegion !== region) {
    return {
      code: "KMSKeyWrongRegion",
      message: `KMS key ${key} is in ${keyRegion}, the copy is made in ${region}`,
    };
  }
  if (!info.enabled)
    return { code: "KMSKeyDisabled", message: `KMS key ${key} in ${region} is not enabled` };
  return undefined;
}

/**
 * Keep a copy run going while its copies are in flight or wait for a slot, so the next stage (a
 * freed slot reused, the remote copy of a local copy, the removal of an intermediate copy) happens
 * in the same run instead of 30 minutes later. Polls every `policy.copyPollSeconds` (0 turns it
 * off) while copyLoopState says so, and never past the run's deadline: without a deadline there is
 * no follow-up.
 */
export interface CopyFollowUp {
  /** Wait between two rounds (default: the policy's copyPollSeconds). */
  readonly pollMs?: number;
  /** Injected for tests and simulations (default: a real timer). */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Called after every round with the loop's verdict and that round's report (progress). */
  readonly onRound?: (state: CopyLoopState, round: RunReport) => void;
}

/**
 * What the run knows about the keys of snapshots shared in (by their KmsKeyId): a reason to block
 * their copies, or undefined when the key looked usable or could not be judged.
 */
type SourceKeyVerdicts = Map<string, Reason | undefined>;

/**
 * Before planning, asks KMS once per run about each key of an encrypted shared snapshot
 * (DescribeKey by ARN). A key that does not exist or is disabled makes RDS refuse every copy, so
 * those snapshots are blocked with the fix before any copy slot is given out. AccessDenied is not
 * taken as an answer: a key policy may admit this account only through RDS (kms:ViaService), so
 * such a copy is tried, and a refusal by RDS (KMSKeyNotAccessibleFault) blocks the key for the
 * rest of the run (see copyRound).
 */
async function screenSourceKeys(
  input: DestinationStepInput,
  shared: readonly Snapshot[],
  verdicts: SourceKeyVerdicts,
): Promise<void> {
  const wanted = new Map<string, string>();
  for (const s of shared) {
    if (s.encrypted && s.kmsKeyId !== undefined && !verdicts.has(s.kmsKeyId)) {
      wanted.set(s.kmsKeyId, s.region);
    }
  }
  await Promise.all(
    [...wanted].map(async ([key, region]) => {
      let verdict: Reason | undefined;
      try {
        const info = await readWithRetry(input, () => input.gateway.describeKey(region, key));
        if (!info || !info.enabled) verdict = "source-key-not-accessible";
        else if (info.manager === "AWS") verdict = "encrypted-with-default-key";
      } catch (error) {
        const code = error instanceof AwsActionError ? error.code : "";
        if (/NotFound|KMSInvalidState|Disabled/.test(code)) verdict = "source-key-not-accessible";
      }
      verdicts.set(key, verdict);
    }),
  );
}

function blockedKeys(verdicts: SourceKeyVerdicts): Map<string, Reason> {
  const out = new Map<string, Reason>();
  for (const [key, reason] of verdicts) if (reason !== undefined) out.set(key, reason);
  return out;
}

interface CopyRound {
  readonly report: RunReport;
  readonly plan: Plan;
  /**
   * Whether the round learnt something that changes the plan at once: RDS refused a copy for a
   * shared snapshot's key (the key is now blocked), or refused a single-step copy into a region
   * (that region now goes in two steps).
   */
  readonly replan: boolean;
}

/** What a copy run learns as it goes and keeps for its later rounds. */
interface CopyRunMemory {
  readonly keyVerdicts: Map<string, KeyProblem | undefined>;
  readonly sourceKeys: SourceKeyVerdicts;
  /** Regions where RDS refused a single-step copy of a shared snapshot (COPY_MODE auto). */
  readonly singleStepRefused: Set<string>;
  readonly notices: string[];
}

/**
 * Failures of a single-step copy that say nothing about the one-call copy itself: the same copy in
 * two steps would meet them too (a key, the quota, the slots, the name, the source's state), or they
 * were not an answer at all (retries used up, the deadline). Any other refusal of a single-step
 * copy (InvalidParameterCombination, as RDS answers a source and target it does not support, or an
 * error AWS does not document for this case, or an IAM policy written for two-step copies) makes
 * the run copy into that region in two steps.
 */
const NOT_A_SINGLE_STEP_REFUSAL: ReadonlySet<string> = new Set([
  "KMSKeyNotAccessibleFault",
  "SnapshotQuotaExceededFault",
  "DBClusterSnapshotAlreadyExistsFault",
  "InvalidDBClusterSnapshotStateFault",
  "DBClusterSnapshotNotFoundFault",
  "KMSKeyNotFound",
  "KMSKeyDisabled",
  "KMSKeyWrongRegion",
  "KMSKeyCheckFailed",
]);

function isSingleStepRefusal(o: Outcome): boolean {
  if (o.decision.action !== "copy" || o.decision.facts["copyMode"] !== "single-step") return false;
  if (o.note === "retries-exhausted" || o.note === "deadline" || o.note === "aborted") return false;
  return o.errorCode !== undefined && !NOT_A_SINGLE_STEP_REFUSAL.has(o.errorCode);
}

async function copyRound(input: DestinationStepInput, memory: CopyRunMemory): Promise<CopyRound> {
  const inv = await listDestinationInventory(input);
  if (!input.dryRun) await screenSourceKeys(input, inv.shared, memory.sourceKeys);
  const decisions = planCopy({
    account: inv.account,
    localRegion: inv.local,
    shared: inv.shared,
    own: inv.own,
    policy: input.policy,
    now: runTime(input),
    blockedSourceKeys: blockedKeys(memory.sourceKeys),
    singleStepRefused: memory.singleStepRefused,
  });
  const plan: Plan = { decisions, region: inv.local, snapshots: [...inv.shared, ...inv.own] };
  const actions = plan.decisions.filter((d): d is ActionDecision => d.action !== "skip");
  const problems = input.dryRun
    ? new Map<string, KeyProblem>()
    : await checkCopyKeys(input, actions, memory.keyVerdicts);
  const executed = await execute("copy", plan.decisions, input.gateway, {
    ...executeOptions(input, copyRegions(input)),
    precheck: (d) =>
      d.action === "copy" && d.kmsKeyId ? problems.get(`${d.region}|${d.kmsKeyId}`) : undefined,
  });
  const byArn = new Map(inv.shared.map((s) => [s.arn, s]));
  let replan = false;
  for (const o of executed.failed) {
    const d = o.decision;
    if (d.action !== "copy") continue;
    // A copy RDS refused for the shared snapshot's key: that key is blocked from now on, so the
    // slots its snapshots would take go to others in the next round.
    const source = byArn.get(d.sourceArn);
    if (o.errorCode === "KMSKeyNotAccessibleFault" && source?.kmsKeyId !== undefined) {
      if (memory.sourceKeys.get(source.kmsKeyId) === undefined) replan = true;
      memory.sourceKeys.set(source.kmsKeyId, "source-key-not-accessible");
    }
    // COPY_MODE auto: a region that does not take a shared snapshot from another region in one
    // call gets the two-step copy for the rest of the run, said once.
    if (
      input.policy.copyMode === "auto" &&
      isSingleStepRefusal(o) &&
      !memory.singleStepRefused.has(d.region)
    ) {
      memory.singleStepRefused.add(d.region);
      memory.notices.push(
        `RDS refused a single-step copy of a shared snapshot into ${d.region} ` +
          `(${o.errorCode ?? "error"}: ${o.errorMessage ?? ""}); this run copies into ${d.region} ` +
          "in two steps. Set COPY_MODE to two-step to skip the attempt.",
      );
      replan = true;
    }
  }
  const backlog = copyBacklog(copyRegions(input), inv.own, executed, runTime(input));
  return { report: { ...executed, backlog }, plan, replan };
}

/** Rounds at once after a refusal that changes the plan (a key, a region's single-step copy), bounded. */
const MAX_REPLANS = 3;

/** Options of a copy run that keeps going (the copy loop inside one invocation). */
export interface CopyRunOptions {
  readonly followUp?: CopyFollowUp;
  /**
   * Regions that refused a single-step copy in earlier rounds of a loop driven from outside (the
   * copy state machine passes them from round to round): copied into in two steps from the start,
   * with no new attempt and no new notice.
   */
  readonly singleStepRefused?: readonly string[];
}

/**
 * copy: snapshots shared in (cross-account) or the account's own (same account) copied into every
 * destination region, re-encrypted with that region's key; intermediate local copies removed once
 * every onward copy is available. When RDS refuses a copy for its source's key, or refuses a
 * single-step copy into a region, the run plans again at once without that key's snapshots, or
 * in two steps for that region. With `followUp` and a deadline the run is the copy loop (see
 * copyLoopState) inside one invocation: while copies are in flight or wait for a slot it looks
 * again every COPY_POLL_SECONDS, and the report covers every round.
 */
export async function runCopy(input: DestinationStepInput & CopyRunOptions): Promise<RunReport> {
  const memory: CopyRunMemory = {
    keyVerdicts: new Map(),
    sourceKeys: new Map(),
    singleStepRefused: new Set(input.singleStepRefused ?? []),
    notices: [],
  };
  const clock = clockOf(input);
  const rounds: CopyRound[] = [];
  const round = async (now?: Date): Promise<CopyRound> => {
    let r = await copyRound(now ? { ...input, now } : input, memory);
    rounds.push(r);
    for (let i = 0; r.replan && i < MAX_REPLANS; i += 1) {
      r = await copyRound({ ...input, now: now ?? runTime(input) }, memory);
      rounds.push(r);
    }
    return r;
  };
  const merged = (): RunReport => {
    const last = rounds[rounds.length - 1] as CopyRound;
    const report = mergeRounds(rounds.map((r) => r.report) as [RunReport, ...RunReport[]]);
    return {
      ...report,
      ...(last.report.backlog !== undefined && { backlog: last.report.backlog }),
      ...(memory.notices.length > 0 && { notices: [...memory.notices] }),
      ...(memory.singleStepRefused.size > 0 && {
        singleStepRefused: [...memory.singleStepRefused].sort(),
      }),
    };
  };

  const startedAt = runTime(input);
  let last = await round();
  const follow = input.followUp;
  const until = input.deadline;
  const pollMs = follow?.pollMs ?? input.policy.copyPollSeconds * 1000;
  if (!follow || input.dryRun || until === undefined || pollMs <= 0) return merged();

  const sleep = follow.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  for (let n = 1; ; n += 1) {
    const state = copyLoopState(
      last.report,
      { copyPollSeconds: pollMs / 1000 },
      { round: n, startedAt, now: new Date(clock()) },
    );
    follow.onRound?.(state, last.report);
    const aborted = (): boolean => input.signal?.aborted === true;
    if (!state.continue || clock() + pollMs >= until || aborted()) break;
    await sleep(pollMs);
    if (aborted()) break;
    last = await round(new Date(clock()));
  }
  return merged();
}

/** prune-dest: the tool's copies past the destination retention, keeping the newest minKeep. */
export async function runPruneDest(input: DestinationStepInput): Promise<RunReport> {
  const plan = await planPruneDestStep(input);
  return execute(
    "prune-dest",
    plan.decisions,
    input.gateway,
    executeOptions(input, input.policy.destinationRegions),
  );
}
