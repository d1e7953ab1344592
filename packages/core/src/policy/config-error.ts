/**
 * Where a setting's value came from, named the way the user wrote it: an env var
 * (`RETENTION_DAYS`), a command-line flag (`--retention-days`), a key of a config file
 * (`source.retentionDays`, with the file's path) or a key of an object passed in code.
 */
export interface FieldOrigin {
  readonly kind: "env" | "flag" | "file" | "object";
  readonly name: string;
  /** The config file's path, for `kind: "file"`. */
  readonly file?: string;
  /** Other ways to give the value, named in the message when none was given. */
  readonly alternatives?: string;
}

/** A field as the parsers take it: a bare name (an object key) or a full origin. */
export type FieldRef = string | FieldOrigin;

export function originOf(field: FieldRef): FieldOrigin {
  if (typeof field !== "string") return field;
  return { kind: field.startsWith("--") ? "flag" : "object", name: field };
}

/** The name a message shows: `RETENTION_DAYS`, `--retention-days`, `source.retentionDays (in /x.json)`. */
export function fieldLabel(field: FieldRef): string {
  const o = originOf(field);
  return o.file === undefined ? o.name : `${o.name} (in ${o.file})`;
}

/** A configuration value that was rejected before any AWS call: names the field, the value and what is accepted. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  /** The name the user wrote the value under (env var, flag, or config key). */
  readonly field: string;
  readonly value: unknown;
  readonly expected: string;
  readonly origin: FieldOrigin;

  constructor(field: FieldRef, value: unknown, expected: string) {
    const origin = originOf(field);
    const what = value === undefined ? "not set" : `invalid value ${JSON.stringify(value)}`;
    const hint =
      value === undefined && origin.alternatives !== undefined
        ? ` (set it with ${origin.alternatives})`
        : "";
    super(`${fieldLabel(origin)}: ${what}; expected ${expected}${hint}`);
    this.field = origin.name;
    this.value = value;
    this.expected = expected;
    this.origin = origin;
  }

  /** `env RETENTION_DAYS`, `flag --retention-days`, `source.retentionDays in ./tool.json`. */
  get where(): string {
    const o = this.origin;
    if (o.kind === "file") return `${o.name} in ${o.file ?? "the config file"}`;
    if (o.kind === "object") return o.name;
    return `${o.kind} ${o.name}`;
  }
}
