import { expect } from "vitest";
import { ConfigError } from "../../src/policy/index.js";

/** Runs `fn`, expects a ConfigError, and returns it for its field, value and expected to be checked. */
export function configErrorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError, but nothing was thrown");
}

/** The error names `field` and `value`, and its `expected` says what is accepted. */
export function expectConfigError(
  fn: () => unknown,
  field: string,
  value: unknown,
  accepted: RegExp,
): void {
  const error = configErrorOf(fn);
  expect(error.field).toBe(field);
  expect(error.value).toEqual(value);
  expect(error.expected.length).toBeGreaterThan(0);
  expect(error.expected).toMatch(accepted);
  expect(error.message).toContain(field);
}
