/**
 * The version of the JSON documents the CLI prints (every command's `--json`, and the error
 * document). It changes only when a field is removed or changes meaning; added fields keep it.
 * output.schema.json describes the documents of this version.
 */
export const SCHEMA_VERSION = 1;
