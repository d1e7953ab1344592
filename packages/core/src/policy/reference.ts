import {
  DESTINATION_SETTINGS,
  FLEET_SETTINGS,
  RUN_SETTINGS,
  SOURCE_SETTINGS,
  type PolicySide,
  type SettingSpec,
} from "./registry.js";

/*
 * The README's configuration table, rendered from the registry: one row per setting, a setting
 * both sides read (RETENTION_DAYS) once, with the sides named. A test compares the README with
 * this output, so the table cannot drift from the code.
 */

interface Row {
  readonly spec: SettingSpec;
  readonly sides: string[];
  readonly keys: string[];
  readonly help: string[];
}

/** A table cell of prose: `|` would end the cell, `*` and `<` could start emphasis or HTML. */
function text(value: string | undefined): string {
  return value === undefined || value === "" ? "—" : value.replace(/[|*<]/g, "\\$&");
}

/** A code span; inside one only `|` needs escaping (a GFM table splits cells before code spans). */
const code = (value: string): string => `\`${value.replace(/\|/g, "\\|")}\``;

/** A default that is a value to type (`ALL_CLUSTERS`, `None`, `24`) as code; a remark as prose. */
const defaultCell = (value: string): string =>
  /^[A-Z0-9][A-Za-z0-9_]*$/.test(value) ? code(value) : text(value);

function rowsOf(): Row[] {
  const rows = new Map<string, Row>();
  const add = (side: PolicySide | "run" | "fleet", spec: SettingSpec): void => {
    const id = spec.env ?? spec.flag;
    const topLevel = side === "run" || side === "fleet";
    const key = topLevel ? spec.key : `${side}.${spec.key}`;
    const sideName = side === "run" ? "any" : side;
    const existing = rows.get(id);
    if (existing === undefined) {
      rows.set(id, { spec, sides: [sideName], keys: [key], help: [spec.help] });
      return;
    }
    existing.sides.push(sideName);
    existing.keys.push(key);
    if (!existing.help.includes(spec.help)) existing.help.push(spec.help);
  };
  for (const spec of Object.values(SOURCE_SETTINGS)) add("source", spec);
  for (const spec of Object.values(DESTINATION_SETTINGS)) add("destination", spec);
  for (const spec of Object.values(RUN_SETTINGS)) add("run", spec);
  for (const spec of Object.values(FLEET_SETTINGS)) add("fleet", spec);
  return [...rows.values()];
}

/**
 * The configuration reference as a Markdown table. `(new)` marks a policy env var the original
 * tool did not have; a run setting's side is `any` (its config key is at the file's top level).
 */
export function settingsReferenceMarkdown(): string {
  const header =
    "| Lambda env var | template parameter | CLI flag | config file key | side | default | meaning |\n" +
    "| --- | --- | --- | --- | --- | --- | --- |\n";
  const lines = rowsOf().map(({ spec, sides, keys, help }) => {
    const env = [spec.env, ...(spec.alsoEnv ?? [])].filter((e) => e !== undefined);
    const meaning = help.length > 1 ? help.map((h, i) => `${sides[i]}: ${h}`).join("; ") : help[0];
    const isNew =
      spec.since === "added" &&
      env.length > 0 &&
      !sides.includes("any") &&
      !sides.includes("fleet");
    return [
      env.length === 0 ? "—" : env.map(code).join(", then ") + (isNew ? " (new)" : ""),
      text(spec.parameter),
      code(`${spec.flag} <${spec.valueName}>`),
      keys.map(code).join(", "),
      sides.join(", "),
      defaultCell(spec.defaultText),
      text(meaning),
    ].join(" | ");
  });
  return header + lines.map((l) => `| ${l} |`).join("\n") + "\n";
}
