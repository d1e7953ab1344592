import { simError } from "./sim-errors.js";

/** MaxRecords rules shared by the Describe operations: 20..100, default 100. */
export function pageSize(maxRecords: number | undefined): number {
  if (maxRecords === undefined) return 100;
  if (!Number.isInteger(maxRecords) || maxRecords < 20 || maxRecords > 100) {
    throw simError(
      "InvalidParameterValue",
      `Invalid value ${maxRecords} for MaxRecords. Must be between 20 and 100`,
    );
  }
  return maxRecords;
}

/**
 * One page of a list sorted by `key`. The marker is the (encoded) key of the last item returned, so
 * paging stays correct when items are created or deleted between pages.
 */
export function paginate<T>(
  sorted: readonly T[],
  key: (item: T) => string,
  maxRecords: number | undefined,
  marker: string | undefined,
): { items: T[]; marker?: string } {
  const size = pageSize(maxRecords);
  let start = 0;
  if (marker !== undefined && marker !== "") {
    const after = decodeMarker(marker);
    start = firstAfter(sorted, key, after);
  }
  const items = sorted.slice(start, start + size);
  const last = items.at(-1);
  return start + size < sorted.length && last !== undefined
    ? { items, marker: encodeMarker(key(last)) }
    : { items };
}

function firstAfter<T>(sorted: readonly T[], key: (item: T) => string, after: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (key(sorted[mid] as T) <= after) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const MARKER_PREFIX = "sim1:";

function encodeMarker(key: string): string {
  return MARKER_PREFIX + Buffer.from(key, "utf8").toString("base64url");
}

function decodeMarker(marker: string): string {
  if (!marker.startsWith(MARKER_PREFIX)) {
    throw simError("InvalidParameterValue", `Invalid Marker: ${marker}`);
  }
  return Buffer.from(marker.slice(MARKER_PREFIX.length), "base64url").toString("utf8");
}
