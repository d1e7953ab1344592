import {
  ConfigError,
  FLEET_ERRORS,
  SnapshotToolException,
  STEPS,
  awsObjectStore,
  awsTargetsReaders,
  checkTargets,
  clientsForTarget,
  fleetMetrics,
  fleetPolicyFor,
  fleetSettingsFrom,
  isComplete,
  lambdaDeadline,
  mapFleetReport,
  resolveTargets,
  runStep,
  summarize,
  targetErrorOf,
  targetRunMetrics,
  type ClientFactory,
  type FleetStepOutput,
  type FleetTarget,
  type MapFleetReport,
  type MapResultManifest,
  type ObjectStore,
  type Step,
  type StepTarget,
  type TargetsReaders,
} from "@aurora-snapshot-tool/core";
import type { Context } from "aws-lambda";

import { runRegion } from "./env.js";
import { logFailure, startInvocation, type HandlerOptions } from "./invocation.js";
import { logReport } from "./report-log.js";

/*
 * The fleet template's three functions, each a thin shell over core: fleet-targets resolves the
 * targets and writes them where the Distributed Map reads its items, fleet-step runs one step at
 * one target through the orchestration port, fleet-report reads the Map's results back into the
 * fleet report and its metrics.
 */

export interface FleetHandlerOptions extends HandlerOptions {
  /** Clients per target (default: the SDK's chain, assuming the target's role). */
  readonly targetClients?: (target: StepTarget) => ClientFactory;
  /** Where targets and reports are kept (default: S3). */
  readonly store?: ObjectStore;
  /** Where targets are read from (default: S3, SSM, Organizations). */
  readonly readers?: TargetsReaders;
}

/** A target that could not be acted in at all: the state machine retries it briefly. */
export class TargetUnreachable extends Error {
  override readonly name = FLEET_ERRORS.unreachable;
}

function stepOf(event: unknown): Step {
  const step = (event as { step?: unknown } | null)?.step;
  if (typeof step !== "string" || !(STEPS as readonly string[]).includes(step)) {
    throw new ConfigError("event.step", step, `one of ${STEPS.join(", ")}`);
  }
  return step as Step;
}

function bucketOf(env: Readonly<Record<string, string | undefined>>): string {
  const bucket = env["FLEET_RESULTS_BUCKET"]?.trim();
  if (!bucket)
    throw new ConfigError("FLEET_RESULTS_BUCKET", bucket, "the fleet stack's results bucket");
  return bucket;
}

/** S3 key segments from the event: letters, digits and `-_.` only, so no key escapes its prefix. */
function safeName(value: unknown, field: string): string {
  if (typeof value !== "string" || !/^[\w.-]{1,80}$/.test(value)) {
    throw new ConfigError(field, value, "an execution name: 1 to 80 letters, digits, - _ .");
  }
  return value;
}

/** fleet-targets: `{step, execution}` → the targets as Map items in S3, `{bucket, key, count}`. */
export function createFleetTargetsHandler(options: FleetHandlerOptions = {}) {
  return async (event: unknown, context?: Context) => {
    const invocation = startInvocation("fleet-targets", options, context);
    const { env, logger } = invocation;
    try {
      invocation.checkLogLevel();
      const step = stepOf(event);
      const execution = safeName((event as { execution?: unknown }).execution, "event.execution");
      const region = runRegion(env);
      const bucket = bucketOf(env);
      const settings = fleetSettingsFrom({ env }, region);
      const targets = await resolveTargets(
        settings,
        options.readers ?? awsTargetsReaders({ region }),
        { env },
      );
      const key = `targets/${step}/${execution}.json`;
      const store = options.store ?? awsObjectStore({ region });
      await store.put(bucket, key, JSON.stringify(targets.map((target) => ({ step, target }))));
      logger.info("fleet targets", { step, count: targets.length, bucket, key });
      return { bucket, key, count: targets.length };
    } catch (error) {
      logFailure(logger, "fleet-targets", error);
      throw error;
    }
  };
}

/**
 * fleet-step: `{step, target}` → the step at that target (its role assumed, its overrides
 * applied), returning the counts when the run left nothing to do. Throws SnapshotToolException
 * when it left work, TargetUnreachable when the role could not be assumed or the credentials act
 * in another account, ConfigError for a bad target or override.
 */
export function createFleetStepHandler(options: FleetHandlerOptions = {}) {
  return async (event: unknown, context?: Context): Promise<FleetStepOutput> => {
    const invocation = startInvocation("fleet-step", options, context);
    const { env, logger, clock } = invocation;
    try {
      invocation.checkLogLevel();
      const step = stepOf(event);
      const [target] = checkTargets(
        [(event as { target?: unknown }).target],
        "the event",
        "event.target",
        env["FLEET_EXTERNAL_ID"]?.trim() ? { externalId: env["FLEET_EXTERNAL_ID"].trim() } : {},
      ) as [FleetTarget];
      const policy = fleetPolicyFor(step, { env }, "the event")(target);
      const deadline = lambdaDeadline(context, invocation.startedAt);
      const report = await runStep({
        step,
        target,
        policy,
        clients: options.targetClients ?? ((t) => clientsForTarget(t)),
        clock,
        ...(deadline !== undefined && { deadline }),
        logger,
      }).catch((error: unknown) => {
        if (targetErrorOf(error).status === "unreachable") {
          throw new TargetUnreachable(
            `${target.account}/${target.region}: ${(error as Error).message}`,
            { cause: error },
          );
        }
        throw error;
      });
      if (env["FLEET_PER_TARGET_METRICS"]?.trim().toUpperCase() === "TRUE") {
        invocation.publish(targetRunMetrics(step, report, policy.deploymentName, target));
      }
      logReport(logger, report);
      if (!isComplete(report)) throw new SnapshotToolException(report);
      const s = summarize(report);
      return {
        step,
        account: target.account,
        region: target.region,
        status: "complete",
        done: s.done,
        failed: s.failed,
        pending: s.pending,
        skipped: s.skipped,
        blocked: s.blocked,
        deferred: s.deferred,
      };
    } catch (error) {
      logFailure(logger, "fleet-step", error);
      throw error;
    }
  };
}

interface ReportEvent {
  readonly step?: unknown;
  readonly execution?: unknown;
  readonly results?: {
    readonly ResultWriterDetails?: { readonly Bucket?: string; readonly Key?: string };
  };
  readonly targets?: { readonly bucket?: string; readonly key?: string };
  readonly mapError?: { readonly Error?: string; readonly Cause?: string };
}

/**
 * fleet-report: reads the Map's manifest and result files (and the targets it was given, so a
 * target never started is counted), writes `reports/<step>/<execution>.json`, publishes the
 * fleet's metrics and returns the counts with every target not complete named.
 */
export function createFleetReportHandler(options: FleetHandlerOptions = {}) {
  return async (event: unknown, context?: Context) => {
    const invocation = startInvocation("fleet-report", options, context);
    const { env, logger } = invocation;
    try {
      invocation.checkLogLevel();
      const e = (event ?? {}) as ReportEvent;
      const step = stepOf(event);
      const execution = safeName(e.execution, "event.execution");
      const region = runRegion(env);
      const bucket = bucketOf(env);
      const store = options.store ?? awsObjectStore({ region });
      const entries: unknown[] = [];
      const manifestAt = e.results?.ResultWriterDetails;
      if (manifestAt?.Bucket !== undefined && manifestAt.Key !== undefined) {
        const manifest = JSON.parse(
          await store.get(manifestAt.Bucket, manifestAt.Key),
        ) as MapResultManifest;
        for (const files of Object.values(manifest.ResultFiles ?? {})) {
          for (const file of files) {
            const parsed: unknown = JSON.parse(await store.get(manifestAt.Bucket, file.Key));
            if (Array.isArray(parsed)) entries.push(...(parsed as unknown[]));
          }
        }
      }
      const expected =
        e.targets?.bucket !== undefined && e.targets.key !== undefined
          ? (
              JSON.parse(await store.get(e.targets.bucket, e.targets.key)) as {
                target: FleetTarget;
              }[]
            ).map((i) => i.target)
          : [];
      const report: MapFleetReport = mapFleetReport(step, entries, expected, e.mapError?.Error);
      const reportKey = `reports/${step}/${execution}.json`;
      const deployment = env["DEPLOYMENT_NAME"]?.trim() || "default";
      await store.put(
        bucket,
        reportKey,
        JSON.stringify({ ...report, execution, mapError: e.mapError ?? null }, null, 2),
      );
      invocation.publish(fleetMetrics(step, report.counts, deployment));
      const incompleteTargets = report.results
        .filter((r) => r.status !== "complete")
        .map((r) => ({
          account: r.account,
          region: r.region,
          status: r.status,
          error: r.error ?? null,
          cause: r.cause ?? null,
        }));
      for (const t of incompleteTargets) logger.error("target not complete", { step, ...t });
      logger.info("fleet report", { step, ...report.counts, reportKey });
      return {
        step,
        ...report.counts,
        incomplete: report.counts.targets - report.counts.complete,
        incompleteTargets: incompleteTargets.slice(0, 100),
        reportKey,
      };
    } catch (error) {
      logFailure(logger, "fleet-report", error);
      throw error;
    }
  };
}
