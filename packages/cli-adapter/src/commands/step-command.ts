import {
  ConfigError,
  STEPS,
  STEP_CATALOGUE,
  bindStepFrom,
  blockedLine,
  isComplete,
  isFleet,
  resultsOf,
  runStep as runStepAt,
  summarize,
  type Gateway,
  type Outcome,
  type CopyLoopState,
  type Step,
} from "@aurora-snapshot-tool/core";
import type { Command } from "commander";

import { createGateway } from "../aws/session.js";
import { settingsSeen } from "../config/settings-seen.js";
import { EXIT, type ExitCode } from "../errors.js";
import { nowOf, sleepOf, type CliIo } from "../io.js";
import { stepLoggerOf } from "../output/logger.js";
import { settingsBlock } from "../output/settings-output.js";
import { stepJson, stepTable } from "../output/step-output.js";
import {
  addCommonOptions,
  addFleetOptions,
  addPolicyOptions,
  cliRetryOf,
  prepareContext,
  type CommandContext,
  type CommonOptions,
} from "./options.js";
import { runFleetCommand } from "./fleet-command.js";
import { secondsOption } from "./seconds.js";

export function gatewayFor(ctx: CommandContext): Gateway {
  return ctx.io.gateway?.(ctx.aws) ?? createGateway(ctx.aws, ctx.io.env);
}

function logOutcome(ctx: CommandContext, o: Outcome): void {
  const d = o.decision;
  const error = o.errorCode === undefined ? "" : `: ${o.errorCode}: ${o.errorMessage ?? ""}`;
  const note = o.note === undefined ? "" : ` (${o.note})`;
  const line = `${o.status} ${d.action} ${d.snapshot} in ${d.region}${note}${error}`;
  if (o.status === "failed") ctx.log.warn(line);
  else ctx.log.info(line);
}

/** One progress line per round of `copy --follow`, on stderr. */
export function loopLine(state: CopyLoopState): string {
  const oldest =
    state.oldestWaitingMinutes === null
      ? ""
      : ` (oldest snapshot ${state.oldestWaitingMinutes} min old)`;
  const next = state.continue ? `looking again in ${state.pollSeconds} s` : `done: ${state.reason}`;
  return `copy: round ${state.round}: ${state.inFlight} in flight, ${state.waiting} waiting for a slot${oldest}; ${next}`;
}

interface StepOptions extends CommonOptions {
  readonly dryRun?: boolean;
  readonly follow?: boolean;
  readonly timeout?: string;
}

async function runStepCommand(
  io: CliIo,
  step: Step,
  opts: StepOptions,
  forceDryRun: boolean,
): Promise<ExitCode> {
  const ctx = prepareContext(io, opts);
  const timeoutMs = secondsOption("--timeout", opts.timeout, 1, 3600) * 1000;
  if (opts.timeout !== undefined && opts.follow !== true) {
    throw new ConfigError("--timeout", opts.timeout, "--timeout only together with --follow");
  }
  const dryRun = forceDryRun || opts.dryRun === true;
  const now = nowOf(io);
  // copy --follow: keep going while the copies this run started finish, up to --timeout.
  const follow =
    opts.follow === true
      ? {
          deadline: now.getTime() + timeoutMs,
          followUp: {
            sleep: sleepOf(io),
            onRound: (state: CopyLoopState) => ctx.log.info(loopLine(state)),
          },
        }
      : {};
  // A fleet's policy is checked per target, with its overrides (a DEST_ACCOUNT may come from them).
  if (isFleet(ctx.layers)) {
    return runFleetCommand(ctx, step, { dryRun, follow });
  }
  const bound = bindStepFrom(step, ctx.layers);
  ctx.log.debug(
    `${step}${dryRun ? " (dry run)" : ""}: listing in ${bound.regionFor(ctx.aws.region)}`,
  );
  const seen = settingsSeen(ctx.layers, STEP_CATALOGUE[step].side, ctx.log);
  // The orchestration port: no account in the target, so the run acts in the credentials' own.
  const report = await runStepAt({
    step,
    target: {
      region: ctx.aws.region,
      ...(ctx.aws.roleArn !== undefined && { roleArn: ctx.aws.roleArn }),
    },
    policy: bound.policy,
    gateway: gatewayFor(ctx),
    clock: () => nowOf(io).getTime(),
    logger: stepLoggerOf(ctx.log),
    dryRun,
    execute: { onOutcome: (o) => logOutcome(ctx, o), retry: cliRetryOf(io) },
    ...follow,
  });
  const results = resultsOf(report);
  const summary = summarize(report);
  // A gap in protection is never quiet: each blocked cluster or snapshot, with its fix, on stderr.
  for (const d of report.blocked) ctx.log.warn(blockedLine(d));
  io.stdout.write(
    ctx.json
      ? `${JSON.stringify(stepJson(report, results, summary, seen), null, 2)}\n`
      : stepTable(report, results, summary, ctx.palette) +
          (dryRun ? settingsBlock(seen, ctx.palette) : ""),
  );
  // A dry run changes nothing and only reports a plan: it exits 0 whenever it could plan.
  return dryRun || isComplete(report) ? EXIT.ok : EXIT.pending;
}

/** `take`, `share`, ... under `parent`; under `plan` they always run as a dry run. */
export function addStepCommands(
  parent: Command,
  io: CliIo,
  setExit: (code: ExitCode) => void,
  forceDryRun: boolean,
): void {
  for (const step of STEPS) {
    const entry = STEP_CATALOGUE[step];
    const cmd = parent
      .command(step)
      .description(
        forceDryRun
          ? `show what ${step} would do, changing nothing (same as ${step} --dry-run)`
          : `${entry.summary} (${entry.side} account)`,
      );
    if (!forceDryRun) cmd.option("--dry-run", "plan only: list and decide, change nothing");
    if (step === "copy" && !forceDryRun) {
      cmd
        .option(
          "--follow",
          "the copy loop in this process: while copies are in flight or wait for one of RDS's copy slots (5 per region), look again every --copy-poll-seconds and start what fits, so a freed slot is reused at once; progress on stderr",
        )
        .option(
          "--timeout <seconds>",
          "with --follow: start nothing new after this long (default 3600)",
        );
    }
    addPolicyOptions(cmd, [entry.side]);
    addFleetOptions(cmd);
    addCommonOptions(cmd);
    cmd.action(async (opts: StepOptions) => {
      setExit(await runStepCommand(io, step, opts, forceDryRun));
    });
  }
}
