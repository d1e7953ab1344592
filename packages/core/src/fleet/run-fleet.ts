import { AssumeRoleError } from "../aws/client-factory.js";
import { AwsActionError } from "../execute/errors.js";
import type { Gateway } from "../execute/gateway.js";
import { isComplete, summarize, type ReportSummary, type RunReport } from "../execute/report.js";
import type { Step } from "../model/index.js";
import { ConfigError } from "../policy/config-error.js";
import type { SettingLayers } from "../policy/layers.js";
import type { DestinationPolicy, SourcePolicy } from "../policy/types.js";
import { STEP_CATALOGUE, bindStepFrom } from "../steps/catalogue.js";
import { settingsOf } from "../policy/registry.js";
import { WRONG_ACCOUNT } from "../orchestration/account-guard.js";
import {
  runStep,
  type StepLogger,
  type StepRequest,
  type TargetClients,
} from "../orchestration/run-step.js";
import { targetLabel } from "../orchestration/target.js";
import { DEFAULT_FLEET_CONCURRENCY, MAX_FLEET_CONCURRENCY } from "./fleet-settings.js";
import type { FleetTarget } from "./targets-document.js";

/**
 * `complete`: the step left nothing to do there. `incomplete`: it ran and left work (failed,
 * pending, deferred or blocked; the report says which). `unreachable`: it could not act in the
 * target's account at all (the role could not be assumed, or the credentials are of another
 * account). `failed`: it stopped before it had a report (a listing refused, a bad override).
 */
export type TargetStatus = "complete" | "incomplete" | "unreachable" | "failed";

export interface TargetError {
  /** AssumeRoleFailed, WrongAccount, ConfigError, or the AWS error code (AccessDenied, ...). */
  readonly code: string;
  readonly message: string;
}

export interface TargetResult {
  readonly target: FleetTarget;
  readonly status: TargetStatus;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly report?: RunReport;
  readonly summary?: ReportSummary;
  readonly error?: TargetError;
}

export interface FleetCounts {
  readonly targets: number;
  readonly complete: number;
  readonly incomplete: number;
  readonly unreachable: number;
  readonly failed: number;
}

export interface FleetReport {
  readonly step: Step;
  readonly dryRun: boolean;
  readonly startedAt: string;
  readonly finishedAt: string;
  /** In the order of the targets given. */
  readonly results: readonly TargetResult[];
  readonly counts: FleetCounts;
}

/** What a fan-out runs: one step over many targets, each through {@link runStep}. */
export interface FleetRequest extends Omit<
  StepRequest,
  "target" | "policy" | "gateway" | "clients" | "logger"
> {
  readonly targets: readonly FleetTarget[];
  /** The target's policy; may throw ConfigError (a bad override), which fails that target only. */
  readonly policyFor: (target: FleetTarget) => SourcePolicy | DestinationPolicy;
  /** Clients per target: a function that assumes the target's role (see clientsForTarget). */
  readonly clients?: TargetClients;
  /** A gateway per target, instead of clients (the in-memory RDS's). */
  readonly gateway?: (target: FleetTarget) => Gateway;
  /** Targets run at once (default 10, at most 1000); each target's step keeps its own bound. */
  readonly maxConcurrency?: number;
  readonly logger?: StepLogger;
  /** Called as each target finishes, for progress output. */
  readonly onTarget?: (result: TargetResult) => void;
}

/** A target's policy from layered settings plus its own overrides (named `where target`). */
export function fleetPolicyFor(
  step: Step,
  layers: SettingLayers,
  where?: string,
): (target: FleetTarget) => SourcePolicy | DestinationPolicy {
  const side = STEP_CATALOGUE[step].side;
  const keys = new Set(settingsOf(side).map((s) => s.key));
  return (target) => {
    for (const key of Object.keys(target.overrides ?? {})) {
      // A setting of the other side would be ignored without a word: refused instead.
      if (!keys.has(key)) {
        throw new ConfigError(
          `targets[${targetLabel(target)}].overrides.${key}`,
          target.overrides?.[key],
          `a ${side} setting (${step} reads only those)`,
        );
      }
    }
    return bindStepFrom(step, {
      ...layers,
      ...(target.overrides !== undefined && {
        overrides: {
          field: `targets[${targetLabel(target)}].overrides`,
          ...(where !== undefined && { file: where }),
          values: target.overrides,
        },
      }),
    }).policy;
  };
}

/**
 * What a target's failed run means for the fleet: `unreachable` when the run could not act in the
 * target's account at all (its role could not be assumed, or the credentials are of another
 * account), `failed` for anything else (a bad override, AccessDenied on a listing, ...), with the
 * error's code. The fleet's Lambda step function throws TargetUnreachable on the former.
 */
export function targetErrorOf(error: unknown): { status: TargetStatus; error: TargetError } {
  if (error instanceof ConfigError) {
    return { status: "failed", error: { code: "ConfigError", message: error.message } };
  }
  const cause = error instanceof AwsActionError ? error.cause : error;
  if (cause instanceof AssumeRoleError) {
    return { status: "unreachable", error: { code: "AssumeRoleFailed", message: cause.message } };
  }
  if (error instanceof AwsActionError) {
    const status =
      error.code === WRONG_ACCOUNT || error.code === "AssumeRoleFailed" ? "unreachable" : "failed";
    return { status, error: { code: error.code, message: error.message } };
  }
  const message = error instanceof Error ? error.message : String(error);
  const code = error instanceof Error && error.name !== "Error" ? error.name : "Error";
  return { status: "failed", error: { code, message } };
}

export function fleetCounts(results: readonly TargetResult[]): FleetCounts {
  const count = (status: TargetStatus): number => results.filter((r) => r.status === status).length;
  return {
    targets: results.length,
    complete: count("complete"),
    incomplete: count("incomplete"),
    unreachable: count("unreachable"),
    failed: count("failed"),
  };
}

/** True when every target completed: a fleet run with one target left is not a success. */
export function isFleetComplete(report: FleetReport): boolean {
  return report.counts.complete === report.counts.targets;
}

/**
 * Runs one step over many targets, at most `maxConcurrency` at once, each through the
 * orchestration port with its own policy, clients and account guard. A target that fails (a role
 * that cannot be assumed, AccessDenied, throttling beyond the retries, a bad override) is named
 * in its result and never stops the others. Targets not started by the deadline, or once the
 * signal aborts, are `incomplete` with nothing done. Nothing is shared between targets but the
 * clock, the logger and the settings they were read from.
 */
export async function runFleet(request: FleetRequest): Promise<FleetReport> {
  const clock = request.clock ?? Date.now;
  const startedAt = new Date(clock()).toISOString();
  const asked = request.maxConcurrency ?? DEFAULT_FLEET_CONCURRENCY;
  if (!Number.isInteger(asked) || asked < 1 || asked > MAX_FLEET_CONCURRENCY) {
    throw new ConfigError("maxConcurrency", asked, `an integer from 1 to ${MAX_FLEET_CONCURRENCY}`);
  }
  // A fleet of no target would report itself complete: refused, as the targets document is.
  if (request.targets.length === 0) {
    throw new ConfigError("targets", [], "at least one target");
  }
  const width = Math.max(
    1,
    Math.min(
      request.maxConcurrency ?? DEFAULT_FLEET_CONCURRENCY,
      MAX_FLEET_CONCURRENCY,
      request.targets.length,
    ),
  );
  const results: TargetResult[] = new Array<TargetResult>(request.targets.length);
  let next = 0;

  const runOne = async (target: FleetTarget): Promise<TargetResult> => {
    const began = new Date(clock()).toISOString();
    const late =
      request.signal?.aborted === true ||
      (request.deadline !== undefined && clock() >= request.deadline);
    if (late) {
      return {
        target,
        status: "incomplete",
        startedAt: began,
        finishedAt: began,
        error: {
          code: request.signal?.aborted === true ? "Aborted" : "Deadline",
          message: "not started: the run's time was up",
        },
      };
    }
    try {
      const policy = request.policyFor(target);
      const {
        gateway,
        clients,
        targets: _targets,
        policyFor: _policyFor,
        onTarget: _onTarget,
        maxConcurrency: _width,
        ...shared
      } = request;
      const report = await runStep({
        ...shared,
        target,
        policy,
        clock,
        ...(gateway !== undefined && { gateway: gateway(target) }),
        ...(clients !== undefined && { clients }),
      });
      return {
        target,
        status: isComplete(report) ? "complete" : "incomplete",
        startedAt: began,
        finishedAt: new Date(clock()).toISOString(),
        report,
        summary: summarize(report),
      };
    } catch (error) {
      const { status, error: reason } = targetErrorOf(error);
      request.logger?.error(`${request.step} at ${targetLabel(target)}: ${reason.code}`, {
        step: request.step,
        target: targetLabel(target),
        errorCode: reason.code,
        error: reason.message,
      });
      return {
        target,
        status,
        startedAt: began,
        finishedAt: new Date(clock()).toISOString(),
        error: reason,
      };
    }
  };

  const worker = async (): Promise<void> => {
    while (next < request.targets.length) {
      const i = next++;
      const result = await runOne(request.targets[i]!);
      results[i] = result;
      try {
        request.onTarget?.(result);
      } catch (error) {
        // Progress output failing must not stop the other targets' workers mid-run.
        request.logger?.warn("onTarget failed", {
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
  };
  await Promise.all(Array.from({ length: width }, worker));
  return {
    step: request.step,
    dryRun: request.dryRun ?? false,
    startedAt,
    finishedAt: new Date(clock()).toISOString(),
    results,
    counts: fleetCounts(results),
  };
}
