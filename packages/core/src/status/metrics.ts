import { summarize, type RunReport } from "../execute/report.js";
import type { Step } from "../model/index.js";
import type { PolicySide } from "../policy/registry.js";
import type { StatusReport } from "./types.js";

/*
 * The tool's CloudWatch metrics as plain data: adapters publish them (the Lambda adapter as
 * embedded metric format lines). Names and dimensions are a contract with the templates' alarms
 * and dashboards and with users' own: change them only with both.
 */

/** The default CloudWatch namespace (POWERTOOLS_METRICS_NAMESPACE overrides it in Lambda). */
export const METRICS_NAMESPACE = "AuroraSnapshotTool";

export const METRIC = {
  /** Per run, dimensions {Deployment, Step}: the counts of the run report's summary. */
  actionsDone: "ActionsDone",
  actionsFailed: "ActionsFailed",
  actionsPending: "ActionsPending",
  actionsDeferred: "ActionsDeferred",
  actionsBlocked: "ActionsBlocked",
  actionsSkipped: "ActionsSkipped",
  /**
   * Per run, {Deployment, Step}: 1 when the run ran and no action it tried failed, else 0 (the
   * heartbeat). Work left for later (copies in flight, a slot or a cluster to wait for, a
   * deadline) and blocked work still count as a run that succeeded: they are progress or gaps the
   * RPO alarm reports per cluster, and a heartbeat that stayed down for them would hide a
   * schedule that stopped behind an alarm already on.
   */
  runsSucceeded: "RunsSucceeded",
  /** Per run, {Deployment, Step}: 1 when an action failed or the run failed outright. */
  runsFailed: "RunsFailed",
  /**
   * Age of the newest recovery point, in minutes. {Deployment, Side}: the maximum over every
   * cluster and place that has one; {Deployment, Side, Place, Region, Cluster}: per cluster and
   * place, when METRICS_PER_CLUSTER is TRUE.
   */
  recoveryPointAgeMinutes: "RecoveryPointAgeMinutes",
  /** {Deployment, Side}: cluster-places in each state. */
  placesProtected: "PlacesProtected",
  placesAtRisk: "PlacesAtRisk",
  placesUnprotected: "PlacesUnprotected",
  /** {Deployment, Side}: at-risk + unprotected, the RPO alarm's metric. */
  placesBeyondRpo: "PlacesBeyondRpo",
  /** copy, {Deployment, Region}: copies in flight and copies waiting for a slot per destination region. */
  copiesInFlight: "CopiesInFlight",
  copyBacklog: "CopyBacklog",
  /** verify, {Deployment, Side}: verifications that passed and that failed in the run. */
  verificationsSucceeded: "VerificationsSucceeded",
  verificationsFailed: "VerificationsFailed",
  /**
   * Per fleet run, {Deployment, Step}: targets (account and region) in each state. A fleet run
   * with any target not complete fails its execution, which the fleet template's alarm watches.
   */
  targetsComplete: "TargetsComplete",
  targetsIncomplete: "TargetsIncomplete",
  targetsUnreachable: "TargetsUnreachable",
  targetsFailed: "TargetsFailed",
} as const;

export type MetricName = (typeof METRIC)[keyof typeof METRIC];

/** CloudWatch has no minutes unit: ages are plain numbers (None) whose name says the unit. */
export type MetricUnit = "Count" | "None";

export interface MetricDatum {
  readonly name: MetricName;
  readonly unit: MetricUnit;
  readonly value: number;
  /** Every datum carries Deployment; the rest as documented on METRIC. */
  readonly dimensions: Readonly<Record<string, string>>;
}

/** The metrics of one step run: the summary counts and the heartbeat (see METRIC.runsSucceeded). */
export function runMetrics(step: Step, report: RunReport, deployment: string): MetricDatum[] {
  const s = summarize(report);
  const dimensions = { Deployment: deployment, Step: step };
  const count = (name: MetricName, value: number): MetricDatum => ({
    name,
    unit: "Count",
    value,
    dimensions,
  });
  const out = [
    count(METRIC.actionsDone, s.done),
    count(METRIC.actionsFailed, s.failed),
    count(METRIC.actionsPending, s.pending),
    count(METRIC.actionsDeferred, s.deferred),
    count(METRIC.actionsBlocked, s.blocked),
    count(METRIC.actionsSkipped, s.skipped),
    count(METRIC.runsSucceeded, s.failed === 0 ? 1 : 0),
    count(METRIC.runsFailed, s.failed === 0 ? 0 : 1),
  ];
  for (const [region, counts] of Object.entries(report.backlog?.byRegion ?? {})) {
    const d = { Deployment: deployment, Region: region };
    out.push({ name: METRIC.copiesInFlight, unit: "Count", value: counts.inFlight, dimensions: d });
    out.push({ name: METRIC.copyBacklog, unit: "Count", value: counts.waiting, dimensions: d });
  }
  return out;
}

/** The metrics of a failed run that has no report (bad configuration, an AWS error): the heartbeat's 0. */
export function failedRunMetrics(step: Step, deployment: string): MetricDatum[] {
  const dimensions = { Deployment: deployment, Step: step };
  return [
    { name: METRIC.runsSucceeded, unit: "Count", value: 0, dimensions },
    { name: METRIC.runsFailed, unit: "Count", value: 1, dimensions },
  ];
}

/**
 * The metrics of a status report: per side the state counts and the maximum age; per cluster and
 * place the age, unless `perCluster` is false. A place with no recovery point at all reports
 * no age datum of its own (it is counted in PlacesUnprotected or PlacesAtRisk, which is what the
 * RPO alarm watches).
 */
export function statusMetrics(
  report: StatusReport,
  deployment: string,
  perCluster: boolean,
): MetricDatum[] {
  const side: PolicySide = report.side;
  const base = { Deployment: deployment, Side: side };
  const count = (name: MetricName, value: number): MetricDatum => ({
    name,
    unit: "Count",
    value,
    dimensions: base,
  });
  const { summary } = report;
  const out: MetricDatum[] = [
    count(METRIC.placesProtected, summary.protected),
    count(METRIC.placesAtRisk, summary.atRisk),
    count(METRIC.placesUnprotected, summary.unprotected),
    count(METRIC.placesBeyondRpo, summary.atRisk + summary.unprotected),
  ];
  if (summary.maxAgeMinutes !== null) {
    out.push({
      name: METRIC.recoveryPointAgeMinutes,
      unit: "None",
      value: summary.maxAgeMinutes,
      dimensions: base,
    });
  }
  if (!perCluster) return out;
  for (const p of report.places) {
    if (p.newest === null) continue;
    out.push({
      name: METRIC.recoveryPointAgeMinutes,
      unit: "None",
      value: p.newest.ageMinutes,
      dimensions: { ...base, Place: p.place, Region: p.region, Cluster: p.cluster },
    });
  }
  return out;
}

/** The metrics of a verify run. */
export function verifyMetrics(
  side: PolicySide,
  deployment: string,
  succeeded: number,
  failed: number,
): MetricDatum[] {
  const dimensions = { Deployment: deployment, Side: side };
  return [
    { name: METRIC.verificationsSucceeded, unit: "Count", value: succeeded, dimensions },
    { name: METRIC.verificationsFailed, unit: "Count", value: failed, dimensions },
  ];
}

/** The counts of a fleet run's targets, as fleetCounts gives them. */
export interface FleetCountsLike {
  readonly complete: number;
  readonly incomplete: number;
  readonly unreachable: number;
  readonly failed: number;
}

/** The metrics of one fleet run: targets per state, {Deployment, Step}. */
export function fleetMetrics(
  step: Step,
  counts: FleetCountsLike,
  deployment: string,
): MetricDatum[] {
  const dimensions = { Deployment: deployment, Step: step };
  return [
    { name: METRIC.targetsComplete, unit: "Count", value: counts.complete, dimensions },
    { name: METRIC.targetsIncomplete, unit: "Count", value: counts.incomplete, dimensions },
    { name: METRIC.targetsUnreachable, unit: "Count", value: counts.unreachable, dimensions },
    { name: METRIC.targetsFailed, unit: "Count", value: counts.failed, dimensions },
  ];
}

/**
 * One target's run metrics in a fleet, {Deployment, Step, Account, Region}: opt-in, since each
 * distinct dimension set is a custom metric CloudWatch bills monthly.
 */
export function targetRunMetrics(
  step: Step,
  report: RunReport,
  deployment: string,
  target: { readonly account: string; readonly region: string },
): MetricDatum[] {
  return runMetrics(step, report, deployment)
    .filter((d) => d.dimensions["Step"] === step)
    .map((d) => ({
      ...d,
      dimensions: { ...d.dimensions, Account: target.account, Region: target.region },
    }));
}
