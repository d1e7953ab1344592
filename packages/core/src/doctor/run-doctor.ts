import type { Gateway } from "../execute/gateway.js";
import {
  isToolSnapshot,
  UNSELECTED_REASONS,
  type Decision,
  type KeyInfo,
  type Reason,
  type Snapshot,
} from "../model/index.js";
import type { DestinationPolicy, SourcePolicy } from "../policy/types.js";
import type { StepContext } from "../steps/context.js";
import { planDestinationSteps } from "../steps/destination-steps.js";
import { planTakeStep } from "../steps/source-steps.js";
import {
  clusterSelectionChecks,
  credentialsCheck,
  identifierCheck,
  keyCheck,
  missingKeyCheck,
  retentionCheck,
  rpoCheck,
  automatedAgeCheck,
  snapshotQuotaCheck,
  scheduleCheck,
  selectedClusters,
  sharedInventoryCheck,
  sourceAccountsCheck,
  sharingChecks,
  type Check,
  type FieldName,
} from "./doctor-checks.js";
import type { Schedule } from "./schedule.js";
import { reencryptKeyChecks, type ReencryptKeyFacts } from "./reencrypt-key-check.js";

/*
 * doctor's AWS side: gathers the facts with read-only calls (who am I, and the plans the steps
 * would make now, through the same planSourceSteps / planDestinationSteps as `list`) and hands
 * them to the pure checks in doctor-checks.ts. A failed call becomes a failed check rather than an
 * abort, so one missing permission does not hide the other findings.
 */

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function describeKeys(
  gateway: Gateway,
  region: string,
  refs: Iterable<string>,
): Promise<Map<string, KeyInfo | undefined | { error: string }>> {
  const out = new Map<string, KeyInfo | undefined | { error: string }>();
  await Promise.all(
    [...new Set(refs)].map(async (ref) => {
      try {
        out.set(ref, await gateway.describeKey(region, ref));
      } catch (error) {
        out.set(ref, { error: messageOf(error) });
      }
    }),
  );
  return out;
}

interface Common {
  readonly gateway: Gateway;
  /** The region the tool runs in (--region). */
  readonly region: string;
  readonly now: Date;
  readonly roleArn?: string;
  /** How the user gave each setting, for the fixes. */
  readonly name: FieldName;
  /** Retry of reads (default: the steps' own). */
  readonly execute?: StepContext["execute"];
}

function stepInput<P>(input: Common & { readonly policy: P }) {
  return {
    gateway: input.gateway,
    region: input.region,
    now: input.now,
    policy: input.policy,
    ...(input.execute !== undefined && { execute: input.execute }),
  };
}

async function whoAmI(common: Common): Promise<{ account?: string; check: Check }> {
  try {
    const account = await common.gateway.accountId();
    return { account, check: credentialsCheck({ account }, common.roleArn) };
  } catch (error) {
    return { check: credentialsCheck({ error: messageOf(error) }, common.roleArn) };
  }
}

function listingFailed(id: string, what: string, error: unknown, permission: string): Check {
  return {
    id,
    status: "fail",
    title: id,
    detail: `could not list ${what}: ${messageOf(error)}`,
    fix: `allow ${permission} for these credentials`,
  };
}

export interface SourceDoctorInput extends Common {
  readonly policy: SourcePolicy;
  readonly schedule?: Schedule;
  /** The destination side's retention, when the config file says it. */
  readonly destinationRetention?: { days: number; name: string };
}

export async function sourceDoctor(input: SourceDoctorInput): Promise<Check[]> {
  const { gateway, policy, name } = input;
  const region = policy.regionOverride ?? input.region;
  const checks: Check[] = [];
  const me = await whoAmI(input);
  checks.push(me.check);
  if (me.account === undefined) return checks;

  try {
    // Take's plan only: share's would also describe keys, and one refused DescribeKey must not
    // hide the cluster checks (the keys are described, and reported, one by one below).
    const take = await planTakeStep(stepInput(input));
    const clusters = take.clusters ?? [];
    checks.push(...clusterSelectionChecks(clusters, take.decisions, policy, region, name));
    const selected = selectedClusters(clusters, take.decisions);
    checks.push(identifierCheck(selected, policy, input.now, name));
    const quota = snapshotQuotaCheck(selected.length, policy, policy.intervalHours, name);
    if (quota !== undefined) checks.push(quota);
    const keyIds = selected
      .filter((c) => c.encrypted && c.kmsKeyId)
      .map((c) => c.kmsKeyId as string);
    const keys =
      policy.destinationAccounts.length === 0
        ? new Map()
        : await describeKeys(gateway, region, keyIds);
    checks.push(...sharingChecks(selected, policy, me.account, keys, name));
  } catch (error) {
    checks.push(
      listingFailed(
        "clusters",
        `the clusters in ${region}`,
        error,
        "rds:DescribeDBClusters and rds:DescribeDBClusterSnapshots",
      ),
    );
  }
  if (policy.reencryptKmsKey !== undefined && policy.destinationAccounts.length > 0) {
    checks.push(...(await reencryptKeyCheck(gateway, region, policy, name)));
  }
  if (input.destinationRetention !== undefined) {
    checks.push(
      retentionCheck(policy.retentionDays, input.destinationRetention.days, {
        source: name("retentionDays"),
        destination: input.destinationRetention.name,
      }),
    );
  }
  if (input.schedule !== undefined) {
    checks.push(scheduleCheck(input.schedule, policy.intervalHours, input.now, name));
  }
  const rpo = rpoCheck(policy, name);
  if (rpo !== undefined) checks.push(rpo);
  const automatedAge = automatedAgeCheck(policy, name);
  if (automatedAge !== undefined) checks.push(automatedAge);
  return checks;
}

/** REENCRYPT_KMS_KEY: DescribeKey, then (for a usable key) GetKeyPolicy, each failure a finding. */
async function reencryptKeyCheck(
  gateway: Gateway,
  region: string,
  policy: SourcePolicy,
  name: FieldName,
): Promise<Check[]> {
  const ref = policy.reencryptKmsKey as string;
  const info = (await describeKeys(gateway, region, [ref])).get(ref);
  let keyPolicy: ReencryptKeyFacts["policy"] = "unsupported";
  const read = gateway.keyPolicy?.bind(gateway);
  if (info !== undefined && !("error" in info) && read !== undefined) {
    try {
      keyPolicy = await read(region, info.arn);
    } catch (error) {
      keyPolicy = { error: messageOf(error) };
    }
  }
  return reencryptKeyChecks({
    field: name("reencryptKmsKey"),
    ref,
    region,
    destinationAccounts: policy.destinationAccounts,
    info,
    policy: keyPolicy,
  });
}

export interface DestinationDoctorInput extends Common {
  readonly policy: DestinationPolicy;
  /** The source side's retention, from SOURCE_RETENTION_DAYS or the config file's source section. */
  readonly sourceRetention?: { days: number; name: string };
}

/** Snapshots the copy step will not start from: left out by the configuration, or shareAndCopy. */
const LEFT_OUT: ReadonlySet<Reason> = new Set<Reason>([
  ...UNSELECTED_REASONS,
  "share-not-requested",
]);

/**
 * What the copy step would start from (shared in, or the tool's own in the local region), and
 * which of them the copy plan selects: those it does not leave out for the pattern, the source
 * accounts or shareAndCopy.
 */
function sourcesOf(
  snapshots: readonly Snapshot[],
  decisions: readonly Decision[],
  policy: DestinationPolicy,
  local: string,
): { listed: Snapshot[]; candidates: Snapshot[] } {
  const listed = policy.crossAccount
    ? snapshots.filter((s) => s.type === "shared")
    : snapshots.filter((s) => s.region === local && s.type === "manual" && isToolSnapshot(s.tags));
  const left = new Set(
    decisions
      .filter((d) => d.region === local && LEFT_OUT.has(d.reason))
      .map((d) => d.snapshot?.toLowerCase()),
  );
  return { listed, candidates: listed.filter((s) => !left.has(s.name.toLowerCase())) };
}

export async function destinationDoctor(input: DestinationDoctorInput): Promise<Check[]> {
  const { gateway, policy, name } = input;
  const local = policy.regionOverride ?? input.region;
  const checks: Check[] = [];
  const me = await whoAmI(input);
  checks.push(me.check);
  if (me.account === undefined) return checks;
  const sources = sourceAccountsCheck(policy, name);
  if (sources !== undefined) checks.push(sources);

  try {
    const { copy } = await planDestinationSteps(stepInput(input));
    const { listed, candidates } = sourcesOf(copy.snapshots, copy.decisions, policy, local);
    checks.push(...sharedInventoryCheck(listed, candidates, policy, local, name));
    const missing = missingKeyCheck(candidates, policy, local, name);
    if (missing !== undefined) checks.push(missing);
    // Per source account and cluster id, as prune-dest counts them. The destination cannot see
    // the source's interval; a day is the original's default.
    const clusterIds = new Set(candidates.map((s) => `${s.account}\n${s.clusterId.toLowerCase()}`));
    const quota = snapshotQuotaCheck(clusterIds.size, policy, 24, name);
    if (quota !== undefined) checks.push(quota);
  } catch (error) {
    checks.push(
      listingFailed(
        "sources",
        `the snapshots in ${[local, ...policy.destinationRegions].join(", ")}`,
        error,
        "rds:DescribeDBClusterSnapshots",
      ),
    );
  }

  const wanted: { field: string; ref: string; region: string }[] = [];
  if (policy.kmsKeySource !== undefined) {
    wanted.push({ field: name("kmsKeySource"), ref: policy.kmsKeySource, region: local });
  }
  for (const [region, ref] of Object.entries(policy.kmsKeyDestination)) {
    wanted.push({ field: name("kmsKeyDestination"), ref, region });
  }
  const described = await Promise.all(
    wanted.map(async (k) => ({
      ...k,
      info: (await describeKeys(gateway, k.region, [k.ref])).get(k.ref),
    })),
  );
  checks.push(...described.map(keyCheck));

  if (input.sourceRetention !== undefined) {
    checks.push(
      retentionCheck(input.sourceRetention.days, policy.retentionDays, {
        source: input.sourceRetention.name,
        destination: name("retentionDays"),
      }),
    );
  }
  return checks;
}
