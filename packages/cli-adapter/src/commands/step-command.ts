import {
  runCopy,
  runPrune,
  runPruneDest,
  runShare,
  runTake,
  type DestinationStepInput,
  type Gateway,
  type Outcome,
  type RunReport,
  type SourcePolicy,
  type SourceStepInput,
  type Step,
  type StepContext,
} from "@aurora-snapshot-tool/core";
import type { Command } from "commander";

import { createGateway } from "../aws/session.js";
import { SOURCE_FIELDS, allNames, type Side } from "../config/fields.js";
import {
  resolveDestinationPolicy,
  resolveSourcePolicy,
  type ConfigLayers,
} from "../config/resolve.js";
import { InvalidInputError, type ExitCode } from "../errors.js";
import { nowOf, type CliIo } from "../io.js";
import { stepJson, stepTable } from "../output/step-output.js";
import { decisionResults, exitCodeOf, summarizeResults } from "../rules/run-outcome.js";
import {
  addCommonOptions,
  addPolicyOptions,
  prepareContext,
  type CommandContext,
  type CommonOptions,
} from "./options.js";

/** A step with its policy resolved and checked: nothing left but to run it. */
interface BoundStep {
  /** The region the step works in, when the policy names one (REGION_OVERRIDE). */
  readonly regionOverride: string | undefined;
  run(ctx: StepContext): Promise<RunReport>;
}

interface StepSpec {
  readonly side: Side;
  readonly summary: string;
  bind(layers: ConfigLayers): BoundStep;
}

function requireDestinationAccount(policy: SourcePolicy): void {
  if (policy.destinationAccount !== undefined) return;
  const field = SOURCE_FIELDS.find((f) => f.key === "destinationAccount");
  throw new InvalidInputError(
    "--dest-account",
    undefined,
    "the 12-digit account id to share snapshots with",
    undefined,
    field === undefined ? undefined : `set it with ${allNames(field)}`,
  );
}

function sourceStep(
  run: (input: SourceStepInput) => Promise<RunReport>,
  check?: (policy: SourcePolicy) => void,
): (layers: ConfigLayers) => BoundStep {
  return (layers) => {
    const policy = resolveSourcePolicy(layers);
    check?.(policy);
    return { regionOverride: policy.regionOverride, run: (ctx) => run({ ...ctx, policy }) };
  };
}

function destinationStep(
  run: (input: DestinationStepInput) => Promise<RunReport>,
): (layers: ConfigLayers) => BoundStep {
  return (layers) => {
    const policy = resolveDestinationPolicy(layers);
    return { regionOverride: policy.regionOverride, run: (ctx) => run({ ...ctx, policy }) };
  };
}

export const STEPS: Readonly<Record<Step, StepSpec>> = {
  take: {
    side: "source",
    summary:
      "snapshot every matching Aurora cluster whose newest tool snapshot is older than the interval",
    bind: sourceStep(runTake),
  },
  share: {
    side: "source",
    summary: "share the tool's available snapshots with the destination account",
    bind: sourceStep(runShare, requireDestinationAccount),
  },
  prune: {
    side: "source",
    summary: "delete the tool's snapshots older than the retention (keeps the newest --min-keep)",
    bind: sourceStep(runPrune),
  },
  copy: {
    side: "destination",
    summary:
      "copy shared (or, with --cross-account-copy FALSE, own) snapshots into the destination regions",
    bind: destinationStep(runCopy),
  },
  "prune-dest": {
    side: "destination",
    summary: "delete the tool's copies older than the destination retention",
    bind: destinationStep(runPruneDest),
  },
};

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

async function runStep(
  io: CliIo,
  step: Step,
  opts: CommonOptions & { dryRun?: boolean },
  forceDryRun: boolean,
): Promise<ExitCode> {
  const ctx = prepareContext(io, opts);
  const bound = STEPS[step].bind(ctx.layers);
  const dryRun = forceDryRun || opts.dryRun === true;
  const region = bound.regionOverride ?? ctx.aws.region;
  ctx.log.debug(`${step}${dryRun ? " (dry run)" : ""}: listing in ${region}`);
  const report = await bound.run({
    gateway: gatewayFor(ctx),
    region: ctx.aws.region,
    now: nowOf(io),
    dryRun,
    execute: {
      onOutcome: (o) => logOutcome(ctx, o),
      ...(io.retry !== undefined && { retry: io.retry }),
    },
  });
  const results = decisionResults(report);
  const summary = summarizeResults(results);
  io.stdout.write(
    ctx.json
      ? `${JSON.stringify(stepJson(report, region, results, summary), null, 2)}\n`
      : stepTable(report, region, results, summary, ctx.palette),
  );
  return exitCodeOf(summary, dryRun);
}

/** `take`, `share`, ... under `parent`; under `plan` they always run as a dry run. */
export function addStepCommands(
  parent: Command,
  io: CliIo,
  setExit: (code: ExitCode) => void,
  forceDryRun: boolean,
): void {
  for (const [step, spec] of Object.entries(STEPS) as [Step, StepSpec][]) {
    const cmd = parent
      .command(step)
      .description(
        forceDryRun
          ? `show what ${step} would do, changing nothing (same as ${step} --dry-run)`
          : `${spec.summary} (${spec.side} account)`,
      );
    if (!forceDryRun) cmd.option("--dry-run", "plan only: list and decide, change nothing");
    addPolicyOptions(cmd, [spec.side]);
    addCommonOptions(cmd);
    cmd.action(async (opts: CommonOptions & { dryRun?: boolean }) => {
      setExit(await runStep(io, step, opts, forceDryRun));
    });
  }
}
