import {
  REENCRYPTED_PREFIX,
  UNSELECTED_REASONS,
  type Cluster,
  type Decision,
  type KeyInfo,
  type Snapshot,
} from "../model/index.js";
import { MAX_IDENTIFIER_LENGTH, checkIdentifier, formatSnapshotName } from "../naming/index.js";
import { copyKeyFor, copyRegionsOf } from "../plan/plan-copy.js";
import { reencryptedCopyName } from "../plan/reencrypt-pairs.js";
import {
  RPO_SLACK_HOURS,
  matchesPattern,
  type DestinationPolicy,
  type SourcePolicy,
} from "../policy/index.js";
import { automatedMaxAgeHoursOf } from "../policy/snapshot-source.js";

import { findNearMisses, type NearMiss } from "./near-miss.js";
import { analyseSchedule, type Schedule } from "./schedule.js";

/*
 * doctor's rules: each takes facts already gathered from AWS and returns pass / warn / fail with
 * the fix. Pure and deterministic (the clock is an argument), so each rule is tested without AWS.
 */

export type CheckStatus = "pass" | "warn" | "fail";

export interface Check {
  /** Stable id for scripts: `credentials`, `clusters`, `kms-key:eu-west-1`, ... */
  readonly id: string;
  readonly status: CheckStatus;
  readonly title: string;
  readonly detail: string;
  /** What to change; set on every warn and fail. */
  readonly fix?: string;
}

/** How the user gave (or can give) each setting, for the fixes: `PATTERN`, `--pattern`, ... */
export type FieldName = (key: string) => string;

function list(items: readonly string[], max = 8): string {
  const shown = items.slice(0, max).join(", ");
  return items.length > max ? `${shown} and ${items.length - max} more` : shown;
}

export function credentialsCheck(
  result: { account: string } | { error: string },
  roleArn?: string,
): Check {
  if ("account" in result) {
    const via = roleArn === undefined ? "" : ` through ${roleArn}`;
    return {
      id: "credentials",
      status: "pass",
      title: "credentials",
      detail: `acting in account ${result.account}${via}`,
    };
  }
  return {
    id: "credentials",
    status: "fail",
    title: "credentials",
    detail: `could not ask STS who the credentials belong to: ${result.error}`,
    fix:
      roleArn === undefined
        ? "give --profile, set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run aws sso login"
        : `check that your credentials may assume ${roleArn} (the role's trust policy) and work on their own`,
  };
}

/**
 * The clusters take is configured to back up, read from take's own plan: every cluster whose
 * decision is not one of the reasons for leaving a cluster out (engine, pattern, tag selectors).
 */
export function selectedClusters(
  clusters: readonly Cluster[],
  take: readonly Decision[],
): Cluster[] {
  const left = new Set(take.filter((d) => UNSELECTED_REASONS.has(d.reason)).map((d) => d.cluster));
  return clusters.filter((c) => !left.has(c.id));
}

function describeMiss(m: NearMiss): string {
  return m.kind === "case"
    ? `${m.clusterId} (matches if letter case is ignored; RDS cluster ids are lowercase)`
    : `${m.clusterId} (${m.distance} edit${m.distance === 1 ? "" : "s"} away)`;
}

export function clusterSelectionChecks(
  clusters: readonly Cluster[],
  take: readonly Decision[],
  policy: SourcePolicy,
  region: string,
  name: FieldName,
): Check[] {
  const pattern = name("clusterPattern");
  const reasonOf = new Map(take.map((d) => [d.cluster, d.reason]));
  const aurora = clusters.filter((c) => reasonOf.get(c.id) !== "not-aurora");
  const selected = selectedClusters(clusters, take);
  const matchedOther = clusters.filter(
    (c) => reasonOf.get(c.id) === "not-aurora" && matchesPattern(policy.clusterPattern, c.id),
  );
  const byTags = clusters.filter((c) => {
    const reason = reasonOf.get(c.id);
    return reason === "tag-not-included" || reason === "tag-excluded";
  });
  const notes = [
    matchedOther.length > 0
      ? `ignored, not Aurora: ${list(matchedOther.map((c) => `${c.id} (${c.engine})`))}`
      : "",
    byTags.length > 0 ? `left out by the tag selectors: ${list(byTags.map((c) => c.id))}` : "",
  ].filter((n) => n !== "");
  const noteText = notes.length > 0 ? `; ${notes.join("; ")}` : "";

  const checks: Check[] = [];
  if (aurora.length === 0) {
    checks.push({
      id: "clusters",
      status: "fail",
      title: "clusters",
      detail: `no Aurora clusters in ${region}${noteText}`,
      fix: `check --region (and ${name("regionOverride")}): the clusters must be in the region the tool looks in`,
    });
  } else if (selected.length === 0) {
    checks.push({
      id: "clusters",
      status: "fail",
      title: "clusters",
      detail: `${pattern} "${policy.clusterPattern.source}" selects none of the ${aurora.length} Aurora clusters in ${region}${noteText}`,
      fix: `change ${pattern} (a regex searched in the cluster id; ALL_CLUSTERS for every cluster)`,
    });
  } else {
    checks.push({
      id: "clusters",
      status: "pass",
      title: "clusters",
      detail: `${selected.length} of ${aurora.length} Aurora clusters selected: ${list(selected.map((c) => c.id))}${noteText}`,
    });
  }

  const misses = findNearMisses(
    policy.clusterPattern,
    aurora.map((c) => c.id),
  );
  if (misses.length > 0) {
    checks.push({
      id: "near-misses",
      status: "warn",
      title: "near misses",
      detail: `not selected, but close to ${pattern} "${policy.clusterPattern.source}": ${list(misses.map(describeMiss))}`,
      fix: `if these clusters should be backed up, change ${pattern} to match them`,
    });
  }
  return checks;
}

/** `-YYYY-MM-DD-HH-MM` after the cluster id. */
const STAMP_LENGTH = 17;

export function identifierCheck(
  selected: readonly Cluster[],
  policy: SourcePolicy,
  now: Date,
  name: FieldName,
): Check {
  const prefix = policy.snapshotNamePrefix;
  const problems: string[] = [];
  let longest = 0;
  let worstCluster = 0;
  const copyProblems: string[] = [];
  let worstCopyCluster = 0;
  for (const c of selected) {
    const id = formatSnapshotName(c.id, now, prefix);
    longest = Math.max(longest, id.length);
    const problem = checkIdentifier(id);
    if (problem !== undefined) {
      problems.push(`${c.id} (${id.length} characters)`);
      worstCluster = Math.max(worstCluster, c.id.length);
      continue;
    }
    // With REENCRYPT_KMS_KEY, share copies an aws/rds-encrypted cluster's snapshots as cmk-NAME:
    // 4 characters more. Any encrypted cluster is checked (its key's manager is not looked up).
    if (policy.reencryptKmsKey !== undefined && c.encrypted) {
      const copy = reencryptedCopyName(id);
      longest = Math.max(longest, copy.length);
      if (checkIdentifier(copy) !== undefined) {
        copyProblems.push(`${c.id} (${copy} ${copy.length} characters)`);
        worstCopyCluster = Math.max(worstCopyCluster, c.id.length);
      }
    }
  }
  if (problems.length === 0 && copyProblems.length > 0) {
    const room =
      MAX_IDENTIFIER_LENGTH - REENCRYPTED_PREFIX.length - STAMP_LENGTH - worstCopyCluster - 1;
    const prefixName = name("snapshotNamePrefix");
    return {
      id: "identifiers",
      status: "fail",
      title: "snapshot identifiers",
      detail: `share would skip these clusters' aws/rds snapshots (identifier-too-long): the re-encrypted copy ${REENCRYPTED_PREFIX}[PREFIX-]CLUSTER-YYYY-MM-DD-HH-MM made with ${name("reencryptKmsKey")} would be over ${MAX_IDENTIFIER_LENGTH} characters: ${list(copyProblems)}`,
      fix:
        prefix !== undefined && room >= 1
          ? `shorten ${prefixName} to at most ${room} characters (the ${REENCRYPTED_PREFIX} copy adds ${REENCRYPTED_PREFIX.length})`
          : `${prefix === undefined ? `these cluster ids leave no room for the ${REENCRYPTED_PREFIX} copy's name even without ${prefixName}: ` : `drop ${prefixName}, or `}encrypt these clusters with a customer-managed key (their snapshots then need no ${REENCRYPTED_PREFIX} copy), or leave them out with ${name("clusterPattern")} or ${name("excludeTags")}`,
    };
  }
  if (problems.length === 0) {
    return {
      id: "identifiers",
      status: "pass",
      title: "snapshot identifiers",
      detail:
        selected.length === 0
          ? "no selected cluster to name a snapshot for"
          : `every snapshot identifier fits RDS's rules (longest ${longest} of ${MAX_IDENTIFIER_LENGTH} characters)`,
    };
  }
  const room = MAX_IDENTIFIER_LENGTH - STAMP_LENGTH - worstCluster - 1;
  const fix =
    prefix !== undefined && room >= 1
      ? `shorten ${name("snapshotNamePrefix")} to at most ${room} characters`
      : `these cluster ids are too long for [PREFIX-]CLUSTER-YYYY-MM-DD-HH-MM within ${MAX_IDENTIFIER_LENGTH} characters; ` +
        `${prefix === undefined ? "" : `drop ${name("snapshotNamePrefix")}, or `}leave the clusters out with ${name("clusterPattern")} or ${name("excludeTags")}`;
  return {
    id: "identifiers",
    status: "fail",
    title: "snapshot identifiers",
    detail: `take would skip these clusters, their snapshot identifier being invalid or over ${MAX_IDENTIFIER_LENGTH} characters: ${list(problems)}`,
    fix,
  };
}

/** What DescribeKey said about each key id a selected cluster reports; undefined: not found. */
export type KeyLookup = ReadonlyMap<string, KeyInfo | undefined | { error: string }>;

/** DestinationAccount's default in the original source template: a placeholder, never an account. */
const PLACEHOLDER_ACCOUNT = "000000000000";

export function sharingChecks(
  selected: readonly Cluster[],
  policy: SourcePolicy,
  account: string,
  keys: KeyLookup,
  name: FieldName,
): Check[] {
  const targets = policy.destinationAccounts;
  if (targets.length === 0) {
    return [
      {
        id: "sharing",
        status: "pass",
        title: "sharing",
        detail: `sharing is off (${name("destinationAccount")} not set): share would refuse to run`,
      },
    ];
  }
  const target = targets.join(", ");
  const checks: Check[] = [];
  // Each destination account on its own: one placeholder among real accounts still fails share.
  if (targets.includes(PLACEHOLDER_ACCOUNT)) {
    checks.push({
      id: "sharing-target",
      status: "fail",
      title: "sharing",
      detail: `${name("destinationAccount")} ${targets.length > 1 ? "names" : "is"} ${PLACEHOLDER_ACCOUNT}, the source template's placeholder default: no such account exists`,
      fix: `set ${name("destinationAccount")} (DestinationAccount in the stack) to the destination account's 12-digit id`,
    });
  }
  if (targets.includes(account)) {
    checks.push({
      id: "sharing-target",
      status: "warn",
      title: "sharing",
      detail: `${name("destinationAccount")} ${targets.length > 1 ? "names" : "is"} this account (${account}): sharing with it changes nothing`,
      fix:
        targets.length > 1
          ? `remove ${account} from ${name("destinationAccount")}`
          : `set ${name("destinationAccount")} to the destination account's id`,
    });
  }
  const awsManaged: string[] = [];
  const unknown: string[] = [];
  const disabled: string[] = [];
  const encrypted = selected.filter((c) => c.encrypted);
  for (const c of encrypted) {
    const info = c.kmsKeyId === undefined ? undefined : keys.get(c.kmsKeyId);
    if (info === undefined || "error" in info) unknown.push(c.id);
    else if (info.manager === "AWS") awsManaged.push(c.id);
    else if (!info.enabled) disabled.push(c.id);
  }
  if (awsManaged.length > 0 && policy.reencryptKmsKey !== undefined) {
    // share copies their snapshots under the key (checked apart, as reencrypt-key).
    checks.push({
      id: "sharing-keys-reencrypted",
      status: "pass",
      title: "sharing: encryption keys",
      detail: `encrypted with the AWS-managed key aws/rds; share re-encrypts their snapshots with ${name("reencryptKmsKey")} (${policy.reencryptKmsKey}) and shares the copies with ${target}: ${list(awsManaged)}`,
    });
  } else if (awsManaged.length > 0) {
    checks.push({
      id: "sharing-keys",
      status: "fail",
      title: "sharing: encryption keys",
      detail: `encrypted with the AWS-managed key aws/rds, so their snapshots cannot be shared with ${target}: ${list(awsManaged)}`,
      fix:
        "AWS does not allow sharing a snapshot encrypted with aws/rds. Set " +
        `${name("reencryptKmsKey")} to a customer managed key whose key policy grants the ` +
        "destination account(s) (share then copies each snapshot re-encrypted with it and shares the " +
        "copy), move these clusters to such a key, or leave them out with " +
        name("clusterPattern"),
    });
  }
  if (disabled.length > 0) {
    checks.push({
      id: "sharing-keys-disabled",
      status: "fail",
      title: "sharing: encryption keys",
      detail: `the KMS key of these clusters is not enabled: ${list(disabled)}`,
      fix: "enable the key in KMS (a disabled key also stops the cluster itself)",
    });
  }
  if (unknown.length > 0) {
    checks.push({
      id: "sharing-keys-unknown",
      status: "warn",
      title: "sharing: encryption keys",
      detail: `could not describe the KMS key of: ${list(unknown)}`,
      fix: "allow kms:DescribeKey on the clusters' keys, so share can tell aws/rds keys apart",
    });
  }
  if (awsManaged.length + disabled.length + unknown.length === 0) {
    checks.push({
      id: "sharing-keys",
      status: "pass",
      title: "sharing: encryption keys",
      detail:
        encrypted.length === 0
          ? `no selected cluster is encrypted; snapshots can be shared with ${target}`
          : `${encrypted.length} encrypted clusters use customer managed keys (their key policies must grant ${target})`,
    });
  }
  return checks;
}

export function retentionCheck(
  sourceDays: number,
  destinationDays: number,
  names: { source: string; destination: string },
): Check {
  if (destinationDays < sourceDays) {
    return {
      id: "retention",
      status: "fail",
      title: "retention",
      detail: `the destination keeps copies ${destinationDays} days (${names.destination}), less than the source keeps snapshots (${sourceDays} days, ${names.source})`,
      fix: `raise ${names.destination} to at least ${sourceDays}: otherwise prune-dest deletes copies that copy makes again`,
    };
  }
  return {
    id: "retention",
    status: "pass",
    title: "retention",
    detail: `the destination keeps copies ${destinationDays} days, the source ${sourceDays} days`,
  };
}

/** RDS's default quota of manual cluster snapshots per region (adjustable; AWS Backup's count). */
export const MANUAL_SNAPSHOT_QUOTA = 100;

/**
 * With calendar rules (KEEP_DAILY ...) the snapshots a deployment keeps add up: per cluster at most
 * the snapshots within retention (one per interval, plus the one being replaced), plus one per
 * period each rule keeps, and never fewer than MIN_KEEP. Rules overlap (today's snapshot is also
 * this week's, month's and year's), so this is an upper bound; a warning, not a failure, when the
 * bound for the selected clusters passes the default quota. Only checked while a rule is in use.
 */
export function snapshotQuotaCheck(
  clusters: number,
  policy: {
    retentionDays: number;
    minKeep: number;
    keepDaily: number;
    keepWeekly: number;
    keepMonthly: number;
    keepYearly: number;
  },
  intervalHours: number,
  name: FieldName,
): Check | undefined {
  const rules = policy.keepDaily + policy.keepWeekly + policy.keepMonthly + policy.keepYearly;
  if (rules === 0) return undefined;
  const withinRetention = Math.floor((policy.retentionDays * 24) / intervalHours) + 1;
  const perCluster = Math.max(policy.minKeep, withinRetention + rules);
  const total = clusters * perCluster;
  const base = { id: "snapshot-quota", title: "snapshot quota" } as const;
  const detail = `${clusters} cluster(s) × up to ${perCluster} snapshots each (${withinRetention} within ${name("retentionDays")} at one per ${intervalHours} h, ${rules} kept by the KEEP_* rules) = up to ${total} manual snapshots per region`;
  if (total <= MANUAL_SNAPSHOT_QUOTA) return { ...base, status: "pass", detail };
  return {
    ...base,
    status: "warn",
    detail: `${detail}, over RDS's default quota of ${MANUAL_SNAPSHOT_QUOTA} manual cluster snapshots per region (AWS Backup's snapshots count too); past it, new snapshots and copies fail`,
    fix: `request a higher "Manual DB cluster snapshots" quota in Service Quotas, or lower ${name("keepDaily")}, ${name("keepWeekly")}, ${name("keepMonthly")}, ${name("keepYearly")} or ${name("retentionDays")}`,
  };
}

/**
 * RPO_HOURS against INTERVAL: a recovery point is at best one interval old just before the next
 * snapshot (plus the time the snapshot takes), so an RPO at or below the interval is breached on
 * every cycle and its alarm would fire daily. Only checked when RPO_HOURS is set.
 */
export function rpoCheck(policy: SourcePolicy, name: FieldName): Check | undefined {
  if (policy.rpoHours === undefined) return undefined;
  const base = { id: "rpo", title: "RPO" } as const;
  const rpo = name("rpoHours");
  const interval = name("intervalHours");
  if (policy.rpoHours <= policy.intervalHours) {
    return {
      ...base,
      status: "fail",
      detail: `${rpo} is ${policy.rpoHours} h, not more than ${interval} (${policy.intervalHours} h): every cluster falls beyond its RPO before its next snapshot, on every cycle`,
      fix: `raise ${rpo} to at least ${policy.intervalHours + 2} (the interval + 2 hours, the default), or lower ${interval} below it`,
    };
  }
  if (policy.rpoHours < policy.intervalHours + 2) {
    return {
      ...base,
      status: "warn",
      detail: `${rpo} (${policy.rpoHours} h) leaves less than 2 hours over ${interval} (${policy.intervalHours} h) for a schedule slot and the snapshot's own creation time`,
      fix: `raise ${rpo} to ${policy.intervalHours + 2} or more, unless snapshots are known to finish within the margin`,
    };
  }
  return {
    ...base,
    status: "pass",
    detail: `${rpo} (${policy.rpoHours} h) covers ${interval} (${policy.intervalHours} h) with ${policy.rpoHours - policy.intervalHours} h to spare`,
  };
}

/**
 * SNAPSHOT_SOURCE=automated: a backup's data can be up to AUTOMATED_MAX_AGE_HOURS old when it is
 * copied, and it is the newest recovery point for one INTERVAL after that, so just before the next
 * backup its data can be AUTOMATED_MAX_AGE_HOURS + INTERVAL old. Past the RPO (RPO_HOURS, or the
 * interval + 2 by default) status reports the cluster unprotected then, while every run did its
 * work. With the defaults (age limit = interval) that is always the case. Only checked with
 * `automated`.
 */
export function automatedAgeCheck(policy: SourcePolicy, name: FieldName): Check | undefined {
  if (policy.snapshotSource !== "automated") return undefined;
  const base = { id: "automated-age", title: "automated snapshot age" } as const;
  const maxAge = automatedMaxAgeHoursOf(policy);
  const rpo = policy.rpoHours ?? policy.intervalHours + RPO_SLACK_HOURS;
  const worst = maxAge + policy.intervalHours;
  const ageName = name("automatedMaxAgeHours");
  const intervalName = name("intervalHours");
  const rpoText = `the RPO (${rpo} h${policy.rpoHours === undefined ? `, the default ${intervalName} + ${RPO_SLACK_HOURS}` : ""})`;
  const limitText = `${ageName} (${maxAge} h${policy.automatedMaxAgeHours === undefined ? `, the default: ${intervalName}` : ""})`;
  if (worst <= rpo) {
    return {
      ...base,
      status: "pass",
      detail: `${limitText} + ${intervalName} (${policy.intervalHours} h) is ${worst} h, within ${rpoText}`,
    };
  }
  const suggested = rpo - policy.intervalHours;
  return {
    ...base,
    status: "warn",
    detail: `${limitText} + ${intervalName} (${policy.intervalHours} h) is ${worst} h, over ${rpoText}: a copied automated snapshot can hold data that old just before the next backup, and status then reports the cluster unprotected`,
    fix:
      suggested >= 1
        ? `set ${ageName} to ${suggested} (the RPO − ${intervalName}) or less, or raise ${name("rpoHours")} to ${worst}`
        : `raise ${name("rpoHours")} to ${worst} or more, as the RPO − ${intervalName} leaves no room for ${ageName}`,
  };
}

function hours(n: number): string {
  if (!Number.isFinite(n)) return "never again within a year";
  return Number.isInteger(n) ? `${n} h` : `${n.toFixed(1)} h`;
}

export function scheduleCheck(
  schedule: Schedule,
  intervalHours: number,
  now: Date,
  name: FieldName,
): Check {
  const interval = name("intervalHours");
  const a = analyseSchedule(schedule, intervalHours, now);
  const base = { id: "schedule", title: "schedule" } as const;
  if (!a.analysable) {
    return {
      ...base,
      status: "warn",
      detail: `${schedule.text} uses L, W or #, which this check does not simulate`,
      fix: `make sure it fires at least every ${intervalHours} h (${interval})`,
    };
  }
  if (a.firings === 0) {
    return {
      ...base,
      status: "fail",
      detail: `${schedule.text} does not fire within the next year`,
      fix: "fix the schedule's month, day or year fields",
    };
  }
  if (a.longestGapHours > intervalHours) {
    return {
      ...base,
      status: "fail",
      detail: `${schedule.text} fires less often than the interval: up to ${hours(a.longestGapHours)} between runs, ${interval} is ${intervalHours} h`,
      fix: `make the schedule fire at least every ${intervalHours} h, or raise ${interval} to ${Number.isFinite(a.longestGapHours) ? Math.ceil(a.longestGapHours) : "match it"}`,
    };
  }
  if (a.longestBackupGapHours > intervalHours) {
    return {
      ...base,
      status: "warn",
      detail:
        `${schedule.text} fires often enough, but with ${interval} ${intervalHours} h take skips some runs: ` +
        `up to ${hours(a.longestBackupGapHours)} between backups (the newest snapshot's time is truncated to the hour)`,
      fix: `set ${interval} to a whole number of hours the schedule fires at, such as ${Math.floor(a.longestGapHours)}`,
    };
  }
  return {
    ...base,
    status: "pass",
    detail: `${schedule.text} fires at least every ${hours(a.longestGapHours)}; a backup at least every ${hours(a.longestBackupGapHours)} (${interval} ${intervalHours} h)`,
  };
}

/** A KMS key the destination policy names, with what DescribeKey said in the region it is used in. */
export interface ConfiguredKey {
  readonly field: string;
  readonly ref: string;
  readonly region: string;
  readonly info: KeyInfo | undefined | { error: string };
}

export function keyCheck(key: ConfiguredKey): Check {
  const base = { id: `kms-key:${key.region}:${key.field}`, title: `KMS key (${key.field})` };
  const { info } = key;
  if (info === undefined) {
    return {
      ...base,
      status: "fail",
      detail: `${key.ref} was not found in ${key.region}`,
      fix: `create the key (or alias) in ${key.region}, or correct ${key.field}`,
    };
  }
  if ("error" in info) {
    return {
      ...base,
      status: "fail",
      detail: `could not describe ${key.ref} in ${key.region}: ${info.error}`,
      fix: `allow kms:DescribeKey on the key, or correct ${key.field}`,
    };
  }
  if (info.region !== key.region) {
    return {
      ...base,
      status: "fail",
      detail: `${key.ref} is in ${info.region}; copies are encrypted in ${key.region}`,
      fix: `give ${key.field} a key in ${key.region} (for a multi-Region key, its replica there)`,
    };
  }
  if (!info.enabled) {
    return {
      ...base,
      status: "fail",
      detail: `${key.ref} (${info.arn}) is not enabled`,
      fix: "enable the key in KMS, or pick another",
    };
  }
  return {
    ...base,
    status: "pass",
    detail: `${key.ref} is enabled in ${key.region} (${info.arn})`,
  };
}

/**
 * Regions where an encrypted snapshot would be skipped for want of a key (reason
 * kms-key-required): the same rule the copy planner applies, stated before the first run.
 */
export function missingKeyCheck(
  candidates: readonly Snapshot[],
  policy: DestinationPolicy,
  localRegion: string,
  name: FieldName,
): Check | undefined {
  const encrypted = candidates.filter((s) => s.encrypted);
  if (encrypted.length === 0) return undefined;
  const missing = copyRegionsOf(policy, localRegion)
    .filter((region) => copyKeyFor(policy, localRegion, region) === undefined)
    .map((region) =>
      region === localRegion
        ? `${region} (${name("kmsKeySource")})`
        : `${region} (${name("kmsKeyDestination")})`,
    );
  if (missing.length === 0) return undefined;
  return {
    id: "kms-keys-missing",
    status: "warn",
    title: "KMS keys",
    detail: `${encrypted.length} encrypted snapshots would be skipped (kms-key-required) for want of a key in: ${missing.join(", ")}`,
    fix: "configure a key for each of these regions",
  };
}

export function sharedInventoryCheck(
  listed: readonly Snapshot[],
  candidates: readonly Snapshot[],
  policy: DestinationPolicy,
  region: string,
  name: FieldName,
): Check[] {
  const what = policy.crossAccount
    ? "shared with this account"
    : "taken by the tool in this account";
  if (listed.length === 0) {
    return [
      {
        id: "sources",
        status: "warn",
        title: "snapshots to copy",
        detail: `no snapshots ${what} in ${region} yet`,
        fix: policy.crossAccount
          ? `run share in the source account (its DEST_ACCOUNT must be this account), and check ${name("regionOverride")} here names the region they are shared in`
          : `run take in this account first, or set ${name("crossAccount")} TRUE to copy snapshots shared from another account`,
      },
    ];
  }
  const checks: Check[] = [];
  if (candidates.length === 0) {
    checks.push({
      id: "sources",
      status: "warn",
      title: "snapshots to copy",
      detail: `${listed.length} snapshots ${what} in ${region}, none selected by ${name("snapshotPattern")} "${policy.snapshotPattern.source}"${policy.sourceAccounts.length > 0 ? ` and ${name("sourceAccounts")}` : ""}`,
      fix: `change ${name("snapshotPattern")} to match their cluster ids`,
    });
  } else {
    checks.push({
      id: "sources",
      status: "pass",
      title: "snapshots to copy",
      detail: `${candidates.length} of ${listed.length} snapshots ${what} in ${region} are selected`,
    });
  }
  const clusterIds = [
    ...new Set(listed.filter((s) => !candidates.includes(s)).map((s) => s.clusterId)),
  ];
  const misses = findNearMisses(policy.snapshotPattern, clusterIds);
  if (misses.length > 0) {
    checks.push({
      id: "near-misses",
      status: "warn",
      title: "near misses",
      detail: `not selected, but close to ${name("snapshotPattern")} "${policy.snapshotPattern.source}": ${list(misses.map(describeMiss))}`,
      fix: `if these clusters' snapshots should be copied, change ${name("snapshotPattern")}`,
    });
  }
  return checks;
}

/**
 * Sharing needs no consent from the receiver and the tool's names are predictable, so with no
 * SOURCE_ACCOUNTS any account can put snapshots in front of the copy step: warn until it is set.
 */
export function sourceAccountsCheck(policy: DestinationPolicy, name: FieldName): Check | undefined {
  if (!policy.crossAccount) return undefined;
  if (policy.sourceAccounts.length > 0) {
    return {
      id: "source-accounts",
      status: "pass",
      title: "source accounts",
      detail: `only snapshots shared by ${list(policy.sourceAccounts)} are copied`,
    };
  }
  return {
    id: "source-accounts",
    status: "warn",
    title: "source accounts",
    detail:
      "not set: a snapshot shared by any account is copied, and can take copy slots or a backup's name",
    fix: `set ${name("sourceAccounts")} to the account ids of the source deployments`,
  };
}
