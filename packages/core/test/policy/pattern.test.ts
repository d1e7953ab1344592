import { describe, expect, it } from "vitest";
import { matchesPattern, parsePattern } from "../../src/policy/index.js";
import { expectConfigError } from "./config-error-helper.js";

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

  it("compiles anything else as a regex without flags", () => {
    const pattern = parsePattern("PATTERN", "^prod-", "ALL_CLUSTERS");
    expect(pattern).toMatchObject({ kind: "regex", source: "^prod-" });
    expect(pattern.kind === "regex" && pattern.regex.flags).toBe("");
  });

  it.each(["(unclosed", "[a-", "*prod"])("refuses %s, which does not compile", (raw) => {
    expectConfigError(
      () => parsePattern("PATTERN", raw, "ALL_CLUSTERS"),
      "PATTERN",
      raw,
      /regular expression/,
    );
  });

  it("refuses a RegExp with the g flag, whose test() would depend on the previous call", () => {
    const raw = /prod/g;
    expectConfigError(
      () => parsePattern("clusterPattern", raw, "ALL_CLUSTERS"),
      "clusterPattern",
      raw,
      /g or y flag/,
    );
  });

  it("accepts a RegExp with the i flag and keeps the flag visible in its source", () => {
    const pattern = parsePattern("clusterPattern", /^PROD/i, "ALL_CLUSTERS");
    expect(pattern.source).toBe("/^PROD/i");
    expect(matchesPattern(pattern, "prod-orders")).toBe(true);
  });

  it.each([42, true, { kind: "other" }])("refuses %j", (raw) => {
    expectConfigError(
      () => parsePattern("clusterPattern", raw, "ALL_CLUSTERS"),
      "clusterPattern",
      raw,
      /ALL_CLUSTERS/,
    );
  });
});

describe("matchesPattern", () => {
  it("matches every id for the all pattern", () => {
    expect(matchesPattern(parsePattern("P", "ALL_CLUSTERS", "ALL_CLUSTERS"), "anything")).toBe(
      true,
    );
  });

  it.each([
    ["orders", "prod-orders-1", true],
    ["^prod", "prod-orders", true],
    ["^prod", "dev-prod", false],
    ["orders$", "orders-2", false],
    ["a.c", "abc", true],
  ])("searches /%s/ anywhere in %s: %s", (source, id, expected) => {
    expect(matchesPattern(parsePattern("P", source, "ALL_CLUSTERS"), id)).toBe(expected);
  });

  it("gives the same answer on every call, even for a hand-built global regex", () => {
    const pattern = { kind: "regex", source: "db", regex: /db/g } as const;
    expect([1, 2, 3].map(() => matchesPattern(pattern, "db-1"))).toEqual([true, true, true]);
  });
});
