export {
  AwsGateway,
  PAGE_SIZE,
  PUT_EVENTS_MAX_BYTES,
  PUT_EVENTS_MAX_ENTRIES,
  putEventsEntrySize,
} from "./aws-gateway.js";
export type { AwsGatewayOptions } from "./aws-gateway.js";
export { AssumeRoleError, assumeRoleCredentials, createClientFactory } from "./client-factory.js";
export type {
  AssumeRoleOptions,
  AwsClients,
  AwsCredentialIdentity,
  AwsCredentialIdentityProvider,
  ClientFactory,
  ClientFactoryOptions,
  ClientPlugin,
} from "./client-factory.js";
export { isConnectionError, isRetryableAwsError, toAwsActionError } from "./errors.js";
export { sdkDefaultRegion } from "./default-region.js";
export { awsObjectStore, awsTargetsReaders, isActiveAccount } from "./targets-readers.js";
export type { AwsTargetsReadersOptions, ObjectStore } from "./targets-readers.js";
