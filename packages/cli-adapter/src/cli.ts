#!/usr/bin/env node
import { runCli } from "./run-cli.js";

// Exit through exitCode, not process.exit(): stdout may still be flushing into a pipe.
process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});
