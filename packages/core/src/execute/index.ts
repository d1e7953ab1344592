export * from "./errors.js";
export type * from "./gateway.js";
export * from "./report.js";
export * from "./retry.js";
export * from "./executor.js";
