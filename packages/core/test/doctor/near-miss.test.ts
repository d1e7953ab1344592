import { parsePattern } from "../../src/policy/index.js";
import { describe, expect, it } from "vitest";

import {
  approximateDistance,
  editDistance,
  findNearMisses,
  literalOf,
} from "../../src/doctor/near-miss.js";

const pattern = (source: string) => parsePattern("PATTERN", source, "ALL_CLUSTERS");

describe("edit distances", () => {
  it("counts single-character edits between whole strings", () => {
    expect(editDistance("prod", "prod")).toBe(0);
    expect(editDistance("prod", "prd")).toBe(1);
    expect(editDistance("orders", "ordesr")).toBe(2);
  });

  it("finds the closest part of a longer id when not anchored", () => {
    expect(approximateDistance("ordrs", "prod-orders-eu", false, false)).toBe(1);
    expect(approximateDistance("ordrs", "prod-orders-eu", true, false)).toBeGreaterThan(2);
  });
});

describe("literalOf", () => {
  it("reads plain and anchored fragments, and nothing with other regex syntax", () => {
    expect(literalOf("prod")).toEqual({ text: "prod", anchoredStart: false, anchoredEnd: false });
    expect(literalOf("^prod-orders$")).toEqual({
      text: "prod-orders",
      anchoredStart: true,
      anchoredEnd: true,
    });
    expect(literalOf("prod.*")).toBeUndefined();
  });
});

describe("findNearMisses", () => {
  const ids = ["prod-orders", "prod-users", "staging-web", "reporting"];

  it("reports ids a pattern matches only when letter case is ignored", () => {
    expect(findNearMisses(pattern("Prod-Orders"), ids)).toEqual([
      { clusterId: "prod-orders", kind: "case" },
    ]);
  });

  it("reports ids within two edits of a literal pattern", () => {
    expect(findNearMisses(pattern("prod-ordrs"), ids)).toEqual([
      { clusterId: "prod-orders", kind: "typo", distance: 1 },
    ]);
  });

  it("respects anchors", () => {
    expect(findNearMisses(pattern("^rod-users$"), ids)).toEqual([
      { clusterId: "prod-users", kind: "typo", distance: 1 },
    ]);
    expect(findNearMisses(pattern("^taging$"), ids)).toEqual([]);
  });

  it("never reports what the pattern already selects, nor near misses of very short patterns", () => {
    expect(findNearMisses(pattern("prod"), ids)).toEqual([]);
    expect(findNearMisses(pattern("db"), ids)).toEqual([]);
    expect(findNearMisses(pattern("ALL_CLUSTERS"), ids)).toEqual([]);
  });
});
