/*
 * `pnpm docs:generate`: writes what is generated from the settings registry, the README's
 * configuration table (between its markers), config.schema.json and targets.schema.json (the fleet's
 * targets document), formatted by prettier. test/policy/registry.test.ts and
 * test/fleet/targets-document.test.ts fail when one is out of date.
 */
import { readFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { format, resolveConfig } from "prettier";
import { targetsJsonSchema } from "../src/fleet/index.js";
import { configJsonSchema, settingsReferenceMarkdown } from "../src/policy/index.js";

const TABLE_START = "<!-- settings-table:start -->";
const TABLE_END = "<!-- settings-table:end -->";

const readmePath = fileURLToPath(new URL("../../../README.md", import.meta.url));
const schemaPath = fileURLToPath(new URL("../config.schema.json", import.meta.url));
const targetsSchemaPath = fileURLToPath(new URL("../targets.schema.json", import.meta.url));

async function writeReadme(): Promise<void> {
  const readme = await readFile(readmePath, "utf8");
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start === -1 || end < start) {
    throw new Error(`${readmePath}: no ${TABLE_START} ... ${TABLE_END} block`);
  }
  const block = `${TABLE_START}\n${settingsReferenceMarkdown()}`;
  await writeFile(readmePath, readme.slice(0, start) + block + readme.slice(end));
}

async function writeSchema(path: string, schema: unknown): Promise<void> {
  const json = JSON.stringify(schema, null, 2) + "\n";
  const options = (await resolveConfig(path)) ?? {};
  await writeFile(path, await format(json, { ...options, filepath: path }));
}

await writeReadme();
await writeSchema(schemaPath, configJsonSchema());
await writeSchema(targetsSchemaPath, targetsJsonSchema());
console.log(`wrote ${readmePath} (settings table), ${schemaPath} and ${targetsSchemaPath}`);
