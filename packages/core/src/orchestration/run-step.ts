import { AwsGateway } from "../aws/aws-gateway.js";
import {
  createClientFactory,
  type ClientFactory,
  type ClientFactoryOptions,
} from "../aws/client-factory.js";
import type { Gateway } from "../execute/gateway.js";
import type { RunReport } from "../execute/report.js";
import type { Step } from "../model/index.js";
import type { DestinationPolicy, SourcePolicy } from "../policy/types.js";
import { bindStep, type StepRunContext } from "../steps/catalogue.js";
import { accountBoundGateway, type AccountBoundGateway } from "./account-guard.js";
import { ConfigError } from "../policy/config-error.js";
import { checkTarget, targetLabel, type StepTarget } from "./target.js";

/** What the port logs through: Powertools' Logger, a console, or a test's recorder. */
export interface StepLogger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** SDK clients for a target: one factory, or a function that makes one per target. */
export type TargetClients = ClientFactory | ((target: StepTarget) => ClientFactory);

/**
 * One step run, everything an adapter decides: the orchestration port. The Lambda handlers, the
 * CLI, the fleet fan-out and the example container adapter all call {@link runStep} with one of
 * these; nothing in it reads the environment.
 */
export interface StepRequest {
  readonly step: Step;
  /** Where: account (checked when given), region, and the role to assume there. */
  readonly target: StepTarget;
  /** The policy of the step's side (sourcePolicyFrom / destinationPolicyFrom, or bindStepFrom). */
  readonly policy: SourcePolicy | DestinationPolicy;
  /**
   * The clients to act with. A factory is used as it is (its credentials must already be the
   * target's); a function is handed the target and must assume its role (see
   * {@link clientsForTarget}). Omitted: the SDK's default credentials, assuming `target.roleArn`.
   */
  readonly clients?: TargetClients;
  /** A gateway of one's own instead of clients (the in-memory RDS's, or a recording one). */
  readonly gateway?: Gateway;
  /** Epoch ms now (default Date.now): the run's time, the deadline's clock. */
  readonly clock?: () => number;
  /** Epoch ms after which the step starts no new action; what is left is reported pending. */
  readonly deadline?: number;
  /** Aborted: the step starts no new action; what is left is reported pending (note `aborted`). */
  readonly signal?: AbortSignal;
  readonly logger?: StepLogger;
  /** Plan only: list and decide, change nothing. */
  readonly dryRun?: boolean;
  /** Executor tuning and hooks (retries, actions at once, a callback per finished action). */
  readonly execute?: StepRunContext["execute"];
  /** Copy only: follow the copies this run starts until the deadline (the copy loop in one run). */
  readonly followUp?: StepRunContext["followUp"];
  /** Copy only: regions known to refuse single-step copies. */
  readonly singleStepRefused?: StepRunContext["singleStepRefused"];
}

/** Clients for a target: `options` (endpoint, plugins, base credentials) plus the target's role. */
export function clientsForTarget(
  target: StepTarget,
  options: ClientFactoryOptions = {},
): ClientFactory {
  return createClientFactory({
    ...options,
    ...(target.roleArn !== undefined && {
      roleArn: target.roleArn,
      roleRegion: target.region,
      roleSessionName: options.roleSessionName ?? "aurora-snapshot-tool",
    }),
    ...(target.externalId !== undefined && { externalId: target.externalId }),
  });
}

/** The gateway a request acts through: bound to the target's account when it names one. */
export function gatewayForRequest(
  request: Pick<StepRequest, "target" | "clients" | "gateway">,
): Gateway | AccountBoundGateway {
  const { target } = request;
  const inner =
    request.gateway ??
    new AwsGateway({
      clients:
        typeof request.clients === "function"
          ? request.clients(target)
          : (request.clients ?? clientsForTarget(target)),
      homeRegion: target.region,
    });
  return target.account === undefined ? inner : accountBoundGateway(inner, target.account);
}

/**
 * A target with an account acts in its own region and nowhere else, through its own role: a
 * policy's REGION_OVERRIDE (a leftover env var, flag or an override) would send the run to another
 * region while the target's is left without a backup and reported complete, and one client
 * factory for every target would act with the same credentials whatever the role.
 */
function checkBoundToTarget(request: StepRequest, target: StepTarget): void {
  const override = request.policy.regionOverride;
  if (override !== undefined && override !== target.region) {
    throw new ConfigError(
      "REGION_OVERRIDE",
      override,
      `not set for a target of its own region (the target is ${targetLabel(target)}; give each region its own target)`,
    );
  }
  if (
    target.roleArn !== undefined &&
    request.gateway === undefined &&
    request.clients !== undefined &&
    typeof request.clients !== "function"
  ) {
    throw new ConfigError(
      "clients",
      "one ClientFactory",
      `clients per target, (target) => ClientFactory, so that ${target.roleArn} is assumed (see clientsForTarget)`,
    );
  }
}

/**
 * Runs one step at one target and returns its report: the orchestration port. It checks the
 * target (a role of another account is refused before any call), binds the step to the policy,
 * acts through a gateway that can change nothing outside the target's account, stops starting
 * actions at the deadline or when the signal aborts, and logs the policy's warnings and what the
 * run adapted to. It throws ConfigError for a bad target, and whatever a listing threw (AccessDenied,
 * a role that cannot be assumed, WrongAccount); an action that fails is in the report instead.
 */
export async function runStep(request: StepRequest): Promise<RunReport> {
  const target = checkTarget(request.target);
  if (target.account !== undefined) checkBoundToTarget(request, target);
  const bound = bindStep(request.step, request.policy);
  const { logger } = request;
  const where = { step: request.step, target: targetLabel(target) };
  for (const warning of bound.warnings) logger?.warn(warning, where);
  const clock = request.clock;
  const gateway = gatewayForRequest(request);
  const report = await bound.run({
    gateway,
    region: target.region,
    ...(clock !== undefined && { now: new Date(clock()) }),
    ...(request.dryRun !== undefined && { dryRun: request.dryRun }),
    ...(request.deadline !== undefined && { deadline: request.deadline }),
    ...(request.signal !== undefined && { signal: request.signal }),
    ...((request.execute !== undefined || clock !== undefined) && {
      execute: { ...(clock !== undefined && { clock }), ...request.execute },
    }),
    ...(request.followUp !== undefined && { followUp: request.followUp }),
    ...(request.singleStepRefused !== undefined && {
      singleStepRefused: request.singleStepRefused,
    }),
  });
  // A run that saw nothing of its own has not shown whose account it looked at: an empty
  // listing of another account must not pass for a target with nothing to do.
  if ("confirmAccount" in gateway) await gateway.confirmAccount();
  for (const notice of new Set(report.notices ?? [])) logger?.warn(notice, where);
  return report;
}
