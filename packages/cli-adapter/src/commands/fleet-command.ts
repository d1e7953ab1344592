import { readFile } from "node:fs/promises";

import {
  ConfigError,
  STEP_CATALOGUE,
  awsTargetsReaders,
  blockedLine,
  clientsForTarget,
  fleetPolicyFor,
  fleetSettingsFrom,
  isFleetComplete,
  resolveTargets,
  runFleet,
  targetsLocation,
  type CopyFollowUp,
  type FleetReport,
  type Outcome,
  type Step,
  type TargetClients,
} from "@aurora-snapshot-tool/core";
import { FLEET_SETTINGS, lookUpSetting } from "@aurora-snapshot-tool/core/settings";

import { clientOptionsFor } from "../aws/session.js";
import { settingsSeen } from "../config/settings-seen.js";
import { EXIT, type ExitCode } from "../errors.js";
import { nowOf } from "../io.js";
import { fleetJson, fleetProgressLine, fleetTable } from "../output/fleet-output.js";
import { stepLoggerOf } from "../output/logger.js";
import { cliRetryOf, type CommandContext } from "./options.js";

export interface FleetRunOptions {
  readonly dryRun: boolean;
  /** copy --follow: the deadline and the copy loop, for each target. */
  readonly follow: { readonly deadline?: number; readonly followUp?: CopyFollowUp };
}

/** A targets file the CLI reads: a missing or unreadable one is the --targets setting's fault. */
function readTargetsFile(ctx: CommandContext): (path: string) => Promise<string> {
  return async (path) => {
    try {
      return await readFile(path, "utf8");
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const why = code === "ENOENT" ? "no such file" : (code ?? "unreadable");
      const { origin } = lookUpSetting(ctx.layers, undefined, FLEET_SETTINGS.targets);
      throw new ConfigError(origin, path, `the path of a readable JSON targets document (${why})`);
    }
  };
}

/** Where the targets document came from, for messages about a target's overrides. */
function documentPlace(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const location = targetsLocation(value);
  return location.kind === "file" ? location.path : location.kind === "inline" ? undefined : value;
}

/**
 * Fleet mode: the step over every target of --targets / --organizational-units, at most
 * --max-concurrency at once, each through its own role (core's runFleet). One stderr line per
 * finished target; the table or JSON once all are done.
 */
export async function runFleetCommand(
  ctx: CommandContext,
  step: Step,
  options: FleetRunOptions,
): Promise<ExitCode> {
  const { io } = ctx;
  if (ctx.aws.roleArn !== undefined) {
    throw new ConfigError(
      "--role-arn",
      ctx.aws.roleArn,
      "no --role-arn with --targets or --organizational-units: each target names its own roleArn",
    );
  }
  const settings = fleetSettingsFrom(ctx.layers, ctx.aws.region);
  const policyFor = fleetPolicyFor(step, ctx.layers, documentPlace(settings.targets));
  const clientOptions = clientOptionsFor(ctx.aws, io.env);
  const targets = await resolveTargets(
    settings,
    awsTargetsReaders({
      region: ctx.aws.region,
      clientConfig: {
        ...(clientOptions.endpoint !== undefined && {
          endpoint: clientOptions.endpoint,
          // An emulator's endpoint has no bucket subdomains.
          forcePathStyle: true,
        }),
      },
      readFile: readTargetsFile(ctx),
    }),
    ctx.layers,
  );
  ctx.log.debug(
    `${step}${options.dryRun ? " (dry run)" : ""}: ${targets.length} targets, ${settings.maxConcurrency} at once`,
  );
  const seen = settingsSeen(ctx.layers, STEP_CATALOGUE[step].side, ctx.log);
  const clients: TargetClients =
    io.fleetClients ??
    ((target) =>
      clientsForTarget(target, { ...clientOptions, roleSessionName: "aurora-snapshot-tool-cli" }));
  const report: FleetReport = await runFleet({
    step,
    targets,
    policyFor,
    clients,
    maxConcurrency: settings.maxConcurrency,
    clock: () => nowOf(io).getTime(),
    logger: {
      ...stepLoggerOf(ctx.log),
      // A target's own warnings say which target; its failure is in the progress line below.
      warn: (m, fields) =>
        ctx.log.warn(typeof fields?.["target"] === "string" ? `${fields["target"]}: ${m}` : m),
      error: (m) => ctx.log.debug(m),
    },
    dryRun: options.dryRun,
    // Each action's line only with --debug: a fleet reports per target as each one finishes.
    execute: { onOutcome: (o) => ctx.log.debug(outcomeLine(o)), retry: cliRetryOf(io) },
    ...options.follow,
    onTarget: (result) => {
      const label = `${result.target.account}/${result.target.region}: `;
      for (const d of result.report?.blocked ?? []) ctx.log.warn(label + blockedLine(d));
      const line = fleetProgressLine(step, result);
      if (result.status === "complete") ctx.log.info(line);
      else ctx.log.warn(line);
    },
  });
  io.stdout.write(
    ctx.json
      ? `${JSON.stringify(fleetJson(report, seen), null, 2)}\n`
      : fleetTable(report, ctx.palette),
  );
  const planned = report.results.every((r) => r.report !== undefined);
  return (options.dryRun ? planned : isFleetComplete(report)) ? EXIT.ok : EXIT.pending;
}

function outcomeLine(o: Outcome): string {
  const d = o.decision;
  const error = o.errorCode === undefined ? "" : `: ${o.errorCode}: ${o.errorMessage ?? ""}`;
  return `${o.status} ${d.action} ${d.snapshot} in ${d.account}/${d.region}${error}`;
}
