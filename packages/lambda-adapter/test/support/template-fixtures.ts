/**
 * The two templates as the template tests read them, and the values of the parameters that have
 * no default.
 */
import { loadTemplate, type CfnTemplate, type TemplateName } from "../../src/templates.js";
import type { ParameterValues } from "./cfn-conditions.js";

export const TEMPLATE_NAMES: readonly TemplateName[] = ["source", "dest"];

export const TEMPLATES: Record<TemplateName, CfnTemplate> = {
  source: loadTemplate("source"),
  dest: loadTemplate("dest"),
};

/** Values for the parameters that have no default. */
export const REQUIRED_PARAMETERS: Record<TemplateName, ParameterValues> = {
  source: { CodeBucket: "code-bucket" },
  dest: { CodeBucket: "code-bucket", DestinationRegion: "us-west-2" },
};
