/**
 * Errors shaped like SDK v3 service exceptions, so code under test sees exactly what a real client
 * would hand it: `name` is the modelled exception name (not the wire code), `$fault` and
 * `$metadata.httpStatusCode` are set, and throttling carries `$retryable.throttling`.
 *
 * The SDK's exception classes check `instanceof` by duck typing (`$fault` + `$metadata` + `name`),
 * so `err instanceof DBClusterSnapshotNotFoundFault` is true for these errors as long as this class
 * declares no static `shapeId` of its own.
 */

export type SimFault = "client" | "server";

interface FaultShape {
  readonly status: number;
  readonly fault: SimFault;
  readonly throttling?: boolean;
}

/** HTTP status and fault side of the exceptions the simulator raises (others default to 400/client). */
const FAULTS: Readonly<Record<string, FaultShape>> = {
  DBClusterNotFoundFault: { status: 404, fault: "client" },
  DBClusterSnapshotNotFoundFault: { status: 404, fault: "client" },
  DBInstanceNotFoundFault: { status: 404, fault: "client" },
  DBSubnetGroupNotFoundFault: { status: 404, fault: "client" },
  DBClusterSnapshotAlreadyExistsFault: { status: 400, fault: "client" },
  InvalidDBClusterStateFault: { status: 400, fault: "client" },
  InvalidDBClusterSnapshotStateFault: { status: 400, fault: "client" },
  SnapshotQuotaExceededFault: { status: 400, fault: "client" },
  SharedSnapshotQuotaExceededFault: { status: 400, fault: "client" },
  KMSKeyNotAccessibleFault: { status: 400, fault: "client" },
  InvalidParameterValue: { status: 400, fault: "client" },
  InvalidParameterCombination: { status: 400, fault: "client" },
  InvalidAction: { status: 400, fault: "client" },
  // RDS answers throttling with HTTP 400 and the code `Throttling` ("Rate exceeded").
  Throttling: { status: 400, fault: "client", throttling: true },
  ThrottlingException: { status: 400, fault: "client", throttling: true },
  RequestLimitExceeded: { status: 400, fault: "client", throttling: true },
  // KMS
  NotFoundException: { status: 400, fault: "client" },
  AccessDeniedException: { status: 400, fault: "client" },
  DisabledException: { status: 400, fault: "client" },
  // transient server-side failures
  InternalFailure: { status: 500, fault: "server" },
  ServiceUnavailable: { status: 503, fault: "server" },
};

export interface SimResponseMetadata {
  readonly httpStatusCode: number;
  readonly requestId: string;
  readonly attempts: number;
  readonly totalRetryDelay: number;
}

export class SimulatedServiceError extends Error {
  override readonly name: string;
  readonly $fault: SimFault;
  readonly $metadata: SimResponseMetadata;
  readonly $retryable?: { readonly throttling: boolean };

  constructor(name: string, message: string, requestId = "in-memory-rds") {
    super(message);
    const shape = FAULTS[name] ?? { status: 400, fault: "client" };
    this.name = name;
    this.$fault = shape.fault;
    this.$metadata = {
      httpStatusCode: shape.status,
      requestId,
      attempts: 1,
      totalRetryDelay: 0,
    };
    if (shape.throttling) this.$retryable = { throttling: true };
  }
}

export function simError(name: string, message: string): SimulatedServiceError {
  return new SimulatedServiceError(name, message);
}
