export { AwsGateway, PAGE_SIZE } from "./aws-gateway.js";
export type { AwsGatewayOptions } from "./aws-gateway.js";
export { assumeRoleCredentials, createClientFactory } from "./client-factory.js";
export type {
  AssumeRoleOptions,
  AwsClients,
  AwsCredentialIdentity,
  AwsCredentialIdentityProvider,
  ClientFactory,
  ClientFactoryOptions,
  ClientPlugin,
} from "./client-factory.js";
export { isRetryableAwsError, toAwsActionError } from "./errors.js";
