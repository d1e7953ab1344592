import {
  ConfigError,
  checkIdentifier,
  parseArn,
  destinationPolicyFrom,
  sourcePolicyFrom,
  type PolicySide,
  type Gateway,
  type Snapshot,
} from "@aurora-snapshot-tool/core";
import {
  destinationSnapshotsInProgress,
  sourceSnapshotsInProgress,
} from "@aurora-snapshot-tool/core/inventory";
import type { Command } from "commander";

import { settingsSeen } from "../config/settings-seen.js";
import { EXIT, type ExitCode } from "../errors.js";
import { nowOf, sleepOf, type CliIo } from "../io.js";
import { SCHEMA_VERSION } from "../output/json-document.js";
import { barLine, plainLine, redraw, type ProgressLine } from "../output/progress.js";
import { follow, type WaitState, type WaitTarget } from "../wait/follow.js";
import {
  addCommonOptions,
  addPolicyOptions,
  executeRetryOf,
  prepareContext,
  resolveSide,
  type CommandContext,
  type CommonOptions,
} from "./options.js";
import { secondsOption } from "./seconds.js";
import { gatewayFor } from "./step-command.js";

interface WaitOptions extends CommonOptions {
  readonly timeout?: string;
  readonly pollInterval?: string;
}

interface Scope {
  /** Where a bare identifier is looked for. */
  readonly regions: readonly string[];
  /** The tool's snapshots of this side still being created or copied, from the steps' plans. */
  readonly inProgress: (gateway: Gateway) => Promise<Snapshot[]>;
}

function scopeOf(ctx: CommandContext, side: PolicySide): Scope {
  const base = { region: ctx.aws.region, now: nowOf(ctx.io), ...executeRetryOf(ctx) };
  if (side === "source") {
    const policy = sourcePolicyFrom(ctx.layers);
    return {
      regions: [policy.regionOverride ?? ctx.aws.region],
      inProgress: (gateway) => sourceSnapshotsInProgress({ ...base, gateway, policy }),
    };
  }
  const policy = destinationPolicyFrom(ctx.layers);
  const local = policy.regionOverride ?? ctx.aws.region;
  return {
    regions: [...new Set([local, ...policy.destinationRegions])],
    inProgress: (gateway) => destinationSnapshotsInProgress({ ...base, gateway, policy }),
  };
}

function checkArgument(ref: string): void {
  const arn = parseArn(ref);
  const ok = arn
    ? arn.service === "rds" && arn.resourceType === "cluster-snapshot" && arn.region !== ""
    : checkIdentifier(ref) === undefined;
  if (!ok) {
    throw new ConfigError(
      "snapshot",
      ref,
      "a cluster snapshot identifier (letters, digits and hyphens) or a cluster-snapshot ARN",
    );
  }
}

/** Named snapshots: an ARN says its region; a bare identifier is looked for in the side's regions. */
async function namedTargets(
  gateway: Gateway,
  refs: readonly string[],
  scope: Scope,
): Promise<{ targets: WaitTarget[]; found: Map<string, Snapshot> }> {
  const targets: WaitTarget[] = [];
  const found = new Map<string, Snapshot>();
  for (const ref of refs) {
    const arn = parseArn(ref);
    const regions = arn ? [arn.region] : scope.regions;
    let hit: { region: string; snapshot: Snapshot } | undefined;
    for (const region of regions) {
      const snapshot = await gateway.describeSnapshot(region, ref);
      if (snapshot !== undefined) {
        hit = { region, snapshot };
        break;
      }
    }
    const region = hit?.region ?? regions[0] ?? "";
    targets.push({ region, ref, name: arn?.resource ?? ref });
    if (hit !== undefined) found.set(ref, hit.snapshot);
  }
  return { targets, found };
}

async function inProgressTargets(
  gateway: Gateway,
  scope: Scope,
): Promise<{ targets: WaitTarget[]; found: Map<string, Snapshot> }> {
  const snapshots = await scope.inProgress(gateway);
  const found = new Map<string, Snapshot>();
  const targets = snapshots.map((s) => {
    const ref = s.arn || s.id;
    found.set(ref, s);
    return { region: s.region, ref, name: s.name };
  });
  return { targets, found };
}

function lineOf(state: WaitState): ProgressLine {
  const status = state.snapshot?.status ?? (state.outcome === "failed" ? "not-found" : "unknown");
  return { name: state.target.name, region: state.target.region, status, percent: state.percent };
}

export function addWaitCommand(
  program: Command,
  io: CliIo,
  setExit: (code: ExitCode) => void,
): void {
  const cmd = program
    .command("wait")
    .argument(
      "[snapshot...]",
      "identifiers or ARNs to follow (default: the tool's snapshots being created or copied)",
    )
    .description("follow snapshots being created or copied until they are available")
    .option(
      "--side <side>",
      "source (snapshots taken) or destination (dest): copies (default source)",
    )
    .option(
      "--timeout <seconds>",
      "give up after this long; what is unfinished is reported pending (default 3600)",
    )
    .option("--poll-interval <seconds>", "seconds between two looks at RDS (default 30)");
  addPolicyOptions(cmd, ["source", "destination"]);
  addCommonOptions(cmd);
  cmd.addHelpText(
    "after",
    "\nProgress: one bar per snapshot on a terminal, one line per change otherwise (stderr with --json).\n" +
      "Exit code: 0 when every snapshot is available, 3 when one failed, vanished or is still unfinished.",
  );
  cmd.action(async (refs: string[], opts: WaitOptions) => {
    const side = resolveSide(opts);
    const timeoutMs = secondsOption("--timeout", opts.timeout, 0, 3600) * 1000;
    const pollMs = secondsOption("--poll-interval", opts.pollInterval, 1, 30) * 1000;
    refs.forEach(checkArgument);
    const ctx = prepareContext(io, opts);
    const scope = scopeOf(ctx, side);
    const seen = settingsSeen(ctx.layers, side, ctx.log);
    const head = { schemaVersion: SCHEMA_VERSION, command: "wait", side } as const;
    const gateway = gatewayFor(ctx);
    const { targets, found } =
      refs.length > 0
        ? await namedTargets(gateway, refs, scope)
        : await inProgressTargets(gateway, scope);

    if (targets.length === 0) {
      if (ctx.json) {
        io.stdout.write(
          `${JSON.stringify({ ...head, snapshots: [], summary: { done: 0, failed: 0, pending: 0 }, ...seen }, null, 2)}\n`,
        );
      } else {
        io.stdout.write(
          `Nothing to wait for: no snapshot of the tool is being created or copied (${side} side).\n`,
        );
      }
      setExit(EXIT.ok);
      return;
    }

    const bars = io.stdout.isTTY === true && !ctx.json;
    const plainOut = ctx.json ? io.stderr : io.stdout;
    let drawn = 0;
    const lastSeen = new Map<string, string>();
    const states = await follow(
      {
        gateway,
        targets,
        timeoutMs,
        pollMs,
        now: () => nowOf(io),
        sleep: sleepOf(io),
        onRound: (round) => {
          const lines = round.map(lineOf);
          if (bars) {
            io.stdout.write(
              redraw(
                drawn,
                lines.map((l) => barLine(l, ctx.palette)),
              ),
            );
            drawn = lines.length;
            return;
          }
          const at = nowOf(io);
          lines.forEach((l, i) => {
            const key = `${l.status} ${l.percent}`;
            const ref = round[i]?.target.ref ?? l.name;
            if (lastSeen.get(ref) !== key) plainOut.write(`${plainLine(l, at)}\n`);
            lastSeen.set(ref, key);
          });
        },
        onTransientError: (target, error) =>
          ctx.log.warn(`${target.name}: ${error.code}; asking again next round`),
      },
      found,
    );

    const count = (o: string): number => states.filter((s) => s.outcome === o).length;
    const summary = { done: count("done"), failed: count("failed"), pending: count("pending") };
    if (ctx.json) {
      const snapshots = states.map((s) => ({
        snapshot: s.target.name,
        ref: s.target.ref,
        region: s.target.region,
        account: s.snapshot?.account ?? null,
        status: lineOf(s).status,
        percentProgress: s.percent,
        outcome: s.outcome,
      }));
      io.stdout.write(`${JSON.stringify({ ...head, snapshots, summary, ...seen }, null, 2)}\n`);
    } else {
      io.stdout.write(
        `${summary.done} available, ${summary.failed} failed or gone, ${summary.pending} still in progress\n`,
      );
    }
    setExit(summary.failed > 0 || summary.pending > 0 ? EXIT.pending : EXIT.ok);
  });
}
