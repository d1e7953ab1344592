export * from "./snapshot-name.js";
