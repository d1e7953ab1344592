/**
 * `@aurora-snapshot-tool/core/testing`: an in-memory RDS (cluster snapshots), KMS and STS that
 * plugs into real SDK v3 clients, for tests, demos and benchmarks; a fleet simulation over it; and
 * the model builders (`aCluster`, `aSnapshot`, `aToolSnapshot`, policies, keys, times) that core's
 * and the adapters' tests share, with one set of defaults.
 */
export { InMemoryRds, seededCopyMinutes } from "./in-memory-rds.js";
export { SimulatedRetryStrategy, type SimulatedRetryOptions } from "./sim-retry.js";
export { SimulatedServiceError } from "./sim-errors.js";
export type { SimFault, SimResponseMetadata } from "./sim-errors.js";
export type {
  SimInstanceFilter,
  SimInstanceInit,
  SimInstanceRecord,
  SimSubnetGroupInit,
} from "./sim-instance-types.js";
export type {
  FailOnOptions,
  InMemoryRdsOptions,
  SimCall,
  SimClusterInit,
  SimClusterRecord,
  SimCopyRequest,
  SimDuration,
  SimKeyInit,
  SimKeyRecord,
  SimMiddleware,
  SimMiddlewareOptions,
  SimMiddlewareStack,
  SimPlace,
  SimPluggable,
  SimRef,
  SimSnapshotInit,
  SimSnapshotRecord,
  SimSnapshotType,
  ThrottleOptions,
} from "./sim-types.js";
export type {
  SimBusEvent,
  SimBusEventFilter,
  SimEventBusInit,
  SimEventBusRecord,
  SimRdsEvent,
  SimRdsEventId,
} from "./sim-events.js";
export { SimVerifyChecks } from "./sim-verify-checks.js";
export type {
  SimCheckFunction,
  SimStatement,
  SimVerifyChecksOptions,
} from "./sim-verify-checks.js";
export { simulatedVerifyGateway } from "./sim-verify-gateway.js";
export * from "./fleet-simulation.js";
export { simFleetClients } from "./sim-fleet.js";
export type { SimRoleInit } from "./sim-roles.js";
export * from "./builders.js";
export * from "./scenarios.js";
