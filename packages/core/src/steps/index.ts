export * from "./context.js";
export * from "./source-steps.js";
export * from "./destination-steps.js";
export * from "./catalogue.js";
export * from "./copy-loop.js";
