/**
 * examples/deploy-walkthrough.sh, run as a user would run it (bash and the AWS CLI) against
 * moto_server: create both stacks from a package, update them in place with a package whose code
 * differs, then deploy an unchanged re-package. The packages are built here with the packager
 * `pnpm package` runs (SKIP_BUILD=1), because the suite has already built the workspace.
 *
 * Only loopback traffic: the script gets an ENDPOINT, fake credentials and no AWS config or
 * credentials files, so no profile on the machine can be picked up.
 *
 * What moto does not do here: it skips the CloudWatch alarms and SNS topic policies (a warning,
 * the stacks still complete); both stacks go into one moto account (the script's profiles are
 * left empty, so DestinationAccount is that account); and moto refuses the change set of an
 * unchanged stack ("No updates are to be performed") where CloudFormation creates an empty one,
 * which the script takes as the same "nothing to do". The unchanged case is checked by what
 * CloudFormation compares: the same template body and the same code.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

import { startMotoServer, type MotoServer } from "@aurora-snapshot-tool/test-support";
import {
  CloudFormationClient,
  DescribeStacksCommand,
  GetTemplateCommand,
  ListStackResourcesCommand,
} from "@aws-sdk/client-cloudformation";
import { GetFunctionConfigurationCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { packageLambdas, type PackageResult } from "../scripts/package.js";
import type { TemplateName } from "../src/templates.js";
import { stepsOf } from "./support/original-contract.js";

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL("../../../examples/deploy-walkthrough.sh", import.meta.url));
const REGION = "us-east-1";
const BUCKET = "walkthrough-code";
const STACKS: Record<TemplateName, { stack: string; bucket: string }> = {
  source: { stack: "snapshot-tool-aurora-source", bucket: BUCKET },
  dest: { stack: "snapshot-tool-aurora-dest", bucket: `${BUCKET}-dest` },
};
const NAMES: readonly TemplateName[] = ["source", "dest"];
/** The "new version": the same sources with one more statement in every bundle. */
const NEW_CODE = 'globalThis.__snapshotToolBuild = "walkthrough: new version";';

let moto: MotoServer;
let workDir: string;
let cfn: CloudFormationClient;
let lambda: LambdaClient;
let s3: S3Client;
let v1: PackageResult;
let v2: PackageResult;
let v2Again: PackageResult;

beforeAll(async () => {
  await run("aws", ["--version"]).catch((error: unknown) => {
    throw new Error(
      `the walkthrough needs the AWS CLI (apt-get install -y awscli): ${String(error)}`,
    );
  });
  workDir = await mkdtemp(join(tmpdir(), "snapshot-tool-walkthrough-"));
  // Started on its own first, so afterAll stops it even when packaging fails.
  moto = await startMotoServer();
  [v1, v2, v2Again] = await Promise.all([
    packageLambdas({ outDir: join(workDir, "v1") }),
    packageLambdas({ outDir: join(workDir, "v2"), banner: NEW_CODE }),
    packageLambdas({ outDir: join(workDir, "v2-again"), banner: NEW_CODE }),
  ]);
  const config = {
    endpoint: moto.endpoint,
    region: REGION,
    credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
  };
  cfn = new CloudFormationClient(config);
  lambda = new LambdaClient(config);
  s3 = new S3Client({ ...config, forcePathStyle: true });
}, 180_000);

afterAll(async () => {
  for (const client of [cfn, lambda, s3]) client?.destroy();
  await moto?.stop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

/** Runs the walkthrough on `artifacts` with nothing from this machine's AWS setup. */
async function walkthrough(artifacts: PackageResult): Promise<string> {
  const { stdout } = await run("bash", [SCRIPT], {
    env: {
      PATH: process.env["PATH"] ?? "",
      // HOME stays (a pip --user or pyenv AWS CLI lives under it); the AWS files do not.
      HOME: process.env["HOME"] ?? workDir,
      AWS_CONFIG_FILE: join(workDir, "no-aws-config"),
      AWS_SHARED_CREDENTIALS_FILE: join(workDir, "no-aws-credentials"),
      AWS_ACCESS_KEY_ID: "testing",
      AWS_SECRET_ACCESS_KEY: "testing",
      AWS_DEFAULT_REGION: REGION,
      AWS_EC2_METADATA_DISABLED: "true",
      AWS_PAGER: "",
      ENDPOINT: moto.endpoint,
      SKIP_BUILD: "1",
      ARTIFACTS: artifacts.outDir,
      REGION,
      DR_REGION: "us-west-2",
      // Restore verification on, so its functions, state machine and rule are deployed and
      // updated in place too.
      VERIFY_ENABLED: "TRUE",
      BUCKET,
    },
    timeout: 120_000,
  });
  return stdout;
}

const base64Sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("base64");

/** The CodeSha256 Lambda reports for the zip `zip` of a package. */
async function expectedSha(artifacts: PackageResult, zip: string): Promise<string> {
  const artifact = artifacts.artifacts.find((a) => a.zip === zip);
  if (!artifact) throw new Error(`no ${zip} in ${artifacts.outDir}`);
  return base64Sha256(await readFile(artifact.keyPath));
}

interface Deployed {
  readonly status: string | undefined;
  readonly template: string | undefined;
  /** Per function logical id: its physical name and CodeSha256. */
  readonly functions: Record<string, { name: string; codeSha256: string | undefined }>;
}

async function deployed(name: TemplateName): Promise<Deployed> {
  const StackName = STACKS[name].stack;
  const [stacks, resources, template] = await Promise.all([
    cfn.send(new DescribeStacksCommand({ StackName })),
    cfn.send(new ListStackResourcesCommand({ StackName })),
    cfn.send(new GetTemplateCommand({ StackName })),
  ]);
  const functions = (resources.StackResourceSummaries ?? []).filter(
    (r) => r.ResourceType === "AWS::Lambda::Function",
  );
  const entries = await Promise.all(
    functions.map(async (r) => {
      const config = await lambda.send(
        new GetFunctionConfigurationCommand({ FunctionName: r.PhysicalResourceId }),
      );
      return [
        r.LogicalResourceId ?? "",
        { name: r.PhysicalResourceId ?? "", codeSha256: config.CodeSha256 },
      ] as const;
    }),
  );
  return {
    status: stacks.Stacks?.[0]?.StackStatus,
    template: template.TemplateBody,
    functions: Object.fromEntries(entries),
  };
}

/** Each function's CodeSha256 as it must be when the stacks run `artifacts` (cross-account). */
/** The status and verify functions each stack deploys besides the original's (VerifyEnabled=TRUE). */
const ADDED_FUNCTIONS: Record<TemplateName, readonly { fn: string; zip: string }[]> = {
  source: [
    { fn: "lambdaStatusAurora", zip: "status_aurora.zip" },
    { fn: "lambdaVerifyAurora", zip: "verify_aurora.zip" },
  ],
  dest: [
    { fn: "lambdaStatusDestAurora", zip: "status_dest_aurora.zip" },
    { fn: "lambdaVerifyDestAurora", zip: "verify_dest_aurora.zip" },
  ],
};

async function expectedFunctions(name: TemplateName, artifacts: PackageResult) {
  return Object.fromEntries(
    await Promise.all([
      ...stepsOf(name).map(
        async (s) => [s.fn, await expectedSha(artifacts, s.zip.crossAccount)] as const,
      ),
      ...ADDED_FUNCTIONS[name].map(
        async (a) => [a.fn, await expectedSha(artifacts, a.zip)] as const,
      ),
    ]),
  );
}

const shas = (d: Deployed) =>
  Object.fromEntries(Object.entries(d.functions).map(([id, f]) => [id, f.codeSha256]));

describe("examples/deploy-walkthrough.sh against moto_server", () => {
  const before: Partial<Record<TemplateName, Deployed>> = {};

  it("creates both stacks from the packaged templates, each function on its content-addressed zip", async () => {
    const stdout = await walkthrough(v1);
    expect(stdout).toContain("Both stacks deployed.");

    for (const name of NAMES) {
      const d = await deployed(name);
      expect(d.status, name).toBe("CREATE_COMPLETE");
      expect(d.template, name).toBe(await readFile(join(v1.outDir, `${name}.yaml`), "utf8"));
      expect(shas(d), name).toEqual(await expectedFunctions(name, v1));
      before[name] = d;
    }
  }, 120_000);

  it("uploads every zip under its content-addressed key and its original name", async () => {
    const zips = (await readdir(v1.outDir)).filter((n) => n.endsWith(".zip")).sort();
    // The original's seven zips, the status and verify functions' four and the fleet functions'
    // three, each under two names.
    expect(zips).toHaveLength(28);
    for (const { bucket } of Object.values(STACKS)) {
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
      // Besides the zips, the templates too large to send inline (under templates/).
      const keys = (listed.Contents ?? []).map((o) => o.Key ?? "");
      expect(keys.filter((k) => k.endsWith(".zip")).sort(), bucket).toEqual(zips);
    }
  });

  it("updates both stacks in place with a build whose code differs: every CodeSha256 changes", async () => {
    await walkthrough(v2);

    for (const name of NAMES) {
      const d = await deployed(name);
      const old = before[name];
      expect(d.status, name).toBe("UPDATE_COMPLETE");
      expect(d.template, name).toBe(await readFile(join(v2.outDir, `${name}.yaml`), "utf8"));
      expect(shas(d), name).toEqual(await expectedFunctions(name, v2));
      for (const [id, f] of Object.entries(d.functions)) {
        // In place: the same function, new code.
        expect(f.name, id).toBe(old?.functions[id]?.name);
        expect(f.codeSha256, id).not.toBe(old?.functions[id]?.codeSha256);
      }
      before[name] = d;
    }
  }, 120_000);

  it("deploys an unchanged re-package as no change: the same template, the same code", async () => {
    for (const name of NAMES) {
      const file = `${name}.yaml`;
      const again = await readFile(join(v2Again.outDir, file), "utf8");
      // What CloudFormation compares: byte for byte the template it already runs.
      expect(again, name).toBe(before[name]?.template);
    }

    await walkthrough(v2Again);

    for (const name of NAMES) {
      const d = await deployed(name);
      expect(d.template, name).toBe(before[name]?.template);
      expect(d.functions, name).toEqual(before[name]?.functions);
    }
  }, 120_000);
});
