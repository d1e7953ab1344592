import { describe, expect, it } from "vitest";
import { matchesPattern, parsePattern } from "../../src/policy/index.js";
import { ignoringCase } from "../../src/policy/pattern.js";
import type { ClusterPattern } from "../../src/policy/types.js";
import { configErrorOf, expectConfigError } from "./config-error-helper.js";

const pattern = (source: string): ClusterPattern => parsePattern("PATTERN", source, "ALL_CLUSTERS");

describe("parsePattern", () => {
  it.each(["ALL_CLUSTERS", "ALL_SNAPSHOTS"])("reads %s as every cluster", (word) => {
    expect(parsePattern("PATTERN", word, "ALL_CLUSTERS")).toEqual({ kind: "all", source: word });
  });

  it.each([undefined, null, "", "  "])("gives the default word when the value is %j", (raw) => {
    expect(parsePattern("PATTERN", raw, "ALL_SNAPSHOTS")).toEqual({
      kind: "all",
      source: "ALL_SNAPSHOTS",
    });
  });

  it("compiles anything else as an RE2 regex without flags", () => {
    expect(pattern("^prod-")).toEqual({
      kind: "regex",
      source: "^prod-",
      regex: { source: "^prod-", flags: "" },
    });
  });

  it.each(["(unclosed", "[a-", "*prod"])("refuses %s, which does not compile", (raw) => {
    expectConfigError(() => pattern(raw), "PATTERN", raw, /regular expression in RE2 syntax/);
  });

  it.each([
    ["(a)\\1", "a backreference, `\\1`"],
    ["(?P<env>prod)-(?P=env)", "a backreference, `(?P=`"],
    ["(?<env>prod)\\k<env>", "a backreference, `\\k`"],
    ["prod(?=-orders)", "lookahead, `(?=`"],
    ["prod(?!-test)", "lookahead, `(?!`"],
    ["(?<=prod-)orders", "lookbehind, `(?<=`"],
    ["(?<!test-)orders", "lookbehind, `(?<!`"],
    ["a++", "a possessive quantifier, `++`"],
    ["a{2}+", "a possessive quantifier, `{2}+`"],
    ["(?>prod)", "an atomic group, `(?>`"],
  ])("refuses %s, which RE2 cannot run, naming the construct", (raw, construct) => {
    const error = configErrorOf(() => parsePattern({ kind: "env", name: "PATTERN" }, raw, "ALL"));

    expect(error.field).toBe("PATTERN");
    expect(error.value).toBe(raw);
    expect(error.expected).toContain(construct);
    expect(error.expected).toMatch(/no backreferences, lookahead, lookbehind/);
    expect(error.message).toContain(`PATTERN: invalid value ${JSON.stringify(raw)}`);
  });

  it("names the field as given, a config file key included", () => {
    const field = { kind: "file", name: "source.clusterPattern", file: "/etc/tool.json" } as const;
    const error = configErrorOf(() => parsePattern(field, "(?=x)", "ALL_CLUSTERS"));
    expect(error.where).toBe("source.clusterPattern in /etc/tool.json");
  });

  it.each([/prod/g, /prod/y, /prod/d])(
    "refuses the RegExp %s, whose flag RE2 has no counterpart for",
    (raw) => {
      expectConfigError(
        () => parsePattern("clusterPattern", raw, "ALL_CLUSTERS"),
        "clusterPattern",
        raw,
        /flags i, m, s and u only \(this one has [gyd]\)/,
      );
    },
  );

  it("accepts a RegExp with the i flag and keeps the flag visible in its source", () => {
    const parsed = parsePattern("clusterPattern", /^PROD/i, "ALL_CLUSTERS");
    expect(parsed.source).toBe("/^PROD/i");
    expect(parsed).toMatchObject({ regex: { source: "^PROD", flags: "i" } });
    expect(matchesPattern(parsed, "prod-orders")).toBe(true);
  });

  it("translates a RegExp's JavaScript syntax to RE2's", () => {
    const parsed = parsePattern("clusterPattern", /^(?<env>prod)\u002d\/?/u, "ALL_CLUSTERS");
    expect(matchesPattern(parsed, "prod-orders")).toBe(true);
    expect(matchesPattern(parsed, "prodorders")).toBe(false);
  });

  it("refuses a RegExp whose syntax RE2 cannot run", () => {
    expectConfigError(
      () => parsePattern("clusterPattern", /(?<=prod-)orders/, "ALL_CLUSTERS"),
      "clusterPattern",
      /(?<=prod-)orders/,
      /lookbehind/,
    );
  });

  it("reads its own output back to an equal pattern", () => {
    for (const raw of ["^prod-", /^PROD/im, "ALL_SNAPSHOTS"]) {
      const parsed = parsePattern("P", raw, "ALL_CLUSTERS");
      expect(parsePattern("P", parsed, "ALL_CLUSTERS")).toStrictEqual(parsed);
    }
  });

  it.each([42, true, { kind: "other" }, { kind: "regex", regex: { source: "x", flags: "g" } }])(
    "refuses %j",
    (raw) => {
      expectConfigError(
        () => parsePattern("clusterPattern", raw, "ALL_CLUSTERS"),
        "clusterPattern",
        raw,
        /ALL_CLUSTERS/,
      );
    },
  );
});

describe("matchesPattern", () => {
  it("matches every id for the all pattern", () => {
    expect(matchesPattern(pattern("ALL_CLUSTERS"), "anything")).toBe(true);
    expect(matchesPattern(pattern(""), "anything")).toBe(true);
  });

  it.each([
    ["orders", "prod-orders-1", true],
    ["^prod", "prod-orders", true],
    ["^prod", "dev-prod", false],
    ["orders$", "orders-2", false],
    ["orders$", "prod-orders", true],
    ["a.c", "abc", true],
    ["^(prod|staging)-", "staging-db", true],
    ["-\\d{2}$", "db-07", true],
    ["\\bdb\\b", "my-db-1", true],
    ["[[:digit:]]", "db-a", false],
    ["(?i)^PROD", "prod-orders", true],
    ["^prod(?i)-ORDERS", "prod-orders", true],
    ["^(?P<env>prod|test)-", "test-db", true],
    ["^(?<env>prod|test)-", "test-db", true],
    ["\\Aprod-orders\\z", "prod-orders", true],
  ])("searches /%s/ anywhere in %s: %s", (source, id, expected) => {
    expect(matchesPattern(pattern(source), id)).toBe(expected);
  });

  it("answers a pattern that backtracks exponentially in JavaScript, at once", () => {
    // Node's own RegExp takes minutes over this id (2^39 ways to split the a's); RE2 is linear.
    const id = `${"a".repeat(39)}!`;
    expect(matchesPattern(pattern("(a+)+$"), id)).toBe(false);
    expect(matchesPattern(pattern("(a+)+!$"), id)).toBe(true);
    expect(matchesPattern(pattern("^(a|aa)+$"), id)).toBe(false);
  });

  it("gives the same answer on every call, even for a hand-built global regex", () => {
    const handBuilt = { kind: "regex", source: "db", regex: /db/g } as const;
    expect([1, 2, 3].map(() => matchesPattern(handBuilt, "db-1"))).toEqual([true, true, true]);
  });

  it("runs a hand-built RegExp through RE2 too, honouring its i flag", () => {
    const handBuilt = { kind: "regex", source: "x", regex: /^(a+)+$|ALPHA/i } as const;
    expect(matchesPattern(handBuilt, `${"a".repeat(39)}!`)).toBe(false);
    expect(matchesPattern(handBuilt, "alpha-1")).toBe(true);
  });

  it("refuses a hand-built pattern RE2 cannot run when it is first used", () => {
    const handBuilt = { kind: "regex", source: "(?=x)", regex: /(?=x)/ } as const;
    expect(() => matchesPattern(handBuilt, "x")).toThrow(/lookahead/);
  });
});

describe("ignoringCase", () => {
  it("matches what the pattern matches in any letter case", () => {
    const folded = ignoringCase(pattern("^Prod-"));
    expect(matchesPattern(folded, "PROD-orders")).toBe(true);
    expect(matchesPattern(folded, "dev-prod-orders")).toBe(false);
    expect(folded.source).toBe("^Prod-");
  });

  it("leaves the all pattern as it is", () => {
    const every = pattern("ALL_CLUSTERS");
    expect(ignoringCase(every)).toBe(every);
  });
});
