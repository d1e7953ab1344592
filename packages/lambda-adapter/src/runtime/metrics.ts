import { METRICS_NAMESPACE, type MetricDatum } from "@aurora-snapshot-tool/core";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import type { HandlerEnv } from "./env.js";
import type { ReportLogger } from "./report-log.js";

/**
 * EMF allows at most 100 metrics in one line (Powertools would flush a 101st on its own, past
 * `write`), so each line is given at most this many.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */
export const EMF_MAX_METRICS_PER_LINE = 100;

export interface PublishMetricsOptions {
  /** POWERTOOLS_METRICS_NAMESPACE overrides METRICS_NAMESPACE (default: process.env). */
  readonly env?: HandlerEnv;
  /**
   * Where each EMF line goes, without its newline (default: stdout through Powertools Metrics, so
   * POWERTOOLS_METRICS_DISABLED and POWERTOOLS_DEV work as Powertools documents them).
   */
  readonly write?: (line: string) => void;
  /** Where a line that could not be published is reported, at WARN (default: console.warn). */
  readonly logger?: Pick<ReportLogger, "warn">;
}

/**
 * Writes `data` as CloudWatch embedded metric format lines: one line per dimension set (names
 * and values; a line carries one value per dimension), at most 100 metrics each, and each line
 * has exactly its datums' dimensions: Powertools' default `service` dimension is cleared, since
 * the alarms match dimension sets exactly. Never throws: a line that cannot be published (over
 * Powertools' 29 dimensions, a failing sink) is logged at WARN and the others still go out.
 */
export function publishMetrics(
  data: readonly MetricDatum[],
  options: PublishMetricsOptions = {},
): void {
  const env = options.env ?? process.env;
  const namespace = env["POWERTOOLS_METRICS_NAMESPACE"]?.trim() || METRICS_NAMESPACE;
  const logger = options.logger ?? { warn: (m, f) => console.warn(m, JSON.stringify(f)) };
  for (const [dimensions, group] of byDimensionSet(data)) {
    for (const line of linesOf(group)) {
      try {
        emitLine(namespace, dimensions, line, options.write, logger);
      } catch (error) {
        logger.warn("metrics not published", {
          namespace,
          dimensions,
          metrics: line.map((d) => d.name),
          errorMessage: error instanceof Error ? error.message : String(error),
        });
      }
    }
  }
}

function emitLine(
  namespace: string,
  dimensions: Readonly<Record<string, string>>,
  data: readonly MetricDatum[],
  write: ((line: string) => void) | undefined,
  logger: Pick<ReportLogger, "warn">,
): void {
  const metrics = new Metrics({
    namespace,
    // Powertools' own warnings (an invalid dimension value, ...) go to the handler's logger.
    logger: {
      debug: () => undefined,
      info: () => undefined,
      warn: (...args: unknown[]) => logger.warn(String(args[0]), { namespace }),
      error: (...args: unknown[]) => logger.warn(String(args[0]), { namespace }),
    },
  });
  // Powertools 2.x always starts with a default dimension `service` (POWERTOOLS_SERVICE_NAME or
  // "service_undefined"); the metrics' dimension sets are a contract with the alarms, so it goes.
  metrics.clearDefaultDimensions();
  metrics.addDimensions({ ...dimensions });
  for (const d of data) {
    metrics.addMetric(d.name, d.unit === "Count" ? MetricUnit.Count : MetricUnit.NoUnit, d.value);
  }
  if (write === undefined) {
    metrics.publishStoredMetrics();
    return;
  }
  const line = JSON.stringify(metrics.serializeMetrics());
  metrics.clearMetrics();
  metrics.clearDimensions();
  write(line);
}

/**
 * A dimension set's datums split into lines of at most 100 metrics, each name once per line: a
 * name repeated in a line would become a list of values, which Powertools flushes on its own at
 * 100 (past `write`); a repeated datum is a second data point, in a line of its own.
 */
function linesOf(group: readonly MetricDatum[]): MetricDatum[][] {
  const lines: MetricDatum[][] = [];
  let line: MetricDatum[] = [];
  let names = new Set<string>();
  for (const d of group) {
    if (line.length === EMF_MAX_METRICS_PER_LINE || names.has(d.name)) {
      lines.push(line);
      line = [];
      names = new Set();
    }
    line.push(d);
    names.add(d.name);
  }
  if (line.length > 0) lines.push(line);
  return lines;
}

/** The datums by dimension set (names and values), in first-seen order. */
function byDimensionSet(
  data: readonly MetricDatum[],
): [Readonly<Record<string, string>>, MetricDatum[]][] {
  const groups = new Map<string, [Readonly<Record<string, string>>, MetricDatum[]]>();
  for (const d of data) {
    const key = JSON.stringify(Object.entries(d.dimensions).sort(([a], [b]) => (a < b ? -1 : 1)));
    const group = groups.get(key);
    if (group) group[1].push(d);
    else groups.set(key, [d.dimensions, [d]]);
  }
  return [...groups.values()];
}
