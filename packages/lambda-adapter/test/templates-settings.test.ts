import { settingsOf, type PolicySide } from "@aurora-snapshot-tool/core/settings";
import { describe, expect, it } from "vitest";

import { loadTemplate, type TemplateName } from "../src/templates.js";
import { stepsOf } from "./support/original-contract.js";

/*
 * The templates against core's settings registry: every setting a side reads that the registry
 * ties to a template parameter is a parameter of that side's stack, and reaches the functions
 * as the env var the code reads. A setting added to the registry with a parameter, and forgotten
 * in the template, fails here.
 */

const SIDES: Record<TemplateName, PolicySide> = { source: "source", dest: "destination" };

interface FunctionResource {
  readonly Type: string;
  readonly Properties: { Environment?: { Variables?: Record<string, unknown> } };
}

describe.each(Object.keys(SIDES) as TemplateName[])("the %s template and the registry", (name) => {
  const template = loadTemplate(name);
  const functions = stepsOf(name).map((step) => ({
    step: step.step,
    vars: (template.Resources[step.fn] as FunctionResource).Properties.Environment?.Variables ?? {},
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
    const known = new Set([
      ...settingsOf(SIDES[name]).map((s) => s.env),
      // Read by the Lambda adapter itself, not by a policy.
      "LOG_LEVEL",
    ]);
    for (const f of functions) {
      for (const variable of Object.keys(f.vars)) {
        expect(known.has(variable), `${f.step}: ${variable}`).toBe(true);
      }
    }
  });
});
