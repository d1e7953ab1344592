import type { DeleteDecision, SkipDecision, Snapshot } from "../model/index.js";
import {
  REENCRYPTED_PREFIX,
  TAG_REENCRYPTED_FROM,
  isToolSnapshot,
  parseArn,
} from "../model/index.js";
import { isOwnName } from "../naming/index.js";
import { sortDecisions } from "./decision-order.js";

/*
 * Re-encrypted copies (REENCRYPT_KMS_KEY): a tool snapshot encrypted with the AWS-managed aws/rds
 * key cannot be shared, so `share` copies it in the same account and region with a customer key,
 * as `cmk-<original name>`, and shares the copy. The original and its copy are one backup: the
 * copy never counts as a backup of its own (take's interval, MIN_KEEP), and prune decides the pair
 * together. Pure: listings and decisions in, decisions out.
 */

/** The name of the re-encrypted copy of `originalName` (lowercase, as RDS reports it). */
export function reencryptedCopyName(originalName: string): string {
  return `${REENCRYPTED_PREFIX}${originalName}`.toLowerCase();
}

/**
 * The name of the original a snapshot is this deployment's re-encrypted copy of; undefined when it
 * is not one. All of these must hold: the tool's CreatedBy tag; a name `cmk-` + a name this
 * deployment gives its snapshots of the copy's cluster; and a TAG_REENCRYPTED_FROM naming that very
 * original, in the copy's account and region. A copy whose tag points anywhere else is nobody's.
 */
export function reencryptedOriginalName(
  s: Snapshot,
  prefix: string | undefined,
): string | undefined {
  const from = s.tags[TAG_REENCRYPTED_FROM];
  if (from === undefined || !isToolSnapshot(s.tags)) return undefined;
  const name = s.name.toLowerCase();
  if (!name.startsWith(REENCRYPTED_PREFIX)) return undefined;
  const original = name.slice(REENCRYPTED_PREFIX.length);
  if (!isOwnName(original, s.clusterId, prefix)) return undefined;
  const arn = parseArn(from);
  if (
    arn === undefined ||
    arn.service !== "rds" ||
    arn.resourceType !== "cluster-snapshot" ||
    arn.resource.toLowerCase() !== original ||
    arn.account !== s.account ||
    arn.region !== s.region
  ) {
    return undefined;
  }
  return original;
}

export function isOwnReencryptedCopy(s: Snapshot, prefix: string | undefined): boolean {
  return reencryptedOriginalName(s, prefix) !== undefined;
}

function placeKey(account: string, region: string, name: string): string {
  return `${account}|${region}|${name.toLowerCase()}`;
}

/** This deployment's re-encrypted copies in a listing, by the key of the original they name. */
export function reencryptedCopiesByOriginal(
  snapshots: readonly Snapshot[],
  prefix: string | undefined,
): Map<string, Snapshot> {
  const out = new Map<string, Snapshot>();
  for (const s of snapshots) {
    const original = reencryptedOriginalName(s, prefix);
    if (original !== undefined) out.set(placeKey(s.account, s.region, original), s);
  }
  return out;
}

/** The re-encrypted copy of `original` in a listing indexed by reencryptedCopiesByOriginal. */
export function copyOf(
  copies: ReadonlyMap<string, Snapshot>,
  original: Snapshot,
): Snapshot | undefined {
  return copies.get(placeKey(original.account, original.region, original.name));
}

type PruneDecision = DeleteDecision | SkipDecision;

/** A re-encrypting copy RDS is still making. */
const COPY_UNFINISHED: ReadonlySet<string> = new Set(["creating", "copying", "pending"]);

export interface ReencryptPairs {
  /**
   * What the retention rules see: every snapshot but the re-encrypted copies whose original is
   * listed (the pair is judged once, by its original), with a copy whose original is gone standing
   * in for it under the original's name (so it is judged, and holds a MIN_KEEP place, as the
   * original would).
   */
  readonly visible: readonly Snapshot[];
  /** The retention rules' decisions on `visible`, turned back into decisions on the real listing. */
  settle(decisions: readonly PruneDecision[]): PruneDecision[];
}

/**
 * Keeps prune's pairs consistent: a re-encrypted copy is deleted only in a run that deletes its
 * original, or, once its original is gone, when the rules would delete the original; it is never
 * deleted while its original is kept.
 */
export function reencryptPairs(
  snapshots: readonly Snapshot[],
  prefix: string | undefined,
): ReencryptPairs {
  const copies = reencryptedCopiesByOriginal(snapshots, prefix);
  if (copies.size === 0) return { visible: snapshots, settle: (d) => [...d] };

  const listed = new Set(snapshots.map((s) => placeKey(s.account, s.region, s.name)));
  /** original's key -> its copy, for the pairs whose original is listed */
  const paired = new Map<string, Snapshot>();
  /** stand-in's key (the original's) -> the copy it stands for */
  const standIns = new Map<string, Snapshot>();
  const hidden = new Set<Snapshot>();
  const visible: Snapshot[] = [];
  for (const [key, copy] of copies) {
    if (listed.has(key)) {
      paired.set(key, copy);
      hidden.add(copy);
    } else {
      standIns.set(key, copy);
    }
  }
  for (const s of snapshots) {
    if (hidden.has(s)) continue;
    const original = reencryptedOriginalName(s, prefix);
    if (original === undefined) {
      visible.push(s);
      continue;
    }
    // The stand-in carries no TAG_REENCRYPTED_FROM, so the rules take it as the original it
    // replaces; its ARN stays the copy's, so a delete decision deletes the copy.
    const tags = { ...s.tags };
    delete tags[TAG_REENCRYPTED_FROM];
    visible.push({ ...s, id: original, name: original, tags });
  }

  const settle = (decisions: readonly PruneDecision[]): PruneDecision[] => {
    const out: PruneDecision[] = [];
    for (const d of decisions) {
      const key = d.snapshot === undefined ? undefined : placeKey(d.account, d.region, d.snapshot);
      const standFor = key === undefined ? undefined : standIns.get(key);
      if (standFor !== undefined) {
        const facts = { ...d.facts, reencryptedFrom: d.snapshot ?? null, originalListed: false };
        out.push(
          d.action === "delete"
            ? { ...d, snapshot: standFor.name, snapshotArn: standFor.arn, facts }
            : { ...d, snapshot: standFor.name, facts },
        );
        continue;
      }
      const copy = key === undefined ? undefined : paired.get(key);
      if (copy === undefined) {
        out.push(d);
        continue;
      }
      if (d.action === "delete" && COPY_UNFINISHED.has(copy.status)) {
        // Deleting the source of a copy in progress ends the copy (RDS: "If the snapshot is being
        // copied, the copy operation is terminated"), and that backup would never reach DR. The
        // original waits for its copy; once the copy is available the pair follows the rule below.
        out.push({
          step: d.step,
          cluster: d.cluster,
          account: d.account,
          region: d.region,
          snapshot: d.snapshot,
          action: "skip",
          reason: "reencrypting",
          facts: {
            ...d.facts,
            originalReason: d.reason,
            copy: copy.name,
            copyStatus: copy.status,
            percentProgress: copy.percentProgress ?? null,
          },
        });
      } else {
        out.push(d);
      }
      const base = {
        step: d.step,
        cluster: copy.clusterId,
        account: copy.account,
        region: copy.region,
        snapshot: copy.name,
      };
      const facts = {
        reencryptedFrom: d.snapshot ?? null,
        originalReason: d.reason,
        originalAction: d.action,
      };
      if (d.action === "delete" && copy.status === "available") {
        out.push({
          ...base,
          action: "delete",
          reason: "original-pruned",
          snapshotArn: copy.arn,
          facts,
        });
      } else if (d.action === "delete" && copy.status === "failed") {
        // The original goes as the rules say; its failed copy is no backup, and is reported so
        // that the lost re-encryption is not silent.
        out.push({
          ...base,
          action: "skip",
          reason: "copy-failed",
          facts: { ...facts, status: copy.status },
        });
      } else if (d.action === "delete") {
        // A copy RDS has not finished cannot be deleted as a backup; the next run decides it.
        out.push({
          ...base,
          action: "skip",
          reason: "not-available",
          facts: { ...facts, status: copy.status },
        });
      } else {
        out.push({ ...base, action: "skip", reason: "original-kept", facts });
      }
    }
    return sortDecisions(out);
  };
  return { visible, settle };
}
