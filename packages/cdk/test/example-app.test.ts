import { Validations } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { AwsSolutionsChecks } from "cdk-nag";
import { describe, expect, it } from "vitest";
import { buildApp } from "../../../examples/cdk-app.js";
import { fakeCodeDirectory, outdir } from "./support/fake-code.js";

describe("examples/cdk-app.ts", () => {
  it("synthesizes both stacks offline and passes cdk-nag's AwsSolutions checks", () => {
    const app = buildApp({ outdir: outdir(), codeDirectory: fakeCodeDirectory() });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const assembly = app.synth();
    expect(assembly.stacks.map((s) => s.stackName).sort()).toEqual([
      "AuroraSnapshotsDestination",
      "AuroraSnapshotsSource",
    ]);
    expect(new AwsSolutionsChecks().validateScope(app).violations).toEqual([]);

    const source = Template.fromJSON(assembly.getStackByName("AuroraSnapshotsSource").template);
    source.hasResourceProperties("AWS::Lambda::Function", {
      Environment: { Variables: { RETENTION_DAYS: "14", KEEP_MONTHLY: "6" } },
    });
    // The template wraps BackupSchedule in Fn::Sub: cron(...); the value is filled in at synth.
    expect(JSON.stringify(source.findResources("AWS::Events::Rule"))).toContain(
      '"cron(0 1 * * ? *)"',
    );
    const destination = Template.fromJSON(
      assembly.getStackByName("AuroraSnapshotsDestination").template,
    );
    destination.hasResourceProperties("AWS::Events::EventBusPolicy", {
      Statement: { Principal: { AWS: ["111111111111"] } },
    });
  });
});
