export * from "./inventory.js";
export * from "./wait-rules.js";
export * from "./in-progress.js";
