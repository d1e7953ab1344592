/** CloudWatch embedded metric format lines as the handlers write them, recorded for tests. */

export interface EmfLine {
  readonly _aws: {
    readonly Timestamp: number;
    readonly CloudWatchMetrics: readonly {
      readonly Namespace: string;
      readonly Dimensions: readonly (readonly string[])[];
      readonly Metrics: readonly { readonly Name: string; readonly Unit: string }[];
    }[];
  };
  readonly [key: string]: unknown;
}

/** One metric as CloudWatch would see it: name, unit, value and its dimensions by name. */
export interface EmfMetric {
  readonly name: string;
  readonly unit: string;
  readonly value: unknown;
  readonly dimensions: Record<string, unknown>;
}

/** A `write` sink for publishMetrics (or a handler's `writeMetrics`) that parses what it gets. */
export function anEmfRecorder() {
  const lines: EmfLine[] = [];
  return {
    lines,
    write: (line: string): void => {
      lines.push(JSON.parse(line) as EmfLine);
    },
    metricNames: (i: number): string[] =>
      (lines[i]?._aws.CloudWatchMetrics[0]?.Metrics ?? []).map((m) => m.Name),
    /** Every metric of every line, each with the dimension values its line names. */
    metrics: (): EmfMetric[] => lines.flatMap(metricsOf),
  };
}

export function metricsOf(line: EmfLine): EmfMetric[] {
  return line._aws.CloudWatchMetrics.flatMap((directive) =>
    directive.Metrics.map((m) => ({
      name: m.Name,
      unit: m.Unit,
      value: line[m.Name],
      dimensions: Object.fromEntries(
        (directive.Dimensions[0] ?? []).map((key) => [key, line[key]]),
      ),
    })),
  );
}
