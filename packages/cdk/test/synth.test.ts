import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { App, Stack } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import { DestinationSnapshotTool, SourceSnapshotTool } from "../src/index.js";
import { fakeCodeDirectory, outdir } from "./support/fake-code.js";

describe("synthesis, offline", () => {
  let app: App;
  let source: SourceSnapshotTool;
  let destination: DestinationSnapshotTool;
  let sourceStack: Stack;
  let destinationStack: Stack;

  beforeAll(() => {
    const codeDirectory = fakeCodeDirectory();
    app = new App({ outdir: outdir() });
    sourceStack = new Stack(app, "Source", {
      env: { account: "111111111111", region: "eu-west-1" },
    });
    destinationStack = new Stack(app, "Destination", {
      env: { account: "222222222222", region: "eu-west-1" },
    });
    source = new SourceSnapshotTool(sourceStack, "Snapshots", {
      destinationAccount: "222222222222",
      codeDirectory,
    });
    destination = new DestinationSnapshotTool(destinationStack, "Snapshots", {
      destinationRegions: ["eu-central-1"],
      codeDirectory,
    });
  });

  it("synthesizes the source side with every function's code an asset of this account", () => {
    const template = Template.fromStack(sourceStack);
    template.resourceCountIs("AWS::Lambda::Function", 5);
    template.allResourcesProperties("AWS::Lambda::Function", {
      Code: { S3Bucket: "cdk-hnb659fds-assets-111111111111-eu-west-1" },
    });
    template.hasResourceProperties("AWS::Lambda::Function", {
      Environment: { Variables: { DEST_ACCOUNT: "222222222222" } },
    });
    template.hasResourceProperties("AWS::Lambda::Function", {
      Environment: { Variables: { RETENTION_DAYS: "7" } },
    });
    expect(JSON.stringify(template.toJSON())).not.toContain("replaced-by-cdk-assets");
  });

  it("synthesizes the destination side", () => {
    const template = Template.fromStack(destinationStack);
    template.resourceCountIs("AWS::Lambda::Function", 4);
    template.hasResourceProperties("AWS::Lambda::Function", {
      Environment: { Variables: { DEST_REGION: "eu-central-1" } },
    });
  });

  it("exposes the functions, state machines and topic as the template's resources", () => {
    const resolve = (x: unknown): unknown => sourceStack.resolve(x);
    expect(resolve(source.takeFunction.ref)).toEqual({ Ref: "lambdaTakeSnapshotsAurora" });
    expect(resolve(source.shareStateMachine.ref)).toEqual({
      Ref: "statemachineShareSnapshotsAurora",
    });
    expect(resolve(source.alarmTopicArn)).toEqual({ Ref: "snsTopicSnapshotsAuroraTool" });
    expect(destinationStack.resolve(destination.copyStateMachine.ref)).toEqual({
      Ref: "statemachineCopySnapshotsDestAurora",
    });
    expect(destinationStack.resolve(destination.copyFunction.ref)).toEqual({
      Ref: "lambdaCopySnapshotsAurora",
    });
  });

  it("writes a cloud assembly with each zip as a file asset", () => {
    const assembly = app.synth();
    const manifest = JSON.parse(
      readFileSync(join(assembly.directory, "Source.assets.json"), "utf8"),
    ) as { files: Record<string, { source: { path: string; packaging: string } }> };
    const zips = Object.values(manifest.files).filter((f) => f.source.path.endsWith(".zip"));
    expect(zips).toHaveLength(5);
    for (const zip of zips) {
      expect(zip.source.packaging).toBe("file");
      expect(existsSync(join(assembly.directory, zip.source.path))).toBe(true);
    }
  });
});
