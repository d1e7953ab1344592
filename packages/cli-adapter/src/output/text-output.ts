/*
 * `--output text`, derived from the JSON document as the AWS CLI derives its own: the records of
 * the document's list (decisions, rows, places, checks) one per line, their fields in the JSON
 * order separated by tabs, no header and no colour. A nested object becomes `key=value` pairs
 * joined by commas (`;` between the objects of a list); a missing or null field is `-`, so every line of one list has the same columns.
 */

const RECORD_LISTS = ["decisions", "rows", "places", "checks", "snapshots", "results", "targets"];

function cell(value: unknown): string {
  if (value === null || value === undefined) return "-";
  if (Array.isArray(value)) {
    if (value.length === 0) return "-";
    // Entries that are objects hold commas of their own: `;` between them.
    const objects = value.some((v) => typeof v === "object" && v !== null);
    return value.map(cell).join(objects ? ";" : ",");
  }
  if (typeof value === "object") {
    const pairs = Object.entries(value as Record<string, unknown>).map(
      ([k, v]) => `${k}=${typeof v === "object" && v !== null ? JSON.stringify(v) : cell(v)}`,
    );
    return pairs.length === 0 ? "-" : pairs.join(",");
  }
  // A tab or newline inside a value would break the one-record-per-line promise.
  return String(value).replace(/[\t\r\n]+/g, " ");
}

function lines(records: readonly Record<string, unknown>[]): string {
  const columns: string[] = [];
  for (const record of records) {
    for (const key of Object.keys(record)) if (!columns.includes(key)) columns.push(key);
  }
  return records.map((r) => columns.map((c) => cell(r[c])).join("\t") + "\n").join("");
}

function isRecordList(value: unknown): value is Record<string, unknown>[] {
  return (
    Array.isArray(value) &&
    value.every((v) => typeof v === "object" && v !== null && !Array.isArray(v))
  );
}

/** The text form of one JSON document the CLI printed. */
export function textOf(document: unknown): string {
  if (typeof document !== "object" || document === null) return `${cell(document)}\n`;
  const doc = document as Record<string, unknown>;
  const list = RECORD_LISTS.find((key) => isRecordList(doc[key]));
  if (list !== undefined) return lines(doc[list] as Record<string, unknown>[]);
  // A document without a list of records (an error, a single plan): its fields on one line.
  const error = doc["error"];
  return lines([
    typeof error === "object" && error !== null ? (error as Record<string, unknown>) : doc,
  ]);
}

/** Everything a command wrote as JSON documents (one or more), in text form. */
export function textOfOutput(json: string): string {
  try {
    return textOf(JSON.parse(json));
  } catch {
    // Several documents (one per line, as wait writes them): each in turn.
    const docs = json.split("\n").filter((l) => l.trim() !== "");
    try {
      return docs.map((d) => textOf(JSON.parse(d))).join("");
    } catch {
      return json;
    }
  }
}
