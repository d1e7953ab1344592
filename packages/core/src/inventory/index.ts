export * from "./inventory.js";
export * from "./wait-rules.js";
