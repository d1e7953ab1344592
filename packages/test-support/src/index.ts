/**
 * `@aurora-snapshot-tool/test-support` (private, never published): what the test suites and the
 * demo share but a user of the library does not need, such as the moto launcher.
 */
export * from "./moto-server.js";
export * from "./snapshot-name-time.js";
