import { AwsActionError } from "../execute/errors.js";
import { execute } from "../execute/executor.js";
import { mergeRounds, type RunReport } from "../execute/report.js";
import {
  parseArn,
  type ActionDecision,
  type Decision,
  type KeyInfo,
  type SkipDecision,
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

function planCopyFrom(input: DestinationStepInput, inv: DestinationInventory): Plan {
  const decisions = planCopy({
    account: inv.account,
    localRegion: inv.local,
    shared: inv.shared,
    own: inv.own,
    policy: input.policy,
    now: runTime(input),
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
 * Keep a copy run going while the copies it started finish, so the next stage (the remote copy of
 * a local copy, the removal of an intermediate copy) happens in the same run instead of 30 minutes
 * later. Polls only while something this run started is still copying, every
 * `policy.copyPollSeconds` (0 turns it off), and never past the run's deadline: without a
 * deadline there is no follow-up.
 */
export interface CopyFollowUp {
  /** Wait between two rounds (default: the policy's copyPollSeconds). */
  readonly pollMs?: number;
  /** Injected for tests and simulations (default: a real timer). */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Why a shared snapshot's own key rules out copying it: the source must act, not a retry. */
type SourceKeyVerdict = "source-key-not-accessible" | "encrypted-with-default-key" | undefined;

/**
 * Before copying a snapshot shared from another account, asks KMS (DescribeKey by ARN, once per key
 * and run) whether this account can use its key. A key the owner did not grant, or the AWS-managed
 * aws/rds key (which can never be granted), makes RDS fail the copy with KMSKeyNotAccessibleFault
 * on every run; such a copy is turned into a blocked skip naming the fix instead. A check that
 * fails for another reason (throttled past the retries) lets the copy go ahead: RDS will tell.
 */
async function screenSourceKeys(
  input: DestinationStepInput,
  plan: Plan,
  verdicts: Map<string, SourceKeyVerdict>,
): Promise<Plan> {
  const byArn = new Map(plan.snapshots.map((s) => [s.arn, s]));
  const keyOf = (d: Decision): { region: string; key: string } | undefined => {
    if (d.action !== "copy") return undefined;
    const source = byArn.get(d.sourceArn);
    if (!source?.encrypted || source.kmsKeyId === undefined || source.type !== "shared") {
      return undefined;
    }
    return { region: source.region, key: source.kmsKeyId };
  };
  const wanted = new Map<string, { region: string; key: string }>();
  for (const d of plan.decisions) {
    const k = keyOf(d);
    if (k && !verdicts.has(k.key)) wanted.set(k.key, k);
  }
  await Promise.all(
    [...wanted.values()].map(async ({ region, key }) => {
      let verdict: SourceKeyVerdict;
      try {
        const info = await readWithRetry(input, () => input.gateway.describeKey(region, key));
        if (!info || !info.enabled) verdict = "source-key-not-accessible";
        else if (info.manager === "AWS") verdict = "encrypted-with-default-key";
      } catch (error) {
        const code = error instanceof AwsActionError ? error.code : "";
        if (/AccessDenied|NotFound|KMSInvalidState|Disabled/.test(code)) {
          verdict = "source-key-not-accessible";
        }
      }
      verdicts.set(key, verdict);
    }),
  );
  const blocked = new Map<string, SkipDecision>();
  const decisions = plan.decisions.map((d): Decision => {
    const k = keyOf(d);
    const verdict = k === undefined ? undefined : verdicts.get(k.key);
    if (verdict === undefined || d.action !== "copy") return d;
    const skip: SkipDecision = {
      step: "copy",
      action: "skip",
      reason: verdict,
      cluster: d.cluster,
      account: d.account,
      region: d.region,
      snapshot: d.snapshot,
      facts: { sourceKey: k!.key, source: d.sourceArn },
    };
    blocked.set(d.snapshot.toLowerCase(), skip);
    return skip;
  });
  // The onward copies that were to wait for this local copy wait for nothing now: say why.
  const onward = decisions.map((d): Decision => {
    const cause = d.snapshot === undefined ? undefined : blocked.get(d.snapshot.toLowerCase());
    if (!cause || d === cause || d.action !== "skip" || d.facts.waitingFor !== "local copy") {
      return d;
    }
    return { ...d, reason: cause.reason, facts: { ...d.facts, ...cause.facts } };
  });
  return { ...plan, decisions: onward };
}

async function copyRound(
  input: DestinationStepInput,
  keyVerdicts: Map<string, KeyProblem | undefined>,
  sourceKeyVerdicts: Map<string, SourceKeyVerdict> = new Map(),
): Promise<{ report: RunReport; plan: Plan }> {
  const plan = await screenSourceKeys(input, await planCopyStep(input), sourceKeyVerdicts);
  const actions = plan.decisions.filter((d): d is ActionDecision => d.action !== "skip");
  const problems = input.dryRun
    ? new Map<string, KeyProblem>()
    : await checkCopyKeys(input, actions, keyVerdicts);
  const report = await execute("copy", plan.decisions, input.gateway, {
    ...executeOptions(input, copyRegions(input)),
    precheck: (d) =>
      d.action === "copy" && d.kmsKeyId ? problems.get(`${d.region}|${d.kmsKeyId}`) : undefined,
  });
  return { report, plan };
}

const placeKey = (region: string, name: string): string => `${region}|${name.toLowerCase()}`;

/**
 * copy: snapshots shared in (cross-account) or the account's own (same account) copied into every
 * destination region, re-encrypted with that region's key; intermediate local copies removed once
 * every onward copy is available. With `followUp` and a deadline, later stages run in the same
 * invocation, and the report covers every round.
 */
export async function runCopy(
  input: DestinationStepInput & { readonly followUp?: CopyFollowUp },
): Promise<RunReport> {
  const keyVerdicts = new Map<string, KeyProblem | undefined>();
  const sourceKeyVerdicts = new Map<string, SourceKeyVerdict>();
  const first = await copyRound(input, keyVerdicts, sourceKeyVerdicts);
  const follow = input.followUp;
  const until = input.deadline;
  const pollMs = follow?.pollMs ?? input.policy.copyPollSeconds * 1000;
  if (!follow || input.dryRun || until === undefined || pollMs <= 0) return first.report;

  const clock = clockOf(input);
  const sleep = follow.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const rounds: [RunReport, ...RunReport[]] = [first.report];
  // Copies this run started and has not yet seen available.
  const started = new Set<string>();
  let last = first;
  for (;;) {
    for (const o of last.report.done) {
      if (o.decision.action === "copy")
        started.add(placeKey(o.decision.region, o.decision.snapshot));
    }
    for (const s of last.plan.snapshots) {
      // Own snapshots only: a snapshot shared in carries the same name in the local region.
      if (s.type === "manual" && s.status === "available")
        started.delete(placeKey(s.region, s.name));
    }
    const acted = last.report.done.length > 0;
    if ((started.size === 0 && !acted) || clock() + pollMs >= until) break;
    await sleep(pollMs);
    last = await copyRound({ ...input, now: new Date(clock()) }, keyVerdicts, sourceKeyVerdicts);
    rounds.push(last.report);
  }
  return mergeRounds(rounds);
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
