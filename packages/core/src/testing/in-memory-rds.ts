import { SimRoles, type SimRoleInit } from "./sim-roles.js";
import type { PutEventsRequest } from "@aws-sdk/client-eventbridge";
import {
  EventedSimStore,
  SimEvents,
  type SimBusEvent,
  type SimBusEventFilter,
  type SimEventBusInit,
  type SimEventBusRecord,
  type SimRdsEvent,
} from "./sim-events.js";
import { FaultInjector } from "./sim-faults.js";
import { SimulatedRetryStrategy, type SimulatedRetryOptions } from "./sim-retry.js";
import {
  clusterArn,
  deterministicUuid,
  durationMs,
  isAccountId,
  operationName,
  parseRdsArn,
  placeKey,
  snapshotArn,
  snapshotIdentifierProblem,
} from "./sim-names.js";
import type {
  SimInstanceFilter,
  SimInstanceInit,
  SimInstanceRecord,
  SimSubnetGroupInit,
} from "./sim-instance-types.js";
import { runOperation } from "./sim-operations.js";
import {
  forceDeletionProtection,
  forceInstanceStatus,
  listInstances,
  seedInstance,
} from "./sim-restore.js";
import { clusterRecord, defaultEngineVersion, snapshotRecord } from "./sim-state.js";
import type { ClusterState, SnapshotState } from "./sim-state.js";
import { byArn, type SimStore } from "./sim-store.js";
import type {
  FailOnOptions,
  InMemoryRdsOptions,
  SimCall,
  SimClusterInit,
  SimClusterRecord,
  SimCopyRequest,
  SimDuration,
  SimKeyInit,
  SimKeyRecord,
  SimMiddleware,
  SimMiddlewareStack,
  SimPlace,
  SimPluggable,
  SimRef,
  SimSnapshotInit,
  SimSnapshotRecord,
  ThrottleOptions,
} from "./sim-types.js";

const DEFAULT_START = new Date("2026-01-01T00:00:00.000Z");

/*
 * Copy durations. Aurora snapshot copies are full copies, not incremental (Aurora
 * USER_CopySnapshot), so they take as long as the data takes to move: a cross-region copy of a
 * modest cluster is well past one 5-minute Lambda run. These defaults are a small cluster's;
 * scenarios about large fleets pass copyDuration (by size, or seededCopyMinutes).
 */
const DEFAULT_COPY_MINUTES = 10;
const DEFAULT_CROSS_REGION_MINUTES = 60;

/**
 * Copy durations drawn from a seeded log-normal-like spread around a median (minutes), so a
 * simulated fleet's copies finish at different times, the same ones on every run.
 */
export function seededCopyMinutes(
  seed: number,
  median: { sameRegion: number; crossRegion: number },
): (copy: SimCopyRequest) => number {
  let state = seed >>> 0 || 1;
  const next = (): number => {
    // xorshift32: tiny, deterministic, good enough for spreading durations.
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4_294_967_296;
  };
  return (copy) => {
    const base = copy.crossRegion ? median.crossRegion : median.sameRegion;
    // Between a third and three times the median, skewed long as transfers are.
    const factor = Math.exp((next() * 2 - 1) * Math.log(3));
    return Math.max(1, Math.round(base * factor));
  };
}
const MINUTE = 60_000;

type Input = Readonly<Record<string, unknown>>;

/**
 * An in-memory Amazon RDS (cluster snapshots), KMS (DescribeKey), STS (GetCallerIdentity) and
 * EventBridge (PutEvents) for tests, the demo and benchmarks. It plugs into real SDK v3 clients as
 * a middleware that answers every command itself, so the production gateway, the SDK paginators and
 * `instanceof` checks on errors all run unchanged:
 *
 * ```ts
 * const sim = new InMemoryRds();
 * sim.addCluster({ account: "111111111111", region: "eu-west-1", id: "orders" });
 * const rds = new RDSClient({ region: "eu-west-1", credentials: { accessKeyId: "x", secretAccessKey: "y" } });
 * rds.middlewareStack.use(sim.plugin("111111111111", "eu-west-1"));
 * ```
 *
 * Time is simulated (`advance`, `setNow`): `creating` and `copying` snapshots become `available`
 * when the clock passes their ready time. Everything is deterministic: no real timers, and
 * injected throttling uses a seeded PRNG.
 */
export class InMemoryRds {
  private readonly store: SimStore;
  /** Event buses, what was put on them, and the events RDS emitted (sim-events.ts). */
  private readonly bus = new SimEvents();
  /** IAM roles the in-memory STS lets callers assume (sim-roles.ts). */
  private readonly roles = new SimRoles();
  private readonly faults = new FaultInjector();
  private callLog: SimCall[] = [];
  private callSeq = 0;

  constructor(options: InMemoryRdsOptions = {}) {
    const copyMinutes = options.copyMinutes ?? DEFAULT_COPY_MINUTES;
    const crossRegionCopyMinutes = options.crossRegionCopyMinutes ?? DEFAULT_CROSS_REGION_MINUTES;
    this.store = new EventedSimStore(
      {
        manualSnapshotQuota: options.manualSnapshotQuota ?? 100,
        copiesInFlightLimit: options.copiesInFlightLimit ?? 5,
        copiesRunningAtOnce: options.copiesRunningAtOnce ?? options.copiesInFlightLimit ?? 5,
        copyStartMinutes: options.copyStartMinutes ?? 1,
        copyCreateTime: options.copyCreateTime ?? "source",
        copyDuration:
          options.copyDuration ?? ((c) => (c.crossRegion ? crossRegionCopyMinutes : copyMinutes)),
        createMinutes: options.createMinutes ?? 10,
        copyMinutes,
        crossRegionCopyMinutes,
        allowSharedCrossRegionCopy: options.allowSharedCrossRegionCopy ?? true,
        restoreMinutes: options.restoreMinutes ?? 30,
        instanceCreateMinutes: options.instanceCreateMinutes ?? 10,
        instanceDeleteMinutes: options.instanceDeleteMinutes ?? 5,
        clusterDeleteMinutes: options.clusterDeleteMinutes ?? 5,
      },
      options.now ?? DEFAULT_START,
      this.bus,
    );
  }

  // ---------------------------------------------------------------- clock

  now(): Date {
    return this.store.now();
  }

  /** Moves the clock forward and completes whatever finished meanwhile; returns the new time. */
  advance(by: SimDuration): Date {
    const ms = durationMs(by);
    if (!(ms >= 0)) throw new RangeError(`advance() needs a non-negative duration, got ${ms}`);
    this.store.clock = new Date(this.store.clock.getTime() + ms);
    this.store.settle();
    return this.store.now();
  }

  /** Sets the clock (never backwards) and completes whatever finished meanwhile. */
  setNow(date: Date): void {
    if (date.getTime() < this.store.clock.getTime()) {
      throw new RangeError("setNow() cannot move the clock backwards");
    }
    this.store.clock = new Date(date);
    this.store.settle();
  }

  // ---------------------------------------------------------------- seeding

  /** Adds a cluster (default: aurora-postgresql, available, unencrypted) and returns its record. */
  addCluster(init: SimClusterInit): SimClusterRecord {
    assertPlace(init);
    const id = init.id.toLowerCase();
    const clusters = this.store.clustersAt(init);
    if (clusters.has(id))
      throw new Error(`cluster ${id} already exists in ${placeKey(init.account, init.region)}`);
    const encrypted = init.encrypted ?? init.kmsKeyId !== undefined;
    const engine = init.engine ?? "aurora-postgresql";
    const cluster: ClusterState = {
      account: init.account,
      region: init.region,
      id,
      arn: clusterArn(init.account, init.region, id),
      engine,
      engineVersion: init.engineVersion ?? defaultEngineVersion(engine),
      status: init.status ?? "available",
      encrypted,
      ...(encrypted && { kmsKeyId: this.seedKeyArn(init, init.kmsKeyId) }),
      tags: { ...init.tags },
      createTime: new Date(init.createTime ?? this.store.clock),
      resourceId: clusterResourceId(init.account, init.region, id),
    };
    clusters.set(id, cluster);
    return clusterRecord(cluster);
  }

  /** E.g. `stopped`: CreateDBClusterSnapshot then fails with InvalidDBClusterStateFault. */
  setClusterStatus(ref: SimRef, status: string): void {
    this.seededCluster(ref).status = status;
  }

  /** Deletes a cluster; its snapshots stay, as in AWS. */
  removeCluster(ref: SimRef): void {
    this.seededCluster(ref);
    this.store.clustersAt(ref).delete(ref.id.toLowerCase());
  }

  /** Adds a snapshot of any type and state, as if made earlier (see SimSnapshotInit for defaults). */
  addSnapshot(init: SimSnapshotInit): SimSnapshotRecord {
    assertPlace(init);
    const id = init.id.toLowerCase();
    const type = init.type ?? "manual";
    if (type === "automated" && !id.startsWith("rds:")) {
      throw new Error(`automated snapshot ids start with "rds:": ${init.id}`);
    }
    if (type === "awsbackup" && !id.startsWith("awsbackup:")) {
      throw new Error(`AWS Backup snapshot ids start with "awsbackup:": ${init.id}`);
    }
    const problem = type === "manual" ? snapshotIdentifierProblem(init.id) : undefined;
    if (problem) throw new Error(`snapshot id ${init.id} ${problem}`);
    if (this.store.snapshotsAt(init).has(id)) {
      throw new Error(`snapshot ${id} already exists in ${placeKey(init.account, init.region)}`);
    }
    if (type !== "manual" && (init.sharedWith?.length ?? 0) > 0) {
      throw new Error("only manual snapshots can be shared");
    }
    const cluster = this.store.clustersAt(init).get(init.clusterId.toLowerCase());
    const engine = init.engine ?? cluster?.engine ?? "aurora-postgresql";
    const encrypted =
      init.encrypted ?? (init.kmsKeyId !== undefined || (cluster?.encrypted ?? false));
    const kmsKeyId = !encrypted
      ? undefined
      : init.kmsKeyId === undefined && cluster?.kmsKeyId !== undefined
        ? cluster.kmsKeyId
        : this.seedKeyArn(init, init.kmsKeyId);
    const status = init.status ?? "available";
    const transitional = status === "creating" || status === "copying";
    const minutes =
      status === "creating" ? this.store.settings.createMinutes : this.store.settings.copyMinutes;
    const snap: SnapshotState = {
      account: init.account,
      region: init.region,
      id,
      arn: snapshotArn(init.account, init.region, id),
      clusterId: init.clusterId.toLowerCase(),
      engine,
      engineVersion: cluster?.engineVersion ?? defaultEngineVersion(engine),
      type,
      status,
      percentProgress: status === "available" ? 100 : 0,
      createTime: new Date(init.createTime ?? this.store.clock),
      ...(transitional && {
        startedAt: this.store.now(),
        readyAt: new Date(init.readyAt ?? this.store.clock.getTime() + minutes * MINUTE),
      }),
      // A seeded queued copy: settle() starts it in turn, as one CopyDBClusterSnapshot made now.
      ...(status === "pending" && {
        queuedAt: this.store.now(),
        durationMs: this.seededCopyMinutes(init) * MINUTE,
      }),
      encrypted,
      ...(kmsKeyId !== undefined && { kmsKeyId }),
      tags: { ...init.tags },
      sharedWith: (init.sharedWith ?? []).map((a) => a.toLowerCase()),
      ...(init.sourceArn !== undefined && { sourceArn: init.sourceArn }),
    };
    this.store.insertSnapshot(snap);
    this.store.settle();
    return snapshotRecord(snap);
  }

  /**
   * An automated snapshot of a cluster, as RDS's backup window leaves one: named
   * `rds:CLUSTER-YYYY-MM-DD-HH-MM` after its create time (default now), `available` (default) or
   * still `creating`. It can be copied (into a manual snapshot) once available, like any other.
   */
  addAutomatedSnapshot(
    init: SimPlace & {
      readonly clusterId: string;
      readonly createTime?: Date;
      readonly status?: "available" | "creating";
      readonly readyAt?: Date;
    },
  ): SimSnapshotRecord {
    const at = new Date(init.createTime ?? this.store.clock);
    const stamp = at.toISOString().slice(0, 16).replace(/[T:]/g, "-");
    return this.addSnapshot({
      ...init,
      id: `rds:${init.clusterId.toLowerCase()}-${stamp}`,
      type: "automated",
      createTime: at,
    });
  }

  /** How long a seeded `pending` copy runs once started: copyDuration, as for a real copy. */
  private seededCopyMinutes(init: SimSnapshotInit): number {
    const source = init.sourceArn === undefined ? undefined : parseRdsArn(init.sourceArn);
    if (init.sourceArn === undefined || source === undefined)
      return this.store.settings.copyMinutes;
    return this.store.settings.copyDuration({
      sourceArn: init.sourceArn,
      clusterId: init.clusterId.toLowerCase(),
      crossRegion: source.region !== init.region,
      crossAccount: source.account !== init.account,
    });
  }

  /** Forces a snapshot's status (e.g. `failed`); any pending transition is dropped. */
  setSnapshotStatus(ref: SimRef, status: string): void {
    const snap = this.store.snapshotsAt(ref).get(ref.id.toLowerCase());
    if (!snap) throw new Error(`no snapshot ${ref.id} in ${placeKey(ref.account, ref.region)}`);
    this.store.endTransition(snap, status);
    if (status === "available") snap.percentProgress = 100;
  }

  /** Creates a KMS key and returns its ARN. */
  addKey(init: SimKeyInit): string {
    assertPlace(init);
    return this.store.kms.add(init).arn;
  }

  /** Disabling a key makes copies that need it fail with KMSKeyNotAccessibleFault. */
  setKeyEnabled(keyArn: string, enabled: boolean): void {
    const key = this.store.kms.byKeyArn(keyArn);
    if (!key) throw new Error(`no KMS key ${keyArn}`);
    key.enabled = enabled;
  }

  /** Adds a DB instance to an existing cluster (default `db.serverless`, available). */
  addInstance(init: SimInstanceInit): SimInstanceRecord {
    assertPlace(init);
    return seedInstance(this.store, init);
  }

  /** E.g. `failed` or `incompatible-restore`: a restore check that never comes up. */
  setInstanceStatus(ref: SimRef, status: string): void {
    forceInstanceStatus(this.store, ref, status);
  }

  /** DeletionProtection of a cluster: DeleteDBCluster then fails (its instances can still go). */
  setDeletionProtection(ref: SimRef, enabled: boolean): void {
    forceDeletionProtection(this.store, ref, enabled);
  }

  /** A DB subnet group RestoreDBClusterFromSnapshot may name (`default` always exists). */
  addSubnetGroup(init: SimSubnetGroupInit): void {
    assertPlace(init);
    this.store.dbResources.addSubnetGroup(init, init.name);
  }

  // ---------------------------------------------------------------- inspection

  /** Copies of the DB instances (every state), sorted by ARN. */
  instances(filter: SimInstanceFilter = {}): SimInstanceRecord[] {
    return listInstances(this.store, filter);
  }

  /** Copies of the clusters, sorted by ARN. */
  clusters(filter: Partial<SimPlace> = {}): SimClusterRecord[] {
    return [...this.store.clusterMap.values()]
      .flatMap((m) => [...m.values()])
      .filter((c) => matchesPlace(c, filter))
      .sort(byArn)
      .map(clusterRecord);
  }

  /** Copies of the snapshots (every type and state), sorted by ARN. */
  snapshots(filter: Partial<SimPlace> & { readonly type?: string } = {}): SimSnapshotRecord[] {
    return [...this.store.snapshotMap.values()]
      .flatMap((m) => [...m.values()])
      .filter(
        (s) => matchesPlace(s, filter) && (filter.type === undefined || s.type === filter.type),
      )
      .sort(byArn)
      .map(snapshotRecord);
  }

  /** One snapshot by account, region and id (case-insensitive). */
  snapshot(ref: SimRef): SimSnapshotRecord | undefined {
    const snap = this.store.snapshotsAt(ref).get(ref.id.toLowerCase());
    return snap && snapshotRecord(snap);
  }

  /** The KMS keys, including the `aws/rds` keys created so far. */
  keys(filter: Partial<SimPlace> = {}): SimKeyRecord[] {
    return this.store.kms
      .list()
      .filter((k) => matchesPlace(k, filter))
      .sort(byArn)
      .map((k) => this.store.kms.record(k));
  }

  /**
   * Creates an EventBridge event bus (`default` gives the account's default bus a policy) and
   * returns its ARN. `allowAccounts` are the accounts its resource policy lets call PutEvents on
   * it; anyone else of another account is refused with AccessDeniedException.
   */
  addEventBus(init: SimEventBusInit): string {
    assertPlace(init);
    return this.bus.addBus(init).arn;
  }

  /** The event buses created with addEventBus. */
  eventBuses(): SimEventBusRecord[] {
    return this.bus.listBuses();
  }

  /** The events PutEvents put on buses (every sender, every bus), oldest first. */
  events(filter: SimBusEventFilter = {}): SimBusEvent[] {
    return this.bus.events(filter);
  }

  /**
   * The cluster-snapshot events RDS emitted, in time order: RDS-EVENT-0074 when a manual snapshot
   * starts, RDS-EVENT-0075 when it becomes available (none for copies: RDS has no such event).
   * `sinceMs`: only those after that epoch ms (strictly).
   */
  rdsEvents(sinceMs?: number): SimRdsEvent[] {
    return this.bus.rdsEvents(sinceMs);
  }

  /** Every call answered or refused so far, oldest first. */
  get calls(): readonly SimCall[] {
    return this.callLog;
  }

  /** Number of calls per operation (e.g. `{ DescribeDBClusterSnapshots: 3 }`). */
  callCounts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const call of this.callLog) counts[call.operation] = (counts[call.operation] ?? 0) + 1;
    return counts;
  }

  resetCalls(): void {
    this.callLog = [];
  }

  /**
   * Adds an IAM role that STS AssumeRole (called as an account in `trustedAccounts`) answers with
   * credentials acting in `account`; returns its ARN. Any other AssumeRole is AccessDenied.
   */
  addRole(init: SimRoleInit): string {
    assertPlace({ account: init.account, region: "us-east-1" });
    return this.roles.add(init);
  }

  // ---------------------------------------------------------------- faults

  /** Fails a seeded-random fraction of calls with `Throttling`; replaces any earlier setting. */
  throttle(options: ThrottleOptions): void {
    this.faults.throttle(options);
  }

  /** Fails matching calls with the named error (`times` times, default every time). */
  failOn(options: FailOnOptions): void {
    this.faults.failOn(options);
  }

  /** Drops throttling and every `failOn` rule. */
  clearFaults(): void {
    this.faults.clear();
  }

  // ---------------------------------------------------------------- plugging in

  /**
   * An SDK v3 plugin answering every command of the client it is added to (RDSClient, KMSClient,
   * STSClient or EventBridgeClient) as `account` in `region`, without any network I/O. It sits
   * where the HTTP transport would: in the `finalizeRequest` step after the SDK's retry and signing
   * middleware, so the request is serialized and signed, and a throttled or failed call
   * (`throttle`, `failOn`) is retried by the SDK's own retry strategy (3 attempts, with its
   * back-off) before the tool's retries see it, as on AWS. Each attempt is one entry in `calls`.
   * The answer carries a `Date` header from the simulated clock.
   */
  plugin(account: string, region: string): SimPluggable {
    assertPlace({ account, region });
    const middleware: SimMiddleware = (_next, context) => async (args) => {
      const output = await this.request(
        { account, region },
        context.commandName ?? "",
        args.input as Input,
      );
      return {
        output,
        response: { statusCode: 200, headers: { date: this.store.now().toUTCString() } },
      };
    };
    return {
      applyToStack: (stack: SimMiddlewareStack) =>
        stack.add(middleware, {
          step: "finalizeRequest",
          name: "inMemoryRds",
          priority: "low",
          override: true,
        }),
    };
  }

  /**
   * A `retryStrategy` for clients that use this simulator: the SDK's standard retries, waiting on
   * the simulated clock (see SimulatedRetryStrategy).
   */
  retryStrategy(options: SimulatedRetryOptions = {}): SimulatedRetryStrategy {
    return new SimulatedRetryStrategy((ms) => {
      if (ms > 0) this.advance(ms);
    }, options);
  }

  /**
   * Runs one operation as `place` (what the plugin does for each command). `operation` may carry
   * the `Command` suffix. Resolves to the SDK output shape, `$metadata` included.
   */
  request(place: SimPlace, operation: string, input: Input = {}): Promise<Record<string, unknown>> {
    const op = operationName(operation);
    this.callSeq += 1;
    const call: SimCall = {
      seq: this.callSeq,
      at: this.store.now(),
      account: place.account,
      region: place.region,
      operation: op,
      input: { ...input },
    };
    try {
      const injected = this.faults.check(op, input, place.account);
      if (injected) throw injected;
      const output = this.route(place, op, input);
      this.callLog.push(call);
      return Promise.resolve({
        ...output,
        $metadata: {
          httpStatusCode: 200,
          requestId: `in-memory-rds-${call.seq}`,
          attempts: 1,
          totalRetryDelay: 0,
        },
      });
    } catch (error) {
      this.callLog.push({ ...call, error: error instanceof Error ? error.name : String(error) });
      return Promise.reject(error);
    }
  }

  /**
   * Which service answers: EventBridge's PutEvents (the JSON 1.1 target `AWSEvents.PutEvents`, a
   * name no RDS, KMS or STS operation has) goes to the event buses, the rest to RDS, KMS and STS.
   */
  private route(place: SimPlace, op: string, input: Input): object {
    if (op === "AssumeRole") return this.roles.assume(place, input, this.store.now());
    if (op === "PutEvents") {
      return this.bus.putEvents(place, input as Partial<PutEventsRequest>, this.store.now());
    }
    return runOperation(this.store, place, op, input);
  }

  private seededCluster(ref: SimRef): ClusterState {
    const cluster = this.store.clustersAt(ref).get(ref.id.toLowerCase());
    if (!cluster) throw new Error(`no cluster ${ref.id} in ${placeKey(ref.account, ref.region)}`);
    return cluster;
  }

  private seedKeyArn(place: SimPlace, ref: string | undefined): string {
    if (ref === undefined) return this.store.kms.defaultRdsKey(place.account, place.region).arn;
    const key = this.store.kms.resolve(ref, place.account, place.region);
    if (!key) throw new Error(`no KMS key ${ref} in ${placeKey(place.account, place.region)}`);
    return key.arn;
  }
}

function assertPlace(place: SimPlace): void {
  if (!isAccountId(place.account))
    throw new Error(`account must be 12 digits, got "${place.account}"`);
  if (place.region === "") throw new Error("region must not be empty");
}

/** DbClusterResourceId look-alike (`cluster-` and 26 characters), stable across runs. */
function clusterResourceId(account: string, region: string, id: string): string {
  const hex = deterministicUuid(`${account}:${region}:${id}`).replace(/-/g, "");
  return `cluster-${hex.slice(0, 26).toUpperCase()}`;
}

function matchesPlace(item: SimPlace, filter: Partial<SimPlace>): boolean {
  return (
    (filter.account === undefined || item.account === filter.account) &&
    (filter.region === undefined || item.region === filter.region)
  );
}
