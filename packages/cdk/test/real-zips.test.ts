import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { App, Stack } from "aws-cdk-lib";
import { beforeAll, describe, expect, it } from "vitest";
import { packageLambdas, type PackageResult } from "../../lambda-adapter/scripts/package.js";
import { SourceSnapshotTool } from "../src/index.js";
import { outdir } from "./support/fake-code.js";

const sha256 = (bytes: Buffer): string => createHash("sha256").update(bytes).digest("hex");

describe("with the zips pnpm package builds", () => {
  let packaged: PackageResult;

  // The other tests use files under the same names; this one bundles the handlers (~7 s).
  beforeAll(async () => {
    packaged = await packageLambdas({ outDir: outdir() });
  }, 120_000);

  it("ships each function's own zip, byte for byte, as its asset", () => {
    const app = new App({ outdir: outdir() });
    const stack = new Stack(app, "Source", {
      env: { account: "111111111111", region: "us-east-1" },
    });
    new SourceSnapshotTool(stack, "Snapshots", { codeDirectory: packaged.outDir });
    const assembly = app.synth();
    const manifest = JSON.parse(
      readFileSync(join(assembly.directory, "Source.assets.json"), "utf8"),
    ) as { files: Record<string, { source: { path: string } }> };
    const shipped = new Set(
      Object.values(manifest.files)
        .filter((f) => f.source.path.endsWith(".zip"))
        .map((f) => sha256(readFileSync(join(assembly.directory, f.source.path)))),
    );
    const expected = ["take", "share", "prune", "status", "verify"].map((handler) => {
      const artifact = packaged.artifacts.find(
        (a) => a.handler === handler && a.envDefaults.TOOL_SIDE !== "destination",
      );
      if (artifact === undefined) throw new Error(`no ${handler} zip`);
      return artifact.sha256;
    });
    expect([...shipped].sort()).toEqual([...expected].sort());
  });
});
