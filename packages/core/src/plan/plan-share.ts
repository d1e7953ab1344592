import type {
  Facts,
  KeyInfo,
  Reason,
  ShareDecision,
  SkipDecision,
  Snapshot,
} from "../model/index.js";
import { TAG_SHARE_AND_COPY, TAG_SHARED_WITH, isToolSnapshot } from "../model/index.js";
import type { SourcePolicy } from "../policy/types.js";
import { matchesPattern } from "../policy/pattern.js";
import { sortDecisions } from "./decision-order.js";
import { ownsSourceSnapshot } from "./ownership.js";

export interface PlanShareInput {
  /** The region's manual snapshots (tags included). */
  readonly snapshots: readonly Snapshot[];
  /** What KMS says about the keys, by the `kmsKeyId` the snapshots report. */
  readonly keys: ReadonlyMap<string, KeyInfo>;
  readonly policy: SourcePolicy;
  readonly now: Date;
}

export type ShareStepDecision = ShareDecision | SkipDecision;

const ACCOUNT_ID = /^\d{12}$/;

/**
 * Which of the tool's snapshots to share with the destination account.
 *
 * The original re-shared every snapshot every 10 minutes. Here the share step's executor writes
 * TAG_SHARED_WITH (the account id) once a share succeeded, so later runs see it in the TagList the
 * listing already returns and need no DescribeDBClusterSnapshotAttributes call per snapshot. A share
 * whose tag write failed is simply planned again: adding an account twice is a no-op in RDS.
 */
export function planShare(input: PlanShareInput): ShareStepDecision[] {
  const account = input.policy.destinationAccount;
  if (account === undefined) return [];
  // Safety rule 3: never public (`all`), never anything but one 12-digit account. Policies are
  // validated before planning, so reaching this is a bug, not a configuration error.
  if (!ACCOUNT_ID.test(account)) {
    throw new Error(`planShare: destination account must be 12 digits, got "${account}"`);
  }

  const decisions: ShareStepDecision[] = [];
  for (const s of input.snapshots) {
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
    if (!ownsSourceSnapshot(s, input.policy.snapshotNamePrefix)) {
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
    const sharedWith = (s.tags[TAG_SHARED_WITH] ?? "").split(/\s+/).filter((a) => a !== "");
    if (sharedWith.includes(account)) {
      skip("already-shared", { sharedWith: sharedWith.join(" ") });
      continue;
    }
    // An unknown key is not a reason to skip: the share call itself reports what is wrong.
    const key = s.encrypted && s.kmsKeyId !== undefined ? input.keys.get(s.kmsKeyId) : undefined;
    if (key?.manager === "AWS") {
      skip("encrypted-with-default-key", { kmsKeyId: s.kmsKeyId ?? null, keyManager: "AWS" });
      continue;
    }

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
      facts: { encrypted: s.encrypted, shareWith: account },
    });
  }
  return sortDecisions(decisions);
}
