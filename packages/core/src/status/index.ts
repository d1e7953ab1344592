export * from "./types.js";
export {
  METRIC,
  METRICS_NAMESPACE,
  failedRunMetrics,
  fleetMetrics,
  runMetrics,
  targetRunMetrics,
  statusMetrics,
  verifyMetrics,
} from "./metrics.js";
export type { MetricDatum, MetricName, MetricUnit } from "./metrics.js";
export {
  destinationRpoHours,
  destinationStatusFrom,
  recoveryTime,
  sourceRpoHours,
  sourceStatusFrom,
} from "./plan-status.js";
export type { DestinationStatusInput, SourceStatusInput } from "./plan-status.js";
export { destinationStatus, sourceStatus } from "./run-status.js";
