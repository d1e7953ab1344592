/**
 * IAM of fleet mode, evaluated with the IAM evaluator of the coverage test
 * (@cloud-copilot/iam-simulate) on the roles as the templates deploy them:
 * - the member role's trust admits only the central step role, and only with the organization
 *   and/or external id it is given; the step role may assume roles of MemberRoleName only (in the
 *   organization, with OrganizationId);
 * - the member role allows every request the real take, share and prune steps make over nine
 *   simulated days in a member account (bound from the fleet step function's environment), and
 *   refuses the same actions on what is not the tool's;
 * - the central roles: the targets function reads only the targets source it is given, the
 *   report function only the results, the state machine what a Distributed Map needs.
 */
import { runSimulation, type Simulation } from "@cloud-copilot/iam-simulate";
import { beforeAll, describe, expect, it } from "vitest";

import { loadTemplate } from "../src/templates.js";
import { PSEUDO_PARAMETERS, type ParameterValues } from "./support/cfn-conditions.js";
import {
  deployStack,
  functionEnv,
  renderDeep,
  rolePolicies,
  type AttachedPolicy,
  type PolicyDocument,
  type PolicyStatement,
} from "./support/cfn-iam.js";
import {
  denials,
  evaluate,
  runFunctions,
  unusedGrants,
  type DeployedFunction,
  type Verdict,
} from "./support/iam-coverage.js";
import { IamTracingRds, snapshotArn, type IamRequest } from "./support/iam-trace.js";

const fleet = loadTemplate("fleet");
const member = loadTemplate("member-role");

const CENTRAL = PSEUDO_PARAMETERS["AWS::AccountId"]!; // 123456789012, the central stack's account
const MEMBER = "444444444444";
const DEST = "222222222222";
const OTHER = "555555555555";
const ORG = "o-abcdefghij";
const EXTERNAL = "fleet-external-id";
const STACK = PSEUDO_PARAMETERS["AWS::StackName"]!;
const STEP_ROLE = `${STACK}-step`;
const MEMBER_ROLE = "aurora-snapshot-tool-member";
const TARGET_REGION = "eu-west-1";
const RESULTS = "fleet-results";
const TOOL = "Snapshot Tool for Aurora";

const FLEET_REQUIRED = { CodeBucket: "code", FleetTargets: "[]" };

/** The central stack deployed, its policies with the results bucket and state machine named. */
function central(given: ParameterValues = {}) {
  return deployStack(
    fleet,
    { ...FLEET_REQUIRED, ...given },
    { account: CENTRAL, region: "us-east-1" },
  );
}
const SM_ARN = `arn:aws:states:us-east-1:${CENTRAL}:stateMachine:stateMachineFleetAurora`;
function named(policies: AttachedPolicy[]): AttachedPolicy[] {
  const text = JSON.stringify(policies)
    .replaceAll("<bucketFleetResults.Arn>", `arn:aws:s3:::${RESULTS}`)
    .replaceAll("<stateMachineFleetAurora.Name>", "stateMachineFleetAurora")
    .replaceAll("<stateMachineFleetAurora>", SM_ARN);
  expect(text).not.toMatch(/<[A-Za-z]+(\.[A-Za-z]+)?>/);
  return JSON.parse(text) as AttachedPolicy[];
}
const centralPolicies = (role: string, given: ParameterValues = {}) =>
  named(rolePolicies(central(given), role));

function memberStack(given: ParameterValues) {
  return deployStack(
    member,
    {
      CentralAccountId: CENTRAL,
      CentralStepRoleName: STEP_ROLE,
      DestinationAccount: DEST,
      ...given,
    },
    { account: MEMBER, region: "us-east-1" },
  );
}
const trustOf = (given: ParameterValues) => {
  const stack = memberStack(given);
  const role = renderDeep(
    stack,
    stack.template.Resources["iamroleFleetMember"]!.Properties,
    "role",
  ) as {
    AssumeRolePolicyDocument: PolicyDocument;
  };
  return role.AssumeRolePolicyDocument;
};

const asRole = (account: string, role: string) =>
  `arn:aws:sts::${account}:assumed-role/${role}/fleet-step`;
const ADMIN: AttachedPolicy = {
  name: "admin",
  document: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] },
};

async function simulate(
  principal: string,
  action: string,
  resource: string,
  identity: readonly AttachedPolicy[],
  context: Record<string, string | string[]> = {},
  resourcePolicy?: PolicyDocument,
): Promise<string> {
  // S3 and Organizations resources name no account: they are the central account's here.
  const accountId = resource.split(":")[4] || CENTRAL;
  const simulation: Simulation = {
    request: { principal, action, resource: { resource, accountId }, contextVariables: context },
    identityPolicies: identity.map((p) => ({ name: p.name, policy: p.document })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    ...(resourcePolicy && { resourcePolicy }),
  };
  const response = await runSimulation(simulation, {});
  if (response.resultType === "error") throw new Error(JSON.stringify(response.errors));
  return response.overallResult;
}

describe("the member role's trust", () => {
  const MEMBER_ROLE_ARN = `arn:aws:iam::${MEMBER}:role/${MEMBER_ROLE}`;
  const stepPolicies = (given: ParameterValues = {}) => centralPolicies("iamroleFleetStep", given);
  const assume = (
    trust: ParameterValues,
    context: Record<string, string>,
    principal = asRole(CENTRAL, STEP_ROLE),
    identity: readonly AttachedPolicy[] = stepPolicies({ OrganizationId: ORG }),
  ) =>
    simulate(
      principal,
      "sts:AssumeRole",
      MEMBER_ROLE_ARN,
      identity,
      { "aws:ResourceOrgID": ORG, ...context },
      trustOf(trust),
    );

  it("names the central step role as its only principal, for sts:AssumeRole only", () => {
    const trust = trustOf({ OrganizationId: ORG, ExternalId: EXTERNAL });
    expect(trust.Statement).toHaveLength(1);
    expect(trust.Statement[0]).toMatchObject({
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${CENTRAL}:role/${STEP_ROLE}` },
      Action: "sts:AssumeRole",
      Condition: { StringEquals: { "aws:PrincipalOrgID": ORG, "sts:ExternalId": EXTERNAL } },
    });
  });

  it("with OrganizationId: admits the step role from the organization, and not from outside it", async () => {
    const trust = { OrganizationId: ORG };
    expect(await assume(trust, { "aws:PrincipalOrgID": ORG })).toBe("Allowed");
    expect(await assume(trust, { "aws:PrincipalOrgID": "o-zzzzzzzzzz" })).toBe("ImplicitlyDenied");
    expect(await assume(trust, {})).toBe("ImplicitlyDenied");
  });

  it("with ExternalId: admits the step role with the external id, and not without it", async () => {
    const trust = { ExternalId: EXTERNAL };
    const noOrg = stepPolicies();
    expect(await assume(trust, { "sts:ExternalId": EXTERNAL }, undefined, noOrg)).toBe("Allowed");
    expect(await assume(trust, { "sts:ExternalId": "guess" }, undefined, noOrg)).toBe(
      "ImplicitlyDenied",
    );
    expect(await assume(trust, {}, undefined, noOrg)).toBe("ImplicitlyDenied");
  });

  it("with both: needs both", async () => {
    const trust = { OrganizationId: ORG, ExternalId: EXTERNAL };
    expect(await assume(trust, { "aws:PrincipalOrgID": ORG, "sts:ExternalId": EXTERNAL })).toBe(
      "Allowed",
    );
    expect(await assume(trust, { "aws:PrincipalOrgID": ORG })).toBe("ImplicitlyDenied");
    expect(await assume(trust, { "sts:ExternalId": EXTERNAL })).toBe("ImplicitlyDenied");
  });

  it("refuses another role of the central account, even an administrator in the organization", async () => {
    const trust = { OrganizationId: ORG, ExternalId: EXTERNAL };
    const context = { "aws:PrincipalOrgID": ORG, "sts:ExternalId": EXTERNAL };
    expect(await assume(trust, context, asRole(CENTRAL, "Administrator"), [ADMIN])).toBe(
      "ImplicitlyDenied",
    );
    expect(await assume(trust, context, `arn:aws:iam::${CENTRAL}:root`, [ADMIN])).toBe(
      "ImplicitlyDenied",
    );
    // The step role's name in another account of the organization is another principal.
    expect(await assume(trust, context, asRole(OTHER, STEP_ROLE), [ADMIN])).toBe(
      "ImplicitlyDenied",
    );
  });
});

describe("the central step role", () => {
  const policies = (given: ParameterValues = {}) => centralPolicies("iamroleFleetStep", given);
  const allowAll: PolicyDocument = {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${CENTRAL}:root` },
        Action: "sts:AssumeRole",
        Resource: "*",
      },
    ],
  };
  const ask = (
    role: string,
    account = MEMBER,
    given: ParameterValues = {},
    context: Record<string, string> = {},
  ) =>
    simulate(
      asRole(CENTRAL, STEP_ROLE),
      "sts:AssumeRole",
      `arn:aws:iam::${account}:role/${role}`,
      policies(given),
      context,
      allowAll,
    );

  it("has a fixed name, STACKNAME-step, at most 64 characters for a stack name of up to 59", () => {
    expect(fleet.Resources["iamroleFleetStep"]!.Properties?.["RoleName"]).toEqual({
      "Fn::Sub": "${AWS::StackName}-step",
    });
    expect(`${"s".repeat(59)}-step`.length).toBe(64);
  });

  it("may call sts:AssumeRole (and write its logs), nothing else", () => {
    const actions = policies().flatMap((p) =>
      p.document.Statement.flatMap((s) => [s.Action].flat()),
    );
    expect(actions.sort()).toEqual(["logs:CreateLogStream", "logs:PutLogEvents", "sts:AssumeRole"]);
  });

  it("may assume MemberRoleName in any account, and no other role, even one that trusts it", async () => {
    expect(await ask(MEMBER_ROLE)).toBe("Allowed");
    expect(await ask(MEMBER_ROLE, OTHER)).toBe("Allowed");
    expect(await ask("OrganizationAccountAccessRole")).toBe("ImplicitlyDenied");
    expect(await ask(`${MEMBER_ROLE}-admin`)).toBe("ImplicitlyDenied");
    expect(
      await simulate(
        asRole(CENTRAL, STEP_ROLE),
        "sts:AssumeRole",
        `arn:aws:iam::${MEMBER}:role/custom`,
        policies({ MemberRoleName: "custom" }),
        {},
        allowAll,
      ),
    ).toBe("Allowed");
  });

  it("with OrganizationId, may assume member roles only in accounts of the organization (aws:ResourceOrgID)", async () => {
    const given = { OrganizationId: ORG };
    expect(await ask(MEMBER_ROLE, MEMBER, given, { "aws:ResourceOrgID": ORG })).toBe("Allowed");
    expect(await ask(MEMBER_ROLE, OTHER, given, { "aws:ResourceOrgID": "o-zzzzzzzzzz" })).toBe(
      "ImplicitlyDenied",
    );
    expect(await ask(MEMBER_ROLE, OTHER, given, {})).toBe("ImplicitlyDenied");
  });
});

describe("the central stack's other roles", () => {
  const targetsRole = (given: ParameterValues) => centralPolicies("iamroleFleetTargets", given);
  const asTargets = (
    action: string,
    resource: string,
    given: ParameterValues,
    context: Record<string, string> = {},
  ) => simulate(asRole(CENTRAL, "targets"), action, resource, targetsRole(given), context);
  const PARAM = `arn:aws:ssm:us-east-1:${CENTRAL}:parameter`;

  it("targets: reads the FleetTargets object when it is s3://, and no other object", async () => {
    const given = { FleetTargets: "s3://config-bucket/fleet/targets.json" };
    expect(
      await asTargets("s3:GetObject", "arn:aws:s3:::config-bucket/fleet/targets.json", given),
    ).toBe("Allowed");
    expect(
      await asTargets("s3:GetObject", "arn:aws:s3:::config-bucket/fleet/other.json", given),
    ).toBe("ImplicitlyDenied");
    expect(await asTargets("ssm:GetParameter", `${PARAM}/fleet-targets`, given)).toBe(
      "ImplicitlyDenied",
    );
  });

  it("targets: reads the FleetTargets parameter when it is ssm:NAME or ssm:/PATH, and no other", async () => {
    expect(
      await asTargets("ssm:GetParameter", `${PARAM}/fleet-targets`, {
        FleetTargets: "ssm:fleet-targets",
      }),
    ).toBe("Allowed");
    expect(
      await asTargets("ssm:GetParameter", `${PARAM}/snapshots/fleet`, {
        FleetTargets: "ssm:/snapshots/fleet",
      }),
    ).toBe("Allowed");
    expect(
      await asTargets("ssm:GetParameter", `${PARAM}/other`, { FleetTargets: "ssm:fleet-targets" }),
    ).toBe("ImplicitlyDenied");
    expect(
      await asTargets("s3:GetObject", "arn:aws:s3:::config-bucket/x.json", {
        FleetTargets: "ssm:fleet-targets",
      }),
    ).toBe("ImplicitlyDenied");
  });

  it("targets: reads nothing for an inline document, lists the organization only with OrganizationalUnitIds", async () => {
    const inline = { FleetTargets: '[{"account":"444444444444","region":"eu-west-1"}]' };
    const actions = targetsRole(inline).flatMap((p) =>
      p.document.Statement.flatMap((s) => [s.Action].flat()),
    );
    expect(actions.sort()).toEqual(["logs:CreateLogStream", "logs:PutLogEvents", "s3:PutObject"]);
    const ous = { FleetTargets: "", OrganizationalUnitIds: "ou-ab12-cdefgh34" };
    for (const action of [
      "organizations:ListAccountsForParent",
      "organizations:ListOrganizationalUnitsForParent",
    ]) {
      expect(await asTargets(action, "*", ous), action).toBe("Allowed");
      expect(await asTargets(action, "*", inline), action).toBe("ImplicitlyDenied");
    }
    for (const action of [
      "organizations:CreateAccount",
      "organizations:ListAccounts",
      "organizations:DescribeAccount",
    ]) {
      expect(await asTargets(action, "*", ous), action).toBe("ImplicitlyDenied");
    }
  });

  it("targets: writes targets lists only under targets/", async () => {
    expect(
      await asTargets("s3:PutObject", `arn:aws:s3:::${RESULTS}/targets/take/run.json`, {}),
    ).toBe("Allowed");
    expect(
      await asTargets("s3:PutObject", `arn:aws:s3:::${RESULTS}/reports/take/run.json`, {}),
    ).toBe("ImplicitlyDenied");
  });

  it("report: reads results and targets, writes reports only", async () => {
    const report = centralPolicies("iamroleFleetReport");
    const ask = (action: string, key: string) =>
      simulate(asRole(CENTRAL, "report"), action, `arn:aws:s3:::${RESULTS}/${key}`, report);
    expect(await ask("s3:GetObject", "results/run/manifest.json")).toBe("Allowed");
    expect(await ask("s3:GetObject", "targets/take/run.json")).toBe("Allowed");
    expect(await ask("s3:PutObject", "reports/take/run.json")).toBe("Allowed");
    expect(await ask("s3:PutObject", "results/run/manifest.json")).toBe("ImplicitlyDenied");
    expect(await ask("s3:DeleteObject", "reports/take/run.json")).toBe("ImplicitlyDenied");
  });

  it("state machine: invokes the three fleet functions, reads targets, writes results, runs its own child executions", async () => {
    const role = centralPolicies("iamroleFleetStateExecution");
    const ask = (action: string, resource: string) =>
      simulate(asRole(CENTRAL, "states"), action, resource, role);
    const fn = (id: string) => `arn:aws:lambda:us-east-1:${CENTRAL}:function:${id}`;
    for (const id of ["lambdaFleetTargets", "lambdaFleetStep", "lambdaFleetReport"]) {
      expect(await ask("lambda:InvokeFunction", fn(id)), id).toBe("Allowed");
    }
    expect(await ask("lambda:InvokeFunction", fn("somethingElse"))).toBe("ImplicitlyDenied");
    expect(await ask("s3:GetObject", `arn:aws:s3:::${RESULTS}/targets/take/run.json`)).toBe(
      "Allowed",
    );
    for (const action of [
      "s3:PutObject",
      "s3:GetObject",
      "s3:ListMultipartUploadParts",
      "s3:AbortMultipartUpload",
    ]) {
      expect(
        await ask(action, `arn:aws:s3:::${RESULTS}/results/run/SUCCEEDED_0.json`),
        action,
      ).toBe("Allowed");
    }
    expect(await ask("s3:PutObject", `arn:aws:s3:::${RESULTS}/targets/take/run.json`)).toBe(
      "ImplicitlyDenied",
    );
    expect(await ask("states:StartExecution", SM_ARN)).toBe("Allowed");
    expect(await ask("states:StartExecution", `${SM_ARN}-other`)).toBe("ImplicitlyDenied");
    const execution = `arn:aws:states:us-east-1:${CENTRAL}:execution:stateMachineFleetAurora:run-1`;
    expect(await ask("states:DescribeExecution", execution)).toBe("Allowed");
    expect(await ask("states:StopExecution", execution)).toBe("Allowed");
    const child = `arn:aws:states:us-east-1:${CENTRAL}:execution:stateMachineFleetAurora/Targets:0f9a`;
    expect(await ask("states:DescribeExecution", child)).toBe("Allowed");
    expect(await ask("states:StopExecution", child)).toBe("Allowed");
    expect(
      await ask("states:StopExecution", execution.replace("stateMachineFleetAurora", "another")),
    ).toBe("ImplicitlyDenied");
  });

  it.each(["iamroleFleetStateExecution", "iamroleFleetStepInvocation"])(
    "%s: assumable only by its service, for this account",
    (role) => {
      const trust = renderDeep(
        central(),
        fleet.Resources[role]!.Properties?.["AssumeRolePolicyDocument"],
      ) as PolicyDocument;
      expect(trust.Statement).toHaveLength(1);
      expect(trust.Statement[0]!.Condition).toEqual({
        StringEquals: { "aws:SourceAccount": CENTRAL },
      });
    },
  );
});

describe("IAM statements of the fleet templates", () => {
  const statementsOf = (policies: AttachedPolicy[]): PolicyStatement[] =>
    policies.flatMap((p) => [...p.document.Statement]);
  const everything = () => [
    ...[
      "iamroleFleetTargets",
      "iamroleFleetStep",
      "iamroleFleetReport",
      "iamroleFleetStateExecution",
      "iamroleFleetStepInvocation",
    ].flatMap((r) =>
      statementsOf(
        centralPolicies(r, {
          FleetTargets: "s3://b/k",
          OrganizationalUnitIds: "r-ab12",
          OrganizationId: ORG,
        }),
      ),
    ),
    ...statementsOf(
      rolePolicies(
        memberStack({
          OrganizationId: ORG,
          DestinationEventBusArn: `arn:aws:events:us-east-1:${DEST}:event-bus/shares`,
        }),
        "iamroleFleetMember",
      ),
    ),
  ];
  const MAY_USE_STAR = /^(rds:Describe[A-Za-z]*|kms:DescribeKey|organizations:List[A-Za-z]*)$/;

  it("grant '*' only to Describe and Organizations read calls, never to an action that changes something", () => {
    for (const s of everything()) {
      const resources = [s.Resource ?? []].flat();
      if (!resources.includes("*")) continue;
      for (const action of [s.Action ?? []].flat()) expect(action, s.Sid).toMatch(MAY_USE_STAR);
    }
  });

  it("use no wildcard actions and no NotAction / NotResource", () => {
    for (const s of everything()) {
      for (const action of [s.Action ?? []].flat()) expect(action, s.Sid).not.toContain("*");
      expect(s.NotAction, s.Sid).toBeUndefined();
      expect(s.NotResource, s.Sid).toBeUndefined();
    }
  });
});

/*
 * The member role against the real steps: take, share and prune bound from the fleet step
 * function's env (as the stack renders it, DEST_ACCOUNT set), run in a member account and region
 * on the in-memory RDS for nine days, every request evaluated against the member role.
 */
describe("the member role against the steps' requests", () => {
  const DAYS = 9;
  const sim = new IamTracingRds({ now: new Date("2026-03-01T00:00:00Z") });
  const memberGiven = { OrganizationId: ORG, DestinationAccount: DEST };
  const policies = rolePolicies(memberStack(memberGiven), "iamroleFleetMember");
  const env = {
    ...functionEnv(central({ DestinationAccount: DEST }), "lambdaFleetStep"),
    // The step runs in the target's region, not the central stack's.
    AWS_REGION: TARGET_REGION,
  };
  const functions: DeployedFunction[] = (["take", "share", "prune"] as const).map((step) => ({
    stack: "source",
    step,
    fn: `fleet-${step}`,
    role: "iamroleFleetMember",
    account: MEMBER,
    env,
    policies,
  }));
  let verdicts: Verdict[] = [];

  beforeAll(async () => {
    const key = sim.addKey({
      account: MEMBER,
      region: TARGET_REGION,
      alias: "snapshots",
      usableBy: [DEST],
    });
    sim.addCluster({ account: MEMBER, region: TARGET_REGION, id: "orders", kmsKeyId: key });
    sim.addCluster({
      account: MEMBER,
      region: TARGET_REGION,
      id: "reports",
      engine: "aurora-mysql",
    });
    await runFunctions(sim, functions, DAYS);
    verdicts = await evaluate(sim.requests, functions);
  }, 120_000);

  it("sees the steps take, share and prune", () => {
    const actions = new Set(verdicts.map((v) => v.request.action));
    for (const action of [
      "rds:CreateDBClusterSnapshot",
      "rds:ModifyDBClusterSnapshotAttribute",
      "rds:DeleteDBClusterSnapshot",
    ]) {
      expect(actions.has(action), action).toBe(true);
    }
  });

  it("allows every request", () => {
    expect(denials(verdicts)).toEqual([]);
  });

  it("grants nothing the steps do not use (one role serves the three steps)", () => {
    // Per function, a step leaves the other steps' statements unused: the role is used as a whole.
    const unused = unusedGrants([{ functions, verdicts }], {}).map((line) =>
      line.replace(/^[a-z-]+: /, ""),
    );
    const byLine = new Map<string, number>();
    for (const line of unused) byLine.set(line, (byLine.get(line) ?? 0) + 1);
    expect([...byLine].filter(([, n]) => n === functions.length).map(([line]) => line)).toEqual([]);
  });

  const request = (
    action: string,
    resource: string,
    context: Record<string, string | string[]> = {},
  ): IamRequest => ({
    step: "prune",
    account: MEMBER,
    region: TARGET_REGION,
    operation: "(synthetic)",
    action,
    resource,
    resourceAccount: resource.split(":")[4] || MEMBER,
    context,
    origin: "modelled",
    what: action,
  });
  const results = async (requests: IamRequest[]) =>
    (await evaluate(requests, [{ ...functions[2]!, step: "prune" }])).map(
      (v) => `${v.request.action} ${v.request.resource.split(":").pop()} -> ${v.result}`,
    );
  const toolTags = {
    "rds:cluster-snapshot-tag/CreatedBy": TOOL,
    "aws:ResourceTag/CreatedBy": TOOL,
  };

  it("refuses to delete, share or mark a snapshot that is not the tool's, or another account's", async () => {
    const mine = snapshotArn(MEMBER, TARGET_REGION, "orders-2026-03-01-01-00");
    const manual = snapshotArn(MEMBER, TARGET_REGION, "before-upgrade");
    const elsewhere = snapshotArn(OTHER, TARGET_REGION, "orders-2026-03-01-01-00");
    expect(
      await results([
        request("rds:DeleteDBClusterSnapshot", mine, toolTags),
        request("rds:DeleteDBClusterSnapshot", manual),
        request("rds:DeleteDBClusterSnapshot", manual, {
          "rds:cluster-snapshot-tag/CreatedBy": "someone",
        }),
        request("rds:DeleteDBClusterSnapshot", elsewhere, toolTags),
        request("rds:ModifyDBClusterSnapshotAttribute", manual),
        request("rds:AddTagsToResource", manual, {
          "aws:RequestTag/SnapshotToolSharedWith": DEST,
          "aws:TagKeys": ["SnapshotToolSharedWith"],
        }),
        request("rds:AddTagsToResource", mine, {
          ...toolTags,
          "aws:RequestTag/SnapshotToolSharedWith": OTHER,
          "aws:TagKeys": ["SnapshotToolSharedWith"],
        }),
      ]),
    ).toEqual([
      "rds:DeleteDBClusterSnapshot orders-2026-03-01-01-00 -> Allowed",
      "rds:DeleteDBClusterSnapshot before-upgrade -> ImplicitlyDenied",
      "rds:DeleteDBClusterSnapshot before-upgrade -> ImplicitlyDenied",
      "rds:DeleteDBClusterSnapshot orders-2026-03-01-01-00 -> ImplicitlyDenied",
      "rds:ModifyDBClusterSnapshotAttribute before-upgrade -> ImplicitlyDenied",
      "rds:AddTagsToResource before-upgrade -> ImplicitlyDenied",
      "rds:AddTagsToResource orders-2026-03-01-01-00 -> ImplicitlyDenied",
    ]);
  });

  it("refuses to create a snapshot without the tool's tags or name shape, and to copy at all", async () => {
    const cluster = `arn:aws:rds:${TARGET_REGION}:${MEMBER}:cluster:orders`;
    const tagged = {
      "aws:RequestTag/CreatedBy": TOOL,
      "aws:TagKeys": ["CreatedBy", "CreatedOn", "shareAndCopy"],
    };
    expect(
      await results([
        request("rds:CreateDBClusterSnapshot", cluster, tagged),
        request("rds:CreateDBClusterSnapshot", cluster, {
          "aws:RequestTag/Owner": "me",
          "aws:TagKeys": ["Owner"],
        }),
        request(
          "rds:CreateDBClusterSnapshot",
          snapshotArn(MEMBER, TARGET_REGION, "my-own-name"),
          tagged,
        ),
        request(
          "rds:CopyDBClusterSnapshot",
          snapshotArn(MEMBER, TARGET_REGION, "orders-2026-03-01-01-00"),
          tagged,
        ),
      ]),
    ).toEqual([
      "rds:CreateDBClusterSnapshot orders -> Allowed",
      "rds:CreateDBClusterSnapshot orders -> ImplicitlyDenied",
      "rds:CreateDBClusterSnapshot my-own-name -> ImplicitlyDenied",
      "rds:CopyDBClusterSnapshot orders-2026-03-01-01-00 -> ImplicitlyDenied",
    ]);
  });

  it("lets share put events only on DestinationEventBusArn, and only when it is set", () => {
    const bus = `arn:aws:events:us-east-1:${DEST}:event-bus/shares`;
    const grants = (given: ParameterValues) =>
      rolePolicies(memberStack({ OrganizationId: ORG, ...given }), "iamroleFleetMember")
        .flatMap((p) => p.document.Statement)
        .filter((s) => [s.Action].flat().includes("events:PutEvents"));
    expect(grants({})).toEqual([]);
    expect(grants({ DestinationEventBusArn: bus }).map((s) => s.Resource)).toEqual([bus]);
  });
});
