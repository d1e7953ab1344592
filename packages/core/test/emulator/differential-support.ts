/**
 * The machinery of the differential test (differential.test.ts): the same call sequence, through
 * real SDK v3 clients, against the in-memory RDS (`InMemoryRds` via its plugin) and against
 * moto_server; each step's outcome and the fields the tool reads, normalised; and the difference
 * between the two sides, field by field.
 */
import { CreateAliasCommand, CreateKeyCommand, DescribeKeyCommand } from "@aws-sdk/client-kms";
import { KMSClient } from "@aws-sdk/client-kms";
import { CreateDBClusterCommand, RDSClient, StopDBClusterCommand } from "@aws-sdk/client-rds";
import type { DBClusterSnapshot } from "@aws-sdk/client-rds";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import type { MotoServer } from "@aurora-snapshot-tool/test-support";

import type { ClientPlugin } from "../../src/aws/index.js";
import { InMemoryRds } from "../../src/testing/index.js";
import { LOOPBACK_ONLY } from "./emulator.js";

export type Side = "model" | "moto";

/** Where both sides' clocks start; the model's default start, and moto is set to it. */
export const T0 = new Date("2026-01-01T00:00:00Z");
/** How far `settle()` moves both clocks: long past any creating or copying the model simulates. */
export const SETTLE_HOURS = 24;
const HOUR_MS = 3_600_000;

export interface Clients {
  readonly rds: RDSClient;
  readonly kms: KMSClient;
  readonly sts: STSClient;
}

/** A cluster to set up; `key` names a key from `aKey`, or `aws/rds` for the AWS-managed key. */
export interface ClusterSeed {
  readonly account: string;
  readonly region: string;
  readonly id: string;
  readonly key?: string;
}

/** A customer managed key to set up under `name` (also its alias), usable by `usableBy`. */
export interface KeySeed {
  readonly account: string;
  readonly region: string;
  readonly name: string;
  readonly usableBy?: readonly string[];
}

/**
 * One side of the comparison. The clients are what steps call; the seeding methods are for set-up
 * only (the model has no CreateDBCluster or CreateKey, so each side is seeded its own way and set-up
 * is kept out of the comparison).
 */
export interface Backend {
  readonly side: Side;
  clients(account: string, region: string): Clients;
  aCluster(seed: ClusterSeed): Promise<void>;
  /** Returns the key's ARN. */
  aKey(seed: KeySeed): Promise<string>;
  stopCluster(account: string, region: string, id: string): Promise<void>;
  /** Moves the clock SETTLE_HOURS on: the model finishes what it is creating or copying. */
  settle(): Promise<void>;
  /** `key:<name>` for a key ARN or id this side knows, else the value itself. */
  keyName(ref: string): string;
  destroy(): void;
}

const CREDENTIALS = { accessKeyId: "testing", secretAccessKey: "testing" };

interface ClientConfig {
  readonly region: string;
  readonly endpoint?: string;
  readonly credentials: {
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly sessionToken?: string;
  };
}

/** One account's RDS, KMS and STS clients in one region, each with `plugins` on its stack. */
function clientsWith(config: ClientConfig, plugins: readonly ClientPlugin[]): Clients {
  const settings = { ...config, maxAttempts: 1 };
  const clients = {
    rds: new RDSClient(settings),
    kms: new KMSClient(settings),
    sts: new STSClient(settings),
  };
  for (const plugin of plugins) {
    for (const client of [clients.rds, clients.kms, clients.sts])
      client.middlewareStack.use(plugin);
  }
  return clients;
}

/** The stamp moto's CreateDBCluster gives its automated snapshot (`rds:<cluster>-YYYY-MM-DD-HH-MM`). */
function automatedId(clusterId: string, at: Date): string {
  return `rds:${clusterId}-${at.toISOString().slice(0, 16).replace(/[T:]/g, "-")}`;
}

class Cache<V> {
  private readonly map = new Map<string, V>();
  get(key: string, make: () => V): V {
    let value = this.map.get(key);
    if (value === undefined) {
      value = make();
      this.map.set(key, value);
    }
    return value;
  }
  values(): V[] {
    return [...this.map.values()];
  }
}

// ------------------------------------------------------------------ the model

export function modelBackend(): Backend {
  const sim = new InMemoryRds({ now: T0 });
  const cache = new Cache<Clients>();
  const names = new Map<string, string>();
  const keyArns = new Map<string, string>();
  return {
    side: "model",
    clients: (account, region) =>
      cache.get(`${account}|${region}`, () =>
        clientsWith({ region, credentials: CREDENTIALS }, [sim.plugin(account, region)]),
      ),
    aCluster(seed) {
      const keyArn = seed.key === undefined ? undefined : keyArns.get(seed.key);
      sim.addCluster({
        account: seed.account,
        region: seed.region,
        id: seed.id,
        encrypted: seed.key !== undefined,
        ...(keyArn !== undefined && { kmsKeyId: keyArn }),
      });
      // moto's CreateDBCluster also takes an automated snapshot: seed its twin.
      sim.addSnapshot({
        account: seed.account,
        region: seed.region,
        id: automatedId(seed.id, sim.now()),
        clusterId: seed.id,
        type: "automated",
      });
      return Promise.resolve();
    },
    aKey(seed) {
      const arn = sim.addKey({
        account: seed.account,
        region: seed.region,
        alias: seed.name,
        ...(seed.usableBy !== undefined && { usableBy: seed.usableBy }),
      });
      keyArns.set(seed.name, arn);
      names.set(arn, seed.name);
      return Promise.resolve(arn);
    },
    stopCluster(account, region, id) {
      sim.setClusterStatus({ account, region, id }, "stopped");
      return Promise.resolve();
    },
    settle() {
      sim.advance({ hours: SETTLE_HOURS });
      return Promise.resolve();
    },
    keyName(ref) {
      const key = sim.keys().find((k) => k.arn === ref || k.keyId === ref);
      if (key === undefined) return ref;
      if (key.aliases.includes("alias/aws/rds")) return "key:aws/rds";
      return `key:${names.get(key.arn) ?? key.arn}`;
    },
    destroy() {
      for (const c of cache.values()) for (const client of Object.values(c)) client.destroy();
    },
  };
}

// ------------------------------------------------------------------ moto

/**
 * moto, reset and set to T0. `accounts[0]` is what plain credentials act in; every other account
 * is reached by STS AssumeRole on a role in it (moto maps the assumed credentials to that account).
 */
export async function motoBackend(
  moto: MotoServer,
  accounts: readonly [string, ...string[]],
): Promise<Backend> {
  await moto.reset();
  await moto.setClock(T0);
  let elapsedHours = 0;
  const [home, ...others] = accounts;
  const config = (region: string) => ({ region, endpoint: moto.endpoint });
  const credentials = new Map<string, ClientConfig["credentials"]>([[home, CREDENTIALS]]);
  const sts = clientsWith({ ...config("us-east-1"), credentials: CREDENTIALS }, [LOOPBACK_ONLY]);
  for (const account of others) {
    const out = await sts.sts.send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${account}:role/differential`,
        RoleSessionName: "differential",
      }),
    );
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error(`AssumeRole into ${account} failed`);
    credentials.set(account, {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      ...(c.SessionToken !== undefined && { sessionToken: c.SessionToken }),
    });
  }
  const cache = new Cache<Clients>();
  const clients = (account: string, region: string): Clients =>
    cache.get(`${account}|${region}`, () => {
      const creds = credentials.get(account);
      if (creds === undefined) throw new Error(`no moto credentials for account ${account}`);
      return clientsWith({ ...config(region), credentials: creds }, [LOOPBACK_ONLY]);
    });
  const names = new Map<string, string>();
  const keyArns = new Map<string, string>();

  return {
    side: "moto",
    clients,
    async aCluster(seed) {
      const keyArn = seed.key === undefined ? undefined : keyArns.get(seed.key);
      await clients(seed.account, seed.region).rds.send(
        new CreateDBClusterCommand({
          DBClusterIdentifier: seed.id,
          Engine: "aurora-postgresql",
          MasterUsername: "snapadmin",
          MasterUserPassword: "not-a-secret-1",
          // `aws/rds` as a user asks for it: StorageEncrypted without a KmsKeyId.
          ...(seed.key !== undefined && { StorageEncrypted: true }),
          ...(keyArn !== undefined && { KmsKeyId: keyArn }),
        }),
      );
    },
    async aKey(seed) {
      const { kms } = clients(seed.account, seed.region);
      const out = await kms.send(new CreateKeyCommand({ Description: seed.name }));
      const arn = out.KeyMetadata?.Arn;
      const keyId = out.KeyMetadata?.KeyId;
      if (arn === undefined || keyId === undefined) throw new Error("CreateKey returned no ARN");
      await kms.send(
        new CreateAliasCommand({ AliasName: `alias/${seed.name}`, TargetKeyId: keyId }),
      );
      keyArns.set(seed.name, arn);
      names.set(arn, seed.name);
      names.set(keyId, seed.name);
      return arn;
    },
    async stopCluster(account, region, id) {
      await clients(account, region).rds.send(
        new StopDBClusterCommand({ DBClusterIdentifier: id }),
      );
    },
    async settle() {
      elapsedHours += SETTLE_HOURS;
      await moto.setClock(new Date(T0.getTime() + elapsedHours * HOUR_MS));
    },
    keyName(ref) {
      const name = names.get(ref);
      return name === undefined ? ref : `key:${name}`;
    },
    destroy() {
      for (const c of [...cache.values(), sts])
        for (const client of Object.values(c)) {
          client.destroy();
        }
    },
  };
}

/** Makes moto's `alias/aws/rds` key known to `keyName` (a set-up call, not compared). */
export async function learnDefaultKey(
  backend: Backend,
  account: string,
  region: string,
): Promise<(ref: string) => string> {
  if (backend.side === "model") return (ref) => backend.keyName(ref);
  const out = await backend
    .clients(account, region)
    .kms.send(new DescribeKeyCommand({ KeyId: "alias/aws/rds" }));
  const { Arn, KeyId } = out.KeyMetadata ?? {};
  return (ref) => (ref === Arn || ref === KeyId ? "key:aws/rds" : backend.keyName(ref));
}

// ------------------------------------------------------------------ observations

/** A field's normalised value: what both sides are compared on. */
export type Value = string | number | boolean | readonly string[] | undefined;
export type Fields = Readonly<Record<string, Value>>;
/** One step's result: `outcome` is `ok` or the SDK v3 error name (`error.name`). */
export type Observation = Readonly<Record<string, Value>> & { readonly outcome: string };

function isServiceError(
  error: unknown,
): error is Error & { $metadata: { httpStatusCode?: number } } {
  return error instanceof Error && "$metadata" in error;
}

/** The SDK v3 error name; an unmodelled reply (moto's HTML error page) shows its HTTP status too. */
function outcomeOf(error: Error & { $metadata: { httpStatusCode?: number } }): string {
  const status = error.$metadata.httpStatusCode;
  return error.name === "Error" && status !== undefined ? `Error (HTTP ${status})` : error.name;
}

/** Runs a scenario's steps against one backend and keeps what each observed, by step name. */
export class Recorder {
  readonly observed = new Map<string, Observation>();

  constructor(
    readonly scenario: string,
    readonly backend: Backend,
  ) {}

  /** Runs one step; a service error is an outcome, anything else (a bug in the test) throws. */
  async step(name: string, call: () => Promise<Fields>): Promise<void> {
    const key = `${this.scenario}: ${name}`;
    if (this.observed.has(key)) throw new Error(`step "${key}" is named twice`);
    try {
      this.observed.set(key, { outcome: "ok", ...(await call()) });
    } catch (error) {
      if (!isServiceError(error)) throw error;
      this.observed.set(key, { outcome: outcomeOf(error) });
    }
  }
}

/** Hours since T0 on the side's clock, rounded (moto's keeps running in real time). */
export function hoursSinceT0(at: Date | undefined): string | undefined {
  if (at === undefined) return undefined;
  return `T0+${Math.round((at.getTime() - T0.getTime()) / HOUR_MS)}h`;
}

export function tagList(tags: readonly { Key?: string; Value?: string }[] | undefined): string[] {
  return (tags ?? []).map((t) => `${t.Key ?? ""}=${t.Value ?? ""}`).sort();
}

export interface SnapshotFieldOptions {
  /** Include Status (only where both sides have settled, or for a deliberate status check). */
  readonly status?: boolean;
  /** Include SnapshotCreateTime (as hours since T0) and SourceDBClusterSnapshotArn. */
  readonly history?: boolean;
  /**
   * Include KmsKeyId even when StorageEncrypted is false. Off by default: the tool reads the key
   * of encrypted snapshots only, and moto puts a placeholder on every unencrypted one, which one
   * deliberate step shows instead of every listing.
   */
  readonly keyWhenUnencrypted?: boolean;
}

/** The fields of a DBClusterSnapshot the tool reads, normalised (key ARNs by name). */
export function snapshotFields(
  s: DBClusterSnapshot | undefined,
  keyName: (ref: string) => string,
  options: SnapshotFieldOptions = {},
): Fields {
  if (s === undefined) return { snapshot: "(none)" };
  const showKey = s.StorageEncrypted === true || options.keyWhenUnencrypted === true;
  return {
    id: s.DBClusterSnapshotIdentifier,
    arn: s.DBClusterSnapshotArn,
    cluster: s.DBClusterIdentifier,
    type: s.SnapshotType,
    engine: s.Engine,
    encrypted: s.StorageEncrypted,
    kmsKey: s.KmsKeyId === undefined || !showKey ? undefined : keyName(s.KmsKeyId),
    tags: tagList(s.TagList),
    ...(options.status === true && { status: s.Status }),
    ...(options.history === true && {
      created: hoursSinceT0(s.SnapshotCreateTime),
      source: s.SourceDBClusterSnapshotArn,
    }),
  };
}

/** A listing: the identifiers, sorted, and each snapshot's fields under `<id>.<field>`. */
export function listingFields(
  list: readonly DBClusterSnapshot[] | undefined,
  keyName: (ref: string) => string,
  options: SnapshotFieldOptions = {},
): Fields {
  const snapshots = [...(list ?? [])].sort((a, b) =>
    (a.DBClusterSnapshotIdentifier ?? "").localeCompare(b.DBClusterSnapshotIdentifier ?? ""),
  );
  const fields: Record<string, Value> = {
    ids: snapshots.map((s) => s.DBClusterSnapshotIdentifier ?? "?"),
  };
  for (const s of snapshots) {
    const name = s.DBClusterSnapshotArn ?? s.DBClusterSnapshotIdentifier ?? "?";
    for (const [field, value] of Object.entries(snapshotFields(s, keyName, options))) {
      if (field !== "arn") fields[`${name.split(":").pop() ?? name}.${field}`] = value;
    }
  }
  return fields;
}

// ------------------------------------------------------------------ comparison

export interface Divergence {
  readonly step: string;
  readonly field: string;
  readonly model: string;
  readonly moto: string;
}

/** How a value shows in the divergence table. */
export function show(value: Value): string {
  if (value === undefined) return "(absent)";
  if (Array.isArray(value)) return `[${value.join(", ")}]`;
  return String(value);
}

export interface Comparison {
  readonly steps: number;
  readonly agreeing: number;
  readonly divergences: Divergence[];
}

/** `<snapshot>.` of a listing's per-snapshot field (see listingFields), or undefined. */
function recordOf(field: string): string | undefined {
  const dot = field.indexOf(".");
  return dot < 0 ? undefined : field.slice(0, dot + 1);
}

/**
 * Field by field. When the outcomes differ (one side answered, the other refused), the outcome is
 * the one divergence: the other side's fields have nothing to be compared with. Likewise a
 * snapshot that one side's listing holds and the other's does not shows once, in `ids`, and its
 * fields are not compared.
 */
export function compare(
  model: ReadonlyMap<string, Observation>,
  moto: ReadonlyMap<string, Observation>,
): Comparison {
  const steps = [...new Set([...model.keys(), ...moto.keys()])];
  const divergences: Divergence[] = [];
  let agreeing = 0;
  for (const step of steps) {
    const m = model.get(step);
    const o = moto.get(step);
    const before = divergences.length;
    if (m === undefined || o === undefined) {
      divergences.push({
        step,
        field: "(step)",
        model: m ? "ran" : "(not run)",
        moto: o ? "ran" : "(not run)",
      });
    } else if (m.outcome !== o.outcome) {
      divergences.push({ step, field: "outcome", model: m.outcome, moto: o.outcome });
    } else {
      const has = (obs: Observation, record: string) =>
        Object.keys(obs).some((k) => k.startsWith(record));
      for (const field of [...new Set([...Object.keys(m), ...Object.keys(o)])].sort()) {
        const record = recordOf(field);
        if (record !== undefined && !(has(m, record) && has(o, record))) continue;
        const a = show(m[field]);
        const b = show(o[field]);
        if (a !== b) divergences.push({ step, field, model: a, moto: b });
      }
    }
    if (divergences.length === before) agreeing += 1;
  }
  return { steps: steps.length, agreeing, divergences };
}

export const byStepAndField = (a: Divergence, b: Divergence): number =>
  a.step.localeCompare(b.step) || a.field.localeCompare(b.field);
