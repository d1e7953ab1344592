/** Restore verification (`verify`): planning (pure), naming, the cost estimate, and the resumable round. */
export * from "./iam-actions.js";
export * from "./verify-names.js";
export * from "./verify-cost.js";
export * from "./plan-verify.js";
export * from "./verify-round.js";
