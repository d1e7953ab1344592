import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

import { parseDocument } from "yaml";

/** The two stacks: `source` (take, share, prune) and `dest` (copy, prune-dest). */
export type TemplateName = "source" | "dest";

/**
 * Fleet mode's stacks, kept apart from {@link TemplateName} (which the single-account checks
 * iterate over): `fleet` (the central account: the source steps over many targets) and
 * `member-role` (the role each member account gives the central step role; no code).
 */
export type FleetTemplateName = "fleet" | "member-role";

export const FLEET_TEMPLATE_NAMES: readonly FleetTemplateName[] = ["fleet", "member-role"];

/** Any template in `templates/`. */
export type AnyTemplateName = TemplateName | FleetTemplateName;

export interface CfnParameter {
  readonly Type: string;
  readonly Default?: string;
  readonly AllowedValues?: readonly string[];
  readonly MinValue?: number;
  readonly Description?: string;
  readonly [key: string]: unknown;
}

export interface CfnResource {
  readonly Type: string;
  readonly Condition?: string;
  readonly Properties?: Record<string, unknown>;
  readonly [key: string]: unknown;
}

/** A CloudFormation template as parsed from YAML: intrinsics stay as `{ "Fn::Sub": ... }` objects. */
export interface CfnTemplate {
  readonly AWSTemplateFormatVersion: string;
  readonly Description: string;
  readonly Metadata?: Record<string, unknown>;
  readonly Parameters: Record<string, CfnParameter>;
  readonly Conditions: Record<string, unknown>;
  readonly Resources: Record<string, CfnResource>;
  readonly Outputs?: Record<string, unknown>;
  /** Template rules (Assertions checked on the parameters before anything is created). */
  readonly Rules?: Record<string, unknown>;
}

/** A retrier of an Amazon States Language Task state. */
export interface AslRetrier {
  readonly ErrorEquals: readonly string[];
  readonly IntervalSeconds?: number;
  readonly MaxAttempts?: number;
  readonly BackoffRate?: number;
}

export interface AslState {
  readonly Type: string;
  readonly Resource?: string;
  readonly Retry?: readonly AslRetrier[];
  readonly End?: boolean;
  readonly Next?: string;
  readonly [key: string]: unknown;
}

/** A state machine definition (Amazon States Language) after its placeholders are filled in. */
export interface StateMachineDefinition {
  readonly Comment?: string;
  readonly StartAt: string;
  readonly States: Record<string, AslState>;
}

/**
 * Gives the value of a `${Name}` or `${Name.Attribute}` reference in a definition: `name` is the
 * logical id or pseudo parameter, `attribute` is set for a Fn::GetAtt-style reference.
 */
export type ReferenceResolver = (name: string, attribute?: string) => string;

export interface StateMachineDefinitionOptions {
  /** Fills in references (default: {@link placeholderResolver} for the template). */
  readonly resolve?: ReferenceResolver;
}

/** Where a template lives: `templates/<name>.yaml` at the package root (same path from src or dist). */
export function templatePath(name: AnyTemplateName): string {
  return fileURLToPath(new URL(`../templates/${name}.yaml`, import.meta.url));
}

/**
 * Reads and parses a template. Parsing is strict: a YAML error or warning (an unknown `!Ref`-style
 * tag, for instance) throws, because the templates must read the same in every YAML parser.
 */
export function loadTemplate(name: AnyTemplateName): CfnTemplate {
  const path = templatePath(name);
  const doc = parseDocument(readFileSync(path, "utf8"), { prettyErrors: true });
  const problems = [...doc.errors, ...doc.warnings];
  if (problems.length > 0) {
    throw new Error(`${path}: ${problems.map((p) => p.message).join("; ")}`);
  }
  const template = doc.toJS() as CfnTemplate;
  if (typeof template?.Resources !== "object" || template.Resources === null) {
    throw new Error(`${path}: not a CloudFormation template (no Resources)`);
  }
  return template;
}

const PLACEHOLDER_ACCOUNT = "123456789012";
const PLACEHOLDER_REGION = "us-east-1";

/**
 * Resolves references to stand-ins shaped like the real values, so a definition can be validated
 * offline: a function's Arn becomes `arn:aws:lambda:us-east-1:123456789012:function:<logicalId>`,
 * pseudo parameters take fixed values, anything else becomes `<name>` (or `<name>.<attribute>`).
 */
export function placeholderResolver(template: CfnTemplate): ReferenceResolver {
  return (name, attribute) => {
    switch (name) {
      case "AWS::Partition":
        return "aws";
      case "AWS::Region":
        return PLACEHOLDER_REGION;
      case "AWS::AccountId":
        return PLACEHOLDER_ACCOUNT;
      case "AWS::URLSuffix":
        return "amazonaws.com";
      case "AWS::StackName":
        return "snapshot-tool";
    }
    const type = template.Resources[name]?.Type;
    if (attribute === "Arn" && type === "AWS::Lambda::Function") {
      return `arn:aws:lambda:${PLACEHOLDER_REGION}:${PLACEHOLDER_ACCOUNT}:function:${name}`;
    }
    if (attribute === undefined && type === "AWS::StepFunctions::StateMachine") {
      return `arn:aws:states:${PLACEHOLDER_REGION}:${PLACEHOLDER_ACCOUNT}:stateMachine:${name}`;
    }
    return attribute === undefined ? name : `${name}.${attribute}`;
  };
}

/**
 * The definition of every `AWS::StepFunctions::StateMachine` in the template, keyed by logical id,
 * with its `DefinitionString` (a plain string, Fn::Sub or Fn::Join) rendered and parsed.
 */
export function stateMachineDefinitions(
  template: CfnTemplate,
  options: StateMachineDefinitionOptions = {},
): Record<string, StateMachineDefinition> {
  const resolve = options.resolve ?? placeholderResolver(template);
  const out: Record<string, StateMachineDefinition> = {};
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== "AWS::StepFunctions::StateMachine") continue;
    const raw = resource.Properties?.["DefinitionString"];
    if (raw === undefined) throw new Error(`${id}: no DefinitionString`);
    const text = renderString(raw, resolve, id);
    try {
      out[id] = JSON.parse(text) as StateMachineDefinition;
    } catch (error) {
      throw new Error(`${id}: DefinitionString is not JSON: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
  return out;
}

/** Renders a string-valued intrinsic (Fn::Sub, Fn::Join, Ref, Fn::GetAtt) with `resolve`. */
export function renderString(node: unknown, resolve: ReferenceResolver, where = "value"): string {
  if (typeof node === "string") return node;
  if (typeof node === "number") return String(node);
  if (isObject(node)) {
    if ("Ref" in node && typeof node["Ref"] === "string") return resolve(node["Ref"]);
    if ("Fn::GetAtt" in node) {
      const [name, attribute] = getAttParts(node["Fn::GetAtt"], where);
      return resolve(name, attribute);
    }
    if ("Fn::Join" in node) {
      const args = node["Fn::Join"];
      if (Array.isArray(args) && typeof args[0] === "string" && Array.isArray(args[1])) {
        const separator = args[0];
        return args[1].map((part: unknown) => renderString(part, resolve, where)).join(separator);
      }
    }
    if ("Fn::Sub" in node) return renderSub(node["Fn::Sub"], resolve, where);
  }
  throw new Error(`${where}: cannot render ${JSON.stringify(node)} as a string`);
}

function renderSub(args: unknown, resolve: ReferenceResolver, where: string): string {
  let text: string;
  let variables: Record<string, unknown> = {};
  if (typeof args === "string") {
    text = args;
  } else if (Array.isArray(args) && typeof args[0] === "string" && isObject(args[1])) {
    text = args[0];
    variables = args[1];
  } else {
    throw new Error(`${where}: malformed Fn::Sub ${JSON.stringify(args)}`);
  }
  // `${!Literal}` is Fn::Sub's escape for a literal `${Literal}`.
  return text.replace(/\$\{(!?)([^}]*)\}/g, (_match, bang: string, body: string) => {
    if (bang === "!") return `\${${body}}`;
    const name = body.trim();
    if (name in variables) return renderString(variables[name], resolve, where);
    const dot = name.indexOf(".");
    return dot === -1 ? resolve(name) : resolve(name.slice(0, dot), name.slice(dot + 1));
  });
}

/** Fn::GetAtt as `[name, attribute]` or `"name.attribute"`. */
export function getAttParts(value: unknown, where = "value"): [string, string] {
  if (Array.isArray(value) && typeof value[0] === "string" && typeof value[1] === "string") {
    return [value[0], value[1]];
  }
  if (typeof value === "string" && value.includes(".")) {
    const dot = value.indexOf(".");
    return [value.slice(0, dot), value.slice(dot + 1)];
  }
  throw new Error(`${where}: malformed Fn::GetAtt ${JSON.stringify(value)}`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
