/**
 * Events in the in-memory RDS: EventBridge PutEvents onto event buses (with the bus policy's
 * cross-account check), and the cluster-snapshot events RDS itself emits.
 *
 * EventBridge (API_PutEvents, eb-event-bus-perms): a call takes 1 to 10 entries and less than
 * 256 KB; each entry names its bus by name (the caller's own, in the caller's region) or by ARN,
 * which may be a bus in another account whose resource policy admits the caller; no EventBusName
 * means the caller's `default` bus. A bus that does not exist is ResourceNotFoundException, a bus
 * of another account that does not admit the caller AccessDeniedException (both for the whole
 * call, so nothing of it is recorded). Entry-level refusals are answered in `Entries` with
 * FailedEntryCount, as EventBridge does: a missing Source, DetailType or Detail
 * (InvalidArgument), a Detail that is not a JSON object (MalformedDetail), a Source starting with
 * `aws.` (NotAuthorizedForSourceException: AWS's own sources are reserved).
 *
 * RDS (USER_Events.Messages, "DB cluster snapshot events"): RDS-EVENT-0074 "Creating manual
 * cluster snapshot." when CreateDBClusterSnapshot starts one, RDS-EVENT-0075 "Manual cluster
 * snapshot created." when it becomes available, both in the `backup` category. A copy
 * (CopyDBClusterSnapshot) emits neither and RDS has no event for a finished copy, so there is none
 * here either.
 */
import type {
  PutEventsRequest,
  PutEventsRequestEntry,
  PutEventsResponse,
  PutEventsResultEntry,
} from "@aws-sdk/client-eventbridge";
import { parseArn } from "../model/snapshot.js";
import { simError } from "./sim-errors.js";
import { deterministicUuid, isAccountId } from "./sim-names.js";
import type { SnapshotState } from "./sim-state.js";
import { SimStore, type SimSettings } from "./sim-store.js";
import type { SimPlace } from "./sim-types.js";

/** PutEvents: entries a call. */
const MAX_ENTRIES = 10;
/** PutEvents: a call's entries together must stay below this (eb-putevents size calculation). */
const MAX_REQUEST_BYTES = 256 * 1024;

/** An event bus to create: `default` stands for the account's default bus (to give it a policy). */
export interface SimEventBusInit extends SimPlace {
  readonly name: string;
  /**
   * Other accounts the bus's resource policy lets call PutEvents on it. Default none: only the
   * bus's own account, as on AWS.
   */
  readonly allowAccounts?: readonly string[];
}

export interface SimEventBusRecord extends SimPlace {
  readonly name: string;
  readonly arn: string;
  readonly allowAccounts: readonly string[];
}

/** One event a PutEvents call put on a bus. */
export interface SimBusEvent {
  /** 1, 2, 3... in the order the events were accepted. */
  readonly seq: number;
  readonly eventId: string;
  /** Simulated time of the PutEvents call. */
  readonly at: Date;
  /** The account that sent it. */
  readonly account: string;
  /** The region of the endpoint it was sent to (the bus's region). */
  readonly region: string;
  readonly busArn: string;
  readonly source: string;
  readonly detailType: string;
  /** The entry's Detail, parsed. */
  readonly detail: Readonly<Record<string, unknown>>;
  readonly resources: readonly string[];
  /** The event's time: the entry's Time, else `at`. */
  readonly time: Date;
}

export interface SimBusEventFilter {
  readonly busArn?: string;
  /** The sending account. */
  readonly account?: string;
  readonly detailType?: string;
  /**
   * Only events sent after this epoch ms (strictly), so polling with the previous poll's time sees
   * each event once.
   */
  readonly sinceMs?: number;
}

export type SimRdsEventId = "RDS-EVENT-0074" | "RDS-EVENT-0075";

/** One event RDS emitted, as the fields of its `RDS DB Cluster Snapshot Event` detail. */
export interface SimRdsEvent {
  /** 1, 2, 3... in the order they were emitted. */
  readonly seq: number;
  /** When it happened on the simulated clock (for 0075: when the snapshot became available). */
  readonly at: Date;
  readonly account: string;
  readonly region: string;
  readonly eventId: SimRdsEventId;
  readonly sourceType: "CLUSTER_SNAPSHOT";
  readonly sourceArn: string;
  /** The snapshot identifier. */
  readonly sourceIdentifier: string;
  readonly categories: readonly string[];
  readonly message: string;
}

const RDS_MESSAGES: Readonly<Record<SimRdsEventId, string>> = {
  "RDS-EVENT-0074": "Creating manual cluster snapshot.",
  "RDS-EVENT-0075": "Manual cluster snapshot created.",
};

const busArn = (account: string, region: string, name: string): string =>
  `arn:aws:events:${region}:${account}:event-bus/${name}`;

const busKey = (account: string, region: string, name: string): string =>
  `${account}|${region}|${name}`;

interface BusState {
  readonly account: string;
  readonly region: string;
  readonly name: string;
  readonly allowAccounts: readonly string[];
}

/** The event buses, the events put on them, and the events RDS emitted. */
export class SimEvents {
  private readonly buses = new Map<string, BusState>();
  private readonly busEvents: SimBusEvent[] = [];
  private readonly rds: SimRdsEvent[] = [];
  private busSeq = 0;
  private rdsSeq = 0;

  addBus(init: SimEventBusInit): SimEventBusRecord {
    if (!/^[A-Za-z0-9._-]{1,256}$/.test(init.name)) {
      throw new Error(`event bus name must be 1-256 of A-Z a-z 0-9 . _ -, got "${init.name}"`);
    }
    const bad = (init.allowAccounts ?? []).find((a) => !isAccountId(a));
    if (bad !== undefined) throw new Error(`allowAccounts must be 12-digit ids, got "${bad}"`);
    const key = busKey(init.account, init.region, init.name);
    if (this.buses.has(key) && init.name !== "default") {
      throw new Error(`event bus ${init.name} already exists in ${init.account} ${init.region}`);
    }
    const bus: BusState = {
      account: init.account,
      region: init.region,
      name: init.name,
      allowAccounts: [...(init.allowAccounts ?? [])],
    };
    this.buses.set(key, bus);
    return busRecord(bus);
  }

  listBuses(): SimEventBusRecord[] {
    return [...this.buses.values()].map(busRecord);
  }

  events(filter: SimBusEventFilter = {}): SimBusEvent[] {
    return this.busEvents.filter(
      (e) =>
        (filter.busArn === undefined || e.busArn === filter.busArn) &&
        (filter.account === undefined || e.account === filter.account) &&
        (filter.detailType === undefined || e.detailType === filter.detailType) &&
        (filter.sinceMs === undefined || e.at.getTime() > filter.sinceMs),
    );
  }

  rdsEvents(sinceMs?: number): SimRdsEvent[] {
    return this.rds
      .filter((e) => sinceMs === undefined || e.at.getTime() > sinceMs)
      .sort((a, b) => a.at.getTime() - b.at.getTime() || a.seq - b.seq);
  }

  emitRds(eventId: SimRdsEventId, snap: SnapshotState, at: Date): void {
    this.rdsSeq += 1;
    this.rds.push({
      seq: this.rdsSeq,
      at: new Date(at),
      account: snap.account,
      region: snap.region,
      eventId,
      sourceType: "CLUSTER_SNAPSHOT",
      sourceArn: snap.arn,
      sourceIdentifier: snap.id,
      categories: ["backup"],
      message: RDS_MESSAGES[eventId],
    });
  }

  /** PutEvents as `place` (the sender's account and the endpoint's region), at `now`. */
  putEvents(place: SimPlace, input: Partial<PutEventsRequest>, now: Date): PutEventsResponse {
    const entries = input.Entries ?? [];
    if (entries.length < 1 || entries.length > MAX_ENTRIES) {
      throw simError(
        "ValidationException",
        `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length between 1 and ${MAX_ENTRIES}`,
      );
    }
    if (entries.reduce((n, e) => n + entrySize(e), 0) >= MAX_REQUEST_BYTES) {
      throw simError(
        "ValidationException",
        "Total size of the entries in the request is over the limit.",
      );
    }
    // The call is authorised as a whole: one refused bus refuses every entry.
    const buses = entries.map((e) => this.busFor(place, e.EventBusName));
    const results: PutEventsResultEntry[] = entries.map((entry, i) => {
      const problem = entryProblem(entry);
      if (problem) return problem;
      const bus = buses[i] as BusState;
      this.busSeq += 1;
      const eventId = deterministicUuid(`event:${this.busSeq}`);
      this.busEvents.push({
        seq: this.busSeq,
        eventId,
        at: new Date(now),
        account: place.account,
        region: place.region,
        busArn: busArn(bus.account, bus.region, bus.name),
        source: entry.Source ?? "",
        detailType: entry.DetailType ?? "",
        detail: JSON.parse(entry.Detail ?? "{}") as Record<string, unknown>,
        resources: [...(entry.Resources ?? [])],
        time: new Date(entry.Time ?? now),
      });
      return { EventId: eventId };
    });
    return {
      FailedEntryCount: results.filter((r) => r.ErrorCode !== undefined).length,
      Entries: results,
    };
  }

  private busFor(place: SimPlace, ref: string | undefined): BusState {
    let account = place.account;
    let region = place.region;
    let name = ref === undefined || ref === "" ? "default" : ref;
    if (name.startsWith("arn:")) {
      const arn = parseArn(name);
      if (!arn || arn.service !== "events" || arn.resourceType !== "event-bus" || !arn.resource) {
        throw simError("ValidationException", `Parameter EventBusName is not valid: ${name}`);
      }
      // EventBridge answers a call about a bus of another region so ("Cross-region API call is
      // not allowed.", seen for PutRule and PutTargets); the client must be in the bus's region.
      if (arn.region !== place.region) {
        throw simError("ValidationException", "Cross-region API call is not allowed.");
      }
      account = arn.account;
      region = arn.region;
      name = arn.resource;
    }
    const arn = busArn(account, region, name);
    const bus =
      this.buses.get(busKey(account, region, name)) ??
      // Every account has a default bus in every region; its policy admits only the account.
      (name === "default" ? { account, region, name, allowAccounts: [] } : undefined);
    if (!bus) throw simError("ResourceNotFoundException", `Event bus ${name} does not exist.`);
    if (bus.account !== place.account && !bus.allowAccounts.includes(place.account)) {
      throw simError(
        "AccessDeniedException",
        `User: arn:aws:sts::${place.account}:assumed-role/in-memory/session is not authorized to perform: events:PutEvents on resource: ${arn} because no resource-based policy allows the events:PutEvents action`,
      );
    }
    return bus;
  }
}

function busRecord(bus: BusState): SimEventBusRecord {
  return {
    account: bus.account,
    region: bus.region,
    name: bus.name,
    arn: busArn(bus.account, bus.region, bus.name),
    allowAccounts: [...bus.allowAccounts],
  };
}

/** 14 bytes for a Time, plus the UTF-8 bytes of Source, DetailType, Detail and Resources. */
function entrySize(entry: PutEventsRequestEntry): number {
  const bytes = (text: string | undefined): number =>
    text === undefined ? 0 : Buffer.byteLength(text, "utf8");
  return (
    (entry.Time === undefined ? 0 : 14) +
    bytes(entry.Source) +
    bytes(entry.DetailType) +
    bytes(entry.Detail) +
    (entry.Resources ?? []).reduce((n, r) => n + bytes(r), 0)
  );
}

function entryProblem(entry: PutEventsRequestEntry): PutEventsResultEntry | undefined {
  const invalid = (field: string): PutEventsResultEntry => ({
    ErrorCode: "InvalidArgument",
    ErrorMessage: `Parameter ${field} is not valid. Reason: ${field} is a required argument.`,
  });
  if (!entry.Source) return invalid("Source");
  if (!entry.DetailType) return invalid("DetailType");
  if (!entry.Detail) return invalid("Detail");
  let detail: unknown;
  try {
    detail = JSON.parse(entry.Detail);
  } catch {
    detail = undefined;
  }
  if (typeof detail !== "object" || detail === null || Array.isArray(detail)) {
    return { ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed." };
  }
  if (entry.Source.startsWith("aws.")) {
    return {
      ErrorCode: "NotAuthorizedForSourceException",
      ErrorMessage: `Not authorized for the source ${entry.Source}.`,
    };
  }
  return undefined;
}

/**
 * The simulator's store, emitting RDS's cluster-snapshot events: 0074 when a manual snapshot
 * starts `creating`, 0075 when it turns `available` (at its ready time, or now if forced earlier).
 * Copies (a source ARN) and AWS Backup or automated snapshots emit nothing.
 */
export class EventedSimStore extends SimStore {
  constructor(
    settings: SimSettings,
    now: Date,
    private readonly events: SimEvents,
  ) {
    super(settings, now);
  }

  override insertSnapshot(snap: SnapshotState): void {
    super.insertSnapshot(snap);
    if (snap.status === "creating" && isTakenManually(snap)) {
      this.events.emitRds("RDS-EVENT-0074", snap, snap.startedAt ?? this.now());
    }
  }

  override endTransition(snap: SnapshotState, status: string): void {
    const created = status === "available" && snap.status === "creating" && isTakenManually(snap);
    const now = this.clock.getTime();
    const at = Math.min(snap.readyAt?.getTime() ?? now, now);
    super.endTransition(snap, status);
    if (created) this.events.emitRds("RDS-EVENT-0075", snap, new Date(at));
  }
}

/** A manual snapshot taken of a cluster (CreateDBClusterSnapshot), not a copy. */
function isTakenManually(snap: SnapshotState): boolean {
  return snap.type === "manual" && snap.sourceArn === undefined;
}
