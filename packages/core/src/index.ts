export * from "./model/index.js";
export * from "./naming/index.js";
export type * from "./policy/types.js";
export { ConfigError } from "./policy/config-error.js";
export type * from "./execute/gateway.js";
export { AwsActionError } from "./execute/errors.js";
