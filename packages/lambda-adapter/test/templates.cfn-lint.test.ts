/**
 * cfn-lint (installed beside moto_server on the development and CI machines) checks the templates
 * against CloudFormation's resource schemas: property names, enum values, deprecated runtimes.
 */
import { spawnSync } from "node:child_process";

import { describe, expect, it } from "vitest";

import { templatePath } from "../src/templates.js";

describe("cfn-lint", () => {
  it.each(["source", "dest"] as const)(
    "finds no error or warning in the %s template",
    (name) => {
      const run = spawnSync("cfn-lint", ["--format", "parseable", templatePath(name)], {
        encoding: "utf8",
      });
      expect(run.error).toBeUndefined();
      expect(run.stdout + run.stderr).toBe("");
      expect(run.status).toBe(0);
    },
    60_000,
  );
});
