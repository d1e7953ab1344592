/** A configuration value that was rejected before any AWS call: names the field, the value and what is accepted. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  readonly field: string;
  readonly value: unknown;
  readonly expected: string;

  constructor(field: string, value: unknown, expected: string) {
    super(`${field}: invalid value ${JSON.stringify(value)}; expected ${expected}`);
    this.field = field;
    this.value = value;
    this.expected = expected;
  }
}
