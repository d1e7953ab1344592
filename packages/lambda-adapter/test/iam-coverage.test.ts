/**
 * IAM coverage: every request each function makes in realistic runs is evaluated against that
 * function's role as the template deploys it, with a real policy evaluator
 * (@cloud-copilot/iam-simulate); and every action a role grants is used by its function. See
 * support/iam-trace.ts for which authorizations are observed and which are modelled from the
 * documentation, and support/iam-coverage.ts for how the functions are run.
 */
import { readFileSync } from "node:fs";

import {
  bindStepFrom,
  destinationPolicyFrom,
  destinationStatus,
  sourcePolicyFrom,
  sourceStatus,
} from "@aurora-snapshot-tool/core";
import { simulatedGateway, type InMemoryRdsOptions } from "@aurora-snapshot-tool/core/testing";
import { parse } from "yaml";
import { beforeAll, describe, expect, it } from "vitest";

import { loadTemplate, type CfnResource, type CfnTemplate } from "../src/templates.js";
import { ASSURANCE } from "./support/assurance-contract.js";
import {
  deployStack,
  functionEnv,
  renderDeep,
  roleOf,
  rolePolicies,
  type PolicyDocument,
} from "./support/cfn-iam.js";
import {
  deployFunctions,
  denials,
  describe as describeRequest,
  evaluate,
  runFunctions,
  unusedGrants,
  type DeployedFunction,
  type ScenarioResult,
  type StackSpec,
} from "./support/iam-coverage.js";
import { IamTracingRds, type IamRequest } from "./support/iam-trace.js";

const A = "111111111111"; // source account
const B = "222222222222"; // destination account
const C = "333333333333"; // one account with both stacks (CrossAccountCopy FALSE)
const EAST = "us-east-1";
const WEST = "us-west-2";
const TOOL = "Snapshot Tool for Aurora";
const START = new Date("2026-03-01T00:00:00Z");
/** Past the 7-day retention, so prune and prune-dest delete. */
const DAYS = 9;

/**
 * Granted for a reason the engine's requests cannot show. Everything else a role grants must
 * allow at least one request of its function in these scenarios.
 */
const NOT_FROM_THE_ENGINE: Record<string, string> = {
  "logs:CreateLogStream": "the Lambda runtime writes the function's logs, not the engine",
  "logs:PutLogEvents": "the Lambda runtime writes the function's logs, not the engine",
};

const templates = { source: loadTemplate("source"), dest: loadTemplate("dest") };

interface CrossAccountOptions {
  /** Today's source template, or one with an older role. */
  readonly source?: CfnTemplate;
  /** Options of the in-memory RDS (e.g. a region that refuses single-step copies). */
  readonly rds?: InMemoryRdsOptions;
  /**
   * The destination stack with SourceAccounts = the source account (so it creates the share
   * events bus) and the source stack with DestinationEventBusArn = that bus: share announces
   * each share on it, under the bus policy the destination template deploys.
   */
  readonly announce?: boolean;
  readonly days?: number;
}

/** The bus the destination stack creates (its Name rendered for the tests' stack name). */
const DEST_BUS = `arn:aws:events:${EAST}:${B}:event-bus/snapshot-tool-snapshots-shared`;

/**
 * Two accounts and two regions: the source account's encrypted (customer key shared with the
 * destination) and plain Aurora clusters, a neptune cluster to be left alone; the destination
 * copies them into us-west-2 (with that region's key): in one call (COPY_MODE auto), or where the
 * region refuses that, through an intermediate copy in its us-east-1 (re-encrypted with its own
 * key) that it then removes.
 */
async function crossAccount(
  options: CrossAccountOptions = {},
): Promise<ScenarioResult & { readonly sim: IamTracingRds }> {
  const source = options.source ?? templates.source;
  const sim = new IamTracingRds({ now: START, ...options.rds });
  const sourceKey = sim.addKey({ account: A, region: EAST, alias: "snapshots", usableBy: [B] });
  sim.addKey({ account: B, region: EAST, alias: "local" });
  const dr = sim.addKey({ account: B, region: WEST, alias: "dr" });
  sim.addCluster({ account: A, region: EAST, id: "orders", kmsKeyId: sourceKey });
  sim.addCluster({ account: A, region: EAST, id: "reports", engine: "aurora-mysql" });
  sim.addCluster({ account: A, region: EAST, id: "graph", engine: "neptune" });
  const destParameters = {
    CodeBucket: "code",
    DestinationRegion: WEST,
    KmsKeySource: "alias/local",
    KmsKeyDestination: dr,
    ...(options.announce && { SourceAccounts: A }),
  };
  const stacks: StackSpec[] = [
    {
      name: "source",
      template: source,
      account: A,
      region: EAST,
      parameters: {
        CodeBucket: "code",
        DestinationAccount: B,
        ...(options.announce && { DestinationEventBusArn: DEST_BUS }),
      },
    },
    {
      name: "dest",
      template: templates.dest,
      account: B,
      region: EAST,
      parameters: destParameters,
    },
  ];
  if (options.announce) {
    const name = DEST_BUS.split("/")[1]!;
    expect(sim.addEventBus({ account: B, region: EAST, name, allowAccounts: [A] })).toBe(DEST_BUS);
    sim.setBusPolicy(DEST_BUS, destinationBusPolicy(destParameters));
  }
  const functions = deployFunctions(stacks);
  await twoTakesAtOnce(sim, functions);
  await runFunctions(sim, functions, options.days ?? DAYS);
  return { functions, verdicts: await evaluate(sim.requests, functions), sim };
}

/** The destination template's event bus policy as deployed, as one policy document. */
function destinationBusPolicy(parameters: Record<string, string>): PolicyDocument {
  const stack = deployStack(templates.dest, parameters, { account: B, region: EAST });
  const id = "eventBusPolicySnapshotsAuroraDest";
  if (!stack.active.has(id)) throw new Error(`the destination stack creates no ${id}`);
  const properties = renderDeep(stack, templates.dest.Resources[id]?.Properties, id) as {
    EventBusName: string;
    StatementId: string;
    Statement: PolicyDocument["Statement"][number];
  };
  expect(`arn:aws:events:${EAST}:${B}:event-bus/${properties.EventBusName}`).toBe(DEST_BUS);
  return {
    Version: "2012-10-17",
    Statement: [{ Sid: properties.StatementId, ...properties.Statement }],
  };
}

/** Source and destination stacks in one account: copy the account's own snapshots to us-west-2. */
async function sameAccount(): Promise<ScenarioResult> {
  const sim = new IamTracingRds({ now: START });
  const key = sim.addKey({ account: C, region: EAST, alias: "snapshots" });
  const dr = sim.addKey({ account: C, region: WEST, alias: "dr" });
  sim.addCluster({ account: C, region: EAST, id: "orders", kmsKeyId: key });
  sim.addCluster({ account: C, region: EAST, id: "reports" });
  const functions = deployFunctions([
    {
      name: "source",
      template: templates.source,
      account: C,
      region: EAST,
      parameters: { CodeBucket: "code", ShareSnapshots: "FALSE" },
    },
    {
      name: "dest",
      template: templates.dest,
      account: C,
      region: EAST,
      parameters: {
        CodeBucket: "code",
        CrossAccountCopy: "FALSE",
        DestinationRegion: WEST,
        KmsKeyDestination: dr,
      },
    },
  ]);
  await runFunctions(sim, functions, DAYS);
  return { functions, verdicts: await evaluate(sim.requests, functions) };
}

/**
 * SnapshotSource automated: an encrypted (customer key) and a plain cluster, each with an automated
 * snapshot from before the first run. The first take copies them (the encrypted copy keeps the
 * key, which RDS uses on the role's behalf, and the copy carries SnapshotToolDataTime); the next
 * day's finds them too old and creates. A destination stack in the same account copies them all
 * to us-west-2, the data time carried onto the copies of the copies.
 */
async function automatedSource(): Promise<ScenarioResult> {
  const sim = new IamTracingRds({ now: START });
  const key = sim.addKey({ account: A, region: EAST, alias: "clusters" });
  const dr = sim.addKey({ account: A, region: WEST, alias: "dr" });
  sim.addCluster({ account: A, region: EAST, id: "orders", kmsKeyId: key });
  sim.addCluster({ account: A, region: EAST, id: "reports" });
  const earlier = new Date(START.getTime() - 3 * 3_600_000);
  for (const clusterId of ["orders", "reports"]) {
    sim.addAutomatedSnapshot({ account: A, region: EAST, clusterId, createTime: earlier });
  }
  const functions = deployFunctions([
    {
      name: "source",
      template: templates.source,
      account: A,
      region: EAST,
      parameters: { CodeBucket: "code", ShareSnapshots: "FALSE", SnapshotSource: "automated" },
    },
    {
      name: "dest",
      template: templates.dest,
      account: A,
      region: EAST,
      parameters: {
        CodeBucket: "code",
        CrossAccountCopy: "FALSE",
        DestinationRegion: WEST,
        KmsKeyDestination: dr,
      },
    },
  ]);
  await runFunctions(sim, functions, 2);
  return { functions, verdicts: await evaluate(sim.requests, functions) };
}

/**
 * ReencryptKmsKey: a cluster encrypted with the AWS-managed aws/rds key. share copies each of its
 * snapshots in the source account under a customer key whose policy admits the destination,
 * shares the copy (which the destination copies), and prune deletes the pairs past retention.
 */
async function reencrypting(): Promise<ScenarioResult & { readonly sim: IamTracingRds }> {
  const sim = new IamTracingRds({ now: START });
  sim.addKey({ account: A, region: EAST, alias: "share", usableBy: [B] });
  sim.addKey({ account: B, region: EAST, alias: "local" });
  const dr = sim.addKey({ account: B, region: WEST, alias: "dr" });
  sim.addCluster({ account: A, region: EAST, id: "ledger", encrypted: true });
  const functions = deployFunctions([
    {
      name: "source",
      template: templates.source,
      account: A,
      region: EAST,
      parameters: { CodeBucket: "code", DestinationAccount: B, ReencryptKmsKey: "alias/share" },
    },
    {
      name: "dest",
      template: templates.dest,
      account: B,
      region: EAST,
      parameters: {
        CodeBucket: "code",
        DestinationRegion: WEST,
        KmsKeySource: "alias/local",
        KmsKeyDestination: dr,
      },
    },
  ]);
  await runFunctions(sim, functions, DAYS);
  return { functions, verdicts: await evaluate(sim.requests, functions), sim };
}

/**
 * Two take runs at once (safety rule 7): both plan the same snapshot, one gets
 * DBClusterSnapshotAlreadyExistsFault and describes the existing snapshot to see it is the tool's.
 */
async function twoTakesAtOnce(sim: IamTracingRds, functions: readonly DeployedFunction[]) {
  const take = functions.find((f) => f.step === "take")!;
  const gateway = simulatedGateway(sim, take.account);
  const run = () =>
    bindStepFrom("take", { env: take.env }).run({
      gateway,
      region: take.env["AWS_REGION"]!,
      now: sim.now(),
    });
  const reports = await Promise.all([run(), run()]);
  sim.assignStep("take");
  const notes = reports.flatMap((r) => r.done.map((o) => o.note ?? "created"));
  expect(notes).toContain("already-exists");
}

/** Today's source template with the share role as it was before issue 10. */
function sourceWithOldShareRole(): CfnTemplate {
  const fixture = new URL(
    "./support/fixtures/source-share-role-before-issue-10.yaml",
    import.meta.url,
  );
  const old = parse(readFileSync(fixture, "utf8")) as Record<string, CfnResource>;
  return {
    ...templates.source,
    Resources: { ...templates.source.Resources, ...old },
  };
}

describe("IAM coverage of the functions' roles", { timeout: 240_000 }, () => {
  let cross: ScenarioResult & { readonly sim: IamTracingRds };
  let twoStep: ScenarioResult & { readonly sim: IamTracingRds };
  let same: ScenarioResult;
  let automated: ScenarioResult;
  let reencrypted: ScenarioResult & { readonly sim: IamTracingRds };
  beforeAll(async () => {
    [cross, twoStep, same, automated, reencrypted] = await Promise.all([
      crossAccount(),
      // us-west-2 refuses a shared snapshot from another region in one call: COPY_MODE auto goes
      // through an intermediate copy there; and share announces its shares on the bus.
      crossAccount({
        rds: { allowSharedCrossRegionCopy: false },
        announce: true,
        days: 3,
      }),
      sameAccount(),
      automatedSource(),
      reencrypting(),
    ]);
  }, 240_000);

  const operations = (s: ScenarioResult, step: string) =>
    [
      ...new Set(s.verdicts.filter((v) => v.request.step === step).map((v) => v.request.action)),
    ].sort();

  it("runs every step through every call path", () => {
    expect(operations(cross, "take")).toEqual([
      "rds:AddTagsToResource",
      "rds:CreateDBClusterSnapshot",
      "rds:DescribeDBClusterSnapshots",
      "rds:DescribeDBClusters",
    ]);
    expect(operations(cross, "share")).toEqual([
      "kms:DescribeKey",
      "rds:AddTagsToResource",
      "rds:DescribeDBClusterSnapshots",
      "rds:ModifyDBClusterSnapshotAttribute",
    ]);
    expect(operations(twoStep, "share")).toContain("events:PutEvents");
    expect(operations(cross, "prune")).toEqual([
      "rds:DeleteDBClusterSnapshot",
      "rds:DescribeDBClusterSnapshots",
    ]);
    expect(operations(cross, "prune-dest")).toEqual([
      "rds:DeleteDBClusterSnapshot",
      "rds:DescribeDBClusterSnapshots",
    ]);
    const requests = (s: ScenarioResult) =>
      s.verdicts.filter((v) => v.request.step === "copy").map((v) => v.request);
    const has = (s: ScenarioResult, what: string, resource: RegExp) =>
      requests(s).some((r) => r.what === what && resource.test(r.resource));
    // single-step: the shared snapshot straight to us-west-2, its presigned request in us-east-1
    const shared = new RegExp(`^arn:aws:rds:${EAST}:${A}:cluster-snapshot:`);
    expect(has(cross, "copy source", shared)).toBe(true);
    expect(has(cross, "presigned copy request, run in the source region", shared)).toBe(true);
    expect(
      has(cross, "copy target", new RegExp(`^arn:aws:rds:${WEST}:${B}:cluster-snapshot:`)),
    ).toBe(true);
    expect(has(cross, "copy target", new RegExp(`^arn:aws:rds:${EAST}:${B}:`))).toBe(false);
    expect(has(cross, "source key via RDS", new RegExp(`^arn:aws:kms:${EAST}:${A}:key/`))).toBe(
      true,
    );
    expect(has(cross, "copy key via RDS", new RegExp(`^arn:aws:kms:${WEST}:${B}:key/`))).toBe(true);
    expect(requests(cross).some((r) => r.action === "sts:GetCallerIdentity")).toBe(true);
    expect(
      requests(cross).some((r) => r.action === "kms:DescribeKey" && r.origin === "observed"),
    ).toBe(true);
    // two steps (the region refused one): the local copy of the shared snapshot, the onward copy
    // of that intermediate copy, then its removal
    const local = new RegExp(`^arn:aws:rds:${EAST}:${B}:cluster-snapshot:`);
    expect(has(twoStep, "copy target", local)).toBe(true);
    expect(has(twoStep, "copy source", local)).toBe(true);
    expect(has(twoStep, "presigned copy request, run in the source region", local)).toBe(true);
    expect(has(twoStep, "delete", local)).toBe(true);
    expect(has(twoStep, "copy key via RDS", new RegExp(`^arn:aws:kms:${EAST}:${B}:key/`))).toBe(
      true,
    );
    // one account: the own snapshot copied straight to us-west-2
    expect(
      requests(same).some(
        (r) => r.what === "copy source" && r.resource.startsWith(`arn:aws:rds:${EAST}:${C}:`),
      ),
    ).toBe(true);
    expect(operations(same, "prune-dest")).toContain("rds:DeleteDBClusterSnapshot");
    // SnapshotSource automated: the automated snapshots copied (the encrypted one through its
    // key), then, a day later, snapshots created
    expect(operations(automated, "take")).toEqual([
      "kms:CreateGrant",
      "kms:Decrypt",
      "kms:DescribeKey",
      "kms:Encrypt",
      "kms:GenerateDataKey",
      "kms:GenerateDataKeyWithoutPlaintext",
      "kms:ReEncryptFrom",
      "kms:ReEncryptTo",
      "kms:RetireGrant",
      "rds:AddTagsToResource",
      "rds:CopyDBClusterSnapshot",
      "rds:CreateDBClusterSnapshot",
      "rds:DescribeDBClusterSnapshots",
      "rds:DescribeDBClusters",
    ]);
    const automatedSource = new RegExp(`^arn:aws:rds:${EAST}:${A}:cluster-snapshot:rds:`);
    expect(
      automated.verdicts.some(
        (v) => v.request.what === "copy source" && automatedSource.test(v.request.resource),
      ),
    ).toBe(true);
    // SnapshotToolDataTime on take's copies and on the destination's copies of them
    const dataTimeTagged = (step: string) =>
      automated.verdicts.some(
        (v) =>
          v.request.step === step &&
          v.request.action === "rds:AddTagsToResource" &&
          [v.request.context["aws:TagKeys"]].flat().includes("SnapshotToolDataTime"),
      );
    expect(dataTimeTagged("take")).toBe(true);
    expect(dataTimeTagged("copy")).toBe(true);
  });

  it("announces shares on the destination's bus, which admits them under the policy the destination template deploys", () => {
    const events = twoStep.sim.events({});
    expect(events.length).toBeGreaterThan(0);
    const puts = twoStep.verdicts.filter((v) => v.request.action === "events:PutEvents");
    expect(puts.map((v) => [v.request.step, v.request.resource, v.result])).toEqual(
      puts.map(() => ["share", DEST_BUS, "Allowed"]),
    );
    expect(puts.every((v) => v.request.resourcePolicy !== undefined)).toBe(true);
  });

  it("allows every request of every function, two accounts and two regions", () => {
    expect(denials(cross.verdicts)).toEqual([]);
  });

  it("allows every request of every function, two accounts, copies in two steps, shares announced", () => {
    expect(denials(twoStep.verdicts)).toEqual([]);
  });

  it("allows every request of every function, one account (CrossAccountCopy FALSE)", () => {
    expect(denials(same.verdicts)).toEqual([]);
  });

  it("allows every request of take with SnapshotSource automated, copies and creates alike", () => {
    expect(denials(automated.verdicts)).toEqual([]);
  });

  it("allows share's re-encrypting copies (ReencryptKmsKey) and prune's removal of the pairs", () => {
    expect(denials(reencrypted.verdicts)).toEqual([]);
    const share = reencrypted.verdicts.filter((v) => v.request.step === "share");
    const cmk = new RegExp(`^arn:aws:rds:${EAST}:${A}:cluster-snapshot:cmk-ledger-`);
    expect(
      share.some((v) => v.request.what === "copy target" && cmk.test(v.request.resource)),
    ).toBe(true);
    expect(
      share.some(
        (v) =>
          v.request.action === "rds:ModifyDBClusterSnapshotAttribute" &&
          cmk.test(v.request.resource),
      ),
    ).toBe(true);
    expect(
      share.some(
        (v) => v.request.what === "copy key via RDS" && v.request.action === "kms:CreateGrant",
      ),
    ).toBe(true);
    const prune = reencrypted.verdicts.filter((v) => v.request.step === "prune");
    expect(
      prune.some(
        (v) => v.request.action === "rds:DeleteDBClusterSnapshot" && cmk.test(v.request.resource),
      ),
    ).toBe(true);
    // The destination copied the re-encrypted snapshot shared with it.
    const copy = reencrypted.verdicts.filter((v) => v.request.step === "copy");
    expect(copy.some((v) => v.request.what === "copy source" && cmk.test(v.request.resource))).toBe(
      true,
    );
  });

  it("passes every context key to the evaluator for the action it belongs to", () => {
    const ignored = [
      ...cross.verdicts,
      ...twoStep.verdicts,
      ...same.verdicts,
      ...automated.verdicts,
      ...reencrypted.verdicts,
    ].flatMap((v) => v.ignoredContextKeys.map((k) => `${v.request.action}: ${k}`));
    expect([...new Set(ignored)].sort()).toEqual([]);
  });

  it("grants nothing the functions do not use", () => {
    expect(
      unusedGrants([cross, twoStep, same, automated, reencrypted], NOT_FROM_THE_ENGINE),
    ).toEqual([]);
  });

  it("refuses what the functions must never do", async () => {
    const snapshot = (account: string, region: string, id: string) =>
      `arn:aws:rds:${region}:${account}:cluster-snapshot:${id}`;
    const ask = (
      step: string,
      account: string,
      action: string,
      resource: string,
      context: Record<string, string | string[]>,
      resourceAccount = account,
    ): IamRequest => ({
      step,
      account,
      region: EAST,
      operation: "(synthetic)",
      action,
      resource,
      resourceAccount,
      context,
      origin: "modelled",
      what: "must be refused",
    });
    const foreign = snapshot(A, EAST, "someone-elses");
    const markAsTool = { "aws:RequestTag/CreatedBy": TOOL, "aws:TagKeys": ["CreatedBy"] };
    const key = `arn:aws:kms:${EAST}:${A}:key/0b3b6a47-0000-4000-8000-000000000001`;
    const requests = [
      // a compromised function stamping the tool's tag on someone else's snapshot
      ask("share", A, "rds:AddTagsToResource", foreign, markAsTool),
      ask("take", A, "rds:AddTagsToResource", foreign, {
        ...markAsTool,
        "aws:RequestTag/Owner": "x",
        "aws:TagKeys": ["CreatedBy", "Owner"],
      }),
      ask("copy", B, "rds:AddTagsToResource", snapshot(B, WEST, "theirs"), markAsTool),
      // take, with only its own tags, on a snapshot not named as the tool names them
      ask("take", A, "rds:AddTagsToResource", snapshot(A, EAST, "manual-backup"), {
        ...markAsTool,
        "aws:TagKeys": ["CreatedBy", "CreatedOn", "shareAndCopy"],
      }),
      // the share marker naming another account
      ask("share", A, "rds:AddTagsToResource", foreign, {
        "rds:cluster-snapshot-tag/CreatedBy": TOOL,
        "aws:RequestTag/SnapshotToolSharedWith": "999999999999",
        "aws:TagKeys": ["SnapshotToolSharedWith"],
      }),
      // deleting what is not the tool's (copy: not an intermediate copy)
      ask("prune", A, "rds:DeleteDBClusterSnapshot", foreign, {}),
      ask("copy", B, "rds:DeleteDBClusterSnapshot", snapshot(B, WEST, "kept"), {
        "rds:cluster-snapshot-tag/CopiedBy": TOOL,
      }),
      // using a key directly rather than through RDS, or through RDS in another region
      ask("copy", B, "kms:Decrypt", key, { "kms:CallerAccount": B }, A),
      ask(
        "copy",
        B,
        "kms:CreateGrant",
        key,
        {
          "kms:CallerAccount": B,
          "kms:ViaService": "rds.eu-west-1.amazonaws.com",
          "kms:GrantIsForAWSResource": "true",
        },
        A,
      ),
      // a tagless copy landing in this account (the presigned grant is for others' snapshots)
      ask("copy", B, "rds:CopyDBClusterSnapshot", snapshot(B, WEST, "untagged-copy"), {
        "aws:ResourceAccount": B,
      }),
    ];
    const verdicts = await evaluate(requests, cross.functions);
    expect(verdicts).toHaveLength(requests.length);
    expect(
      verdicts
        .filter((v) => v.result !== "ImplicitlyDenied")
        .map((v) => describeRequest(v.request)),
    ).toEqual([]);
  });

  it("refuses take's copies with SnapshotSource automated outside the tool's names, tags and keys", async () => {
    const snapshot = (id: string) => `arn:aws:rds:${EAST}:${A}:cluster-snapshot:${id}`;
    const toolTags = {
      "aws:RequestTag/CreatedBy": TOOL,
      "aws:RequestTag/CreatedOn": "2026-03-01-01-00",
      "aws:RequestTag/shareAndCopy": "YES",
      "aws:TagKeys": ["CreatedBy", "CreatedOn", "shareAndCopy"],
    };
    const ask = (
      action: string,
      resource: string,
      context: Record<string, string | string[]>,
    ): IamRequest => ({
      step: "take",
      account: A,
      region: EAST,
      operation: "(synthetic)",
      action,
      resource,
      resourceAccount: A,
      context,
      origin: "modelled",
      what: "must be refused",
    });
    const key = `arn:aws:kms:${EAST}:${A}:key/0b3b6a47-0000-4000-8000-000000000002`;
    const requests = [
      // a target not named as the tool names its snapshots
      ask("rds:CopyDBClusterSnapshot", snapshot("manual-backup"), toolTags),
      // a tool-named target without the tool's tags, or with one more
      ask("rds:CopyDBClusterSnapshot", snapshot("orders-2026-03-01-01-00"), {}),
      ask("rds:CopyDBClusterSnapshot", snapshot("orders-2026-03-01-01-00"), {
        ...toolTags,
        "aws:RequestTag/Owner": "x",
        "aws:TagKeys": ["CreatedBy", "CreatedOn", "shareAndCopy", "Owner"],
      }),
      // SnapshotToolDataTime is for copies of automated snapshots only: never on a created one
      ask("rds:CreateDBClusterSnapshot", snapshot("orders-2026-03-01-01-00"), {
        ...toolTags,
        "aws:RequestTag/SnapshotToolDataTime": "2026-02-28-05-00",
        "aws:TagKeys": ["CreatedBy", "CreatedOn", "shareAndCopy", "SnapshotToolDataTime"],
      }),
      ask("rds:CreateDBClusterSnapshot", `arn:aws:rds:${EAST}:${A}:cluster:orders`, {
        ...toolTags,
        "aws:RequestTag/SnapshotToolDataTime": "2026-02-28-05-00",
        "aws:TagKeys": ["CreatedBy", "CreatedOn", "shareAndCopy", "SnapshotToolDataTime"],
      }),
      // the cluster key used directly, or through RDS in another region
      ask("kms:Decrypt", key, { "kms:CallerAccount": A }),
      ask("kms:CreateGrant", key, {
        "kms:CallerAccount": A,
        "kms:ViaService": "rds.eu-west-1.amazonaws.com",
        "kms:GrantIsForAWSResource": "true",
      }),
    ];
    const verdicts = await evaluate(requests, automated.functions);
    expect(verdicts).toHaveLength(requests.length);
    expect(
      verdicts
        .filter((v) => v.result !== "ImplicitlyDenied")
        .map((v) => describeRequest(v.request)),
    ).toEqual([]);
  });

  it("refuses share's re-encrypting copies outside the tool's snapshots, cmk- names and tags", async () => {
    const snapshot = (id: string) => `arn:aws:rds:${EAST}:${A}:cluster-snapshot:${id}`;
    const copyTags = {
      "aws:RequestTag/CreatedBy": TOOL,
      "aws:RequestTag/CreatedOn": "2026-03-01-01-00",
      "aws:RequestTag/shareAndCopy": "YES",
      "aws:RequestTag/SnapshotToolReencryptedFrom": snapshot("ledger-2026-03-01-01-00"),
      "aws:TagKeys": ["CreatedBy", "CreatedOn", "shareAndCopy", "SnapshotToolReencryptedFrom"],
    };
    const ask = (
      action: string,
      resource: string,
      context: Record<string, string | string[]>,
    ): IamRequest => ({
      step: "share",
      account: A,
      region: EAST,
      operation: "(synthetic)",
      action,
      resource,
      resourceAccount: A,
      context,
      origin: "modelled",
      what: "must be refused",
    });
    const requests = [
      // a source that is not the tool's (no CreatedBy tag on it)
      ask("rds:CopyDBClusterSnapshot", snapshot("ledger-2026-03-01-01-00"), copyTags),
      // a target without the cmk- marker, or not of the tool's name shape
      ask("rds:CopyDBClusterSnapshot", snapshot("copy-of-ledger"), copyTags),
      ask("rds:CopyDBClusterSnapshot", snapshot("cmk-ledger"), copyTags),
      // a cmk- target without the tool's tags, or with one more
      ask("rds:CopyDBClusterSnapshot", snapshot("cmk-ledger-2026-03-01-01-00"), {}),
      ask("rds:AddTagsToResource", snapshot("cmk-ledger-2026-03-01-01-00"), {
        ...copyTags,
        "aws:RequestTag/Owner": "x",
        "aws:TagKeys": ["CreatedBy", "Owner"],
      }),
    ];
    const verdicts = await evaluate(requests, reencrypted.functions);
    expect(verdicts).toHaveLength(requests.length);
    expect(
      verdicts
        .filter((v) => v.result !== "ImplicitlyDenied")
        .map((v) => describeRequest(v.request)),
    ).toEqual([]);
  });

  it("refuses the presigned request of a single-step copy from an account not in SourceAccounts, from another region, and with COPY_MODE two-step", async () => {
    const presigned = cross.verdicts
      .map((v) => v.request)
      .find(
        (r) =>
          r.what === "presigned copy request, run in the source region" && r.resourceAccount === A,
      );
    expect(presigned).toBeDefined();
    // The same request on a snapshot of `account` in `region`, shared with B as that one is.
    const at = (account: string, region: string): IamRequest => {
      const resource = presigned!.resource.replace(`:${EAST}:${A}:`, `:${region}:${account}:`);
      return {
        ...presigned!,
        region,
        resource,
        resourceAccount: account,
        context: { ...presigned!.context, "aws:ResourceAccount": account },
        resourcePolicy: JSON.parse(
          JSON.stringify(presigned!.resourcePolicy).replaceAll(presigned!.resource, resource),
        ) as PolicyDocument,
      };
    };
    const verdict = async (request: IamRequest, functions: readonly DeployedFunction[]) =>
      (await evaluate([request], functions))[0]?.result;
    const twoStepMode = deployFunctions([
      {
        name: "dest",
        template: templates.dest,
        account: B,
        region: EAST,
        parameters: { CodeBucket: "code", DestinationRegion: WEST, CopyMode: "two-step" },
      },
    ]);

    // twoStep's destination stack has SourceAccounts = A; cross's has none (any account).
    expect(await verdict(at(A, EAST), twoStep.functions)).toBe("Allowed");
    expect(await verdict(at("999999999999", EAST), cross.functions)).toBe("Allowed");
    expect(await verdict(at("999999999999", EAST), twoStep.functions)).toBe("ImplicitlyDenied");
    expect(await verdict(at(A, "eu-west-1"), cross.functions)).toBe("ImplicitlyDenied");
    expect(await verdict(at(A, EAST), twoStepMode)).toBe("ImplicitlyDenied");
  });

  it("refuses share events on any other bus, and other events on the destination's bus", async () => {
    const event = {
      "events:source": ["aurora-snapshot-tool"],
      "events:detail-type": ["Snapshots Shared"],
    };
    const put = (bus: string, context: Record<string, string | string[]>): IamRequest => ({
      step: "share",
      account: A,
      region: EAST,
      operation: "(synthetic)",
      action: "events:PutEvents",
      resource: bus,
      resourceAccount: /:(\d{12}):event-bus/.exec(bus)?.[1] ?? A,
      context,
      ...(bus === DEST_BUS && {
        resourcePolicy: twoStep.verdicts.find((v) => v.request.resource === DEST_BUS)?.request
          .resourcePolicy,
      }),
      origin: "modelled",
      what: "must be refused",
    });
    const requests = [
      put(`arn:aws:events:${EAST}:${A}:event-bus/default`, event),
      put(DEST_BUS, { ...event, "events:source": ["someone.else"] }),
      put(DEST_BUS, { ...event, "events:detail-type": ["Snapshots Shared", "Snapshots Deleted"] }),
    ];
    const verdicts = await evaluate(requests, twoStep.functions);
    expect(verdicts.map((v) => v.result)).toEqual(requests.map(() => "ImplicitlyDenied"));
  });

  // The status functions replay the steps' plans: every read they make on the fleet the steps just
  // ran on must be allowed by their read-only roles, and every action those roles grant used.
  it("allows every request of the status functions, with nothing granted unused", async () => {
    const statusFunction = (
      name: "source" | "dest",
      account: string,
      parameters: Record<string, string>,
      step: string,
    ): DeployedFunction => {
      const stack = deployStack(templates[name], parameters, { account, region: EAST });
      const fn = ASSURANCE[name].status.fn;
      const role = roleOf(stack, fn);
      return {
        stack: name,
        step: step as DeployedFunction["step"],
        fn,
        role,
        account,
        env: functionEnv(stack, fn),
        policies: rolePolicies(stack, role),
      };
    };
    const copyEnv = cross.functions.find((f) => f.step === "copy")!.env;
    const source = statusFunction(
      "source",
      A,
      { CodeBucket: "code", DestinationAccount: B },
      "status",
    );
    const dest = statusFunction(
      "dest",
      B,
      {
        CodeBucket: "code",
        DestinationRegion: WEST,
        KmsKeySource: copyEnv["KMS_KEY_SOURCE_REGION"]!,
        KmsKeyDestination: copyEnv["KMS_KEY_DEST_REGION"]!,
      },
      "status-dest",
    );
    const sim = cross.sim;
    const before = sim.requests.length;
    const sourceReport = await sourceStatus({
      gateway: simulatedGateway(sim, A),
      region: EAST,
      now: sim.now(),
      policy: sourcePolicyFrom({ env: source.env }),
    });
    sim.assignStep("status");
    const destReport = await destinationStatus({
      gateway: simulatedGateway(sim, B),
      region: EAST,
      now: sim.now(),
      policy: destinationPolicyFrom({ env: dest.env }),
    });
    sim.assignStep("status-dest");
    expect(sourceReport.places.length).toBeGreaterThan(0);
    expect(destReport.places.length).toBeGreaterThan(0);
    const requests = sim.requests.slice(before);
    expect(requests.length).toBeGreaterThan(0);
    const verdicts = await evaluate(requests, [source, dest]);
    expect(denials(verdicts)).toEqual([]);
    expect(
      [...new Set(requests.map((r) => r.action))].filter(
        (a) => !/^(rds:Describe[A-Za-z]+|kms:DescribeKey|sts:GetCallerIdentity)$/.test(a),
      ),
    ).toEqual([]);
    expect(
      unusedGrants([{ functions: [source, dest], verdicts }], {
        ...NOT_FROM_THE_ENGINE,
        "kms:DescribeKey":
          "looked up only for a snapshot due to be shared or copied (none is left at the end of " +
          "the scenario); the share and copy steps' coverage shows those calls",
      }),
    ).toEqual([]);
  });

  it("fails on the share role before issue 10, naming the share step and rds:AddTagsToResource", async () => {
    const before = await crossAccount({ source: sourceWithOldShareRole() });
    const denied = denials(before.verdicts);
    expect(denied.length).toBeGreaterThan(0);
    for (const line of denied) {
      expect(line).toMatch(
        new RegExp(
          `^share: rds:AddTagsToResource on arn:aws:rds:${EAST}:${A}:cluster-snapshot:\\S+ \\(observed, tag write, AddTagsToResource in ${EAST}\\) -> ImplicitlyDenied$`,
        ),
      );
    }
    // and the same scenario passes with today's role
    expect(denials(cross.verdicts)).toEqual([]);
  });
});

/**
 * DestinationAccount naming several accounts: share adds each to `restore` and writes the marker
 * (SnapshotToolSharedWith, and SnapshotToolSharedWith2 past 19 accounts) under the role's
 * condition, which admits values made of the configured accounts' shape and refuses others.
 */
describe("IAM of share with several destination accounts", { timeout: 120_000 }, () => {
  const D = "444444444444";
  /** 20 accounts: the most RDS shares one snapshot with, and the marker's second tag in use. */
  const TWENTY = Array.from({ length: 20 }, (_, i) => String(500_000_000_000 + i));

  async function shareWith(
    destinations: readonly string[],
  ): Promise<ScenarioResult & { sim: IamTracingRds }> {
    const sim = new IamTracingRds({ now: START });
    sim.addCluster({ account: A, region: EAST, id: "orders" });
    sim.addCluster({ account: A, region: EAST, id: "reports", engine: "aurora-mysql" });
    const functions = deployFunctions([
      {
        name: "source",
        template: templates.source,
        account: A,
        region: EAST,
        parameters: { CodeBucket: "code", DestinationAccount: destinations.join(",") },
      },
    ]);
    await runFunctions(sim, functions, 2);
    return { functions, verdicts: await evaluate(sim.requests, functions), sim };
  }

  const markers = (r: ScenarioResult) =>
    r.verdicts
      .filter((v) => v.request.action === "rds:AddTagsToResource" && v.request.step === "share")
      .map((v) => v.request.context);

  it("allows every request with two accounts, the marker naming both", async () => {
    const two = await shareWith([B, D]);
    expect(denials(two.verdicts)).toEqual([]);
    expect(markers(two).map((c) => c["aws:RequestTag/SnapshotToolSharedWith"])).toContain(
      `${B} ${D}`,
    );
    for (const s of two.sim.snapshots({ account: A, region: EAST, type: "manual" })) {
      expect([...s.sharedWith].sort()).toEqual([B, D]);
    }
  });

  it("allows every request with 20 accounts, the 20th in SnapshotToolSharedWith2", async () => {
    const twenty = await shareWith(TWENTY);
    expect(denials(twenty.verdicts)).toEqual([]);
    expect(markers(twenty).map((c) => c["aws:RequestTag/SnapshotToolSharedWith2"])).toContain(
      TWENTY[19],
    );
  });

  it("refuses a marker naming an account first that is not configured, a second tag that is not one of them, another key or an empty id", async () => {
    const stack = deployStack(
      templates.source,
      { CodeBucket: "code", DestinationAccount: `${B},${D}` },
      { account: A, region: EAST },
    );
    const fn = "lambdaShareSnapshotsAurora";
    const role = roleOf(stack, fn);
    const share: DeployedFunction = {
      stack: "source",
      step: "share",
      fn,
      role,
      account: A,
      env: functionEnv(stack, fn),
      policies: rolePolicies(stack, role),
    };
    const arn = `arn:aws:rds:${EAST}:${A}:cluster-snapshot:orders-2026-03-01-01-00`;
    const ask = (what: string, tags: Record<string, string>): IamRequest => ({
      step: "share",
      account: A,
      region: EAST,
      operation: "(synthetic)",
      action: "rds:AddTagsToResource",
      resource: arn,
      resourceAccount: A,
      context: {
        "rds:cluster-snapshot-tag/CreatedBy": TOOL,
        ...Object.fromEntries(Object.entries(tags).map(([k, v]) => [`aws:RequestTag/${k}`, v])),
        "aws:TagKeys": Object.keys(tags),
      },
      origin: "modelled",
      what,
    });
    const allowed = [
      ask("one", { SnapshotToolSharedWith: B }),
      ask("the other", { SnapshotToolSharedWith: D }),
      ask("both", { SnapshotToolSharedWith: `${B} ${D}` }),
      ask("with the second tag", { SnapshotToolSharedWith: B, SnapshotToolSharedWith2: D }),
    ];
    const refused = [
      ask("another account", { SnapshotToolSharedWith: "999999999999" }),
      ask("another account first", { SnapshotToolSharedWith: `999999999999 ${B}` }),
      ask("all", { SnapshotToolSharedWith: "all" }),
      ask("an empty id", { SnapshotToolSharedWith: `${B}  ${D}` }),
      ask("a trailing space", { SnapshotToolSharedWith: `${B} ` }),
      ask("no first tag", { SnapshotToolSharedWith2: D }),
      ask("another account in the second tag", {
        SnapshotToolSharedWith: B,
        SnapshotToolSharedWith2: "999999999999",
      }),
      ask("another key", { SnapshotToolSharedWith: B, Owner: "x" }),
    ];
    const verdicts = await evaluate([...allowed, ...refused], [share]);
    const by = (v: (typeof verdicts)[number]) => [v.request.what, v.result];
    expect(verdicts.slice(0, allowed.length).map(by)).toEqual(
      allowed.map((r) => [r.what, "Allowed"]),
    );
    expect(verdicts.slice(allowed.length).map(by)).toEqual(
      refused.map((r) => [r.what, "ImplicitlyDenied"]),
    );
  });
});
