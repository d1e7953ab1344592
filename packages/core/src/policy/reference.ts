import {
  DESTINATION_SETTINGS,
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

function cell(text: string | undefined): string {
  return text === undefined || text === "" ? "—" : text.replace(/\|/g, "\\|");
}

const code = (text: string | undefined): string | undefined =>
  text === undefined ? undefined : `\`${text}\``;

function rowsOf(): Row[] {
  const rows = new Map<string, Row>();
  const add = (side: PolicySide | "run", spec: SettingSpec): void => {
    const id = spec.env ?? spec.flag;
    const key = side === "run" ? spec.key : `${side}.${spec.key}`;
    const sideName = side === "run" ? "CLI" : side;
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
  return [...rows.values()];
}

/** The configuration reference as a Markdown table. */
export function settingsReferenceMarkdown(): string {
  const header =
    "| Lambda env var | template parameter | CLI flag | config file key | side | default | meaning |\n" +
    "| --- | --- | --- | --- | --- | --- | --- |\n";
  const lines = rowsOf().map(({ spec, sides, keys, help }) => {
    const env = [spec.env, ...(spec.alsoEnv ?? [])].filter((e) => e !== undefined);
    const meaning = help.length > 1 ? help.map((h, i) => `${sides[i]}: ${h}`).join("; ") : help[0];
    const added = spec.since === "added" && spec.env !== undefined ? " (new)" : "";
    return [
      cell(env.map(code).join(", ")),
      cell(spec.parameter),
      cell(code(`${spec.flag} <${spec.valueName}>`)),
      cell(keys.map(code).join(", ")),
      cell(sides.join(", ")),
      cell(code(spec.defaultText)),
      cell(`${meaning}${added}`),
    ].join(" | ");
  });
  return header + lines.map((l) => `| ${l} |`).join("\n") + "\n";
}
