export * from "./snapshot.js";
export * from "./tags.js";
export * from "./decision.js";
