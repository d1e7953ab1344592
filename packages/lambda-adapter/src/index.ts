/**
 * The Lambda adapter: handlers for the five steps (src/handlers), the wiring they share (for
 * building your own handlers with a different policy source), and the CloudFormation templates.
 */
export * from "./runtime/index.js";
export * from "./templates.js";
