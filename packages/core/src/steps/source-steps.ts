import { execute } from "../execute/executor.js";
import type { SnapshotQuery } from "../execute/gateway.js";
import type { RunReport } from "../execute/report.js";
import type { Cluster, Decision, KeyInfo, Snapshot } from "../model/index.js";
import { planPrune, planShare, planTake } from "../plan/index.js";
import { ConfigError, type FieldRef } from "../policy/config-error.js";
import type { SourcePolicy } from "../policy/types.js";
import {
  clockSkewMs,
  executeOptions,
  markClock,
  readWithRetry,
  literalClusterId,
  runTime,
  type ClockMark,
  type StepContext,
} from "./context.js";

export interface SourceStepInput extends StepContext {
  readonly policy: SourcePolicy;
}

/** The result of listing and planning, before anything is executed. */
export interface Plan {
  readonly decisions: Decision[];
  readonly region: string;
  readonly snapshots: readonly Snapshot[];
  readonly clusters?: readonly Cluster[];
}

function clusterRegion(input: SourceStepInput): string {
  return input.policy.regionOverride ?? input.region;
}

function manualQuery(policy: SourcePolicy): SnapshotQuery {
  const literal =
    policy.clusterPattern.kind === "regex"
      ? literalClusterId(policy.clusterPattern.source)
      : undefined;
  return literal ? { type: "manual", clusterId: literal } : { type: "manual" };
}

async function listManual(input: SourceStepInput, region: string): Promise<Snapshot[]> {
  return readWithRetry(input, () => input.gateway.listSnapshots(region, manualQuery(input.policy)));
}

/** The source side's inventory in the cluster region: one pass each over clusters and snapshots. */
export interface SourceInventory {
  readonly region: string;
  readonly clusters: readonly Cluster[];
  readonly snapshots: readonly Snapshot[];
  /** AWS's clock minus the run's, measured while listing (null: not measured). */
  readonly clockSkewMs: number | null;
}

export async function listSourceInventory(input: SourceStepInput): Promise<SourceInventory> {
  const region = clusterRegion(input);
  const mark = markClock(input);
  const [clusters, snapshots] = await Promise.all([
    readWithRetry(input, () => input.gateway.listClusters(region)),
    listManual(input, region),
  ]);
  return { region, clusters, snapshots, clockSkewMs: clockSkewMs(input, mark) };
}

async function listSnapshotsOnly(input: SourceStepInput): Promise<SourceInventory> {
  const region = clusterRegion(input);
  const mark: ClockMark = markClock(input);
  const snapshots = await listManual(input, region);
  return { region, clusters: [], snapshots, clockSkewMs: clockSkewMs(input, mark) };
}

function planTakeFrom(input: SourceStepInput, inv: SourceInventory): Plan {
  const { region, clusters, snapshots } = inv;
  const decisions = planTake({
    clusters,
    snapshots,
    policy: input.policy,
    now: runTime(input),
  });
  return { decisions, region, snapshots, clusters };
}

function planPruneFrom(input: SourceStepInput, inv: SourceInventory): Plan {
  const decisions = planPrune({
    snapshots: inv.snapshots,
    policy: input.policy,
    now: runTime(input),
    clockSkewMs: inv.clockSkewMs,
  });
  return { decisions, region: inv.region, snapshots: inv.snapshots };
}

async function planShareFrom(input: SourceStepInput, inv: SourceInventory): Promise<Plan> {
  const { region } = inv;
  const snapshots = inv.snapshots;
  const now = runTime(input);
  const first = planShare({ snapshots, keys: new Map(), policy: input.policy, now });
  // Only the keys of snapshots about to be shared are looked up: one DescribeKey per distinct key,
  // and none at all on a run with nothing new to share.
  const byArn = new Map(snapshots.map((s) => [s.arn, s]));
  const keyIds = new Set<string>();
  for (const d of first) {
    const s = d.action === "share" ? byArn.get(d.snapshotArn) : undefined;
    if (s?.encrypted && s.kmsKeyId) keyIds.add(s.kmsKeyId);
  }
  if (keyIds.size === 0) return { decisions: first, region, snapshots };
  const keys = new Map<string, KeyInfo>();
  await Promise.all(
    [...keyIds].map(async (id) => {
      const info = await readWithRetry(input, () => input.gateway.describeKey(region, id));
      if (info) keys.set(id, info);
    }),
  );
  return {
    decisions: planShare({ snapshots, keys, policy: input.policy, now }),
    region,
    snapshots,
  };
}

export async function planTakeStep(input: SourceStepInput): Promise<Plan> {
  return planTakeFrom(input, await listSourceInventory(input));
}

/**
 * Sharing needs a destination: refused before any AWS call (safety rule 5). `field` names the
 * setting the way the user could give it (the env var when called without layers).
 */
/** The DestinationAccount parameter's default in the templates: "not configured". */
export const PLACEHOLDER_ACCOUNT = "000000000000";

export function requireDestinationAccount(
  policy: SourcePolicy,
  field: FieldRef = "DEST_ACCOUNT",
): void {
  if (policy.destinationAccount === undefined) {
    throw new ConfigError(field, undefined, "the 12-digit account id to share snapshots with");
  }
  // The templates keep 000000000000 as the DestinationAccount default, for compatibility with the
  // original's: a stack deployed without it must not share with an account id nobody owns.
  if (policy.destinationAccount === PLACEHOLDER_ACCOUNT) {
    throw new ConfigError(
      field,
      policy.destinationAccount,
      "the 12-digit id of a real destination account (000000000000 is the template's placeholder: set DestinationAccount)",
    );
  }
}

export async function planShareStep(input: SourceStepInput): Promise<Plan> {
  requireDestinationAccount(input.policy);
  return planShareFrom(input, await listSnapshotsOnly(input));
}

export async function planPruneStep(input: SourceStepInput): Promise<Plan> {
  return planPruneFrom(input, await listSnapshotsOnly(input));
}

/**
 * The three source plans from one inventory pass (for `list` and other read-only views): the
 * share plan is left out when no destination account is configured.
 */
export async function planSourceSteps(
  input: SourceStepInput,
): Promise<{ take: Plan; share?: Plan; prune: Plan }> {
  const inv = await listSourceInventory(input);
  const take = planTakeFrom(input, inv);
  const prune = planPruneFrom(input, inv);
  if (input.policy.destinationAccount === undefined) return { take, prune };
  return { take, prune, share: await planShareFrom(input, inv) };
}

/** take: a manual snapshot of every matching Aurora cluster that is due. */
export async function runTake(input: SourceStepInput): Promise<RunReport> {
  const plan = await planTakeStep(input);
  return execute("take", plan.decisions, input.gateway, executeOptions(input, [plan.region]));
}

/** share: the tool's available snapshots, shared with the destination account. */
export async function runShare(input: SourceStepInput): Promise<RunReport> {
  const plan = await planShareStep(input);
  return execute("share", plan.decisions, input.gateway, executeOptions(input, [plan.region]));
}

/** prune: the tool's own snapshots past retention, keeping the newest minKeep per cluster. */
export async function runPrune(input: SourceStepInput): Promise<RunReport> {
  const plan = await planPruneStep(input);
  return execute("prune", plan.decisions, input.gateway, executeOptions(input, [plan.region]));
}
