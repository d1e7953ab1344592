export * from "./model/index.js";
export * from "./naming/index.js";
export * from "./policy/index.js";
export * from "./plan/index.js";
export * from "./execute/index.js";
export * from "./steps/index.js";
export * from "./aws/index.js";
