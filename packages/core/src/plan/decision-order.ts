import type { Decision } from "../model/index.js";

function compareText(a: string, b: string): number {
  // Code-unit order, not localeCompare: the output must not depend on the machine's locale.
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Sorts by cluster, snapshot, region (then account, action, reason) so a plan reads the same on
 * every run. Remaining ties fall back to the whole decision's JSON, so the order never depends on
 * the order the inventory was listed in.
 */
export function sortDecisions<T extends Decision>(decisions: readonly T[]): T[] {
  const json = new Map<T, string>();
  const serial = (d: T): string => {
    let text = json.get(d);
    if (text === undefined) {
      text = JSON.stringify(d);
      json.set(d, text);
    }
    return text;
  };
  return [...decisions].sort(
    (a, b) =>
      compareText(a.cluster, b.cluster) ||
      compareText(a.snapshot ?? "", b.snapshot ?? "") ||
      compareText(a.region, b.region) ||
      compareText(a.account, b.account) ||
      compareText(a.action, b.action) ||
      compareText(a.reason, b.reason) ||
      compareText(serial(a), serial(b)),
  );
}
