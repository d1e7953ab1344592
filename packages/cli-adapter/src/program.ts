import { Command } from "commander";

import packageJson from "../package.json" with { type: "json" };
import { addDoctorCommand } from "./commands/doctor-command.js";
import { addListCommand } from "./commands/list-command.js";
import { addStatusCommand } from "./commands/status-command.js";
import { addStepCommands } from "./commands/step-command.js";
import { addVerifyCommand } from "./commands/verify-command.js";
import { addWaitCommand } from "./commands/wait-command.js";
import type { ExitCode } from "./errors.js";
import type { CliIo } from "./io.js";

const FOOTER = `
Settings, lowest precedence first: defaults, the original Lambda env vars (PATTERN, INTERVAL,
RETENTION_DAYS, DEST_ACCOUNT, DEST_REGION, ...), the --config file, then flags.

Exit codes: 0 done or nothing to do; 2 invalid input or configuration (nothing changed);
3 some work pending or failed (safe to re-run); 1 anything unexpected.`;

/**
 * The command tree. Every command is created from `program` with `.command()` so it inherits the
 * exit override and output settings: commander would otherwise exit the process itself, with 1 for
 * a usage error where this tool promises 2.
 */
export function buildProgram(io: CliIo, setExit: (code: ExitCode) => void): Command {
  const program = new Command("aurora-snapshot-tool")
    .description(
      "Aurora cluster snapshots on a schedule, shared with and copied to a second account and region",
    )
    .version(packageJson.version, "-V, --version", "print the version")
    .helpOption("-h, --help", "show help for a command")
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .showHelpAfterError("(add --help for usage)")
    .addHelpText("after", FOOTER);

  addStepCommands(program, io, setExit, false);
  const plan = program
    .command("plan")
    .description("show what a step would do without changing anything: plan <step>");
  addStepCommands(plan, io, setExit, true);
  addVerifyCommand(program, io, setExit, false);
  addVerifyCommand(plan, io, setExit, true);
  addListCommand(program, io, setExit);
  addDoctorCommand(program, io, setExit);
  addStatusCommand(program, io, setExit);
  addWaitCommand(program, io, setExit);
  return program;
}
