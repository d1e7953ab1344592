import {
  destinationPolicyFrom,
  readVerifyPlan,
  sourcePolicyFrom,
  verifyRound,
  verifyRunFailed,
  type VerifyPosition,
  type VerifyRoundInput,
  type VerifyRoundResult,
} from "@aurora-snapshot-tool/core";
import type { Command } from "commander";

import { settingsSeen } from "../config/settings-seen.js";
import { EXIT, type ExitCode } from "../errors.js";
import { nowOf, sleepOf, type CliIo } from "../io.js";
import { SCHEMA_VERSION } from "../output/json-document.js";
import {
  addCommonOptions,
  addPolicyOptions,
  prepareContext,
  resolveSide,
  type CommandContext,
  type CommonOptions,
} from "./options.js";
import { secondsOption } from "./seconds.js";
import { gatewayFor } from "./step-command.js";

interface VerifyOptions extends CommonOptions {
  readonly timeout?: string;
}

/** The round input for the side, its policy parsed before any AWS call. */
function roundInput(ctx: CommandContext, side: "source" | "destination"): VerifyRoundInput {
  const base = { gateway: gatewayFor(ctx), region: ctx.aws.region, now: nowOf(ctx.io) };
  return side === "source"
    ? { ...base, side, policy: sourcePolicyFrom(ctx.layers) }
    : { ...base, side, policy: destinationPolicyFrom(ctx.layers) };
}

/** Rounds in process until the run ends or `timeoutMs` passes; a progress line per round. */
async function runRounds(
  ctx: CommandContext,
  input: VerifyRoundInput,
  timeoutMs: number,
): Promise<{ readonly last: VerifyRoundResult; readonly timedOut: boolean }> {
  const sleep = sleepOf(ctx.io);
  const started = nowOf(ctx.io).getTime();
  let position: VerifyPosition | undefined;
  for (;;) {
    const last: VerifyRoundResult = await verifyRound({
      ...input,
      now: nowOf(ctx.io),
      ...(position !== undefined && { position }),
    });
    position = last.position;
    const doing = last.actions.length > 0 ? `: ${last.actions.join("; ")}` : "";
    ctx.io.stderr.write(
      `verify round ${last.position.round}: ${last.results.length} done, ${last.position.queue.length} queued${doing}\n`,
    );
    if (!last.continue) return { last, timedOut: false };
    if (nowOf(ctx.io).getTime() + last.waitSeconds * 1000 - started > timeoutMs) {
      return { last, timedOut: true };
    }
    await sleep(last.waitSeconds * 1000);
  }
}

function resultText(last: VerifyRoundResult, timedOut: boolean): string {
  const lines = last.results.map(
    (r) =>
      `${r.outcome.padEnd(6)} ${r.cluster}  ${r.snapshot}  ${r.minutes} min${r.reason ? `  ${r.reason}` : ""}`,
  );
  for (const p of last.position.problems) lines.push(`problem ${p}`);
  if (last.position.removed.length > 0) {
    lines.push(`removed leftover verification clusters: ${last.position.removed.join(", ")}`);
  }
  if (timedOut) {
    lines.push(
      `--timeout reached with work left; the next run's clean-up pass removes ${last.position.current?.clusterId ?? "what is left"}`,
    );
  }
  if (last.results.length === 0 && !timedOut) lines.push("nothing to verify");
  return `${lines.join("\n")}\n`;
}

/**
 * `verify` (restore, check, tag, delete; exit 0 all passed, 3 some failed or incomplete) and
 * `plan verify` (what would be verified and removed, and the cost estimate; changes nothing).
 */
export function addVerifyCommand(
  parent: Command,
  io: CliIo,
  setExit: (code: ExitCode) => void,
  dryRun: boolean,
): void {
  const cmd = parent
    .command("verify")
    .description(
      dryRun
        ? "which snapshots verify would restore, which leftover verification clusters it would remove, and the cost estimate"
        : "restore the newest snapshot of each selected cluster into a temporary cluster, check it, tag the outcome, delete the cluster",
    )
    .option("--side <side>", "source (the tool's snapshots) or destination (dest): its copies");
  if (!dryRun) {
    cmd.option("--timeout <seconds>", "stop polling after this long (default 7200)");
  }
  addPolicyOptions(cmd, ["source", "destination"]);
  addCommonOptions(cmd);
  cmd.action(async (opts: VerifyOptions) => {
    const side = resolveSide(opts);
    const timeoutMs = secondsOption("--timeout", opts.timeout, 1, 7200) * 1000;
    const ctx = prepareContext(io, opts);
    const input = roundInput(ctx, side);
    const seen = settingsSeen(ctx.layers, side, ctx.log);
    const head = { schemaVersion: SCHEMA_VERSION, command: "verify" } as const;
    if (dryRun) {
      const plan = await readVerifyPlan(input);
      const doc = { ...head, dryRun: true, ...plan, ...seen };
      io.stdout.write(ctx.json ? `${JSON.stringify(doc, null, 2)}\n` : planText(plan));
      setExit(EXIT.ok);
      return;
    }
    const { last, timedOut } = await runRounds(ctx, input, timeoutMs);
    io.stdout.write(
      ctx.json
        ? `${JSON.stringify({ ...head, dryRun: false, results: last.results, removed: last.position.removed, problems: last.position.problems, complete: !timedOut, ...seen }, null, 2)}\n`
        : resultText(last, timedOut),
    );
    setExit(timedOut || verifyRunFailed(last) ? EXIT.pending : EXIT.ok);
  });
}

function planText(plan: Awaited<ReturnType<typeof readVerifyPlan>>): string {
  const lines = [
    `verify on the ${plan.side} side in ${plan.region} (deployment ${plan.deployment})`,
  ];
  for (const t of plan.verify) {
    lines.push(
      `  restore ${t.snapshotId} (${t.cluster}; last verified ${t.lastVerified ?? "never"})`,
    );
  }
  for (const s of plan.skipped) lines.push(`  skip ${s.cluster}: ${s.reason}`);
  for (const id of plan.remove) lines.push(`  remove leftover verification cluster ${id}`);
  for (const id of plan.otherDeployments) lines.push(`  leave ${id} (another deployment's)`);
  const c = plan.cost;
  const instance =
    c.instanceUsd === undefined
      ? `instance class ${c.instanceClass ?? "?"} not in the price table`
      : `at most ${c.instanceUsd.toFixed(2)} USD of instance time`;
  lines.push(
    `cost: ${c.verifications} x ${c.hoursEach} h: ${instance}, plus ${c.storageUsdPerGib.toFixed(5)} USD per GiB of snapshot for storage (${c.basis})`,
  );
  return `${lines.join("\n")}\n`;
}
