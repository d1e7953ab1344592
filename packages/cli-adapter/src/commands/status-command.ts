import {
  destinationPolicyFrom,
  destinationStatus,
  sourcePolicyFrom,
  sourceStatus,
  type StatusReport,
} from "@aurora-snapshot-tool/core";
import type { Command } from "commander";

import { settingsSeen } from "../config/settings-seen.js";
import type { ExitCode } from "../errors.js";
import { nowOf, type CliIo } from "../io.js";
import { statusJson, statusTable } from "../output/status-output.js";
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

async function statusOf(
  ctx: CommandContext,
  side: "source" | "destination",
): Promise<StatusReport> {
  const now = nowOf(ctx.io);
  const retry = executeRetryOf(ctx);
  const base = { region: ctx.aws.region, now, ...retry };
  // Each policy is read (and refused when bad) before the gateway makes its first call.
  if (side === "source") {
    const policy = sourcePolicyFrom(ctx.layers);
    return sourceStatus({ ...base, policy, gateway: gatewayFor(ctx) });
  }
  const policy = destinationPolicyFrom(ctx.layers);
  return destinationStatus({ ...base, policy, gateway: gatewayFor(ctx) });
}

export function addStatusCommand(
  program: Command,
  io: CliIo,
  setExit: (code: ExitCode) => void,
): void {
  const cmd = program
    .command("status")
    .description(
      "can every selected cluster be restored from a recovery point within the RPO? per cluster " +
        "and place: the newest snapshot or copy, its age, and protected / at-risk / unprotected " +
        "with the reasons; exit 0 when all are protected, 3 when any is not",
    )
    .option(
      "--side <side>",
      "source (the clusters' region, and what is shared) or destination (dest): each DR region (default source)",
    );
  addPolicyOptions(cmd, ["source", "destination"]);
  addCommonOptions(cmd);
  cmd.action(async (opts: CommonOptions) => {
    const side = resolveSide(opts);
    const ctx = prepareContext(io, opts);
    const seen = settingsSeen(ctx.layers, side, ctx.log);
    const report = await statusOf(ctx, side);
    io.stdout.write(
      ctx.json
        ? `${JSON.stringify(statusJson(report, seen), null, 2)}\n`
        : statusTable(report, ctx.palette),
    );
    const { atRisk, unprotected } = report.summary;
    setExit(atRisk + unprotected === 0 ? 0 : 3);
  });
}
