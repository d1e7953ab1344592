import type { InMemoryRds } from "./in-memory-rds.js";
import { simError } from "./sim-errors.js";
import type { SimPlace, SimPluggable } from "./sim-types.js";

/** What the fake check function is handed and may answer. */
export type SimCheckFunction = (payload: unknown) => unknown;

export interface SimVerifyChecksOptions {
  /**
   * The user's check Lambda: its return value is the Invoke payload; a throw is an `Unhandled`
   * FunctionError with `{errorMessage}` as the payload, as Lambda reports it. Default: `{ok: true}`.
   */
  readonly checkFunction?: SimCheckFunction;
}

/** A Data API statement the fake answered. */
export interface SimStatement {
  readonly resourceArn: string;
  readonly secretArn: string;
  readonly sql: string;
}

type Input = Readonly<Record<string, unknown>>;

/**
 * The three calls restore verification makes beyond RDS's control plane, answered next to an
 * InMemoryRds: RDS `EnableHttpEndpoint`, the RDS Data API's `ExecuteStatement` and Lambda's
 * `Invoke`. They read the in-memory RDS's clusters and instances, so a statement only answers on a
 * cluster whose HTTP endpoint was enabled and that has an available instance (as the Data API:
 * BadRequestException otherwise). Add `plugin()` to the client factory's plugins before the
 * InMemoryRds's own: it answers these commands in the `initialize` step and passes every other
 * command on.
 */
export class SimVerifyChecks {
  private readonly enabled = new Set<string>();
  private checkFunction: SimCheckFunction;
  /** Payloads the check function was invoked with, oldest first. */
  readonly invocations: unknown[] = [];
  readonly statements: SimStatement[] = [];

  constructor(
    private readonly sim: InMemoryRds,
    options: SimVerifyChecksOptions = {},
  ) {
    this.checkFunction = options.checkFunction ?? (() => ({ ok: true }));
  }

  /** Replaces the check function (e.g. one that answers `{ok: false}`). */
  setCheckFunction(fn: SimCheckFunction): void {
    this.checkFunction = fn;
  }

  /** Whether EnableHttpEndpoint was called on the cluster (by ARN). */
  httpEndpointEnabled(clusterArn: string): boolean {
    return this.enabled.has(clusterArn);
  }

  plugin(account: string, region: string): SimPluggable {
    const place = { account, region };
    return {
      applyToStack: (stack) =>
        stack.add(
          // eslint-disable-next-line @typescript-eslint/no-explicit-any
          (next: any, context: { commandName?: string }) => async (args: { input: Input }) => {
            const name = (context.commandName ?? "").replace(/Command$/, "");
            const answer = this.answer(place, name, args.input);
            if (answer === undefined) return next(args);
            return {
              output: { ...answer, $metadata: { httpStatusCode: 200 } },
              response: { statusCode: 200, headers: { date: this.sim.now().toUTCString() } },
            };
          },
          { step: "initialize", name: "simVerifyChecks", priority: "low" },
        ),
    };
  }

  private answer(place: SimPlace, op: string, input: Input): object | undefined {
    switch (op) {
      case "EnableHttpEndpoint":
        return this.enableHttpEndpoint(place, String(input["ResourceArn"] ?? ""));
      case "ExecuteStatement":
        return this.executeStatement(place, input);
      case "Invoke":
        return this.invoke(input);
      default:
        return undefined;
    }
  }

  private cluster(place: SimPlace, arn: string) {
    return this.sim.clusters(place).find((c) => c.arn === arn);
  }

  /** API_EnableHttpEndpoint: ResourceNotFoundFault, InvalidResourceStateFault. */
  private enableHttpEndpoint(place: SimPlace, arn: string): object {
    const cluster = this.cluster(place, arn);
    if (!cluster) throw simError("ResourceNotFoundFault", `DBCluster ${arn} not found.`);
    if (cluster.status !== "available") {
      throw simError("InvalidResourceStateFault", `DBCluster ${cluster.id} is ${cluster.status}`);
    }
    this.enabled.add(arn);
    return { ResourceArn: arn, HttpEndpointEnabled: true };
  }

  private executeStatement(place: SimPlace, input: Input): object {
    const resourceArn = String(input["resourceArn"] ?? "");
    const secretArn = String(input["secretArn"] ?? "");
    const sql = String(input["sql"] ?? "");
    const cluster = this.cluster(place, resourceArn);
    if (!cluster || !this.enabled.has(resourceArn)) {
      throw simError(
        "BadRequestException",
        `HttpEndpoint is not enabled for cluster ${resourceArn}`,
      );
    }
    const writer = this.sim
      .instances({ ...place, clusterId: cluster.id })
      .find((i) => i.status === "available");
    if (!writer) throw simError("BadRequestException", "The cluster has no available instance");
    if (!secretArn.startsWith("arn:")) throw simError("BadRequestException", "Invalid secretArn");
    this.statements.push({ resourceArn, secretArn, sql });
    return { records: [[{ longValue: 1 }]], numberOfRecordsUpdated: 0 };
  }

  private invoke(input: Input): object {
    const raw = input["Payload"];
    const text = raw instanceof Uint8Array ? new TextDecoder().decode(raw) : String(raw ?? "");
    const payload: unknown = text === "" ? undefined : JSON.parse(text);
    this.invocations.push(payload);
    const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value ?? null));
    try {
      return { StatusCode: 200, Payload: encode(this.checkFunction(payload)) };
    } catch (error) {
      const errorMessage = error instanceof Error ? error.message : String(error);
      return {
        StatusCode: 200,
        FunctionError: "Unhandled",
        Payload: encode({ errorType: "Error", errorMessage }),
      };
    }
  }
}
