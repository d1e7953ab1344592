import { RE2JS, RE2JSException, RE2JSSyntaxException } from "re2js";

import { ConfigError, type FieldRef } from "./config-error.js";
import type { ClusterPattern } from "./types.js";

/** The original tool's words for "every cluster"; either is accepted on either side. */
export const ALL_CLUSTERS = "ALL_CLUSTERS";
export const ALL_SNAPSHOTS = "ALL_SNAPSHOTS";
const ALL_WORDS: readonly string[] = [ALL_CLUSTERS, ALL_SNAPSHOTS];

export const PATTERN_EXPECTED =
  "ALL_CLUSTERS or ALL_SNAPSHOTS for every cluster, or a regular expression in RE2 syntax " +
  "searched anywhere in the cluster id (RE2 matches in linear time, so it has no " +
  "backreferences, lookahead, lookbehind, possessive quantifiers or atomic groups)";

type Expression = Extract<ClusterPattern, { kind: "regex" }>["regex"];

/* The flags RE2 honours, under the letters a RegExp uses for them. */
const RE2_FLAGS: Readonly<Record<string, number>> = {
  i: RE2JS.CASE_INSENSITIVE,
  m: RE2JS.MULTILINE,
  s: RE2JS.DOTALL,
};

/*
 * `u` only changes what a RegExp's source means, and a RegExp's source is translated anyway (RE2
 * always matches code points). `g` and `y` make a RegExp remember `lastIndex`, and `y` anchors the
 * search there: refused rather than quietly dropped, as are `d` and `v`.
 */
const REGEXP_FLAGS = "imsu";

/** Each expression compiled once; a parsed pattern's when it is parsed, a hand-built one's when first used. */
const compiled = new WeakMap<Expression, RE2JS>();

function all(source: string): ClusterPattern {
  return Object.freeze({ kind: "all", source });
}

/** The RE2 form of an expression: a RegExp's syntax translated, flags other than i, m, s left out. */
function toRe2(regex: Expression): Expression {
  const source = regex instanceof RegExp ? RE2JS.translateRegExp(regex.source) : regex.source;
  const flags = [...regex.flags].filter((f) => f in RE2_FLAGS).join("");
  return Object.freeze({ source, flags });
}

/*
 * RE2's parser reports what it leaves out (everything that needs backtracking) as plain syntax
 * errors; whoever wrote one meant it, so the message names the construct.
 */
const UNSUPPORTED: readonly (readonly [RegExp, string])[] = [
  [/^\\(?:[1-9]|k)/, "a backreference"],
  [/^\(\?P=/, "a backreference"],
  [/^\(\?[=!]/, "lookahead"],
  [/^\(\?<[=!]/, "lookbehind"],
  [/^\(\?>/, "an atomic group"],
  [/^(?:[*+?]|\{[\d,]*\})\+$/, "a possessive quantifier"],
];

function whyRefused(error: RE2JSException, source: string): string {
  if (error instanceof RE2JSSyntaxException) {
    // For `(?P` RE2 quotes no more than that, which a named group also starts with.
    const at = error.input === "(?P" && source.includes("(?P=") ? "(?P=" : (error.input ?? "");
    for (const [shape, construct] of UNSUPPORTED) {
      const found = shape.exec(at);
      if (found) return `this one has ${construct}, \`${found[0]}\`, which RE2 does not support`;
    }
  }
  return `RE2 cannot parse this one: ${error.message.replace(/^error parsing regexp: /, "")}`;
}

function compile(field: FieldRef, raw: unknown, regex: Expression): RE2JS {
  let bits = 0;
  for (const flag of regex.flags) bits |= RE2_FLAGS[flag] ?? 0;
  try {
    return RE2JS.compile(regex.source, bits);
  } catch (error) {
    if (!(error instanceof RE2JSException)) throw error;
    throw new ConfigError(field, raw, `${PATTERN_EXPECTED}; ${whyRefused(error, regex.source)}`);
  }
}

function regexPattern(
  field: FieldRef,
  raw: unknown,
  source: string,
  regex: Expression,
): ClusterPattern {
  const expression = toRe2(regex);
  compiled.set(expression, compile(field, raw, expression));
  return Object.freeze({ kind: "regex", source, regex: expression });
}

function fromRegExp(field: FieldRef, raw: unknown, regex: RegExp, given?: unknown): ClusterPattern {
  const refused = [...regex.flags].filter((f) => !REGEXP_FLAGS.includes(f));
  if (refused.length > 0) {
    throw new ConfigError(
      field,
      raw,
      `${PATTERN_EXPECTED}; a RegExp may carry the flags i, m, s and u only (this one has ${refused.join(", ")})`,
    );
  }
  const computed = regex.flags === "" ? regex.source : String(regex);
  return regexPattern(field, raw, typeof given === "string" ? given : computed, regex);
}

function isExpression(value: unknown): value is Expression {
  if (typeof value !== "object" || value === null) return false;
  const { source, flags } = value as Record<string, unknown>;
  return typeof source === "string" && typeof flags === "string" && /^[ims]*$/.test(flags);
}

/**
 * PATTERN / SNAPSHOT_PATTERN. Like the original (Python's `re.search`), the regex is searched
 * anywhere in the cluster id, without flags, and the ALL_ words are compared exactly. The string
 * is not trimmed: spaces are part of a regex. Blank or not set gives `defaultWord` (an empty regex
 * matched every cluster in the original too).
 *
 * The syntax is RE2's, which matches in time linear in the id's length whatever the pattern, so a
 * pattern such as `(a+)+$` cannot hang a run. It reads Python's `(?P<name>...)` and inline flags
 * such as `(?i)`; a construct RE2 lacks (backreferences, lookaround, possessive quantifiers) is
 * refused here rather than at the first match. A RegExp (JavaScript syntax, flags i, m, s, u) or a
 * parsed ClusterPattern is also accepted, so that a policy can be fed back through its own parser.
 */
export function parsePattern(field: FieldRef, raw: unknown, defaultWord: string): ClusterPattern {
  if (raw === undefined || raw === null) return all(defaultWord);
  if (typeof raw === "string") {
    if (raw.trim() === "") return all(defaultWord);
    if (ALL_WORDS.includes(raw.trim())) return all(raw.trim());
    return regexPattern(field, raw, raw, { source: raw, flags: "" });
  }
  if (raw instanceof RegExp) return fromRegExp(field, raw, raw);
  if (typeof raw === "object") {
    const pattern = raw as Partial<Record<keyof ClusterPattern | "regex", unknown>>;
    if (pattern.kind === "all")
      return all(typeof pattern.source === "string" ? pattern.source : defaultWord);
    if (pattern.kind === "regex" && pattern.regex instanceof RegExp) {
      return fromRegExp(field, raw, pattern.regex, pattern.source);
    }
    if (pattern.kind === "regex" && isExpression(pattern.regex)) {
      const source = typeof pattern.source === "string" ? pattern.source : pattern.regex.source;
      return regexPattern(field, raw, source, pattern.regex);
    }
  }
  throw new ConfigError(field, raw, PATTERN_EXPECTED);
}

function re2Of(pattern: Extract<ClusterPattern, { kind: "regex" }>): RE2JS {
  let re2 = compiled.get(pattern.regex);
  if (re2 === undefined) {
    re2 = compile("pattern", pattern.source, toRe2(pattern.regex));
    compiled.set(pattern.regex, re2);
  }
  return re2;
}

/**
 * Whether a cluster id is selected by the pattern (a regex is searched, not anchored). Always RE2:
 * a hand-built pattern's RegExp is translated, never run, and its g or y flag ignored.
 */
export function matchesPattern(pattern: ClusterPattern, clusterId: string): boolean {
  return pattern.kind === "all" || re2Of(pattern).test(clusterId);
}

/** The same pattern with letter case ignored, for doctor's "missed only by case" check. */
export function ignoringCase(pattern: ClusterPattern): ClusterPattern {
  if (pattern.kind === "all") return pattern;
  const { source, flags } = toRe2(pattern.regex);
  const folded = flags.includes("i") ? flags : `${flags}i`;
  return regexPattern("pattern", pattern.source, pattern.source, { source, flags: folded });
}
