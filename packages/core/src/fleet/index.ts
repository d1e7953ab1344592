export * from "./fleet-settings.js";
export * from "./targets-document.js";
export * from "./targets-source.js";
export * from "./run-fleet.js";
export * from "./map-results.js";
