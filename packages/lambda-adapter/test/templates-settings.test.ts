import { settingsOf, type PolicySide } from "@aurora-snapshot-tool/core/settings";
import { describe, expect, it } from "vitest";

import { loadTemplate, type TemplateName } from "../src/templates.js";
import { assuranceFunctions } from "./support/assurance-contract.js";
import {
  evaluateConditions,
  parameterValues,
  resolveConditionals,
} from "./support/cfn-conditions.js";
import { stepsOf } from "./support/original-contract.js";

/*
 * The templates against core's settings registry: every setting a side reads that the registry
 * ties to a template parameter is a parameter of that side's stack, and reaches the functions
 * as the env var the code reads. A setting added to the registry with a parameter, and forgotten
 * in the template, fails here. The functions are the steps' and recovery assurance's (status, and
 * verify as VerifyEnabled TRUE deploys it), their env rendered for the default parameters.
 */

const SIDES: Record<TemplateName, PolicySide> = { source: "source", dest: "destination" };
const REQUIRED = {
  source: { CodeBucket: "code-bucket", VerifyEnabled: "TRUE" },
  dest: { CodeBucket: "code-bucket", DestinationRegion: "us-west-2", VerifyEnabled: "TRUE" },
};
/** Read by the Lambda adapter itself, not by a policy. */
const ADAPTER_ENV = ["LOG_LEVEL", "POWERTOOLS_METRICS_NAMESPACE", "TOOL_SIDE"];

interface FunctionResource {
  readonly Type: string;
  readonly Properties: { Environment?: { Variables?: Record<string, unknown> } };
}

describe.each(Object.keys(SIDES) as TemplateName[])("the %s template and the registry", (name) => {
  const template = loadTemplate(name);
  const holds = evaluateConditions(template, parameterValues(template, REQUIRED[name]));
  const functions = [...stepsOf(name), ...assuranceFunctions(name)].map((step) => ({
    step: step.step,
    vars:
      (resolveConditionals(template.Resources[step.fn], holds) as FunctionResource).Properties
        .Environment?.Variables ?? {},
  }));
  const settings = settingsOf(SIDES[name]).filter((s) => s.parameter !== undefined);

  it.each(settings.map((s) => [s.parameter as string, s]))(
    "has the parameter %s and hands it to a function",
    (parameter, spec) => {
      expect(template.Parameters[parameter], `parameter ${parameter}`).toBeDefined();
      const readers = functions.filter((f) => spec.env !== undefined && spec.env in f.vars);
      expect(
        readers.map((f) => f.step),
        `functions reading ${spec.env}`,
      ).not.toEqual([]);
      for (const f of readers) {
        expect(f.vars[spec.env as string], `${f.step}: ${spec.env}`).toEqual({ Ref: parameter });
      }
    },
  );

  it("sets no env var on a function that the registry does not know for this side", () => {
    const known = new Set([...settingsOf(SIDES[name]).map((s) => s.env), ...ADAPTER_ENV]);
    for (const f of functions) {
      for (const variable of Object.keys(f.vars)) {
        expect(known.has(variable), `${f.step}: ${variable}`).toBe(true);
      }
    }
  });

  it("names this deployment (DEPLOYMENT_NAME, the stack name) to every function", () => {
    for (const f of functions) {
      expect(f.vars["DEPLOYMENT_NAME"], f.step).toEqual({ Ref: "AWS::StackName" });
    }
  });
});
