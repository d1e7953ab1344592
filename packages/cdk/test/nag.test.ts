import { readFileSync } from "node:fs";
import { join } from "node:path";
import { App, Stack, Validations } from "aws-cdk-lib";
import { CfnRole } from "aws-cdk-lib/aws-iam";
import { AwsSolutionsChecks } from "cdk-nag";
import { describe, expect, it } from "vitest";
import { DestinationSnapshotTool, SourceSnapshotTool } from "../src/index.js";
import { fakeCodeDirectory, outdir } from "./support/fake-code.js";

interface Report {
  pluginReports: {
    pluginName: string;
    conclusion: string;
    violations: { ruleName: string; severity: string }[];
  }[];
}

/** Both sides with every optional part on, checked by cdk-nag's AwsSolutions pack. */
function nagApp(extra?: (source: Stack) => void): { app: App; dir: string } {
  const dir = outdir();
  const codeDirectory = fakeCodeDirectory();
  const app = new App({ outdir: dir });
  const source = new Stack(app, "Source", {
    env: { account: "111111111111", region: "us-east-1" },
  });
  new SourceSnapshotTool(source, "Snapshots", {
    destinationAccount: "222222222222",
    destinationEventBus: "arn:aws:events:us-east-1:222222222222:event-bus/snapshots",
    reencryptKmsKey: "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    verifyEnabled: true,
    codeDirectory,
  });
  const destination = new Stack(app, "Destination", {
    env: { account: "222222222222", region: "us-east-1" },
  });
  new DestinationSnapshotTool(destination, "Snapshots", {
    destinationRegions: ["us-west-2"],
    sourceAccounts: ["111111111111"],
    verifyEnabled: true,
    codeDirectory,
  });
  extra?.(source);
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app, { writeSuppressionsToCloudFormation: true }),
  );
  return { app, dir };
}

function nagReport(dir: string): Report["pluginReports"][number] | undefined {
  const report = JSON.parse(readFileSync(join(dir, "validation-report.json"), "utf8")) as Report;
  return report.pluginReports.find((p) => p.pluginName === "AwsSolutions");
}

describe("cdk-nag AwsSolutions checks", () => {
  it("pass with only the documented acknowledgements, each with its reason", () => {
    const { app, dir } = nagApp();
    // synth runs the plugin and throws on an unacknowledged error; a passing plugin leaves no
    // entry in the report, so the pack is also run directly for its list of violations.
    const assembly = app.synth();
    expect(nagReport(dir)).toBeUndefined();
    const direct = new AwsSolutionsChecks().validateScope(app);
    expect(direct.violations).toEqual([]);
    expect(direct.success).toBe(true);

    const acknowledged: { id: string; reason: string }[] = [];
    for (const stack of ["Source", "Destination"]) {
      const template = assembly.getStackByName(stack).template as {
        Resources: Record<
          string,
          { Metadata?: { cdk_nag?: { rules_to_suppress: typeof acknowledged } } }
        >;
      };
      for (const r of Object.values(template.Resources)) {
        acknowledged.push(...(r.Metadata?.cdk_nag?.rules_to_suppress ?? []));
      }
    }
    const rules = new Set(acknowledged.map((a) => a.id.replace(/\[.*$/, "")));
    expect([...rules].sort()).toEqual([
      "AwsSolutions-IAM5",
      "AwsSolutions-SF1",
      "AwsSolutions-SF2",
    ]);
    for (const a of acknowledged) expect(a.reason.length, a.id).toBeGreaterThan(40);
  });

  it("still fails on a wildcard statement no reason covers", () => {
    const { app, dir } = nagApp((source) => {
      new CfnRole(source, "Unjustified", {
        assumeRolePolicyDocument: {
          Statement: [
            {
              Effect: "Allow",
              Principal: { Service: "lambda.amazonaws.com" },
              Action: "sts:AssumeRole",
            },
          ],
        },
        policies: [
          {
            policyName: "too-broad",
            policyDocument: {
              Statement: [
                { Sid: "ReadInventory2", Effect: "Allow", Action: "rds:*", Resource: "*" },
              ],
            },
          },
        ],
      });
    });
    expect(() => app.synth()).toThrow(/IAM entity contains wildcard permissions/);
    expect(nagReport(dir)?.conclusion).toBe("failure");
    const names = nagReport(dir)?.violations.map((v) => v.ruleName);
    expect(names).toContain("AwsSolutions-IAM5[Action::rds:*]");
    expect(names).toContain("AwsSolutions-IAM5[Resource::*]");
  });
});
