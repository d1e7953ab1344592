import type { CfnTemplate } from "../../src/templates.js";

/** Parameter values as CloudFormation hands them to Ref: always strings. */
export type ParameterValues = Record<string, string>;

/** The values the tests use for pseudo parameters. */
export const PSEUDO_PARAMETERS: Record<string, string> = {
  "AWS::AccountId": "123456789012",
  "AWS::Partition": "aws",
  "AWS::Region": "us-east-1",
  "AWS::StackName": "snapshot-tool",
  "AWS::StackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/snapshot-tool/1",
  "AWS::URLSuffix": "amazonaws.com",
  "AWS::NotificationARNs": "",
  "AWS::NoValue": "",
};

/** Each parameter's default, overridden by `given`; a parameter with neither is an error. */
export function parameterValues(
  template: CfnTemplate,
  given: ParameterValues = {},
): ParameterValues {
  const values: ParameterValues = {};
  for (const [name, parameter] of Object.entries(template.Parameters)) {
    const value = given[name] ?? parameter.Default;
    if (value === undefined) throw new Error(`parameter ${name} has no default and no value`);
    values[name] = String(value);
  }
  for (const name of Object.keys(given)) {
    if (!(name in template.Parameters)) throw new Error(`unknown parameter ${name}`);
  }
  return values;
}

/**
 * Evaluates every condition (Fn::Equals, Fn::Not, Fn::And, Fn::Or, Condition) for the values;
 * Fn::Equals compares Refs, literals and Fn::Select of Fn::Split (of Fn::Join) of them.
 */
export function evaluateConditions(
  template: CfnTemplate,
  values: ParameterValues,
): Record<string, boolean> {
  const results: Record<string, boolean> = {};
  const evaluating = new Set<string>();

  const byName = (name: string): boolean => {
    const known = results[name];
    if (known !== undefined) return known;
    if (!(name in template.Conditions)) throw new Error(`unknown condition ${name}`);
    if (evaluating.has(name)) throw new Error(`condition ${name} refers to itself`);
    evaluating.add(name);
    const result = evaluate(template.Conditions[name]);
    evaluating.delete(name);
    results[name] = result;
    return result;
  };

  const scalar = (node: unknown): string => {
    if (typeof node === "string") return node;
    if (typeof node === "number" || typeof node === "boolean") return String(node);
    if (isObject(node) && typeof node["Ref"] === "string") {
      const name = node["Ref"];
      const value = values[name] ?? PSEUDO_PARAMETERS[name];
      if (value === undefined) throw new Error(`condition refers to unknown ${name}`);
      return value;
    }
    // Fn::Select of a Fn::Split (of a Fn::Join), as fleet.yaml's "starts with s3://" tests.
    if (isObject(node) && "Fn::Select" in node) {
      const [index, source] = node["Fn::Select"] as [number | string, unknown];
      const item = list(source)[Number(index)];
      if (item === undefined) throw new Error(`Fn::Select index ${index} out of range`);
      return item;
    }
    if (isObject(node) && "Fn::Join" in node) {
      const [separator, parts] = node["Fn::Join"] as [string, unknown[]];
      return parts.map(scalar).join(separator);
    }
    throw new Error(`unsupported value in a condition: ${JSON.stringify(node)}`);
  };

  const list = (node: unknown): string[] => {
    if (isObject(node) && "Fn::Split" in node) {
      const [separator, source] = node["Fn::Split"] as [string, unknown];
      return scalar(source).split(separator);
    }
    if (Array.isArray(node)) return node.map(scalar);
    throw new Error(`unsupported list in a condition: ${JSON.stringify(node)}`);
  };

  const evaluate = (node: unknown): boolean => {
    if (!isObject(node)) throw new Error(`not a condition: ${JSON.stringify(node)}`);
    const [fn, args] = onlyEntry(node);
    switch (fn) {
      case "Fn::Equals": {
        const [a, b] = args as unknown[];
        return scalar(a) === scalar(b);
      }
      case "Fn::Not":
        return !evaluate((args as unknown[])[0]);
      case "Fn::And":
        return (args as unknown[]).every(evaluate);
      case "Fn::Or":
        return (args as unknown[]).some(evaluate);
      case "Condition":
        return byName(args as string);
      default:
        throw new Error(`unsupported condition function ${fn}`);
    }
  };

  for (const name of Object.keys(template.Conditions)) byName(name);
  return results;
}

/** Logical ids of the resources created for these parameter values. */
export function activeResources(template: CfnTemplate, given: ParameterValues = {}): string[] {
  const conditions = evaluateConditions(template, parameterValues(template, given));
  return Object.entries(template.Resources)
    .filter(([, resource]) => resource.Condition === undefined || conditions[resource.Condition])
    .map(([id]) => id)
    .sort();
}

/**
 * Replaces every Fn::If with its chosen branch and drops `Ref: AWS::NoValue` (from lists and
 * from objects), as CloudFormation does before it creates a resource. Other intrinsics stay.
 */
export function resolveConditionals(node: unknown, conditions: Record<string, boolean>): unknown {
  const resolved = resolve(node, conditions);
  return resolved === NO_VALUE ? undefined : resolved;
}

const NO_VALUE = Symbol("AWS::NoValue");

function resolve(node: unknown, conditions: Record<string, boolean>): unknown {
  if (Array.isArray(node)) {
    return node.map((item) => resolve(item, conditions)).filter((item) => item !== NO_VALUE);
  }
  if (!isObject(node)) return node;
  if (node["Ref"] === "AWS::NoValue") return NO_VALUE;
  if ("Fn::If" in node) {
    const [name, whenTrue, whenFalse] = node["Fn::If"] as [string, unknown, unknown];
    const holds = conditions[name];
    if (holds === undefined) throw new Error(`Fn::If on unknown condition ${name}`);
    return resolve(holds ? whenTrue : whenFalse, conditions);
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    const resolved = resolve(value, conditions);
    if (resolved !== NO_VALUE) out[key] = resolved;
  }
  return out;
}

function onlyEntry(node: Record<string, unknown>): [string, unknown] {
  const entries = Object.entries(node);
  const first = entries[0];
  if (entries.length !== 1 || first === undefined) {
    throw new Error(`expected one function, got ${JSON.stringify(node)}`);
  }
  return first;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
