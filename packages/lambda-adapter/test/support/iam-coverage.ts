/**
 * The IAM coverage check: runs the real engine steps, each bound from its function's environment
 * as the template deploys it, on the in-memory RDS over simulated days; records every request (see
 * iam-trace.ts); and evaluates each against that function's role, as the template renders it,
 * with `@cloud-copilot/iam-simulate`. Also the reverse: every action a role grants must have been
 * allowed for one of its function's requests.
 */
import { bindStepFrom, type Step } from "@aurora-snapshot-tool/core";
import { simulatedGateway } from "@aurora-snapshot-tool/core/testing";
import { runSimulation, type Simulation } from "@cloud-copilot/iam-simulate";

import type { CfnTemplate, TemplateName } from "../../src/templates.js";
import type { ParameterValues } from "./cfn-conditions.js";
import {
  deployStack,
  functionEnv,
  roleOf,
  rolePolicies,
  type AttachedPolicy,
  type StackDeployment,
} from "./cfn-iam.js";
import type { IamRequest, IamTracingRds } from "./iam-trace.js";
import { stepsOf } from "./original-contract.js";

/** One stack of a scenario: a template deployed in an account and region with parameters. */
export interface StackSpec {
  readonly name: TemplateName;
  readonly template: CfnTemplate;
  readonly account: string;
  readonly region: string;
  readonly parameters: ParameterValues;
}

/** A deployed function: its step, logical ids, environment and role policies. */
export interface DeployedFunction {
  readonly stack: TemplateName;
  readonly step: Step;
  readonly fn: string;
  readonly role: string;
  readonly account: string;
  readonly env: Record<string, string>;
  readonly policies: AttachedPolicy[];
}

/** Minutes between runs of each step (the original schedules, share and copy made coarser). */
export interface Cadence {
  readonly takeAtMinuteOfDay: number;
  readonly every: Readonly<Record<Exclude<Step, "take">, number>>;
}

export const DEFAULT_CADENCE: Cadence = {
  takeAtMinuteOfDay: 60,
  every: { share: 60, prune: 60, copy: 30, "prune-dest": 60 },
};

/** The functions a set of stacks creates, in step order. */
export function deployFunctions(stacks: readonly StackSpec[]): DeployedFunction[] {
  const out: DeployedFunction[] = [];
  for (const spec of stacks) {
    const stack: StackDeployment = deployStack(spec.template, spec.parameters, spec);
    for (const contract of stepsOf(spec.name)) {
      if (!stack.active.has(contract.fn)) continue;
      const role = roleOf(stack, contract.fn);
      out.push({
        stack: spec.name,
        step: contract.step as Step,
        fn: contract.fn,
        role,
        account: spec.account,
        env: functionEnv(stack, contract.fn),
        policies: rolePolicies(stack, role),
      });
    }
  }
  return out;
}

/**
 * Runs every function on its schedule for `days` simulated days, in 10-minute ticks, as the
 * Lambda handler does (the step bound from the function's env, a gateway in its account, the
 * region from AWS_REGION), and labels each recorded request with its step.
 */
export async function runFunctions(
  sim: IamTracingRds,
  functions: readonly DeployedFunction[],
  days: number,
  cadence: Cadence = DEFAULT_CADENCE,
): Promise<void> {
  const gateways = new Map(
    [...new Set(functions.map((f) => f.account))].map((a) => [a, simulatedGateway(sim, a)]),
  );
  const bound = functions.map((f) => ({ f, step: bindStepFrom(f.step, { env: f.env }) }));
  const ticks = Math.round((days * 24 * 60) / 10);
  for (let t = 0; t < ticks; t++) {
    const now = sim.now();
    const minute = now.getUTCHours() * 60 + now.getUTCMinutes();
    for (const { f, step } of bound) {
      const due =
        f.step === "take"
          ? minute === cadence.takeAtMinuteOfDay
          : minute % cadence.every[f.step] === 0;
      if (!due) continue;
      await step.run({
        gateway: gateways.get(f.account)!,
        region: f.env["AWS_REGION"]!,
        now,
        execute: { retry: { minTimeoutMs: 1, maxTimeoutMs: 5 } },
      });
      sim.assignStep(f.step);
    }
    sim.advance({ minutes: 10 });
  }
}

/** The verdict on one distinct authorization. */
export interface Verdict {
  readonly request: IamRequest;
  readonly fn: string;
  readonly role: string;
  readonly result: string;
  /** `policy#Sid` of the identity statements that allowed it. */
  readonly allowedBy: string[];
  /** Context keys iam-simulate dropped as not applying to the action (should stay empty). */
  readonly ignoredContextKeys: string[];
  readonly errors?: string;
}

const keyOf = (r: IamRequest, role: string): string =>
  JSON.stringify([role, r.action, r.resource, r.resourceAccount, r.context, r.resourcePolicy]);

/** Evaluates each distinct request once against the role of the function that sent it. */
export async function evaluate(
  requests: readonly IamRequest[],
  functions: readonly DeployedFunction[],
): Promise<Verdict[]> {
  const byStep = new Map(functions.map((f) => [f.step, f]));
  const seen = new Map<string, Verdict>();
  for (const request of requests) {
    const f = byStep.get(request.step as Step);
    if (f === undefined) throw new Error(`request from no deployed function: ${describe(request)}`);
    const key = keyOf(request, f.role);
    if (seen.has(key)) continue;
    seen.set(key, await evaluateOne(request, f));
  }
  return [...seen.values()];
}

async function evaluateOne(request: IamRequest, f: DeployedFunction): Promise<Verdict> {
  const simulation: Simulation = {
    request: {
      principal: `arn:aws:sts::${f.account}:assumed-role/${f.role}/${f.fn}`,
      action: request.action,
      resource: { resource: request.resource, accountId: request.resourceAccount },
      contextVariables: { ...request.context },
    },
    identityPolicies: f.policies.map((p) => ({ name: p.name, policy: p.document })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    ...(request.resourcePolicy && { resourcePolicy: request.resourcePolicy }),
  };
  const response = await runSimulation(simulation, {});
  const base = { request, fn: f.fn, role: f.role };
  if (response.resultType === "error") {
    return {
      ...base,
      result: "SimulationError",
      allowedBy: [],
      ignoredContextKeys: [],
      errors: JSON.stringify(response.errors),
    };
  }
  const results = response.resultType === "single" ? [response.result] : response.results;
  const allowedBy = results.flatMap(
    (r) =>
      r.analysis.identityAnalysis?.allowStatements.map(
        (s) => `${s.policyId}#${s.statement.sid() ?? s.statement.index()}`,
      ) ?? [],
  );
  return {
    ...base,
    result: response.overallResult,
    allowedBy: [...new Set(allowedBy)],
    ignoredContextKeys: [...new Set(results.flatMap((r) => r.ignoredContextKeys ?? []))],
  };
}

export function describe(r: IamRequest): string {
  return `${r.step ?? "?"}: ${r.action} on ${r.resource} (${r.origin}, ${r.what}, ${r.operation} in ${r.region})`;
}

/** The denied authorizations, one line each: step, action, resource. */
export function denials(verdicts: readonly Verdict[]): string[] {
  return verdicts
    .filter((v) => v.result !== "Allowed")
    .map((v) => `${describe(v.request)} -> ${v.result}${v.errors ? ` ${v.errors}` : ""}`)
    .sort();
}

/** Actions a role's Allow statements name, by `policy#Sid`. */
export function grantedActions(f: DeployedFunction): { statement: string; action: string }[] {
  return f.policies.flatMap((p) =>
    p.document.Statement.filter((s) => s.Effect === "Allow").flatMap((s, i) => {
      const actions = s.Action === undefined ? [] : [s.Action].flat();
      return actions.map((action) => ({ statement: `${p.name}#${s.Sid ?? i}`, action }));
    }),
  );
}

const matches = (pattern: string, action: string): boolean =>
  new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`, "i").test(
    action,
  );

/** What one scenario deployed and what IAM said to its requests. */
export interface ScenarioResult {
  readonly functions: readonly DeployedFunction[];
  readonly verdicts: readonly Verdict[];
}

/**
 * Each (function, statement, action) a role grants in some scenario that allowed none of its
 * function's requests in any scenario, less the `exempt` actions (each with its reason): leftovers.
 */
export function unusedGrants(
  scenarios: readonly ScenarioResult[],
  exempt: Readonly<Record<string, string>>,
): string[] {
  const granted = new Set<string>();
  const used = new Set<string>();
  for (const { functions, verdicts } of scenarios) {
    for (const f of functions) {
      const mine = verdicts.filter((v) => v.fn === f.fn && v.result === "Allowed");
      for (const { statement, action } of grantedActions(f)) {
        if (action in exempt) continue;
        const line = `${f.step}: ${statement} grants ${action}, which no request used`;
        granted.add(line);
        if (
          mine.some((v) => v.allowedBy.includes(statement) && matches(action, v.request.action))
        ) {
          used.add(line);
        }
      }
    }
  }
  return [...granted].filter((line) => !used.has(line)).sort();
}

/** The permission matrix: for each function, each allowed action with resources and conditions. */
export function permissionMatrix(
  functions: readonly DeployedFunction[],
): Record<string, { action: string; resource: string; condition?: string }[]> {
  const out: Record<string, { action: string; resource: string; condition?: string }[]> = {};
  for (const f of functions) {
    out[f.step] = f.policies.flatMap((p) =>
      p.document.Statement.filter((s) => s.Effect === "Allow").flatMap((s) =>
        [s.Action ?? []].flat().map((action) => ({
          action,
          resource: [s.Resource ?? []].flat().join(", "),
          ...(s.Condition && { condition: JSON.stringify(s.Condition) }),
        })),
      ),
    );
  }
  return out;
}
