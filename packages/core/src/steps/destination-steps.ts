import { AwsActionError } from "../execute/errors.js";
import { execute } from "../execute/executor.js";
import { mergeRounds, type RunReport } from "../execute/report.js";
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
  /** Whether RDS refused a copy for a shared snapshot's key this round (the key is now blocked). */
  readonly keyRefused: boolean;
}

async function copyRound(
  input: DestinationStepInput,
  keyVerdicts: Map<string, KeyProblem | undefined>,
  sourceKeys: SourceKeyVerdicts,
): Promise<CopyRound> {
  const inv = await listDestinationInventory(input);
  if (!input.dryRun) await screenSourceKeys(input, inv.shared, sourceKeys);
  const plan = planCopyFrom(input, inv, blockedKeys(sourceKeys));
  const actions = plan.decisions.filter((d): d is ActionDecision => d.action !== "skip");
  const problems = input.dryRun
    ? new Map<string, KeyProblem>()
    : await checkCopyKeys(input, actions, keyVerdicts);
  const report = await execute("copy", plan.decisions, input.gateway, {
    ...executeOptions(input, copyRegions(input)),
    precheck: (d) =>
      d.action === "copy" && d.kmsKeyId ? problems.get(`${d.region}|${d.kmsKeyId}`) : undefined,
  });
  // A copy RDS refused for the shared snapshot's key: that key is blocked from now on, so the
  // slots its snapshots would take go to others in the next round.
  const byArn = new Map(inv.shared.map((s) => [s.arn, s]));
  let keyRefused = false;
  for (const o of report.failed) {
    const source = o.decision.action === "copy" ? byArn.get(o.decision.sourceArn) : undefined;
    if (o.errorCode !== "KMSKeyNotAccessibleFault" || source?.kmsKeyId === undefined) continue;
    if (sourceKeys.get(source.kmsKeyId) === undefined) keyRefused = true;
    sourceKeys.set(source.kmsKeyId, "source-key-not-accessible");
  }
  return { report, plan, keyRefused };
}

const placeKey = (region: string, name: string): string => `${region}|${name.toLowerCase()}`;

/** Rounds at once after a key refusal: one per key RDS refused, bounded. */
const MAX_REPLANS = 3;

/**
 * copy: snapshots shared in (cross-account) or the account's own (same account) copied into every
 * destination region, re-encrypted with that region's key; intermediate local copies removed once
 * every onward copy is available. When RDS refuses a copy for its source's key, the run plans
 * again at once without that key's snapshots. With `followUp` and a deadline, later stages run in
 * the same invocation, and the report covers every round.
 */
export async function runCopy(
  input: DestinationStepInput & { readonly followUp?: CopyFollowUp },
): Promise<RunReport> {
  const keyVerdicts = new Map<string, KeyProblem | undefined>();
  const sourceKeys: SourceKeyVerdicts = new Map();
  const clock = clockOf(input);
  const rounds: CopyRound[] = [];
  const round = async (now?: Date): Promise<CopyRound> => {
    let r = await copyRound(now ? { ...input, now } : input, keyVerdicts, sourceKeys);
    rounds.push(r);
    for (let i = 0; r.keyRefused && i < MAX_REPLANS; i += 1) {
      r = await copyRound({ ...input, now: now ?? runTime(input) }, keyVerdicts, sourceKeys);
      rounds.push(r);
    }
    return r;
  };
  const merged = (): RunReport =>
    mergeRounds(rounds.map((r) => r.report) as [RunReport, ...RunReport[]]);

  let last = await round();
  const follow = input.followUp;
  const until = input.deadline;
  const pollMs = follow?.pollMs ?? input.policy.copyPollSeconds * 1000;
  if (!follow || input.dryRun || until === undefined || pollMs <= 0) return merged();

  const sleep = follow.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  // Copies this run started and has not yet seen available.
  const started = new Set<string>();
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
