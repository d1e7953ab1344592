import fc from "fast-check";
import type { Cluster, Snapshot, SnapshotType } from "../../src/model/index.js";
import {
  TAG_COPIED_BY,
  TAG_CREATED_BY,
  TAG_CREATED_ON,
  TAG_INTERMEDIATE,
  TAG_SHARE_AND_COPY,
  TAG_SHARED_WITH,
  TAG_SOURCE_ARN,
  TOOL_NAME,
} from "../../src/model/index.js";
import { formatSnapshotName, formatTimestamp } from "../../src/naming/index.js";
import type { ClusterPattern, DestinationPolicy, SourcePolicy } from "../../src/policy/types.js";
import {
  aCluster,
  aDestinationPolicy,
  aSnapshot,
  aSourcePolicy,
  regexPattern,
} from "../../src/testing/index.js";

/**
 * Random inventories for the safety properties. The value sets are small on purpose so that
 * clusters, names and regions collide often: collisions are where the rules can break.
 */
export const CLUSTERS = ["alpha", "Alpha", "beta", "gamma-1", "db.1"] as const;
export const REGIONS = ["us-east-1", "eu-west-1", "eu-central-1"] as const;
export const DEST = "222222222222";
export const SOURCES = ["111111111111", "333333333333"] as const;
/** An account that shares (or once shared) snapshots without being a configured source. */
export const STRANGER = "999999999999";

/** Mostly what the rules act on, with enough of everything else to catch a missing check. */
function mostly<T>(usual: T, ...others: T[]): fc.Arbitrary<T> {
  return fc.oneof(
    { arbitrary: fc.constant(usual), weight: 3 },
    { arbitrary: fc.constantFrom(...others), weight: 1 },
  );
}

const typeArb = mostly<SnapshotType>("manual", "automated", "shared", "awsbackup", "public");
const statusArb = mostly("available", "creating", "copying", "failed", "deleting");

export const nowArb = fc
  .date({ min: new Date("2024-01-01T00:00:00Z"), max: new Date("2030-12-31T00:00:00Z") })
  .filter((d) => !Number.isNaN(d.getTime()));

const patternArb: fc.Arbitrary<ClusterPattern> = mostly<ClusterPattern>(
  { kind: "all", source: "ALL_CLUSTERS" },
  regexPattern("^a"),
  regexPattern("alpha|beta"),
  regexPattern("1$"),
  { kind: "regex", source: "ALPHA", regex: /ALPHA/gi },
);

/** Everything that varies about one snapshot, independent of the run time. */
const seedArb = fc.record({
  clusterId: fc.constantFrom(...CLUSTERS),
  /** Minutes before the run (negative: a clock skewed into the future). */
  ageMinutes: fc.oneof(
    fc.integer({ min: -24 * 60, max: 3 * 24 * 60 }),
    fc.integer({ min: 0, max: 20 * 24 * 60 }),
    // Far in the future: a name made up to look like a later backup, or a clock years ahead.
    fc.integer({ min: -400 * 24 * 60, max: -2 * 60 }),
  ),
  naming: mostly("stamp", "prefix", "plain"),
  plainId: fc.nat({ max: 20 }),
  createdOnTag: fc.boolean(),
  createTime: fc.constantFrom("same", "other", "none"),
  otherAgeMinutes: fc.integer({ min: -24 * 60, max: 40 * 24 * 60 }),
  type: typeArb,
  status: statusArb,
  createdBy: mostly("tool", "other", "none"),
  copiedBy: mostly("tool", "other", "none"),
  shareAndCopy: mostly<string | undefined>("YES", "NO", undefined),
  intermediate: mostly(false, true),
  sharedWith: mostly<string | undefined>(undefined, DEST, `333333333333 ${DEST}`, "333333333333"),
  encrypted: fc.boolean(),
  kmsKeyId: fc.constantFrom(undefined, "aws-managed", "customer", "unknown"),
  region: fc.constantFrom(...REGIONS),
  account: fc.constantFrom(DEST, ...SOURCES),
  /** The account in a copy's source-ARN tag (none: a legacy copy). */
  copiedFrom: fc.constantFrom<string | undefined>(undefined, ...SOURCES, STRANGER),
});

export type SnapshotSeed = typeof seedArb extends fc.Arbitrary<infer T> ? T : never;

function minutesBefore(now: Date, minutes: number): Date {
  return new Date(now.getTime() - minutes * 60_000);
}

function who(choice: string): string | undefined {
  return choice === "tool" ? TOOL_NAME : choice === "other" ? "someone else" : undefined;
}

export function buildSnapshot(
  seed: SnapshotSeed,
  now: Date,
  over: Partial<Snapshot> = {},
): Snapshot {
  const takenAt = minutesBefore(now, seed.ageMinutes);
  const name =
    seed.naming === "stamp"
      ? formatSnapshotName(seed.clusterId, takenAt)
      : seed.naming === "prefix"
        ? formatSnapshotName(seed.clusterId, takenAt, "nightly")
        : `manual-${seed.plainId}`;
  const tags: Record<string, string> = {};
  const put = (key: string, value: string | undefined) => {
    if (value !== undefined) tags[key] = value;
  };
  put(TAG_CREATED_BY, who(seed.createdBy));
  put(TAG_COPIED_BY, who(seed.copiedBy));
  put(TAG_SHARE_AND_COPY, seed.shareAndCopy);
  put(TAG_SHARED_WITH, seed.sharedWith);
  if (seed.createdOnTag) put(TAG_CREATED_ON, formatTimestamp(takenAt));
  if (seed.intermediate) put(TAG_INTERMEDIATE, "YES");
  if (seed.copiedFrom !== undefined) {
    put(TAG_SOURCE_ARN, `arn:aws:rds:${seed.region}:${seed.copiedFrom}:cluster-snapshot:${name}`);
  }
  return aSnapshot({
    clusterId: seed.clusterId,
    name,
    takenAt,
    createTime:
      seed.createTime === "same"
        ? takenAt
        : seed.createTime === "other"
          ? minutesBefore(now, seed.otherAgeMinutes)
          : undefined,
    type: seed.type,
    status: seed.status,
    tags,
    encrypted: seed.encrypted,
    ...(seed.encrypted && seed.kmsKeyId !== undefined ? { kmsKeyId: seed.kmsKeyId } : {}),
    region: seed.region,
    account: seed.account,
    ...over,
  });
}

/** RDS never lists two snapshots with one ARN, nor two with one name in an account and region. */
export function uniqueSnapshots(snapshots: readonly Snapshot[]): Snapshot[] {
  const seen = new Set<string>();
  return snapshots.filter((s) => {
    const key = `${s.account}\n${s.region}\n${s.name.toLowerCase()}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export const sourcePolicyArb: fc.Arbitrary<SourcePolicy> = fc
  .record({
    clusterPattern: patternArb,
    intervalHours: fc.integer({ min: 0, max: 48 }),
    retentionDays: fc.integer({ min: 0, max: 10 }),
    minKeep: fc.integer({ min: 0, max: 3 }),
    // Mostly the DEST the generated markers name, sometimes with a second account or another.
    destinationAccounts: fc.oneof(
      fc.uniqueArray(fc.stringMatching(/^\d{12}$/), { minLength: 1, maxLength: 3 }),
      fc.constantFrom([DEST], [DEST, "333333333333"], ["333333333333", DEST, "444444444444"]),
    ),
    // Two deployments in one account: the names the generator makes use either.
    snapshotNamePrefix: fc.constantFrom<string | undefined>(undefined, "nightly"),
  })
  .map((r) => aSourcePolicy(r));

export const destinationPolicyArb: fc.Arbitrary<DestinationPolicy> = fc
  .record({
    snapshotPattern: patternArb,
    retentionDays: fc.integer({ min: 0, max: 10 }),
    minKeep: fc.integer({ min: 0, max: 3 }),
    destinationRegions: fc.subarray([...REGIONS], { minLength: 1 }),
    kmsKeySource: fc.option(fc.constant("source-key"), { nil: undefined }),
    kmsKeyDestination: fc
      .subarray([...REGIONS])
      .map((rs) => Object.fromEntries(rs.map((r) => [r, `key-in-${r}`]))),
    crossAccount: fc.boolean(),
    maxCopiesInFlight: fc.integer({ min: 0, max: 5 }),
    sourceAccounts: fc.subarray([...SOURCES]),
  })
  .map(({ kmsKeySource, ...r }) =>
    aDestinationPolicy({ ...r, ...(kmsKeySource === undefined ? {} : { kmsKeySource }) }),
  );

/** A region's worth of snapshots as the source account sees them. */
/**
 * AWS's clock minus the run's, as a step would measure it: not asked for, unknown, close, or far
 * off either way.
 */
export const clockSkewArb = fc.oneof(
  { arbitrary: fc.constant(undefined), weight: 3 },
  { arbitrary: fc.constant(null), weight: 1 },
  { arbitrary: fc.integer({ min: -4 * 60_000, max: 4 * 60_000 }), weight: 2 },
  { arbitrary: fc.integer({ min: -10 * 86_400_000, max: 10 * 86_400_000 }), weight: 2 },
);

export const sourceInventoryArb = fc
  .record({
    now: nowArb,
    seeds: fc.array(seedArb, { maxLength: 40 }),
    policy: sourcePolicyArb,
    clockSkewMs: clockSkewArb,
  })
  .map(({ now, seeds, policy, clockSkewMs }) => ({
    now,
    policy,
    ...(clockSkewMs !== undefined && { clockSkewMs }),
    snapshots: uniqueSnapshots(seeds.map((s) => buildSnapshot(s, now))),
  }));

/** The destination account's snapshots across regions. */
export const destInventoryArb = fc
  .record({
    now: nowArb,
    seeds: fc.array(seedArb, { maxLength: 40 }),
    policy: destinationPolicyArb,
    clockSkewMs: clockSkewArb,
  })
  .map(({ now, seeds, policy, clockSkewMs }) => ({
    now,
    policy,
    ...(clockSkewMs !== undefined && { clockSkewMs }),
    snapshots: uniqueSnapshots(seeds.map((s) => buildSnapshot(s, now, { account: DEST }))),
  }));

const copyStateArb = fc.record({
  region: fc.constantFrom(...REGIONS),
  status: statusArb,
  tool: mostly(true, false),
  intermediate: fc.boolean(),
  upper: fc.boolean(),
  encrypted: fc.boolean(),
});

/**
 * What planCopy sees: snapshots shared into the local region, and the account's own snapshots, many
 * of them copies (final or intermediate, finished or not) of the shared ones.
 */
export const copyInventoryArb = fc
  .record({
    now: nowArb,
    localRegion: fc.constantFrom(...REGIONS),
    sharedSeeds: fc.array(seedArb, { maxLength: 15 }),
    /** Indexes of shared snapshots that the other source account shares under the same name. */
    twins: fc.array(fc.nat(), { maxLength: 3 }),
    copies: fc.array(fc.array(copyStateArb, { maxLength: 4 }), { maxLength: 15 }),
    ownSeeds: fc.array(seedArb, { maxLength: 15 }),
    policy: destinationPolicyArb,
  })
  .map(({ now, localRegion, sharedSeeds, twins, copies, ownSeeds, policy }) => {
    const originals = sharedSeeds.map((seed, i) =>
      buildSnapshot(seed, now, {
        type: "shared",
        region: localRegion,
        account: [...SOURCES, STRANGER][i % 3]!,
      }),
    );
    const twinned =
      originals.length === 0 ? [] : twins.map((t) => originals[t % originals.length]!);
    const shared = uniqueSnapshots([
      ...originals,
      ...twinned.map((s) => {
        const account = s.account === SOURCES[0] ? SOURCES[1] : SOURCES[0];
        return aSnapshot({ ...s, account, arn: undefined, id: undefined });
      }),
    ]);
    const copiesOfShared = shared.flatMap((s, i) =>
      (copies[i] ?? []).map((c) =>
        aSnapshot({
          clusterId: s.clusterId,
          name: c.upper ? s.name.toUpperCase() : s.name,
          createTime: now,
          account: DEST,
          region: c.region,
          status: c.status,
          encrypted: c.encrypted,
          tags: {
            ...(c.tool ? { [TAG_COPIED_BY]: TOOL_NAME } : {}),
            ...(c.intermediate ? { [TAG_INTERMEDIATE]: "YES" } : {}),
          },
        }),
      ),
    );
    const others = ownSeeds.map((seed) =>
      buildSnapshot(seed, now, {
        account: DEST,
        type: "manual",
        region: seed.type === "manual" ? localRegion : seed.region,
      }),
    );
    return {
      now,
      account: DEST,
      localRegion,
      shared,
      own: uniqueSnapshots([...copiesOfShared, ...others]),
      policy,
    };
  });

export const clusterInventoryArb = fc
  .record({
    now: nowArb,
    clusters: fc.uniqueArray(
      fc.record({
        id: fc.constantFrom(...CLUSTERS, "c".repeat(50)),
        engine: fc.constantFrom("aurora", "aurora-mysql", "aurora-postgresql", "neptune", "docdb"),
        status: fc.constantFrom("available", "available", "stopped", "backing-up"),
      }),
      { selector: (c) => c.id.toLowerCase(), maxLength: 6 },
    ),
    seeds: fc.array(seedArb, { maxLength: 30 }),
    policy: sourcePolicyArb,
  })
  .map(({ now, clusters, seeds, policy }) => ({
    now,
    policy,
    clusters: clusters.map((c): Cluster => aCluster(c)),
    snapshots: uniqueSnapshots(seeds.map((s) => buildSnapshot(s, now))),
  }));
