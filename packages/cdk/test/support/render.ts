import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

/*
 * The YAML parser the lambda adapter reads its templates with, so the reference side of the
 * comparison does not go through the CDK's own template parser.
 */
const requireFromAdapter = createRequire(
  fileURLToPath(new URL("../../../lambda-adapter/package.json", import.meta.url)),
);
const { parse } = requireFromAdapter("yaml") as { parse: (text: string) => unknown };

export interface Template {
  Parameters?: Record<string, { Default?: unknown }>;
  Conditions?: Record<string, unknown>;
  Resources: Record<string, Resource>;
  Outputs?: Record<string, unknown>;
}

export interface Resource {
  Type: string;
  Condition?: string;
  Properties?: Record<string, unknown>;
  [key: string]: unknown;
}

export function loadYamlTemplate(name: "source" | "dest"): Template {
  const path = fileURLToPath(
    new URL(`../../../lambda-adapter/templates/${name}.yaml`, import.meta.url),
  );
  return parse(readFileSync(path, "utf8")) as Template;
}

/** The parameter values a deployment gets: the template's defaults, then `given`. */
export function withDefaults(t: Template, given: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, p] of Object.entries(t.Parameters ?? {})) {
    if (p.Default !== undefined) out[name] = String(p.Default);
  }
  return { ...out, ...given };
}

const NO_VALUE = Symbol("AWS::NoValue");

/**
 * A template as CloudFormation would read it with these parameter values: every Ref to a
 * parameter replaced, Fn::If and conditions decided, `${Param}` in Fn::Sub filled in (a Sub with
 * nothing left to fill becomes its string), resources whose condition is false left out, and the
 * `Condition` keys dropped. References to resources and pseudo parameters stay as they are. Both
 * sides of the comparison go through this, so only what CloudFormation would deploy is compared.
 */
export function render(t: Template, parameters: Record<string, string>): Template {
  const conditions = t.Conditions ?? {};
  const decided = new Map<string, boolean>();
  const condition = (name: string): boolean => {
    let value = decided.get(name);
    if (value === undefined) {
      if (!(name in conditions)) throw new Error(`no condition ${name}`);
      value = evaluate(conditions[name]);
      decided.set(name, value);
    }
    return value;
  };
  const evaluate = (node: unknown): boolean => {
    const o = node as Record<string, unknown>;
    if ("Condition" in o) return condition(o.Condition as string);
    if ("Fn::Equals" in o) {
      const [a, b] = (o["Fn::Equals"] as unknown[]).map(resolve);
      return JSON.stringify(a) === JSON.stringify(b);
    }
    if ("Fn::Not" in o) return !evaluate((o["Fn::Not"] as unknown[])[0]);
    if ("Fn::And" in o) return (o["Fn::And"] as unknown[]).every(evaluate);
    if ("Fn::Or" in o) return (o["Fn::Or"] as unknown[]).some(evaluate);
    throw new Error(`cannot evaluate condition ${JSON.stringify(node)}`);
  };
  const sub = (text: string): string =>
    text.replace(/\$\{([^!}][^}]*)\}/g, (whole, name: string) =>
      name in parameters ? (parameters[name] as string) : whole,
    );
  const resolve = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(resolve).filter((v) => v !== NO_VALUE);
    if (node === null || typeof node !== "object") return node;
    const o = node as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 1) {
      const [key] = keys as [string];
      const arg = o[key];
      if (key === "Ref") {
        if (arg === "AWS::NoValue") return NO_VALUE;
        if (typeof arg === "string" && arg in parameters) return parameters[arg];
      }
      if (key === "Fn::If") {
        const [name, a, b] = arg as [string, unknown, unknown];
        return resolve(condition(name) ? a : b);
      }
      if (key === "Fn::Sub") {
        if (typeof arg === "string") {
          const text = sub(arg);
          return /\$\{[^!]/.test(text) ? { "Fn::Sub": text } : text;
        }
        const [text, vars] = arg as [string, Record<string, unknown>];
        return { "Fn::Sub": [sub(text), resolve(vars)] };
      }
      // On literals these are decided before deployment (the CDK folds them at synth).
      if (key === "Fn::Split") {
        const [delimiter, text] = (arg as unknown[]).map(resolve) as [string, unknown];
        if (typeof text === "string") return text.split(delimiter);
        return { [key]: [delimiter, text] };
      }
      if (key === "Fn::Join") {
        const [delimiter, items] = (arg as unknown[]).map(resolve) as [string, unknown];
        if (Array.isArray(items) && items.every((i) => typeof i === "string")) {
          return items.join(delimiter);
        }
        return { [key]: [delimiter, items] };
      }
      if (key === "Fn::Select") {
        const [index, items] = (arg as unknown[]).map(resolve) as [unknown, unknown];
        if (Array.isArray(items)) return items[Number(index)];
        return { [key]: [index, items] };
      }
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(o)) {
      const r = resolve(v);
      if (r !== NO_VALUE) out[k] = r;
    }
    return out;
  };
  const resources: Record<string, Resource> = {};
  for (const [id, resource] of Object.entries(t.Resources)) {
    if (resource.Condition !== undefined && !condition(resource.Condition)) continue;
    const { Condition: _, ...rest } = resource;
    resources[id] = numbersAlike(resolve(rest)) as Resource;
  }
  const outputs: Record<string, unknown> = {};
  for (const [id, output] of Object.entries(t.Outputs ?? {})) {
    const o = output as { Condition?: string };
    if (o.Condition !== undefined && !condition(o.Condition)) continue;
    const { Condition: _, ...rest } = o;
    outputs[id] = numbersAlike(resolve(rest));
  }
  return { Resources: resources, Outputs: outputs };
}

/**
 * CloudFormation reads "2" and 2 alike where a property is a number or a string (parameter values
 * are strings; the CDK writes numbers where the resource's schema has one), so both become 2.
 */
function numbersAlike(node: unknown): unknown {
  if (typeof node === "string" && /^\d+$/.test(node)) return Number(node);
  if (Array.isArray(node)) return node.map(numbersAlike);
  if (node === null || typeof node !== "object") return node;
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, numbersAlike(v)]));
}

/** The resources of one type, by logical id. */
export function ofType(t: Template, type: string): Record<string, Resource> {
  return Object.fromEntries(Object.entries(t.Resources).filter(([, r]) => r.Type === type));
}

/** Every IAM action a role is granted, from its inline policies and the policies attached to it. */
export function actionsPerRole(t: Template): Record<string, string[]> {
  const out: Record<string, Set<string>> = {};
  const add = (role: string, document: unknown): void => {
    const set = (out[role] ??= new Set());
    const statements = (document as { Statement?: unknown[] }).Statement ?? [];
    for (const s of statements as { Effect?: string; Action?: string | string[] }[]) {
      const actions = Array.isArray(s.Action) ? s.Action : s.Action ? [s.Action] : [];
      for (const a of actions) set.add(`${s.Effect}:${a}`);
    }
  };
  for (const [id, r] of Object.entries(ofType(t, "AWS::IAM::Role"))) {
    out[id] ??= new Set();
    const policies = (r.Properties?.Policies ?? []) as { PolicyDocument: unknown }[];
    for (const p of policies) add(id, p.PolicyDocument);
  }
  for (const r of Object.values(ofType(t, "AWS::IAM::Policy"))) {
    for (const role of (r.Properties?.Roles ?? []) as { Ref: string }[]) {
      add(role.Ref, r.Properties?.PolicyDocument);
    }
  }
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, [...v].sort()]));
}
