/**
 * A template as one stack deploys it, for the IAM coverage test: parameter values and pseudo
 * parameters fixed, conditions evaluated, and each function's role policies and environment
 * rendered to plain JSON the way CloudFormation hands them to IAM and Lambda.
 */
import { getAttParts, renderString, type CfnTemplate } from "../../src/templates.js";
import {
  evaluateConditions,
  isObject,
  parameterValues,
  PSEUDO_PARAMETERS,
  resolveConditionals,
  type ParameterValues,
} from "./cfn-conditions.js";

/** One IAM policy document, as IAM receives it (no intrinsics left). */
export interface PolicyDocument {
  readonly Version?: string;
  readonly Statement: readonly PolicyStatement[];
}

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: "Allow" | "Deny";
  readonly Principal?: unknown;
  readonly Action?: string | readonly string[];
  readonly NotAction?: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly NotResource?: string | readonly string[];
  readonly Condition?: Record<string, Record<string, string | readonly string[]>>;
}

/** A policy attached to a role, and where the template declares it (for failure messages). */
export interface AttachedPolicy {
  readonly name: string;
  readonly document: PolicyDocument;
}

export interface StackDeployment {
  readonly template: CfnTemplate;
  readonly account: string;
  readonly region: string;
  readonly values: ParameterValues;
  readonly conditions: Record<string, boolean>;
  /** Logical ids of the resources this stack creates. */
  readonly active: ReadonlySet<string>;
}

/** Fixes the parameters (defaults filled in) and the account and region the stack runs in. */
export function deployStack(
  template: CfnTemplate,
  given: ParameterValues,
  where: { readonly account: string; readonly region: string },
): StackDeployment {
  const values = parameterValues(template, given);
  const conditions = evaluateConditions(template, values);
  const active = new Set(
    Object.entries(template.Resources)
      .filter(([, r]) => r.Condition === undefined || conditions[r.Condition])
      .map(([id]) => id),
  );
  return { template, account: where.account, region: where.region, values, conditions, active };
}

function resolver(stack: StackDeployment) {
  const pseudo: Record<string, string> = {
    ...PSEUDO_PARAMETERS,
    "AWS::AccountId": stack.account,
    "AWS::Region": stack.region,
  };
  return (name: string, attribute?: string): string => {
    const value = stack.values[name] ?? pseudo[name];
    if (value !== undefined && attribute === undefined) return value;
    const resource = stack.template.Resources[name];
    if (resource === undefined) throw new Error(`reference to unknown ${name}`);
    if (!stack.active.has(name)) throw new Error(`reference to ${name}, which is not created`);
    if (resource.Type === "AWS::Logs::LogGroup" && attribute === "Arn") {
      return `arn:aws:logs:${stack.region}:${stack.account}:log-group:${name}:*`;
    }
    if (resource.Type === "AWS::Lambda::Function" && attribute === "Arn") {
      return `arn:aws:lambda:${stack.region}:${stack.account}:function:${name}`;
    }
    if (resource.Type === "AWS::IAM::ManagedPolicy" && attribute === undefined) {
      return `arn:aws:iam::${stack.account}:policy/${name}`;
    }
    if (resource.Type === "AWS::Events::EventBus") {
      // Ref is the bus's name, Arn its ARN, from the Name property as the stack renders it.
      const bus = renderString(resource.Properties?.["Name"], resolver(stack), name);
      if (attribute === undefined) return bus;
      if (attribute === "Arn")
        return `arn:aws:events:${stack.region}:${stack.account}:event-bus/${bus}`;
    }
    return attribute === undefined ? `<${name}>` : `<${name}.${attribute}>`;
  };
}

/**
 * Renders every intrinsic CloudFormation resolves before IAM or Lambda sees a value: Fn::If and
 * AWS::NoValue first, then Ref, Fn::GetAtt, Fn::Sub, Fn::Join (to strings), Fn::Split (to a
 * list) and Fn::Select. Anything else is an error, so a new intrinsic in a policy is noticed.
 */
export function renderDeep(stack: StackDeployment, node: unknown, where = "value"): unknown {
  const resolve = resolver(stack);
  const render = (n: unknown, path: string): unknown => {
    if (Array.isArray(n)) return n.map((item, i) => render(item, `${path}[${i}]`));
    if (!isObject(n)) return n;
    if ("Fn::Split" in n) {
      const [separator, source] = n["Fn::Split"] as [string, unknown];
      return asString(render(source, path), path).split(separator);
    }
    if ("Fn::Select" in n) {
      const [index, list] = n["Fn::Select"] as [number | string, unknown];
      const items = render(list, path);
      if (!Array.isArray(items)) throw new Error(`${path}: Fn::Select of ${JSON.stringify(items)}`);
      const item: unknown = items[Number(index)];
      if (item === undefined) throw new Error(`${path}: Fn::Select index ${index} out of range`);
      return item;
    }
    if ("Fn::Join" in n) {
      const [separator, parts] = n["Fn::Join"] as [string, unknown];
      const list = render(parts, path);
      if (!Array.isArray(list)) throw new Error(`${path}: Fn::Join of ${JSON.stringify(list)}`);
      return list.map((p) => asString(p, path)).join(separator);
    }
    if ("Fn::Sub" in n) {
      const args = n["Fn::Sub"];
      if (Array.isArray(args)) {
        const [text, variables] = args as [string, Record<string, unknown>];
        const rendered: Record<string, string> = {};
        for (const [k, v] of Object.entries(variables)) {
          rendered[k] = asString(render(v, `${path}.${k}`), path);
        }
        return renderString({ "Fn::Sub": [text, rendered] }, resolve, path);
      }
      return renderString(n, resolve, path);
    }
    if ("Ref" in n) return resolve(n["Ref"] as string);
    if ("Fn::GetAtt" in n) {
      const [name, attribute] = getAttParts(n["Fn::GetAtt"], path);
      return resolve(name, attribute);
    }
    const fn = Object.keys(n).find((k) => k.startsWith("Fn::"));
    if (fn !== undefined) throw new Error(`${path}: ${fn} is not rendered here`);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(n)) out[k] = render(v, `${path}.${k}`);
    return out;
  };
  return render(resolveConditionals(node, stack.conditions), where);
}

function asString(value: unknown, where: string): string {
  if (typeof value === "string") return value;
  if (typeof value === "number") return String(value);
  throw new Error(`${where}: expected a string, got ${JSON.stringify(value)}`);
}

/** The logical id of a function's role (`Role: Fn::GetAtt [roleId, Arn]`). */
export function roleOf(stack: StackDeployment, functionId: string): string {
  const role = stack.template.Resources[functionId]?.Properties?.["Role"];
  if (!isObject(role) || !("Fn::GetAtt" in role)) {
    throw new Error(`${functionId}: Role is not a Fn::GetAtt of a role in the template`);
  }
  return getAttParts(role["Fn::GetAtt"], functionId)[0];
}

function namesRole(roles: unknown, roleId: string): boolean {
  return (
    Array.isArray(roles) &&
    roles.some((r) => isObject(r) && r["Ref"] === roleId && Object.keys(r).length === 1)
  );
}

/**
 * Every identity policy IAM attaches to the role, as CloudFormation allows declaring them: the
 * role's inline `Policies`, its `ManagedPolicyArns` that name a managed policy of this template,
 * and each `AWS::IAM::Policy` / `AWS::IAM::ManagedPolicy` whose `Roles` list names the role. A
 * managed policy from outside the template (an AWS-managed ARN) cannot be read offline: error.
 */
export function rolePolicies(stack: StackDeployment, roleId: string): AttachedPolicy[] {
  const role = renderedProperties(stack, roleId);
  if (stack.template.Resources[roleId]?.Type !== "AWS::IAM::Role") {
    throw new Error(`${roleId} is not an AWS::IAM::Role`);
  }
  const out: AttachedPolicy[] = [];
  for (const p of (role["Policies"] ?? []) as { PolicyName: string; PolicyDocument: unknown }[]) {
    out.push({ name: `${roleId}/${p.PolicyName}`, document: p.PolicyDocument as PolicyDocument });
  }
  const managedInTemplate = new Map<string, string>();
  for (const id of stack.active) {
    const resource = stack.template.Resources[id];
    if (resource?.Type !== "AWS::IAM::Policy" && resource?.Type !== "AWS::IAM::ManagedPolicy") {
      continue;
    }
    const raw = resolveConditionals(resource.Properties ?? {}, stack.conditions) as Record<
      string,
      unknown
    >;
    const document = renderDeep(stack, raw["PolicyDocument"], id) as PolicyDocument;
    if (resource.Type === "AWS::IAM::ManagedPolicy") {
      managedInTemplate.set(`arn:aws:iam::${stack.account}:policy/${id}`, id);
    }
    if (namesRole(raw["Roles"], roleId)) out.push({ name: id, document });
  }
  for (const arn of (role["ManagedPolicyArns"] ?? []) as string[]) {
    const id = managedInTemplate.get(arn);
    if (id === undefined) {
      throw new Error(
        `${roleId}: managed policy ${arn} is not in the template, cannot evaluate it`,
      );
    }
    if (out.some((p) => p.name === id)) continue;
    const resource = stack.template.Resources[id]!;
    const document = renderDeep(stack, resource.Properties?.["PolicyDocument"], id);
    out.push({ name: id, document: document as PolicyDocument });
  }
  return out;
}

function renderedProperties(stack: StackDeployment, id: string): Record<string, unknown> {
  const resource = stack.template.Resources[id];
  if (resource === undefined) throw new Error(`no resource ${id}`);
  return renderDeep(stack, resource.Properties ?? {}, id) as Record<string, unknown>;
}

/** A function's environment variables as Lambda sets them, plus AWS_REGION (Lambda sets it). */
export function functionEnv(stack: StackDeployment, functionId: string): Record<string, string> {
  const properties = renderedProperties(stack, functionId);
  const environment = properties["Environment"] as
    { Variables?: Record<string, string> } | undefined;
  return { ...(environment?.Variables ?? {}), AWS_REGION: stack.region };
}
