import {
  planDestinationSteps,
  planSourceSteps,
  destinationPolicyFrom,
  sourcePolicyFrom,
} from "@aurora-snapshot-tool/core";
import {
  destinationInventory,
  sourceInventory,
  type InventoryRow,
} from "@aurora-snapshot-tool/core/inventory";
import type { Command } from "commander";

import { settingsSeen } from "../config/settings-seen.js";
import type { ExitCode } from "../errors.js";
import { nowOf, type CliIo } from "../io.js";
import { listJson, listTable } from "../output/list-output.js";
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

async function inventory(
  ctx: CommandContext,
  side: "source" | "destination",
  all: boolean,
): Promise<InventoryRow[]> {
  const now = nowOf(ctx.io);
  const retry = executeRetryOf(ctx);
  if (side === "source") {
    const policy = sourcePolicyFrom(ctx.layers);
    const input = { gateway: gatewayFor(ctx), region: ctx.aws.region, now, policy, ...retry };
    // One listing pass serves all three plans.
    const { take, share, prune } = await planSourceSteps(input);
    return sourceInventory({ take, prune, now, all, ...(share !== undefined && { share }) });
  }
  const policy = destinationPolicyFrom(ctx.layers);
  const input = { gateway: gatewayFor(ctx), region: ctx.aws.region, now, policy, ...retry };
  // One listing pass serves both plans.
  const { copy, pruneDest } = await planDestinationSteps(input);
  return destinationInventory({ copy, pruneDest, crossAccount: policy.crossAccount, now, all });
}

export function addListCommand(
  program: Command,
  io: CliIo,
  setExit: (code: ExitCode) => void,
): void {
  const cmd = program
    .command("list")
    .description(
      "the snapshots the tool manages, per account and region, with what the next run would do and why",
    )
    .option(
      "--side <side>",
      "source (clusters and their snapshots) or destination (dest): the copies (default source)",
    )
    .option("--all", "also clusters the tool does not select and snapshots it did not make");
  addPolicyOptions(cmd, ["source", "destination"]);
  addCommonOptions(cmd);
  cmd.action(async (opts: CommonOptions & { all?: boolean }) => {
    const side = resolveSide(opts);
    const ctx = prepareContext(io, opts);
    const seen = settingsSeen(ctx.layers, side, ctx.log);
    // The policy is resolved inside inventory() before the gateway makes its first call.
    const rows = await inventory(ctx, side, opts.all === true);
    io.stdout.write(
      ctx.json
        ? `${JSON.stringify(listJson(side, rows, seen), null, 2)}\n`
        : listTable(side, rows, ctx.palette),
    );
    setExit(0);
  });
}
