import { ConfigError, type FieldRef } from "./config-error.js";
import type { ClusterPattern } from "./types.js";

/** The original tool's words for "every cluster"; either is accepted on either side. */
export const ALL_CLUSTERS = "ALL_CLUSTERS";
export const ALL_SNAPSHOTS = "ALL_SNAPSHOTS";
const ALL_WORDS: readonly string[] = [ALL_CLUSTERS, ALL_SNAPSHOTS];

export const PATTERN_EXPECTED =
  "ALL_CLUSTERS or ALL_SNAPSHOTS for every cluster, or a JavaScript regular expression " +
  "(without the g or y flag) searched anywhere in the cluster id";

function all(source: string): ClusterPattern {
  return Object.freeze({ kind: "all", source });
}

/*
 * A pattern with the g or y flag remembers `lastIndex` between calls to test(), so the same cluster
 * id would match on one call and not the next. Such a RegExp is refused rather than quietly changed.
 */
function fromRegExp(field: FieldRef, raw: unknown, regex: RegExp, given?: unknown): ClusterPattern {
  if (regex.global || regex.sticky) throw new ConfigError(field, raw, PATTERN_EXPECTED);
  const computed = regex.flags === "" ? regex.source : String(regex);
  const source = typeof given === "string" ? given : computed;
  return Object.freeze({ kind: "regex", source, regex: new RegExp(regex) });
}

/**
 * PATTERN / SNAPSHOT_PATTERN. Like the original (Python's `re.search`), the regex is searched
 * anywhere in the cluster id, without flags, and the ALL_ words are compared exactly. The string
 * is not trimmed: spaces are part of a regex. Blank or not set gives `defaultWord` (an empty regex
 * matched every cluster in the original too). A RegExp or a parsed ClusterPattern is also accepted,
 * so that a policy can be fed back through its own parser.
 */
export function parsePattern(field: FieldRef, raw: unknown, defaultWord: string): ClusterPattern {
  if (raw === undefined || raw === null) return all(defaultWord);
  if (typeof raw === "string") {
    if (raw.trim() === "") return all(defaultWord);
    if (ALL_WORDS.includes(raw.trim())) return all(raw.trim());
    let regex: RegExp;
    try {
      regex = new RegExp(raw);
    } catch {
      throw new ConfigError(field, raw, PATTERN_EXPECTED);
    }
    return Object.freeze({ kind: "regex", source: raw, regex });
  }
  if (raw instanceof RegExp) return fromRegExp(field, raw, raw);
  if (typeof raw === "object") {
    const pattern = raw as Partial<Record<keyof ClusterPattern | "regex", unknown>>;
    if (pattern.kind === "all")
      return all(typeof pattern.source === "string" ? pattern.source : defaultWord);
    if (pattern.kind === "regex" && pattern.regex instanceof RegExp) {
      return fromRegExp(field, raw, pattern.regex, pattern.source);
    }
  }
  throw new ConfigError(field, raw, PATTERN_EXPECTED);
}

/** Whether a cluster id is selected by the pattern (a regex is searched, not anchored). */
export function matchesPattern(pattern: ClusterPattern, clusterId: string): boolean {
  // `search` ignores a `g` or `y` flag and never moves `lastIndex`, so a hand-built pattern gives
  // the same answer however often it is used.
  return pattern.kind === "all" || clusterId.search(pattern.regex) !== -1;
}
