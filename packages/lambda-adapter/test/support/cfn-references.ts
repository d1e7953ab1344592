import { getAttParts } from "../../src/templates.js";
import { isObject } from "./cfn-conditions.js";

/** One name a template uses: a Ref, a Fn::GetAtt, a `${...}` in Fn::Sub, or a condition name. */
export interface Reference {
  readonly kind: "Ref" | "GetAtt" | "Sub" | "Condition";
  /** Logical id, parameter, pseudo parameter or condition name. */
  readonly target: string;
  /** Set for Fn::GetAtt and dotted `${Name.Attribute}`. */
  readonly attribute?: string;
  /** Where it was found, for failure messages. */
  readonly path: string;
}

/** Every reference under `node` (Fn::If's condition and `Condition:` names count as Condition). */
export function collectReferences(node: unknown, path = "$"): Reference[] {
  const found: Reference[] = [];
  walk(node, path, found);
  return found;
}

function walk(node: unknown, path: string, found: Reference[]): void {
  if (Array.isArray(node)) {
    node.forEach((item, i) => walk(item, `${path}[${i}]`, found));
    return;
  }
  if (!isObject(node)) return;
  for (const [key, value] of Object.entries(node)) {
    const here = `${path}.${key}`;
    switch (key) {
      case "Ref":
        if (typeof value !== "string") throw new Error(`${here}: Ref to a non-string`);
        found.push({ kind: "Ref", target: value, path: here });
        break;
      case "Fn::GetAtt": {
        const [target, attribute] = getAttParts(value, here);
        found.push({ kind: "GetAtt", target, attribute, path: here });
        break;
      }
      case "Fn::Sub":
        subReferences(value, here, found);
        break;
      case "Fn::If": {
        const [condition, ...branches] = value as [string, ...unknown[]];
        found.push({ kind: "Condition", target: condition, path: here });
        branches.forEach((branch, i) => walk(branch, `${here}[${i + 1}]`, found));
        break;
      }
      case "Condition":
        // A resource's `Condition: Name`, or `{ Condition: Name }` inside Fn::And/Or/Not.
        if (typeof value === "string") found.push({ kind: "Condition", target: value, path: here });
        else walk(value, here, found);
        break;
      default:
        walk(value, here, found);
    }
  }
}

function subReferences(value: unknown, path: string, found: Reference[]): void {
  let text: string;
  let variables: Record<string, unknown> = {};
  if (typeof value === "string") {
    text = value;
  } else if (Array.isArray(value) && typeof value[0] === "string" && isObject(value[1])) {
    text = value[0];
    variables = value[1];
    walk(variables, `${path}[1]`, found);
  } else {
    throw new Error(`${path}: malformed Fn::Sub`);
  }
  for (const match of text.matchAll(/\$\{(!?)([^}]*)\}/g)) {
    if (match[1] === "!") continue;
    const name = (match[2] ?? "").trim();
    if (name in variables) continue;
    const dot = name.indexOf(".");
    found.push(
      dot === -1
        ? { kind: "Sub", target: name, path }
        : { kind: "Sub", target: name.slice(0, dot), attribute: name.slice(dot + 1), path },
    );
  }
}
