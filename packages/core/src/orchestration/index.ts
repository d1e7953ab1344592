export * from "./account-guard.js";
export * from "./target.js";
export * from "./run-step.js";
