import type { Command } from "commander";

import {
  ConfigError,
  destinationPolicyFrom,
  sourcePolicyFrom,
  type PolicySide,
} from "@aurora-snapshot-tool/core";
import { RUN_SETTINGS } from "@aurora-snapshot-tool/core/settings";
import { destinationDoctor, sourceDoctor, type Check } from "@aurora-snapshot-tool/core/doctor";

import { nameOf, otherSideRetention, resolveSchedule } from "../config/resolve.js";
import { settingsSeen } from "../config/settings-seen.js";
import { EXIT, type ExitCode } from "../errors.js";
import { nowOf, type CliIo } from "../io.js";
import { doctorJson, doctorTable } from "../output/doctor-output.js";
import { settingsBlock } from "../output/settings-output.js";
import {
  addCommonOptions,
  addPolicyOptions,
  executeRetryOf,
  prepareContext,
  resolveSide,
  type CommandContext,
  type CommonOptions,
} from "./options.js";
import { gatewayFor } from "./step-command.js";

function runChecks(ctx: CommandContext, side: PolicySide): Promise<Check[]> {
  const name = (key: string): string => nameOf(ctx.layers, side, key);
  const common = {
    region: ctx.aws.region,
    now: nowOf(ctx.io),
    name,
    ...executeRetryOf(ctx),
    ...(ctx.aws.roleArn !== undefined && { roleArn: ctx.aws.roleArn }),
  };
  if (side === "source") {
    const policy = sourcePolicyFrom(ctx.layers);
    const schedule = resolveSchedule(ctx.layers);
    const destinationRetention = otherSideRetention(ctx.layers, "destination");
    return sourceDoctor({
      ...common,
      gateway: gatewayFor(ctx),
      policy,
      ...(schedule !== undefined && { schedule }),
      ...(destinationRetention !== undefined && { destinationRetention }),
    });
  }
  if (ctx.layers.flags?.["--schedule"] !== undefined) {
    throw new ConfigError(
      "--schedule",
      ctx.layers.flags["--schedule"],
      "no --schedule with --side destination: the schedule checked is take's (source side)",
    );
  }
  const policy = destinationPolicyFrom(ctx.layers);
  const sourceRetention =
    policy.sourceRetentionDays !== undefined
      ? { days: policy.sourceRetentionDays, name: name("sourceRetentionDays") }
      : otherSideRetention(ctx.layers, "source");
  return destinationDoctor({
    ...common,
    gateway: gatewayFor(ctx),
    policy,
    ...(sourceRetention !== undefined && { sourceRetention }),
  });
}

export function addDoctorCommand(
  program: Command,
  io: CliIo,
  setExit: (code: ExitCode) => void,
): void {
  const cmd = program
    .command("doctor")
    .description(
      "check a configuration against the account before the first run: each check passes, warns or fails with the fix",
    )
    .option("--side <side>", "source or destination (dest) (default source)");
  cmd.option(
    `${RUN_SETTINGS.schedule.flag} <${RUN_SETTINGS.schedule.valueName}>`,
    `${RUN_SETTINGS.schedule.help}; config schedule`,
  );
  addPolicyOptions(cmd, ["source", "destination"]);
  addCommonOptions(cmd);
  cmd.addHelpText(
    "after",
    "\nExit code: 0 when no check fails (warnings allowed), 3 when one fails.",
  );
  cmd.action(async (opts: CommonOptions) => {
    const side = resolveSide(opts);
    const ctx = prepareContext(io, opts);
    const seen = settingsSeen(ctx.layers, side, ctx.log);
    const checks = await runChecks(ctx, side);
    io.stdout.write(
      ctx.json
        ? `${JSON.stringify(doctorJson(side, ctx.aws.region, checks, seen), null, 2)}\n`
        : doctorTable(side, checks, ctx.palette) + settingsBlock(seen, ctx.palette),
    );
    setExit(checks.some((c) => c.status === "fail") ? EXIT.pending : EXIT.ok);
  });
}
