import { sdkDefaultRegion } from "@aurora-snapshot-tool/core";
import { Command } from "commander";

import packageJson from "../package.json" with { type: "json" };
import { addDoctorCommand } from "./commands/doctor-command.js";
import { addListCommand } from "./commands/list-command.js";
import { addCommonOptions } from "./commands/options.js";
import { addStatusCommand } from "./commands/status-command.js";
import { addStepCommands } from "./commands/step-command.js";
import { addVerifyCommand } from "./commands/verify-command.js";
import { addWaitCommand } from "./commands/wait-command.js";
import type { ExitCode } from "./errors.js";
import type { CliIo, OutputStream } from "./io.js";
import { textOfOutput } from "./output/text-output.js";

const FOOTER = `
Global options (--region, --profile, --endpoint-url, --role-arn, --log-level, --config, --output,
--json, --debug, --no-color) go before or after the command: \`--region us-east-1 plan take\` is
\`plan take --region us-east-1\`; given in both places, the one after the command wins.
Region: --region, AWS_REGION, AWS_DEFAULT_REGION, the --config file, then the profile's region in
~/.aws/config (as the AWS CLI reads it).

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
  // What the commands see: `--output text` collects their JSON and prints its text form at the end.
  let collected: string | undefined;
  const stdout: OutputStream = {
    write: (text: string) =>
      collected === undefined ? io.stdout.write(text) : (collected += text),
    ...(io.stdout.isTTY !== undefined && { isTTY: io.stdout.isTTY }),
    ...(io.stdout.columns !== undefined && { columns: io.stdout.columns }),
  };
  const resolved: { region?: string } = {};
  const commandIo: CliIo = { ...io, stdout, resolved };

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
    .addHelpText("after", FOOTER)
    // The program's own options only before the command; after it, the command's (same names).
    .enablePositionalOptions();
  addCommonOptions(program);

  program.hook("preAction", async (_root, action) => {
    // A global option given before the command, unless the command line repeats it after.
    for (const command of ancestorsOf(action)) {
      for (const [key, value] of Object.entries(command.opts())) {
        const source = command.getOptionValueSource(key);
        if (source === undefined || source === "default") continue;
        const own = action.getOptionValueSource(key);
        if (own === undefined || own === "default") {
          action.setOptionValueWithSource(key, value, source);
        }
      }
    }
    const opts = action.opts<{ region?: string; profile?: string; output?: string }>();
    if (opts.output === "text") collected = "";
    // No region on the command line or in the environment: what the SDK would use, from the
    // profile's section of ~/.aws/config. The --config file, read later, still comes first.
    const env = io.env;
    if (opts.region === undefined && !env["AWS_REGION"] && !env["AWS_DEFAULT_REGION"]) {
      const profile = opts.profile ?? env["AWS_PROFILE"];
      const region = await (
        io.sdkRegion ?? ((p) => sdkDefaultRegion(p === undefined ? {} : { profile: p }))
      )(profile);
      if (region !== undefined) resolved.region = region;
    }
  });
  program.hook("postAction", () => {
    if (collected !== undefined) io.stdout.write(textOfOutput(collected));
    collected = undefined;
  });

  addStepCommands(program, commandIo, setExit, false);
  const plan = program
    .command("plan")
    .description("show what a step would do without changing anything: plan <step>");
  addStepCommands(plan, commandIo, setExit, true);
  addVerifyCommand(program, commandIo, setExit, false);
  addVerifyCommand(plan, commandIo, setExit, true);
  addListCommand(program, commandIo, setExit);
  addDoctorCommand(program, commandIo, setExit);
  addStatusCommand(program, commandIo, setExit);
  addWaitCommand(program, commandIo, setExit);
  return program;
}

/** The command's parents, the program first, without the command itself. */
function ancestorsOf(command: Command): Command[] {
  const chain: Command[] = [];
  for (let c = command.parent; c !== null; c = c.parent) chain.unshift(c);
  return chain;
}
