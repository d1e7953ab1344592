import { AwsActionError } from "../execute/errors.js";
import { execute } from "../execute/executor.js";
import type { SnapshotQuery, ToolEvent } from "../execute/gateway.js";
import type { RunReport } from "../execute/report.js";
import type { Cluster, Decision, KeyInfo, ShareDecision, Snapshot } from "../model/index.js";
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

async function listManual(
  input: SourceStepInput,
  region: string,
  wholeRegion = false,
): Promise<Snapshot[]> {
  const query: SnapshotQuery = wholeRegion ? { type: "manual" } : manualQuery(input.policy);
  return readWithRetry(input, () => input.gateway.listSnapshots(region, query));
}

/**
 * SNAPSHOT_SOURCE=automated: the automated snapshots take may copy (one more paginated pass,
 * narrowed to a literal cluster id like the manual one). Not listed at the default `create`, so
 * a default run makes the same calls as before.
 */
async function listAutomated(input: SourceStepInput, region: string): Promise<Snapshot[]> {
  const manual = manualQuery(input.policy);
  const query: SnapshotQuery =
    manual.clusterId === undefined
      ? { type: "automated" }
      : { type: "automated", clusterId: manual.clusterId };
  return readWithRetry(input, () => input.gateway.listSnapshots(region, query));
}

/** The source side's inventory in the cluster region: one pass each over clusters and snapshots. */
export interface SourceInventory {
  readonly region: string;
  readonly clusters: readonly Cluster[];
  readonly snapshots: readonly Snapshot[];
  /** The automated snapshots, listed only with SNAPSHOT_SOURCE=automated. */
  readonly automated?: readonly Snapshot[];
  /** AWS's clock minus the run's, measured while listing (null: not measured). */
  readonly clockSkewMs: number | null;
}

export async function listSourceInventory(input: SourceStepInput): Promise<SourceInventory> {
  const region = clusterRegion(input);
  const mark = markClock(input);
  const fromAutomated = input.policy.snapshotSource === "automated";
  // With automated copies the manual pass covers the whole region: every copy in progress there
  // takes one of RDS's copy slots, whichever cluster it is of.
  const [clusters, snapshots, automated] = await Promise.all([
    readWithRetry(input, () => input.gateway.listClusters(region)),
    listManual(input, region, fromAutomated),
    fromAutomated ? listAutomated(input, region) : undefined,
  ]);
  return {
    region,
    clusters,
    snapshots,
    ...(automated !== undefined && { automated }),
    clockSkewMs: clockSkewMs(input, mark),
  };
}

async function listSnapshotsOnly(
  input: SourceStepInput,
  wholeRegion = false,
): Promise<SourceInventory> {
  const region = clusterRegion(input);
  const mark: ClockMark = markClock(input);
  const snapshots = await listManual(input, region, wholeRegion);
  return { region, clusters: [], snapshots, clockSkewMs: clockSkewMs(input, mark) };
}

function planTakeFrom(input: SourceStepInput, inv: SourceInventory): Plan {
  const { region, clusters, snapshots } = inv;
  const decisions = planTake({
    clusters,
    snapshots,
    ...(inv.automated !== undefined && { automated: inv.automated }),
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
  // REENCRYPT_KMS_KEY is looked up only on a run with an aws/rds snapshot to share. A failure to
  // describe it (AccessDenied, ...) holds back only the snapshots that need it: planShare blocks
  // them as reencrypt-key-unusable, naming the key, and shares every other snapshot.
  const reencrypt = input.policy.reencryptKmsKey;
  let reencryptKey: KeyInfo | null | undefined;
  let reencryptKeyError: string | undefined;
  if (reencrypt !== undefined && [...keys.values()].some((k) => k.manager === "AWS")) {
    try {
      reencryptKey =
        (await readWithRetry(input, () => input.gateway.describeKey(region, reencrypt))) ?? null;
    } catch (error) {
      reencryptKeyError =
        error instanceof AwsActionError
          ? error.code
          : error instanceof Error
            ? error.name
            : String(error);
    }
  }
  return {
    decisions: planShare({
      snapshots,
      keys,
      policy: input.policy,
      now,
      ...(reencryptKey !== undefined && { reencryptKey }),
      ...(reencryptKeyError !== undefined && { reencryptKeyError }),
    }),
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
  const accounts = policy.destinationAccounts;
  if (accounts.length === 0) {
    throw new ConfigError(
      field,
      undefined,
      "the 12-digit account id to share snapshots with (or up to 20, comma-separated)",
    );
  }
  // The templates keep 000000000000 as the DestinationAccount default, for compatibility with the
  // original's: a stack deployed without it must not share with an account id nobody owns.
  if (accounts.includes(PLACEHOLDER_ACCOUNT)) {
    throw new ConfigError(
      field,
      accounts.join(","),
      "the 12-digit id of a real destination account, or up to 20 comma-separated (000000000000 is the template's placeholder: set DestinationAccount)",
    );
  }
}

export async function planShareStep(input: SourceStepInput): Promise<Plan> {
  requireDestinationAccount(input.policy);
  // Re-encrypting copies take RDS's copy slots: every copy in flight in the region counts.
  const wholeRegion = input.policy.reencryptKmsKey !== undefined;
  return planShareFrom(input, await listSnapshotsOnly(input, wholeRegion));
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
  if (input.policy.destinationAccounts.length === 0) return { take, prune };
  return { take, prune, share: await planShareFrom(input, inv) };
}

/** take: a manual snapshot of every matching Aurora cluster that is due. */
export async function runTake(input: SourceStepInput): Promise<RunReport> {
  const plan = await planTakeStep(input);
  return execute("take", plan.decisions, input.gateway, executeOptions(input, [plan.region]));
}

/** The `source` of the events the tool puts on an event bus. */
export const TOOL_EVENT_SOURCE = "aurora-snapshot-tool";
/** The `detail-type` of the event share puts on DEST_EVENT_BUS_ARN after sharing snapshots. */
export const SNAPSHOTS_SHARED = "Snapshots Shared";
/**
 * Snapshots named in one "Snapshots Shared" event; more are split over several events. 50 of the
 * longest ARNs and cluster ids (the ARNs twice, with `resources`) come to about 16 KB, far below
 * PutEvents' 256 KB an entry.
 */
export const SNAPSHOTS_PER_EVENT = 50;

/** The `detail` of a "Snapshots Shared" event. */
export interface SnapshotsSharedDetail {
  /** The account the snapshots are in (the one that shared them). */
  readonly sourceAccount: string;
  /** The region the snapshots are in. */
  readonly sourceRegion: string;
  /** The account they were shared with. */
  readonly destinationAccount: string;
  readonly snapshots: readonly { readonly arn: string; readonly cluster: string }[];
}

/**
 * The "Snapshots Shared" events for the shares a share run did: one per source account, region and
 * destination account (a run has one account and region, and DEST_ACCOUNT's accounts), split every
 * SNAPSHOTS_PER_EVENT snapshots; none
 * when nothing was shared. Each event's `resources` are its snapshots' ARNs.
 */
export function snapshotsSharedEvents(report: RunReport): ToolEvent[] {
  const groups = new Map<
    string,
    { detail: Omit<SnapshotsSharedDetail, "snapshots">; shares: ShareDecision[] }
  >();
  for (const outcome of report.done) {
    const d = outcome.decision;
    if (d.action !== "share") continue;
    const key = `${d.account}|${d.region}|${d.shareWith}`;
    let group = groups.get(key);
    if (group === undefined) {
      group = {
        detail: {
          sourceAccount: d.account,
          sourceRegion: d.region,
          destinationAccount: d.shareWith,
        },
        shares: [],
      };
      groups.set(key, group);
    }
    group.shares.push(d);
  }
  const events: ToolEvent[] = [];
  for (const { detail, shares } of groups.values()) {
    for (let i = 0; i < shares.length; i += SNAPSHOTS_PER_EVENT) {
      const part = shares.slice(i, i + SNAPSHOTS_PER_EVENT);
      const snapshots = part.map((d) => ({ arn: d.snapshotArn, cluster: d.cluster }));
      events.push({
        source: TOOL_EVENT_SOURCE,
        detailType: SNAPSHOTS_SHARED,
        detail: { ...detail, snapshots } satisfies SnapshotsSharedDetail,
        resources: snapshots.map((s) => s.arn),
      });
    }
  }
  return events;
}

function withNotice(report: RunReport, notice: string): RunReport {
  return { ...report, notices: [...(report.notices ?? []), notice] };
}

/**
 * Tells the destination's event bus (DEST_EVENT_BUS_ARN) what this run shared, so its copy loop
 * starts at once. Best effort: the shares stay done whatever happens here, and a failure is only a
 * notice (the destination's copy schedule finds the snapshots anyway). Nothing on a dry run, or
 * when nothing was shared. Throttling and 5xx answers are retried like any read; a retry after a
 * call of several batches failed part way may repeat events already delivered, which the
 * destination's copy loop takes as one more reason to look (running it twice does no harm).
 */
/**
 * The events a bus is told: only those about shares with the bus's own account. With several
 * destination accounts one bus (DEST_EVENT_BUS_ARN) belongs to one of them; the others' copy
 * schedules find their shares by polling, and are not sent another account's snapshot ARNs. A bus
 * ARN that names no account gets every event, as before.
 */
export function eventsForBus(events: readonly ToolEvent[], busArn: string): ToolEvent[] {
  const account = /^arn:[^:]+:events:[^:]*:(\d{12}):/.exec(busArn)?.[1];
  if (account === undefined) return [...events];
  return events.filter((e) => e.detail["destinationAccount"] === account);
}

async function announceShares(input: SourceStepInput, report: RunReport): Promise<RunReport> {
  const bus = input.policy.destinationEventBus;
  if (bus === undefined || report.dryRun) return report;
  const events = eventsForBus(snapshotsSharedEvents(report), bus);
  if (events.length === 0) return report;
  const shared = events.reduce((n, e) => n + (e.resources?.length ?? 0), 0);
  const what = `${shared} shared snapshot${shared === 1 ? "" : "s"}`;
  const publish = input.gateway.publishEvents?.bind(input.gateway);
  if (publish === undefined) {
    return withNotice(
      report,
      `share: did not tell the event bus ${bus} about ${what}: this gateway cannot publish events; the destination's copy schedule will find them`,
    );
  }
  try {
    await readWithRetry(input, () => publish(bus, events));
    return report;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return withNotice(
      report,
      `share: could not tell the event bus ${bus} about ${what} (${reason}); the shares are done and the destination's copy schedule will find them`,
    );
  }
}

/**
 * share: the tool's available snapshots, shared with the destination account; then, when
 * DEST_EVENT_BUS_ARN is set, one "Snapshots Shared" event (or a few, for many snapshots) on it.
 */
export async function runShare(input: SourceStepInput): Promise<RunReport> {
  const plan = await planShareStep(input);
  const report = await execute(
    "share",
    plan.decisions,
    input.gateway,
    executeOptions(input, [plan.region]),
  );
  return announceShares(input, report);
}

/** prune: the tool's own snapshots past retention, keeping the newest minKeep per cluster. */
export async function runPrune(input: SourceStepInput): Promise<RunReport> {
  const plan = await planPruneStep(input);
  return execute("prune", plan.decisions, input.gateway, executeOptions(input, [plan.region]));
}
