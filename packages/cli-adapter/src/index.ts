/**
 * `@aurora-snapshot-tool/cli`: the `aurora-snapshot-tool` command. The bin is `dist/cli.js`; the
 * exports below run the same command in-process (for tests and for wrapping it in other tools).
 */
export { runCli } from "./run-cli.js";
export { EXIT } from "./errors.js";
export type { ExitCode } from "./errors.js";
export type { CliIo, OutputStream } from "./io.js";
