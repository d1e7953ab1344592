import type {
  CopyDecision,
  Facts,
  KeyInfo,
  Reason,
  ShareDecision,
  SkipDecision,
  Snapshot,
} from "../model/index.js";
import {
  TAG_CREATED_BY,
  TAG_CREATED_ON,
  TAG_REENCRYPTED_FROM,
  TAG_SHARE_AND_COPY,
  TOOL_NAME,
  isToolSnapshot,
  sharedWithOf,
} from "../model/index.js";
import { checkIdentifier } from "../naming/index.js";
import { MAX_SHARE_ACCOUNTS } from "../policy/fields.js";
import type { SourcePolicy } from "../policy/types.js";
import { matchesPattern } from "../policy/pattern.js";
import { freeCopySlots } from "./automated-source.js";
import { sortDecisions } from "./decision-order.js";
import { ownsSourceSnapshot } from "./ownership.js";
import { isUnfinishedCopy } from "./plan-copy.js";
import { hasKeepRules } from "../policy/keep-rules.js";
import { daysBetween, isWithinRetention, snapshotTime } from "./snapshot-time.js";
import {
  copyOf,
  isOwnReencryptedCopy,
  reencryptedCopiesByOriginal,
  reencryptedCopyName,
} from "./reencrypt-pairs.js";

export interface PlanShareInput {
  /** The region's manual snapshots (tags included). */
  readonly snapshots: readonly Snapshot[];
  /** What KMS says about the keys, by the `kmsKeyId` the snapshots report. */
  readonly keys: ReadonlyMap<string, KeyInfo>;
  readonly policy: SourcePolicy;
  readonly now: Date;
  /**
   * What KMS says about REENCRYPT_KMS_KEY (looked up in the snapshots' region): null when KMS does
   * not know it; left out when not looked up, in which case a copy is planned and RDS's answer to
   * it says what is wrong with the key.
   */
  readonly reencryptKey?: KeyInfo | null;
  /**
   * Why REENCRYPT_KMS_KEY could not be looked up (DescribeKey's error code): only the aws/rds
   * snapshots, which need the key, are held back; every other snapshot is shared.
   */
  readonly reencryptKeyError?: string;
}

/** Share's decisions: shares, the re-encrypting copies of aws/rds snapshots, and skips. */
export type ShareStepDecision = ShareDecision | CopyDecision | SkipDecision;

/** Why REENCRYPT_KMS_KEY cannot make a shareable copy; undefined when it looks usable. */
function reencryptKeyProblem(input: PlanShareInput, s: Snapshot): string | undefined {
  if (input.reencryptKeyError !== undefined) {
    return `could not be described: ${input.reencryptKeyError}`;
  }
  const key = input.reencryptKey;
  const { region, account } = s;
  if (key === undefined) return undefined;
  if (key === null) return "not found";
  if (key.region !== "" && key.region !== region) return `in ${key.region}, not ${region}`;
  // RDS copies a snapshot only with a key of its own account's (or one it is granted), and the
  // copy would then depend on another account's key policy: not what REENCRYPT_KMS_KEY is for.
  if (key.account !== "" && key.account !== account) return `in another account (${key.account})`;
  if (!key.enabled) return "not enabled";
  // A copy under another AWS-managed key could not be shared either.
  if (key.manager === "AWS") return "AWS-managed";
  return undefined;
}

const ACCOUNT_ID = /^\d{12}$/;
const DAY_MS = 86_400_000;

/**
 * The order share hands out copy slots in, like copy's: each cluster's newest snapshot first, then
 * each cluster's second newest, and so on (newest first within a round), so today's backup of
 * every cluster is re-encrypted before an older one. `rank`: 1 = the newest of the tool's own
 * available snapshots of its cluster (in its account and region), as prune counts MIN_KEEP.
 */
function shareOrder(
  snapshots: readonly Snapshot[],
  prefix: string | undefined,
): { snapshots: Snapshot[]; rank: Map<Snapshot, number> } {
  const time = new Map(snapshots.map((s) => [s, snapshotTime(s)?.getTime() ?? -Infinity]));
  const newest = (a: Snapshot, b: Snapshot): number => time.get(b)! - time.get(a)!;
  const groupOf = (s: Snapshot): string => `${s.account}|${s.region}|${s.clusterId.toLowerCase()}`;
  const round = new Map<Snapshot, number>();
  const rank = new Map<Snapshot, number>();
  const groups = new Map<string, Snapshot[]>();
  for (const s of snapshots) groups.set(groupOf(s), [...(groups.get(groupOf(s)) ?? []), s]);
  for (const group of groups.values()) {
    group.sort(newest).forEach((s, i) => round.set(s, i));
    group
      .filter(
        (s) => s.type === "manual" && s.status === "available" && ownsSourceSnapshot(s, prefix),
      )
      .forEach((s, i) => rank.set(s, i + 1));
  }
  const ordered = [...snapshots].sort((a, b) => round.get(a)! - round.get(b)! || newest(a, b));
  return { snapshots: ordered, rank };
}

/**
 * Facts when prune deletes `s` within the next 24 hours, so a re-encrypting copy started now
 * would be deleted with it before it is of use: past RETENTION_DAYS - 1 day, no calendar rule
 * (KEEP_DAILY ...) in use, and not among its cluster's newest MIN_KEEP. Kept simple on purpose:
 * with calendar rules set nothing is `expiring`, and a cluster's newest snapshot never is.
 */
function expiringFacts(
  s: Snapshot,
  input: PlanShareInput,
  rank: number | undefined,
): Facts | undefined {
  const { policy, now } = input;
  const time = snapshotTime(s);
  if (time === undefined || hasKeepRules(policy)) return undefined;
  if (rank !== undefined && rank <= Math.max(1, policy.minKeep)) return undefined;
  const tomorrow = new Date(now.getTime() + DAY_MS);
  if (isWithinRetention(time, tomorrow, policy.retentionDays)) return undefined;
  return {
    ageDays: Math.round(daysBetween(time, now) * 10) / 10,
    retentionDays: policy.retentionDays,
  };
}

/**
 * Which of the tool's snapshots to share with which destination accounts (DEST_ACCOUNT, up to 20).
 *
 * The original re-shared every snapshot every 10 minutes. Here the share step's executor writes
 * the marker (TAG_SHARED_WITH, and TAG_SHARED_WITH_2 past 19 accounts: the account ids shared with)
 * once a share succeeded, so later runs see it in the TagList the listing already returns and need
 * no DescribeDBClusterSnapshotAttributes call per snapshot. A share whose tag write failed is
 * simply planned again: adding an account twice is a no-op in RDS.
 *
 * A snapshot gets one share decision per destination account its marker does not record, each
 * with `shareWith` one account (so reports and the "Snapshots Shared" events stay per account) and
 * `sharedWith` the configured accounts already recorded, which the executor merges into the marker
 * it writes. An aws/rds snapshot (REENCRYPT_KMS_KEY) gets one cmk- copy whatever the number of
 * accounts; the copy is then shared with each of them like any snapshot.
 */
export function planShare(input: PlanShareInput): ShareStepDecision[] {
  const accounts = input.policy.destinationAccounts;
  if (accounts.length === 0) return [];
  // Safety rule 3: never public (`all`), never anything but 12-digit accounts, at most RDS's 20.
  // Policies are validated before planning, so reaching this is a bug, not a configuration error.
  for (const account of accounts) {
    if (!ACCOUNT_ID.test(account)) {
      throw new Error(`planShare: destination account must be 12 digits, got "${account}"`);
    }
  }
  if (accounts.length > MAX_SHARE_ACCOUNTS || new Set(accounts).size !== accounts.length) {
    throw new Error(
      `planShare: 1 to ${MAX_SHARE_ACCOUNTS} distinct destination accounts, got "${accounts.join(",")}"`,
    );
  }

  const decisions: ShareStepDecision[] = [];
  const prefix = input.policy.snapshotNamePrefix;
  const copies = reencryptedCopiesByOriginal(input.snapshots, prefix);
  const names = new Set(input.snapshots.map((s) => `${s.region}|${s.name.toLowerCase()}`));
  /** Copies started by this plan, per region: they take copy slots like those in flight. */
  const started = new Map<string, number>();
  const order = shareOrder(input.snapshots, prefix);
  for (const s of order.snapshots) {
    const skip = (reason: Reason, facts: Facts): void => {
      decisions.push({
        step: "share",
        action: "skip",
        reason,
        cluster: s.clusterId,
        account: s.account,
        region: s.region,
        snapshot: s.name,
        facts,
      });
    };

    if (!isToolSnapshot(s.tags)) {
      skip("no-tool-tag", {});
      continue;
    }
    if (s.type !== "manual") {
      // Only manual snapshots can be shared (API_ModifyDBClusterSnapshotAttribute).
      skip("not-manual", { type: s.type });
      continue;
    }
    // A re-encrypted copy is shared like any snapshot of the tool once RDS has finished it.
    if (!ownsSourceSnapshot(s, prefix) && !isOwnReencryptedCopy(s, prefix)) {
      // Another deployment's snapshot goes where that deployment shares it, not here.
      skip("not-owned", {});
      continue;
    }
    if (!matchesPattern(input.policy.clusterPattern, s.clusterId)) {
      skip("pattern-mismatch", { pattern: input.policy.clusterPattern.source });
      continue;
    }
    if (s.tags[TAG_SHARE_AND_COPY] !== "YES") {
      skip("share-not-requested", { shareAndCopy: s.tags[TAG_SHARE_AND_COPY] ?? null });
      continue;
    }
    if (s.status !== "available") {
      skip("not-available", { status: s.status });
      continue;
    }
    const recorded = sharedWithOf(s.tags);
    const missing = accounts.filter((a) => !recorded.includes(a));
    if (missing.length === 0) {
      skip("already-shared", { sharedWith: recorded.join(" ") });
      continue;
    }
    // An unknown key is not a reason to skip: the share call itself reports what is wrong.
    const key = s.encrypted && s.kmsKeyId !== undefined ? input.keys.get(s.kmsKeyId) : undefined;
    // An original with its own cmk- copy listed was found aws/rds-encrypted when the copy was
    // made: it is decided from the copy, with no key looked up (none on a run with nothing new).
    const reencryptedAlready =
      input.policy.reencryptKmsKey !== undefined &&
      !isOwnReencryptedCopy(s, prefix) &&
      copyOf(copies, s) !== undefined;
    if (key?.manager === "AWS" || reencryptedAlready) {
      const reencryptKmsKey = input.policy.reencryptKmsKey;
      if (reencryptKmsKey === undefined || isOwnReencryptedCopy(s, prefix)) {
        skip("encrypted-with-default-key", { kmsKeyId: s.kmsKeyId ?? null, keyManager: "AWS" });
        continue;
      }
      const copyName = reencryptedCopyName(s.name);
      const facts = { kmsKeyId: s.kmsKeyId ?? null, reencryptKmsKey, copy: copyName };
      const copy = copyOf(copies, s);
      if (copy !== undefined) {
        // The copy is shared (or waits for RDS) under its own decision; the original stays unshared.
        if (copy.status === "available") skip("reencrypted", { ...facts, copyStatus: copy.status });
        else if (isUnfinishedCopy(copy) || copy.status === "creating") {
          skip("reencrypting", {
            ...facts,
            copyStatus: copy.status,
            percentProgress: copy.percentProgress ?? null,
          });
        } else skip("copy-failed", { ...facts, copyStatus: copy.status });
        continue;
      }
      const expiring = expiringFacts(s, input, order.rank.get(s));
      if (expiring !== undefined) {
        // Its copy could not be shared and copied before prune deletes the pair: no slot for it.
        skip("expiring", { ...facts, ...expiring });
        continue;
      }
      const keyProblem = reencryptKeyProblem(input, s);
      if (keyProblem !== undefined) {
        skip("reencrypt-key-unusable", { ...facts, keyProblem });
        continue;
      }
      const badName = checkIdentifier(copyName);
      if (badName !== undefined) {
        skip(badName, { ...facts, length: copyName.length });
        continue;
      }
      if (names.has(`${s.region}|${copyName}`)) {
        // Someone else's snapshot holds the copy's name: never taken for the copy.
        skip("snapshot-name-taken", facts);
        continue;
      }
      const free = freeCopySlots(input.snapshots, s.region) - (started.get(s.region) ?? 0);
      if (free <= 0) {
        skip("copy-slots-full", { ...facts, copySlotsFree: 0 });
        continue;
      }
      started.set(s.region, (started.get(s.region) ?? 0) + 1);
      const createdOn = s.tags[TAG_CREATED_ON];
      decisions.push({
        step: "share",
        action: "copy",
        reason: "reencrypting",
        cluster: s.clusterId,
        account: s.account,
        region: s.region,
        snapshot: copyName,
        sourceArn: s.arn,
        sourceRegion: s.region,
        kmsKeyId: input.reencryptKey?.arn ?? reencryptKmsKey,
        tags: {
          [TAG_CREATED_BY]: TOOL_NAME,
          ...(createdOn !== undefined && { [TAG_CREATED_ON]: createdOn }),
          [TAG_SHARE_AND_COPY]: s.tags[TAG_SHARE_AND_COPY] ?? "YES",
          [TAG_REENCRYPTED_FROM]: s.arn,
        },
        intermediate: false,
        facts: { ...facts, copySlotsFree: free },
      });
      skip("reencrypting", { ...facts, copyStatus: "starting" });
      continue;
    }

    // Only configured accounts are carried into the marker: what the executor writes is then
    // always made of DEST_ACCOUNT's ids (which the share role's IAM condition also requires).
    const sharedWith = accounts.filter((a) => recorded.includes(a));
    for (const account of missing) {
      decisions.push({
        step: "share",
        action: "share",
        reason: "not-shared",
        cluster: s.clusterId,
        account: s.account,
        region: s.region,
        snapshot: s.name,
        snapshotArn: s.arn,
        shareWith: account,
        sharedWith,
        facts: { encrypted: s.encrypted, shareWith: account },
      });
    }
  }
  return sortDecisions(decisions);
}
