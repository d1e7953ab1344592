import type { ClusterPattern } from "../policy/index.js";
import { ignoringCase, matchesPattern } from "../policy/pattern.js";

/*
 * Clusters a pattern almost selects: the likely typo or letter-case slip behind "the tool never
 * backed up my cluster". Pure rules for doctor.
 */

export interface NearMiss {
  readonly clusterId: string;
  /** `case`: matches when letter case is ignored; `typo`: within a small edit distance. */
  readonly kind: "case" | "typo";
  /** Edits between the literal pattern and the closest part of the id (typo only). */
  readonly distance?: number;
}

export interface LiteralPattern {
  readonly text: string;
  readonly anchoredStart: boolean;
  readonly anchoredEnd: boolean;
}

/**
 * The text of a pattern that is a plain cluster-id fragment, optionally anchored: `prod`,
 * `^prod-orders$`, `-eu$`. Undefined for a pattern using any other regex syntax, since "close to"
 * has no clear meaning there.
 */
export function literalOf(source: string): LiteralPattern | undefined {
  const m = /^(\^?)([A-Za-z0-9-]+)(\$?)$/.exec(source);
  if (!m) return undefined;
  return { text: m[2] as string, anchoredStart: m[1] === "^", anchoredEnd: m[3] === "$" };
}

/**
 * Fewest single-character edits (insert, delete, substitute) turning `needle` into a part of
 * `haystack`; a free start or end unless anchored (Sellers' approximate substring matching).
 */
export function approximateDistance(
  needle: string,
  haystack: string,
  anchoredStart = true,
  anchoredEnd = true,
): number {
  const n = haystack.length;
  let previous = Array.from({ length: n + 1 }, (_, j) => (anchoredStart ? j : 0));
  for (let i = 1; i <= needle.length; i++) {
    const current = [i];
    for (let j = 1; j <= n; j++) {
      const substitute = (previous[j - 1] as number) + (needle[i - 1] === haystack[j - 1] ? 0 : 1);
      current.push(
        Math.min(substitute, (previous[j] as number) + 1, (current[j - 1] as number) + 1),
      );
    }
    previous = current;
  }
  return anchoredEnd ? (previous[n] as number) : Math.min(...previous);
}

/** Edit distance between two whole strings (Levenshtein). */
export function editDistance(a: string, b: string): number {
  return approximateDistance(a, b, true, true);
}

/**
 * At most 2 edits, and fewer than half the literal's length, so that a short pattern such as `db`
 * does not "nearly match" every cluster.
 */
function maxEdits(literal: string): number {
  return Math.min(2, Math.ceil(literal.length / 2) - 1);
}

/** Clusters the pattern does not select that it nearly does, in the order given. */
export function findNearMisses(pattern: ClusterPattern, clusterIds: readonly string[]): NearMiss[] {
  if (pattern.kind === "all") return [];
  // Matched by the same linear-time engine as the steps: a pattern must not hang doctor either.
  const folded = ignoringCase(pattern);
  const literal = literalOf(pattern.source);
  const misses: NearMiss[] = [];
  for (const id of clusterIds) {
    if (matchesPattern(pattern, id)) continue;
    if (matchesPattern(folded, id)) {
      misses.push({ clusterId: id, kind: "case" });
      continue;
    }
    if (literal === undefined) continue;
    const limit = maxEdits(literal.text);
    if (limit < 1) continue;
    const distance = approximateDistance(
      literal.text.toLowerCase(),
      id.toLowerCase(),
      literal.anchoredStart,
      literal.anchoredEnd,
    );
    if (distance <= limit) misses.push({ clusterId: id, kind: "typo", distance });
  }
  return misses;
}
