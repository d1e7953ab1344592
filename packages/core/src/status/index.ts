export * from "./types.js";
export {
  METRIC,
  METRICS_NAMESPACE,
  failedRunMetrics,
  runMetrics,
  statusMetrics,
  verifyMetrics,
} from "./metrics.js";
export type { MetricDatum, MetricName, MetricUnit } from "./metrics.js";
