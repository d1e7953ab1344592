import type { Step } from "../model/index.js";
import type { FleetTarget } from "./targets-document.js";
import type { FleetCounts, TargetStatus } from "./run-fleet.js";

/*
 * A fleet run on Step Functions: each target is one child execution of the Distributed Map, whose
 * ResultWriter leaves a manifest (`ResultFiles`: SUCCEEDED, FAILED, PENDING result files) and
 * result files of child executions (`Input` and `Output` as JSON text, `Status`, and for a
 * failed one `Error` and `Cause`). This reads them back into one result per target.
 */

/** The error names the fleet step function throws, as the state machine's retriers see them. */
export const FLEET_ERRORS = {
  /** The step ran and left work (failed, pending, deferred or blocked). */
  incomplete: "SnapshotToolException",
  /** The role could not be assumed, or the credentials act in another account. */
  unreachable: "TargetUnreachable",
  /** The target's overrides or the function's settings are invalid: never retried. */
  config: "ConfigError",
} as const;

/** What the fleet step function returns for a target whose run completed. */
export interface FleetStepOutput {
  readonly step: Step;
  readonly account: string;
  readonly region: string;
  readonly status: "complete";
  readonly done: number;
  readonly failed: number;
  readonly pending: number;
  readonly skipped: number;
  readonly blocked: number;
  readonly deferred: number;
}

/** One target's line in a Step Functions fleet report. */
export interface MapTargetResult {
  readonly account: string;
  readonly region: string;
  readonly status: TargetStatus;
  readonly error?: string;
  readonly cause?: string;
  readonly output?: FleetStepOutput;
}

export interface MapFleetReport {
  readonly step: Step;
  readonly counts: FleetCounts;
  readonly results: readonly MapTargetResult[];
}

/** The part of ResultWriter's manifest this reads. */
export interface MapResultManifest {
  readonly ResultFiles?: Readonly<Record<string, readonly { readonly Key: string }[]>>;
}

function json(value: unknown): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
}

function statusOfError(error: string | undefined): TargetStatus {
  if (error === FLEET_ERRORS.incomplete) return "incomplete";
  if (error === FLEET_ERRORS.unreachable) return "unreachable";
  return "failed";
}

/**
 * One result per child execution of the Map, from the result files' entries: SUCCEEDED ones
 * complete (with the step function's output), FAILED, TIMED_OUT and ABORTED ones by the error
 * the function threw (SnapshotToolException incomplete, TargetUnreachable unreachable, anything
 * else failed), and an entry still PENDING incomplete. The target is read from the entry's input.
 */
export function mapResultOf(entry: unknown): MapTargetResult {
  const e = record(entry);
  const input = record(json(e["Input"]));
  const target = record(input["target"]) as Partial<FleetTarget>;
  const where = {
    account: String(target.account ?? "unknown"),
    region: String(target.region ?? "unknown"),
  };
  const status = String(e["Status"] ?? "PENDING");
  if (status === "SUCCEEDED") {
    const output = record(json(e["Output"])) as unknown as FleetStepOutput;
    return { ...where, status: "complete", output };
  }
  const error = typeof e["Error"] === "string" ? e["Error"] : undefined;
  const cause = typeof e["Cause"] === "string" ? e["Cause"] : undefined;
  return {
    ...where,
    status: status === "PENDING" || status === "RUNNING" ? "incomplete" : statusOfError(error),
    ...(error !== undefined && { error }),
    ...(cause !== undefined && { cause: cause.slice(0, 2000) }),
  };
}

/**
 * The fleet report of one Map run: `entries` are every result file's entries together, and
 * `expected` the targets the run was given, so a target with no entry at all (the Map failed
 * before it started it) is counted incomplete rather than forgotten.
 */
export function mapFleetReport(
  step: Step,
  entries: readonly unknown[],
  expected: readonly FleetTarget[] = [],
  mapError?: string,
): MapFleetReport {
  const results = entries.map(mapResultOf);
  const seen = new Set(results.map((r) => `${r.account}/${r.region}`));
  for (const t of expected) {
    if (!seen.has(`${t.account}/${t.region}`)) {
      results.push({
        account: t.account,
        region: t.region,
        status: "incomplete",
        error: "NotRun",
        cause:
          mapError === undefined
            ? "the Map run ended before this target ran"
            : `the Map run failed (${mapError}) without a result for this target: it may not have run`,
      });
    }
  }
  const count = (s: TargetStatus): number => results.filter((r) => r.status === s).length;
  return {
    step,
    counts: {
      targets: results.length,
      complete: count("complete"),
      incomplete: count("incomplete"),
      unreachable: count("unreachable"),
      failed: count("failed"),
    },
    results,
  };
}
