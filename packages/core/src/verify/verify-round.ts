import { AwsActionError } from "../execute/errors.js";
import type { DbClusterDetail, DbInstanceDetail, Gateway } from "../execute/gateway.js";
import { ConfigError } from "../policy/config-error.js";
import type { DestinationPolicy, SourcePolicy } from "../policy/types.js";
import {
  chooseVerifyTargets,
  planVerify,
  verifyRegionOf,
  type VerifyPlan,
  type VerifySide,
  type VerifySkip,
  type VerifyTarget,
} from "./plan-verify.js";
import {
  isOwnVerificationCluster,
  outcomeTag,
  verificationClusterId,
  verificationInstanceId,
  verificationTags,
} from "./verify-names.js";

/** Seconds between two rounds while a restore, an instance or a deletion is under way. */
export const VERIFY_POLL_SECONDS = 60;
/**
 * At most this many rounds in one run: as COPY_LOOP_MAX_ROUNDS, a Step Functions standard
 * execution keeps 25,000 history events and one round writes about 11.
 */
export const VERIFY_LOOP_MAX_ROUNDS = 1_500;
/** No verification starts once the run is this old; the one in progress is failed and removed. */
export const VERIFY_LOOP_MAX_MS = 24 * 3600 * 1000;
/** Rounds past the limit for removing what the run restored; then the next run's clean-up pass does it. */
const CLEANUP_GRACE_ROUNDS = 60;
/** Steps one round takes without waiting (a tag, then the next restore, say). */
const STEPS_PER_ROUND = 12;
/** Data API attempts before the check counts as failed (the cluster may still be resuming). */
const DATA_API_ATTEMPTS = 3;
/** The statement the Data API check runs: it proves the restored database answers queries. */
export const VERIFY_SQL = "SELECT 1";
/** Serverless v2 capacity of the verification instance: the minimum (0.5 ACU), max 1 ACU. */
export const VERIFY_SERVERLESS_V2 = Object.freeze({ minCapacity: 0.5, maxCapacity: 1 });

/** Cluster states a restore never leaves (Aurora.Status); instance states likewise. */
const DEAD_CLUSTER = new Set([
  "failed",
  "inaccessible-encryption-credentials",
  "inaccessible-encryption-credentials-recoverable",
  "incompatible-network",
  "incompatible-parameters",
  "incompatible-restore",
]);
const DEAD_INSTANCE = new Set([
  "failed",
  "inaccessible-encryption-credentials",
  "incompatible-network",
  "incompatible-option-group",
  "incompatible-parameters",
  "incompatible-restore",
  "storage-full",
]);
/** States DeleteDBCluster / DeleteDBInstance accept (USER_DeleteCluster, API_DeleteDBInstance). */
const DELETABLE_CLUSTER = new Set(["available", ...DEAD_CLUSTER]);
const DELETABLE_INSTANCE = new Set(["available", "stopped", ...DEAD_INSTANCE]);
const GONE = new Set(["deleting", "deleted"]);

export type VerifyOutcome = "passed" | "failed";

/** One finished verification. */
export interface VerifyResult {
  readonly cluster: string;
  readonly snapshot: string;
  readonly snapshotArn: string;
  /** The temporary cluster it was restored into. */
  readonly verificationCluster: string;
  readonly outcome: VerifyOutcome;
  /** Why it failed (or, for a pass, what was checked). */
  readonly reason?: string;
  /** From the restore call to the outcome. */
  readonly minutes: number;
}

/** The verification in progress. */
export interface VerifyCurrent {
  readonly target: VerifyTarget;
  readonly clusterId: string;
  readonly instanceId: string;
  readonly startedAt: string;
  readonly restored: boolean;
  readonly instanceCreated: boolean;
  readonly httpEnabled: boolean;
  readonly dataApiAttempts: number;
  readonly outcome?: { readonly passed: boolean; readonly reason?: string; readonly at: string };
  readonly tagged: boolean;
}

/**
 * Where a verify run stands: everything the next round needs, as JSON (the state machine passes it
 * back in the event). Nothing else is remembered between rounds.
 */
export interface VerifyPosition {
  readonly runId: string;
  readonly side: VerifySide;
  readonly region: string;
  /** The round just finished, counted from 0 (the clean-up pass). */
  readonly round: number;
  /** This deployment's verification clusters from an earlier run, still to be removed. */
  readonly cleanup: readonly string[];
  readonly queue: readonly VerifyTarget[];
  readonly current?: VerifyCurrent;
  readonly results: readonly VerifyResult[];
  readonly skipped: readonly VerifySkip[];
  /** Leftover clusters removed so far. */
  readonly removed: readonly string[];
  /** Clusters the run could not verify (the run's time limit) and problems it could not mend. */
  readonly problems: readonly string[];
  /**
   * Rounds in a row that ended on an AWS error; at VERIFY_ERROR_ROUNDS the run gives up on what
   * it was doing (see giveUp) instead of retrying until its time limit. Absent: none.
   */
  readonly errorRounds?: number;
}

/**
 * Rounds in a row an AWS error may end (one a minute by default) before the run stops retrying
 * what it was doing: a refusal that does not go away (AccessDenied on a delete, say) must not keep
 * a temporary cluster billing, and the verification unreported, until the 24-hour limit.
 */
export const VERIFY_ERROR_ROUNDS = 10;

export type VerifyRoundReason =
  "in-progress" | "cleaning-up" | "done" | "max-rounds" | "max-duration" | "nothing-to-verify";

export interface VerifyRoundResult {
  readonly position: VerifyPosition;
  /** Run another round after `waitSeconds`. */
  readonly continue: boolean;
  readonly waitSeconds: number;
  readonly reason: VerifyRoundReason;
  readonly results: readonly VerifyResult[];
  /** One line per thing the round did, for the progress line and the logs. */
  readonly actions: readonly string[];
}

export type VerifyRoundInput = {
  readonly gateway: Gateway;
  /** The region the run is in (the source clusters' region is REGION_OVERRIDE when set). */
  readonly region: string;
  readonly now: Date;
  /** From the previous round; undefined for a new run (round 0). */
  readonly position?: VerifyPosition;
  /** Seconds between rounds; default VERIFY_POLL_SECONDS. */
  readonly pollSeconds?: number;
} & (
  | { readonly side: "source"; readonly policy: SourcePolicy }
  | { readonly side: "destination"; readonly policy: DestinationPolicy }
);

const REQUIRED_METHODS = [
  "describeDbCluster",
  "listDbClusters",
  "restoreClusterFromSnapshot",
  "createInstance",
  "describeInstances",
  "deleteInstance",
  "deleteCluster",
] as const;

type VerifyGatewayMethods = Required<Pick<Gateway, (typeof REQUIRED_METHODS)[number]>> & Gateway;

/** verify needs the optional restore methods; a gateway without them is a configuration error. */
function verifyGateway(gateway: Gateway): VerifyGatewayMethods {
  const missing = REQUIRED_METHODS.find((m) => typeof gateway[m] !== "function");
  if (missing !== undefined) {
    throw new ConfigError("gateway", missing, "a Gateway with the restore verification methods");
  }
  return gateway as VerifyGatewayMethods;
}

function message(error: unknown): string {
  if (error instanceof AwsActionError) return `${error.operation}: ${error.code}`;
  return error instanceof Error ? error.message : String(error);
}

function minutesBetween(from: string, to: Date): number {
  return Math.round((to.getTime() - Date.parse(from)) / 6_000) / 10;
}

/** What one step of the state machine below asks for. */
type Step = { readonly wait: true } | { readonly wait: false };
const WAIT: Step = { wait: true };
const GO: Step = { wait: false };

/** Mutable state of one round, written back into the position at its end. */
interface Round {
  readonly gateway: VerifyGatewayMethods;
  readonly policy: SourcePolicy | DestinationPolicy;
  readonly now: Date;
  readonly actions: string[];
  position: VerifyPosition;
}

/**
 * Removes one of this deployment's verification clusters: instances first, then the cluster with
 * no final snapshot. Never touches a cluster without this deployment's marker tag, re-read from
 * RDS right before each call; never turns deletion protection off (verify restores with it off, so
 * a protected one was changed by someone and is reported). Resolves "gone" once RDS no longer lists
 * it, "wait" while deletion runs, or a problem to report.
 */
async function removeCluster(
  r: Round,
  region: string,
  clusterId: string,
): Promise<"gone" | "wait" | { readonly problem: string }> {
  const cluster = await r.gateway.describeDbCluster(region, clusterId);
  if (cluster === undefined || cluster.status === "deleted") return "gone";
  if (!isOwnVerificationCluster(cluster.tags, r.policy.deploymentName)) {
    return { problem: `${clusterId} is not this deployment's verification cluster: left alone` };
  }
  if (cluster.status === "deleting") return "wait";
  const instances = await r.gateway.describeInstances(region, cluster.id);
  let waiting = false;
  for (const instance of instances) {
    if (GONE.has(instance.status)) continue;
    waiting = true;
    if (DELETABLE_INSTANCE.has(instance.status)) {
      await r.gateway.deleteInstance(region, instance.id);
      r.actions.push(`deleting instance ${instance.id}`);
    }
  }
  if (waiting) return "wait";
  if (cluster.deletionProtection) {
    return {
      problem: `${clusterId} has deletion protection on; verify never turns it off: delete it by hand`,
    };
  }
  if (!DELETABLE_CLUSTER.has(cluster.status)) return "wait";
  await r.gateway.deleteCluster(region, cluster.id);
  r.actions.push(`deleting cluster ${cluster.id}`);
  return "wait";
}

function withCurrent(r: Round, current: VerifyCurrent | undefined): void {
  const { current: _old, ...rest } = r.position;
  r.position = current === undefined ? rest : { ...rest, current };
}

function fail(r: Round, current: VerifyCurrent, reason: string): Step {
  withCurrent(r, { ...current, outcome: { passed: false, reason, at: r.now.toISOString() } });
  return GO;
}

function pass(r: Round, current: VerifyCurrent, reason: string): Step {
  withCurrent(r, { ...current, outcome: { passed: true, reason, at: r.now.toISOString() } });
  return GO;
}

/** Restores the snapshot into the verification cluster (once; a retry finds it by its id). */
async function restore(r: Round, current: VerifyCurrent): Promise<Step> {
  const t = current.target;
  const policy = r.policy;
  try {
    await r.gateway.restoreClusterFromSnapshot({
      region: t.region,
      clusterId: current.clusterId,
      // The run's own snapshot in its own region: the identifier names it (an ARN works on AWS too).
      snapshotArn: t.snapshotId,
      engine: t.engine,
      subnetGroup: policy.verifySubnetGroup,
      securityGroups: policy.verifySecurityGroups,
      ...(t.kmsKeyId !== undefined && { kmsKeyId: t.kmsKeyId }),
      ...(policy.verifyInstanceClass === "db.serverless" && { serverlessV2: VERIFY_SERVERLESS_V2 }),
      tags: verificationTags({
        deployment: policy.deploymentName,
        snapshotArn: t.snapshotArn,
        sourceCluster: t.cluster,
        startedAt: new Date(current.startedAt),
      }),
    });
  } catch (error) {
    if (error instanceof AwsActionError && error.code === "DBClusterAlreadyExistsFault") {
      // An earlier attempt of this round got through: the next look finds the cluster and its tag.
      withCurrent(r, { ...current, restored: true });
      return WAIT;
    }
    if (error instanceof AwsActionError && error.retryable) return WAIT;
    return fail(r, current, `restore refused: ${message(error)}`);
  }
  r.actions.push(`restoring ${t.snapshotId} into ${current.clusterId}`);
  withCurrent(r, { ...current, restored: true });
  return WAIT;
}

async function createInstance(
  r: Round,
  current: VerifyCurrent,
  instanceClass: string,
): Promise<Step> {
  const t = current.target;
  try {
    await r.gateway.createInstance({
      region: t.region,
      instanceId: current.instanceId,
      clusterId: current.clusterId,
      engine: t.engine,
      instanceClass,
      tags: verificationTags({
        deployment: r.policy.deploymentName,
        snapshotArn: t.snapshotArn,
        sourceCluster: t.cluster,
        startedAt: new Date(current.startedAt),
      }),
    });
  } catch (error) {
    if (error instanceof AwsActionError && error.code === "DBInstanceAlreadyExistsFault") {
      withCurrent(r, { ...current, instanceCreated: true });
      return WAIT;
    }
    if (error instanceof AwsActionError && error.retryable) return WAIT;
    return fail(r, current, `instance refused: ${message(error)}`);
  }
  r.actions.push(`creating instance ${current.instanceId} (${instanceClass})`);
  withCurrent(r, { ...current, instanceCreated: true });
  return WAIT;
}

/** The Data API check: enable the HTTP endpoint (one round), then SELECT 1 with the secret. */
async function dataApiCheck(
  r: Round,
  current: VerifyCurrent,
  cluster: DbClusterDetail,
  secretArn: string,
): Promise<Step | "passed"> {
  const region = current.target.region;
  if (!current.httpEnabled) {
    if (r.gateway.enableHttpEndpoint === undefined) {
      return fail(r, current, "the gateway cannot enable the RDS Data API");
    }
    try {
      await r.gateway.enableHttpEndpoint(region, cluster.arn);
    } catch (error) {
      if (error instanceof AwsActionError && error.retryable) return WAIT;
      return fail(r, current, `Data API not enabled: ${message(error)}`);
    }
    r.actions.push(`enabling the Data API on ${cluster.id}`);
    withCurrent(r, { ...current, httpEnabled: true });
    return WAIT;
  }
  if (r.gateway.executeStatement === undefined) {
    return fail(r, current, "the gateway cannot call the RDS Data API");
  }
  try {
    await r.gateway.executeStatement({
      region,
      clusterArn: cluster.arn,
      secretArn,
      sql: VERIFY_SQL,
    });
    r.actions.push(`${VERIFY_SQL} answered on ${cluster.id}`);
    return "passed";
  } catch (error) {
    const attempts = current.dataApiAttempts + 1;
    if (attempts < DATA_API_ATTEMPTS) {
      // The endpoint takes a moment after EnableHttpEndpoint, and a cluster may be resuming.
      withCurrent(r, { ...current, dataApiAttempts: attempts });
      return WAIT;
    }
    return fail(r, current, `Data API check failed: ${message(error)}`);
  }
}

/** The user's check function: failed when it throws or answers `{"ok": false}`. */
async function lambdaCheck(
  r: Round,
  current: VerifyCurrent,
  cluster: DbClusterDetail,
  functionArn: string,
): Promise<Step | "passed"> {
  if (r.gateway.invokeFunction === undefined) {
    return fail(r, current, "the gateway cannot invoke the check function");
  }
  const t = current.target;
  let answer;
  try {
    answer = await r.gateway.invokeFunction(functionArn, {
      cluster: cluster.id,
      endpoint: cluster.endpoint ?? null,
      port: cluster.port ?? null,
      engine: cluster.engine,
      snapshotArn: t.snapshotArn,
      sourceCluster: t.cluster,
    });
  } catch (error) {
    return fail(r, current, `check function not invoked: ${message(error)}`);
  }
  const payload = answer.payload as { ok?: unknown; reason?: unknown; errorMessage?: unknown };
  if (answer.functionError !== undefined) {
    const why = typeof payload?.errorMessage === "string" ? `: ${payload.errorMessage}` : "";
    return fail(r, current, `check function error (${answer.functionError})${why}`);
  }
  if (typeof payload === "object" && payload !== null && payload.ok === false) {
    const why = typeof payload.reason === "string" ? payload.reason : "answered ok: false";
    return fail(r, current, `check: ${why}`);
  }
  r.actions.push(`check function passed on ${cluster.id}`);
  return "passed";
}

/** Runs the checks once the cluster (and its instance) is available. */
async function check(r: Round, current: VerifyCurrent, cluster: DbClusterDetail): Promise<Step> {
  const { verifySecretArn, verifyCheckLambdaArn } = r.policy;
  const checked: string[] = [];
  if (verifySecretArn !== undefined) {
    const step = await dataApiCheck(r, current, cluster, verifySecretArn);
    if (step !== "passed") return step;
    checked.push("Data API SELECT 1");
  }
  if (verifyCheckLambdaArn !== undefined) {
    const step = await lambdaCheck(r, r.position.current ?? current, cluster, verifyCheckLambdaArn);
    if (step !== "passed") return step;
    checked.push("check function");
  }
  const what =
    r.policy.verifyInstanceClass === undefined ? "cluster available" : "instance available";
  return pass(r, r.position.current ?? current, [what, ...checked].join(", "));
}

/** Advances the verification before its outcome: restore, instance, check. */
async function advanceVerification(r: Round, current: VerifyCurrent): Promise<Step> {
  const region = current.target.region;
  const elapsedMinutes = minutesBetween(current.startedAt, r.now);
  if (elapsedMinutes > r.policy.verifyMaxMinutes) {
    return fail(r, current, `timeout after ${r.policy.verifyMaxMinutes} minutes`);
  }
  const cluster = await r.gateway.describeDbCluster(region, current.clusterId);
  if (cluster === undefined) {
    if (!current.restored) return restore(r, current);
    return fail(r, current, "the verification cluster disappeared");
  }
  if (!isOwnVerificationCluster(cluster.tags, r.policy.deploymentName)) {
    // Never ours to touch: reported, and removeCluster leaves it alone.
    return fail(r, current, `${cluster.id} exists without this deployment's verification tag`);
  }
  if (DEAD_CLUSTER.has(cluster.status)) return fail(r, current, `cluster ${cluster.status}`);
  if (cluster.status !== "available") return WAIT;
  const instanceClass = r.policy.verifyInstanceClass;
  if (instanceClass !== undefined) {
    const instances: DbInstanceDetail[] = await r.gateway.describeInstances(region, cluster.id);
    const instance = instances.find((i) => i.id.toLowerCase() === current.instanceId.toLowerCase());
    if (instance === undefined) {
      if (!current.instanceCreated) return createInstance(r, current, instanceClass);
      return fail(r, current, "the verification instance disappeared");
    }
    if (DEAD_INSTANCE.has(instance.status)) return fail(r, current, `instance ${instance.status}`);
    if (instance.status !== "available") return WAIT;
  }
  return check(r, current, cluster);
}

/** Records the outcome on the snapshot (the only change verify ever makes to a snapshot). */
async function tagOutcome(r: Round, current: VerifyCurrent): Promise<void> {
  const outcome = current.outcome;
  if (outcome === undefined) return;
  try {
    await r.gateway.addTags(
      current.target.region,
      current.target.snapshotArn,
      outcomeTag(new Date(outcome.at), outcome.passed, outcome.reason),
    );
  } catch (error) {
    problem(r, `${current.target.snapshotId}: outcome not tagged: ${message(error)}`);
  }
  withCurrent(r, { ...current, tagged: true });
  record(r, current);
}

/** The verification's result, recorded once its outcome is known and tagged (before the removal). */
function record(r: Round, current: VerifyCurrent): void {
  const outcome = current.outcome;
  if (outcome === undefined) return;
  const t = current.target;
  const result: VerifyResult = {
    cluster: t.cluster,
    snapshot: t.snapshotId,
    snapshotArn: t.snapshotArn,
    verificationCluster: current.clusterId,
    outcome: outcome.passed ? "passed" : "failed",
    ...(outcome.reason !== undefined && { reason: outcome.reason }),
    minutes: minutesBetween(current.startedAt, new Date(outcome.at)),
  };
  r.actions.push(`${t.cluster}: ${result.outcome}${result.reason ? ` (${result.reason})` : ""}`);
  r.position = { ...r.position, results: [...r.position.results, result] };
}

function problem(r: Round, text: string): void {
  r.position = { ...r.position, problems: [...r.position.problems, text] };
}

/** One step for the verification in progress; "done" once its cluster is gone. */
async function stepCurrent(r: Round, current: VerifyCurrent): Promise<Step | "done"> {
  if (current.outcome === undefined) return advanceVerification(r, current);
  if (!current.tagged) {
    await tagOutcome(r, current);
    return GO;
  }
  const removed = await removeCluster(r, current.target.region, current.clusterId);
  if (removed === "wait") return WAIT;
  if (removed !== "gone") problem(r, removed.problem);
  withCurrent(r, undefined);
  return "done";
}

/** Removes what is left of the clean-up list; "wait" while any is still being deleted. */
async function stepCleanup(r: Round): Promise<Step> {
  const left: string[] = [];
  for (const id of r.position.cleanup) {
    const removed = await removeCluster(r, r.position.region, id);
    if (removed === "wait") left.push(id);
    else if (removed === "gone")
      r.position = { ...r.position, removed: [...r.position.removed, id] };
    else problem(r, removed.problem);
  }
  r.position = { ...r.position, cleanup: left };
  return left.length > 0 ? WAIT : GO;
}

function startNext(r: Round): boolean {
  const [next, ...rest] = r.position.queue;
  if (next === undefined) return false;
  const clusterId = verificationClusterId(r.policy.deploymentName, next.cluster, r.position.runId);
  r.position = { ...r.position, queue: rest };
  withCurrent(r, {
    target: next,
    clusterId,
    instanceId: verificationInstanceId(clusterId),
    startedAt: r.now.toISOString(),
    restored: false,
    instanceCreated: false,
    httpEnabled: false,
    dataApiAttempts: 0,
    tagged: false,
  });
  return true;
}

function withoutErrorRounds(position: VerifyPosition): VerifyPosition {
  const { errorRounds: _dropped, ...rest } = position;
  return rest;
}

/**
 * After VERIFY_ERROR_ROUNDS failed rounds in a row: a verification still under way fails with the
 * error (its outcome is tagged and its cluster removed as for any failure); one whose cluster
 * cannot be removed, and leftovers that cannot be, are reported and left for the next run's
 * clean-up pass (which finds them by their tag), so the queue goes on.
 */
function giveUp(r: Round, error: string): void {
  r.position = withoutErrorRounds(r.position);
  const current = r.position.current;
  if (current !== undefined && current.outcome === undefined) {
    fail(r, current, `AWS error ${VERIFY_ERROR_ROUNDS} rounds in a row: ${error}`);
    return;
  }
  const stuck = [...(current !== undefined ? [current.clusterId] : []), ...r.position.cleanup];
  if (current !== undefined && !current.tagged) record(r, current);
  problem(
    r,
    `could not remove ${stuck.join(", ")} (${error}); left for the next run's clean-up pass`,
  );
  withCurrent(r, undefined);
  r.position = { ...r.position, cleanup: [] };
}

/** Round 0: find this deployment's leftovers and choose what to verify. */
async function firstPosition(
  input: VerifyRoundInput,
  gateway: VerifyGatewayMethods,
): Promise<VerifyPosition> {
  const region = verifyRegionOf(input.side, input.policy, input.region);
  const dbClusters = await gateway.listDbClusters(region);
  const leftovers = dbClusters
    .filter((c) => isOwnVerificationCluster(c.tags, input.policy.deploymentName))
    .map((c) => c.id)
    .sort();
  const snapshots = await input.gateway.listSnapshots(region, { type: "manual" });
  const chosen =
    input.side === "source"
      ? chooseVerifyTargets({
          side: "source",
          policy: input.policy,
          region,
          snapshots,
          clusters: await input.gateway.listClusters(region),
        })
      : chooseVerifyTargets({ side: "destination", policy: input.policy, region, snapshots });
  return {
    runId: input.now.toISOString(),
    side: input.side,
    region,
    round: 0,
    cleanup: leftovers,
    queue: chosen.targets,
    results: [],
    skipped: chosen.skipped,
    removed: [],
    problems: [],
  };
}

/**
 * One round of a resumable verify run. Round 0 (no position) is the clean-up pass: it lists the
 * region's clusters, marks every one of this deployment's verification clusters for removal, and
 * chooses the queue. Every later round advances the one verification in progress (one restore at
 * a time): restore, cluster available, instance, instance available, check, outcome tag on the
 * snapshot, instance and cluster deleted; then the next one. Between rounds the caller waits
 * `waitSeconds` (a Step Functions Wait state, or the CLI's sleep) and passes `position` back.
 *
 * Safety: the only clusters and instances it modifies or deletes carry SnapshotToolVerification =
 * this deployment's name (read again from RDS before each call); the only change to a snapshot is
 * the outcome tag. A failure is a result, never an exception; a throttled or failed describe call
 * is a problem noted on the position and the round is tried again.
 */
export async function verifyRound(input: VerifyRoundInput): Promise<VerifyRoundResult> {
  const gateway = verifyGateway(input.gateway);
  const pollSeconds = input.pollSeconds ?? VERIFY_POLL_SECONDS;
  const actions: string[] = [];
  const r: Round = {
    gateway,
    policy: input.policy,
    now: input.now,
    actions,
    position:
      input.position === undefined
        ? await firstPosition(input, gateway)
        : { ...input.position, round: input.position.round + 1 },
  };
  if (input.position === undefined) {
    actions.push(
      `${r.position.queue.length} to verify in ${r.position.region}, ${r.position.cleanup.length} leftover verification cluster(s) to remove`,
    );
  }
  const elapsed = input.now.getTime() - Date.parse(r.position.runId);
  const overTime = elapsed >= VERIFY_LOOP_MAX_MS || r.position.round >= VERIFY_LOOP_MAX_ROUNDS;
  let limit: VerifyRoundReason | undefined;
  if (overTime) {
    limit = elapsed >= VERIFY_LOOP_MAX_MS ? "max-duration" : "max-rounds";
    // Nothing new starts; the one in progress is failed so that its cluster is removed.
    if (r.position.queue.length > 0) {
      problem(r, `not verified (run limit): ${r.position.queue.map((t) => t.cluster).join(", ")}`);
      r.position = { ...r.position, queue: [] };
    }
    const current = r.position.current;
    if (current !== undefined && current.outcome === undefined)
      fail(r, current, "run limit reached");
  }

  let waiting = false;
  try {
    for (let step = 0; step < STEPS_PER_ROUND && !waiting; step += 1) {
      if (r.position.cleanup.length > 0) {
        waiting = (await stepCleanup(r)).wait;
        continue;
      }
      const current = r.position.current;
      if (current !== undefined) {
        const next = await stepCurrent(r, current);
        waiting = next !== "done" && next.wait;
        continue;
      }
      if (!startNext(r)) break;
    }
    r.position = withoutErrorRounds(r.position);
  } catch (error) {
    // A describe or delete call that failed after the SDK's retries: try again next round, up
    // to VERIFY_ERROR_ROUNDS rounds in a row.
    const errorRounds = (r.position.errorRounds ?? 0) + 1;
    r.position = { ...r.position, errorRounds };
    if (errorRounds >= VERIFY_ERROR_ROUNDS) giveUp(r, message(error));
    else actions.push(`round ${r.position.round}: ${message(error)}; trying again`);
    waiting = true;
  }

  const busy =
    r.position.cleanup.length > 0 ||
    r.position.current !== undefined ||
    r.position.queue.length > 0;
  const hardStop = overTime && r.position.round >= VERIFY_LOOP_MAX_ROUNDS + CLEANUP_GRACE_ROUNDS;
  if (busy && hardStop) {
    const left = [
      ...r.position.cleanup,
      ...(r.position.current ? [r.position.current.clusterId] : []),
    ];
    problem(r, `left for the next run's clean-up pass: ${left.join(", ")}`);
  }
  const goOn = busy && !hardStop;
  const reason: VerifyRoundReason = goOn
    ? r.position.cleanup.length > 0
      ? "cleaning-up"
      : "in-progress"
    : (limit ??
      (r.position.results.length === 0 && input.position === undefined
        ? "nothing-to-verify"
        : "done"));
  return {
    position: r.position,
    continue: goOn,
    // A step that could go on at once (the step budget ran out) does not wait the full poll.
    waitSeconds: goOn ? (waiting ? pollSeconds : 1) : 0,
    reason,
    results: r.position.results,
    actions,
  };
}

/** Whether a finished run counts as failed: any verification failed, or anything left unmended. */
export function verifyRunFailed(result: Pick<VerifyRoundResult, "position" | "continue">): boolean {
  return (
    result.position.results.some((x) => x.outcome === "failed") ||
    result.position.problems.length > 0
  );
}

/** The counts `verifyMetrics` publishes. */
export function verifyCounts(results: readonly VerifyResult[]): {
  readonly succeeded: number;
  readonly failed: number;
} {
  const succeeded = results.filter((x) => x.outcome === "passed").length;
  return { succeeded, failed: results.length - succeeded };
}

/**
 * The error a verify run ends with when a verification failed or something was left unmended.
 * Its `name` is `SnapshotToolException` on purpose: the state machines and the alarms treat it as
 * the tool's "something needs attention", as for the other steps.
 */
export class VerifyFailedError extends Error {
  override readonly name = "SnapshotToolException";
  readonly results: readonly VerifyResult[];
  readonly problems: readonly string[];

  constructor(position: VerifyPosition) {
    const failed = position.results.filter((x) => x.outcome === "failed");
    const shown = failed.slice(0, 3).map((x) => `${x.cluster}: ${x.reason ?? "failed"}`);
    super(
      `verify: ${failed.length} of ${position.results.length} failed` +
        (shown.length > 0 ? ` (${shown.join(" | ")})` : "") +
        (position.problems.length > 0 ? `; ${position.problems.join(" | ")}` : ""),
    );
    this.results = position.results;
    this.problems = position.problems;
  }
}

/**
 * The position a verify event carries (`{"verify": <position>}`); undefined for any other event,
 * which starts a new run. A malformed position starts a new run too: round 0's clean-up pass
 * removes whatever the lost run left.
 */
export function verifyPositionOf(event: unknown): VerifyPosition | undefined {
  if (typeof event !== "object" || event === null) return undefined;
  const p = (event as { verify?: unknown }).verify;
  if (typeof p !== "object" || p === null) return undefined;
  const v = p as Partial<VerifyPosition>;
  const ok =
    typeof v.runId === "string" &&
    Number.isFinite(Date.parse(v.runId)) &&
    typeof v.round === "number" &&
    typeof v.region === "string" &&
    (v.side === "source" || v.side === "destination") &&
    Array.isArray(v.cleanup) &&
    Array.isArray(v.queue) &&
    Array.isArray(v.results) &&
    Array.isArray(v.skipped) &&
    Array.isArray(v.removed) &&
    Array.isArray(v.problems);
  return ok ? (v as VerifyPosition) : undefined;
}

/**
 * `plan verify`: reads the region once (clusters, snapshots) and plans, changing nothing. The
 * gateway needs listDbClusters.
 */
export async function readVerifyPlan(input: VerifyRoundInput): Promise<VerifyPlan> {
  const gateway = verifyGateway(input.gateway);
  const region = verifyRegionOf(input.side, input.policy, input.region);
  const [dbClusters, snapshots] = await Promise.all([
    gateway.listDbClusters(region),
    gateway.listSnapshots(region, { type: "manual" }),
  ]);
  return input.side === "source"
    ? planVerify({
        side: "source",
        policy: input.policy,
        region,
        snapshots,
        dbClusters,
        clusters: await gateway.listClusters(region),
      })
    : planVerify({ side: "destination", policy: input.policy, region, snapshots, dbClusters });
}
