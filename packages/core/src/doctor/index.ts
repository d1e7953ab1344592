export * from "./doctor-checks.js";
export * from "./near-miss.js";
export * from "./schedule.js";
export * from "./run-doctor.js";
