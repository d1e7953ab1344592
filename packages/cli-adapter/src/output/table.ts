import { visibleLength } from "./color.js";

export interface Column<Row> {
  readonly header: string;
  readonly cell: (row: Row) => string;
  /** Right-align (numbers). */
  readonly right?: boolean;
}

function pad(text: string, width: number, right: boolean): string {
  const fill = " ".repeat(Math.max(0, width - visibleLength(text)));
  return right ? fill + text : text + fill;
}

/** A plain text table: a header row, then one line per row, columns two spaces apart. */
export function renderTable<Row>(
  rows: readonly Row[],
  columns: readonly Column<Row>[],
  style: (header: string) => string = (h) => h,
): string {
  const cells = rows.map((row) => columns.map((c) => c.cell(row)));
  const widths = columns.map((c, i) =>
    Math.max(visibleLength(c.header), ...cells.map((r) => visibleLength(r[i] ?? ""))),
  );
  const line = (values: readonly string[]): string =>
    values
      .map((v, i) => pad(v, widths[i] ?? 0, columns[i]?.right === true))
      .join("  ")
      .trimEnd();
  const header = style(line(columns.map((c) => c.header)));
  return [header, ...cells.map(line)].join("\n") + "\n";
}
