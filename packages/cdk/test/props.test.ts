import { ConfigError } from "@aurora-snapshot-tool/core";
import { App, Stack } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { DestinationSnapshotTool, SourceSnapshotTool } from "../src/index.js";
import { fakeCodeDirectory, outdir } from "./support/fake-code.js";

/** The constructor's error, or undefined; the props are checked before any template is read. */
function errorOf(build: (stack: Stack) => void): unknown {
  const stack = new Stack(new App({ outdir: outdir() }), "Props");
  try {
    build(stack);
  } catch (error) {
    return error;
  }
  return undefined;
}

describe("props are checked by the policy parsers at synth time", () => {
  it("refuses retentionDays: 0 with a ConfigError naming the prop", () => {
    const error = errorOf((s) => new SourceSnapshotTool(s, "T", { retentionDays: 0 }));
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).field).toBe("retentionDays");
    expect((error as ConfigError).message).toMatch(/^retentionDays: invalid value 0; expected/);
  });

  it("refuses a destination retention shorter than the source's, naming retentionDays", () => {
    const error = errorOf(
      (s) =>
        new DestinationSnapshotTool(s, "T", {
          destinationRegions: ["us-west-2"],
          retentionDays: 3,
          sourceRetentionDays: 7,
        }),
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).field).toBe("retentionDays");
  });

  it("refuses a destination account that is not 12 digits", () => {
    const error = errorOf((s) => new SourceSnapshotTool(s, "T", { destinationAccount: "12345" }));
    expect((error as ConfigError).field).toBe("destinationAccount");
  });

  it("takes up to 20 destination accounts as a list, passed to DestinationAccount comma-separated", () => {
    const stack = new Stack(new App({ outdir: outdir() }), "Accounts");
    new SourceSnapshotTool(stack, "T", {
      destinationAccount: ["222222222222", "333333333333"],
      codeDirectory: fakeCodeDirectory(),
    });
    Template.fromStack(stack).hasResourceProperties("AWS::Lambda::Function", {
      Environment: { Variables: { DEST_ACCOUNT: "222222222222,333333333333" } },
    });
    const many = Array.from({ length: 21 }, (_, i) => String(400_000_000_000 + i));
    const error = errorOf((s) => new SourceSnapshotTool(s, "T", { destinationAccount: many }));
    expect((error as ConfigError).field).toBe("destinationAccount");
  });

  it("refuses a destination without regions, naming destinationRegions", () => {
    const error = errorOf(
      (s) => new DestinationSnapshotTool(s, "T", { destinationRegions: [] as string[] }),
    );
    expect((error as ConfigError).field).toBe("destinationRegions");
  });

  it("checks the template's own switches too", () => {
    expect(
      (errorOf((s) => new SourceSnapshotTool(s, "T", { heartbeatHours: 500 })) as ConfigError)
        .field,
    ).toBe("heartbeatHours");
    expect(
      (errorOf((s) => new SourceSnapshotTool(s, "T", { logLevel: "LOUD" })) as ConfigError).field,
    ).toBe("logLevel");
    expect(
      (
        errorOf(
          (s) => new SourceSnapshotTool(s, "T", { backupSchedule: "cron(0 1 * * ? *)" }),
        ) as ConfigError
      ).field,
    ).toBe("backupSchedule");
    expect(
      (errorOf((s) => new SourceSnapshotTool(s, "T", { statusSchedule: "hourly" })) as ConfigError)
        .field,
    ).toBe("statusSchedule");
  });

  it("names the missing zip and the command that builds it", () => {
    const error = errorOf((s) => new SourceSnapshotTool(s, "T", { codeDirectory: outdir() }));
    expect(String(error)).toMatch(/take_snapshots_aurora\.zip is not in .*pnpm package/);
  });

  it("accepts valid props without a ConfigError", () => {
    const codeDirectory = fakeCodeDirectory();
    expect(
      errorOf((s) => new SourceSnapshotTool(s, "T", { retentionDays: 1, codeDirectory })),
    ).toBe(undefined);
  });
});
