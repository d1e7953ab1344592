import { readFileSync } from "node:fs";

import { describe, expect, it } from "vitest";

import {
  loadTemplate,
  renderString,
  type CfnTemplate,
  type TemplateName,
} from "../src/templates.js";
import {
  activeResources,
  evaluateConditions,
  parameterValues,
  PSEUDO_PARAMETERS,
  resolveConditionals,
  type ParameterValues,
} from "./support/cfn-conditions.js";
import { ASSURANCE } from "./support/assurance-contract.js";
import { deployStack, renderDeep, roleOf, rolePolicies } from "./support/cfn-iam.js";
import { evaluate, type DeployedFunction } from "./support/iam-coverage.js";
import type { IamRequest } from "./support/iam-trace.js";
import { stepsOf } from "./support/original-contract.js";

const templates: Record<TemplateName, CfnTemplate> = {
  source: loadTemplate("source"),
  dest: loadTemplate("dest"),
};
const REQUIRED: Record<TemplateName, ParameterValues> = {
  source: { CodeBucket: "code-bucket" },
  dest: { CodeBucket: "code-bucket", DestinationRegion: "us-west-2" },
};
const TOOL = "Snapshot Tool for Aurora";

interface Statement {
  readonly Sid?: string;
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
}

/** One identity-policy statement of a deployed stack, with intrinsics rendered to strings. */
interface RenderedStatement {
  readonly role: string;
  readonly sid: string;
  readonly actions: string[];
  readonly resources: string[];
  readonly condition?: Record<string, Record<string, unknown>>;
}

/**
 * Every statement of every role's inline policies and of the AWS::IAM::Policy resources attached
 * to a role, as deployed with these parameter values: Fn::If resolved, AWS::NoValue dropped,
 * Ref/GetAtt/Sub rendered (`<logicalId>` for resources).
 */
function statements(name: TemplateName, given: ParameterValues = {}): RenderedStatement[] {
  const template = templates[name];
  const values = parameterValues(template, { ...REQUIRED[name], ...given });
  const holds = evaluateConditions(template, values);
  const resolve = (ref: string, attribute?: string) =>
    values[ref] ??
    PSEUDO_PARAMETERS[ref] ??
    (attribute === undefined ? `<${ref}>` : `<${ref}.${attribute}>`);
  const stack = deployStack(
    template,
    { ...REQUIRED[name], ...given },
    { account: PSEUDO_PARAMETERS["AWS::AccountId"]!, region: PSEUDO_PARAMETERS["AWS::Region"]! },
  );
  // A list of ARNs built by Fn::Split (verify's, one Fn::Sub per statement) renders to a list.
  const render = (r: unknown, where: string): string[] =>
    typeof r === "object" && r !== null && "Fn::Split" in r
      ? (renderDeep(stack, r, where) as string[])
      : [renderString(r, resolve, where)];
  const out: RenderedStatement[] = [];
  for (const id of activeResources(template, { ...REQUIRED[name], ...given })) {
    const found = resolveConditionals(template.Resources[id], holds) as {
      Type: string;
      Properties: {
        Policies?: { PolicyDocument: { Statement: Statement[] } }[];
        PolicyDocument?: { Statement: Statement[] };
        Roles?: { Ref: string }[];
      };
    };
    let attached: { role: string; document: { Statement: Statement[] } }[];
    if (found.Type === "AWS::IAM::Role") {
      attached = (found.Properties.Policies ?? []).map((p) => ({
        role: id,
        document: p.PolicyDocument,
      }));
    } else if (found.Type === "AWS::IAM::Policy" && found.Properties.PolicyDocument) {
      const document = found.Properties.PolicyDocument;
      attached = (found.Properties.Roles ?? []).map((r) => ({ role: r.Ref, document }));
    } else {
      continue;
    }
    for (const { role, document } of attached) {
      for (const s of document.Statement) {
        const resources = Array.isArray(s.Resource) ? s.Resource : [s.Resource];
        out.push({
          role,
          sid: s.Sid ?? "",
          actions: typeof s.Action === "string" ? [s.Action] : s.Action,
          resources: resources.flatMap((r) => render(r, `${id}.${s.Sid}`)),
          ...(s.Condition !== undefined && { condition: s.Condition }),
        });
      }
    }
  }
  return out;
}

/** The kms:ViaService values of the statements, rendered as deployed (all must agree). */
function viaServices(found: readonly { condition?: unknown }[], given: ParameterValues): string[] {
  const stack = deployStack(templates.dest, given, {
    account: PSEUDO_PARAMETERS["AWS::AccountId"]!,
    region: PSEUDO_PARAMETERS["AWS::Region"]!,
  });
  const lists = found.map((s) =>
    renderDeep(
      stack,
      (s.condition as Record<string, Record<string, unknown>>)["StringEquals"]?.["kms:ViaService"],
    ),
  );
  for (const list of lists) expect(list).toEqual(lists[0]);
  return lists[0] as string[];
}

function grantsOf(name: TemplateName, action: string, given: ParameterValues = {}) {
  return statements(name, given).filter((s) => s.actions.includes(action));
}

/** Read-only calls that may name every resource ("*"). */
const MAY_USE_STAR = /^(rds:Describe[A-Za-z]*|kms:DescribeKey)$/;

describe.each(["source", "dest"] as const)("IAM in the %s template", (name) => {
  it("grants '*' only to Describe calls, never to an action that changes something", () => {
    const wide = statements(name).filter(
      (s) => s.resources.includes("*") && s.actions.some((a) => !MAY_USE_STAR.test(a)),
    );
    expect(wide).toEqual([]);
  });

  // The copy role used to grant kms:ReEncrypt* and kms:GenerateDataKey*; it now names the
  // operations RDS performs (ReEncryptFrom/To, GenerateDataKey[WithoutPlaintext]), so the IAM
  // coverage test can tell a used grant from a leftover (the *Pair variants never were used).
  it("uses no wildcard actions", () => {
    const actions = statements(name).flatMap((s) => s.actions);
    expect(actions.filter((a) => a.includes("*"))).toEqual([]);
  });

  it.each(stepsOf(name))("gives $step its own role", ({ fn }) => {
    const role = (templates[name].Resources[fn]?.Properties?.["Role"] ?? {}) as Record<
      string,
      [string, string]
    >;
    const roleId = role["Fn::GetAtt"]?.[0] ?? "";
    const users = Object.values(templates[name].Resources).filter((r) =>
      JSON.stringify(r.Properties?.["Role"] ?? null).includes(`"${roleId}"`),
    );
    expect(users).toHaveLength(1);
    expect(templates[name].Resources[roleId]?.Condition).toBe(
      templates[name].Resources[fn]?.Condition,
    );
  });

  it.each(stepsOf(name))("lets $step write only to its own log group", ({ fn }) => {
    const properties = templates[name].Resources[fn]?.Properties ?? {};
    const group = (properties["LoggingConfig"] as { LogGroup: { Ref: string } }).LogGroup.Ref;
    const role = (properties["Role"] as { "Fn::GetAtt": [string, string] })["Fn::GetAtt"][0];
    const logs = statements(name).filter(
      (s) => s.role === role && s.actions.some((a) => a.startsWith("logs:")),
    );
    expect(logs).toEqual([
      {
        role,
        sid: "WriteOwnLogs",
        actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
        resources: [`<${group}.Arn>`],
      },
    ]);
  });

  it("lets the state machines invoke exactly the functions that exist", () => {
    const cases: ParameterValues[] =
      name === "source"
        ? [{}, { ShareSnapshots: "FALSE" }, { DeleteOldSnapshots: "FALSE" }]
        : [{}, { DeleteOldSnapshots: "FALSE" }];
    for (const given of cases) {
      const active = new Set(activeResources(templates[name], { ...REQUIRED[name], ...given }));
      const functions = stepsOf(name)
        .filter((s) => active.has(s.fn))
        .map((s) => `<${s.fn}.Arn>`);
      const machines = stepsOf(name)
        .filter((s) => active.has(s.stateMachine))
        .map((s) => `<${s.stateMachine}>`);
      expect(grantsOf(name, "lambda:InvokeFunction", given)).toEqual([
        {
          role: "iamroleStateExecution",
          sid: "InvokeToolFunctions",
          actions: ["lambda:InvokeFunction"],
          resources: functions,
        },
      ]);
      expect(grantsOf(name, "states:StartExecution", given)).toEqual([
        {
          role: "iamroleStepInvocation",
          sid: "StartToolStateMachines",
          actions: ["states:StartExecution"],
          resources: machines,
        },
      ]);
    }
  });

  it("lets the state-machine and events roles be assumed only by their service, for this account", () => {
    const trust = (id: string) =>
      (
        templates[name].Resources[id]?.Properties?.["AssumeRolePolicyDocument"] as {
          Statement: unknown[];
        }
      ).Statement;
    expect(trust("iamroleStateExecution")).toEqual([
      {
        Effect: "Allow",
        Principal: { Service: "states.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "aws:SourceAccount": { Ref: "AWS::AccountId" } } },
      },
    ]);
    expect(trust("iamroleStepInvocation")).toEqual([
      {
        Effect: "Allow",
        Principal: { Service: "events.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "aws:SourceAccount": { Ref: "AWS::AccountId" } } },
      },
    ]);
  });

  it("creates a topic policy only for the topic it creates", () => {
    const policies = Object.values(templates[name].Resources).filter(
      (r) => r.Type === "AWS::SNS::TopicPolicy",
    );
    expect(policies).toHaveLength(1);
    expect(policies[0]?.Condition).toBe("SNSTopicIsEmpty");
  });

  it("lets CloudWatch publish to the topic only for this account's alarms", () => {
    const policy = Object.values(templates[name].Resources).find(
      (r) => r.Type === "AWS::SNS::TopicPolicy",
    );
    const document = policy?.Properties?.["PolicyDocument"] as { Statement: Statement[] };
    const alarms = document.Statement.filter((s) =>
      JSON.stringify(s).includes("cloudwatch.amazonaws.com"),
    );
    expect(alarms).toMatchObject([
      {
        Action: "sns:Publish",
        Condition: {
          StringEquals: { "aws:SourceAccount": { Ref: "AWS::AccountId" } },
          ArnLike: {
            "aws:SourceArn": {
              "Fn::Sub":
                "arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:*",
            },
          },
        },
      },
    ]);
    expect(JSON.stringify(document)).not.toContain('"AWS":"*"');
  });
});

describe("IAM in the source template", () => {
  const snapshots = (region: string) => `arn:aws:rds:${region}:123456789012:cluster-snapshot:*`;
  const clusters = (region: string) => `arn:aws:rds:${region}:123456789012:cluster:*`;
  /** Snapshots named as take names them: [PREFIX-]CLUSTER-YYYY-MM-DD-HH-MM. */
  const toolNamed = (region: string) =>
    `arn:aws:rds:${region}:123456789012:cluster-snapshot:*-????-??-??-??-??`;

  it("creates snapshots only of this account's clusters in the stack's region, named as the tool names them", () => {
    expect(grantsOf("source", "rds:CreateDBClusterSnapshot")).toMatchObject([
      {
        role: "iamroleTakeSnapshotsAurora",
        resources: [clusters("us-east-1"), toolNamed("us-east-1")],
      },
    ]);
  });

  // Tags on create are authorized as AddTagsToResource: take may write only its own three keys
  // with CreatedBy set, share only the SnapshotToolSharedWith marker (to the destination account)
  // on the tool's own snapshots. Before issue 10 share could not write the marker at all.
  it("tags only with the tool's keys: take its new snapshots, share its marker", () => {
    const takeKeys = {
      StringEquals: { "aws:RequestTag/CreatedBy": TOOL },
      "ForAllValues:StringEquals": { "aws:TagKeys": ["CreatedBy", "CreatedOn", "shareAndCopy"] },
    };
    expect(grantsOf("source", "rds:CreateDBClusterSnapshot")).toMatchObject([
      { condition: takeKeys },
    ]);
    const tagging = grantsOf("source", "rds:AddTagsToResource");
    expect(tagging.sort((a, b) => b.role.localeCompare(a.role))).toEqual([
      {
        role: "iamroleTakeSnapshotsAurora",
        sid: "TagNewSnapshots",
        actions: ["rds:AddTagsToResource"],
        resources: [toolNamed("us-east-1")],
        condition: takeKeys,
      },
      {
        role: "iamroleShareSnapshotsAurora",
        sid: "MarkSharedSnapshots",
        actions: ["rds:AddTagsToResource"],
        resources: [snapshots("us-east-1")],
        condition: {
          StringEquals: { "rds:cluster-snapshot-tag/CreatedBy": TOOL },
          StringLike: { "aws:RequestTag/SnapshotToolSharedWith": expect.anything() },
          StringNotLike: { "aws:RequestTag/SnapshotToolSharedWith": ["*  *", "* "] },
          StringEqualsIfExists: { "aws:RequestTag/SnapshotToolSharedWith2": expect.anything() },
          "ForAllValues:StringEquals": {
            "aws:TagKeys": ["SnapshotToolSharedWith", "SnapshotToolSharedWith2"],
          },
        },
      },
    ]);
  });

  // The marker's values as deployed: each account alone or first of several (sorted, the
  // smallest id is first), and the second tag exactly one of them.
  it.each([
    ["222222222222", ["222222222222", "222222222222 *"], ["222222222222"]],
    [
      "222222222222,333333333333",
      ["222222222222", "333333333333", "222222222222 *", "333333333333 *"],
      ["222222222222", "333333333333"],
    ],
  ])("conditions share's marker on DestinationAccount=%s", (accounts, first, second) => {
    const [mark] = grantsOf("source", "rds:AddTagsToResource", {
      DestinationAccount: accounts,
    }).filter((s) => s.sid === "MarkSharedSnapshots");
    const stack = deployStack(
      templates.source,
      { ...REQUIRED.source, DestinationAccount: accounts },
      { account: PSEUDO_PARAMETERS["AWS::AccountId"]!, region: PSEUDO_PARAMETERS["AWS::Region"]! },
    );
    const condition = renderDeep(stack, mark?.condition) as Record<string, Record<string, unknown>>;
    expect(condition["StringLike"]?.["aws:RequestTag/SnapshotToolSharedWith"]).toEqual(first);
    expect(condition["StringEqualsIfExists"]?.["aws:RequestTag/SnapshotToolSharedWith2"]).toEqual(
      second,
    );
  });

  it("treats an empty or any-case NO SourceRegionOverride as no override, as the functions do", () => {
    for (const none of ["", "NO", "no", "No"]) {
      expect(
        grantsOf("source", "rds:DeleteDBClusterSnapshot", { SourceRegionOverride: none })[0]
          ?.resources,
      ).toEqual([snapshots("us-east-1")]);
    }
  });

  it("acts in SourceRegionOverride's region when it is set", () => {
    const given = { SourceRegionOverride: "eu-west-1" };
    const mutating = statements("source", given).filter((s) =>
      s.actions.some((a) => a.startsWith("rds:") && !MAY_USE_STAR.test(a)),
    );
    expect(mutating.length).toBeGreaterThanOrEqual(4);
    for (const s of mutating) {
      for (const arn of s.resources) expect(arn).toMatch(/^arn:aws:rds:eu-west-1:123456789012:/);
    }
  });

  it("deletes only snapshots tagged CreatedBy=Snapshot Tool for Aurora", () => {
    expect(grantsOf("source", "rds:DeleteDBClusterSnapshot")).toEqual([
      {
        role: "iamroleDeleteOldSnapshotsAurora",
        sid: "DeleteOwnSnapshots",
        actions: ["rds:DeleteDBClusterSnapshot"],
        resources: [snapshots("us-east-1")],
        condition: { StringEquals: { "rds:cluster-snapshot-tag/CreatedBy": TOOL } },
      },
    ]);
  });

  it("shares only snapshots tagged CreatedBy=Snapshot Tool for Aurora", () => {
    expect(grantsOf("source", "rds:ModifyDBClusterSnapshotAttribute")).toEqual([
      {
        role: "iamroleShareSnapshotsAurora",
        sid: "ShareOwnSnapshots",
        actions: ["rds:ModifyDBClusterSnapshotAttribute"],
        resources: [snapshots("us-east-1")],
        condition: { StringEquals: { "rds:cluster-snapshot-tag/CreatedBy": TOOL } },
      },
    ]);
  });

  it("never copies and never touches KMS keys beyond reading them", () => {
    const actions = statements("source").flatMap((s) => s.actions);
    expect(actions).not.toContain("rds:CopyDBClusterSnapshot");
    expect(new Set(actions.filter((a) => a.startsWith("kms:")))).toEqual(
      new Set(["kms:DescribeKey"]),
    );
  });
});

describe("IAM in the dest template", () => {
  const own = "arn:aws:rds:*:123456789012:cluster-snapshot:*";
  const anyAccount = "arn:aws:rds:*:*:cluster-snapshot:*";
  const keys = "arn:aws:kms:*:*:key/*";

  /** The copy grants apart from the presigned source-region requests (tagless, tool-made sources). */
  const copyGrants = (given: Record<string, string> = {}) =>
    grantsOf("dest", "rds:CopyDBClusterSnapshot", given).filter(
      (s) => !s.sid.startsWith("Presigned"),
    );

  it("copies into this account in any region, from another account's shared snapshot", () => {
    expect(copyGrants()).toMatchObject([
      { role: "iamroleCopySnapshotsAurora", resources: [own, anyAccount] },
    ]);
  });

  it("copies only this account's snapshots when CrossAccountCopy is FALSE", () => {
    expect(copyGrants({ CrossAccountCopy: "FALSE" })).toMatchObject([
      { role: "iamroleCopySnapshotsAurora", resources: [own] },
    ]);
  });

  it("allows the presigned source-region request only without tags, from the tool's own snapshots", () => {
    const presigned = (given: ParameterValues = {}) =>
      grantsOf("dest", "rds:CopyDBClusterSnapshot", given).filter(
        (s) => s.sid.startsWith("PresignedCopyOf") && s.sid !== "PresignedCopyOfSharedSnapshots",
      );
    const cases: ParameterValues[] = [{}, { CrossAccountCopy: "FALSE" }];
    for (const given of cases) {
      expect(presigned(given).map((s) => s.resources)).toEqual([[own], [own]]);
      expect(presigned(given).map((s) => s.condition)).toEqual([
        {
          Null: { "aws:TagKeys": "true" },
          StringEquals: { "rds:cluster-snapshot-tag/CopiedBy": TOOL },
        },
        {
          Null: { "aws:TagKeys": "true" },
          StringEquals: { "rds:cluster-snapshot-tag/CreatedBy": TOOL },
        },
      ]);
    }
  });

  // COPY_MODE single-step (auto's first try): the presigned request names the snapshot shared in,
  // in its owner's account, and RDS evaluates it in the region that snapshot is in (the local
  // one). Tagless and never in this account, so it cannot make a copy here.
  describe("the presigned request of a single-step copy (PresignedCopyOfSharedSnapshots)", () => {
    const shared = (given: ParameterValues = {}) =>
      grantsOf("dest", "rds:CopyDBClusterSnapshot", given).filter(
        (s) => s.sid === "PresignedCopyOfSharedSnapshots",
      );
    /** The statement's condition with its intrinsics rendered as deployed. */
    const renderedCondition = (given: ParameterValues) => {
      const [statement] = shared(given);
      const stack = deployStack(
        templates.dest,
        { ...REQUIRED.dest, ...given },
        {
          account: PSEUDO_PARAMETERS["AWS::AccountId"]!,
          region: PSEUDO_PARAMETERS["AWS::Region"]!,
        },
      );
      return renderDeep(stack, statement?.condition);
    };
    const tagless = { Null: { "aws:TagKeys": "true" } };
    const notThisAccount = { StringNotEquals: { "aws:ResourceAccount": "123456789012" } };

    it("is allowed only without tags, on another account's snapshots in the local region", () => {
      expect(shared()).toEqual([
        {
          role: "iamroleCopySnapshotsAurora",
          sid: "PresignedCopyOfSharedSnapshots",
          actions: ["rds:CopyDBClusterSnapshot"],
          resources: ["arn:aws:rds:us-east-1:*:cluster-snapshot:*"],
          condition: {
            ...tagless,
            StringNotEquals: { "aws:ResourceAccount": { Ref: "AWS::AccountId" } },
          },
        },
      ]);
      expect(renderedCondition({})).toEqual({ ...tagless, ...notThisAccount });
    });

    it("names only the SourceAccounts, when set, and only the local region", () => {
      const given = { SourceAccounts: "111111111111,333333333333" };
      expect(shared(given).map((s) => s.resources)).toEqual([
        ["arn:aws:rds:us-east-1:*:cluster-snapshot:*"],
      ]);
      expect(renderedCondition(given)).toEqual({
        ...tagless,
        ...notThisAccount,
        StringEquals: { "aws:ResourceAccount": ["111111111111", "333333333333"] },
      });
      expect(renderedCondition({ SourceAccounts: "111111111111" })).toMatchObject({
        StringEquals: { "aws:ResourceAccount": ["111111111111"] },
      });
    });

    it.each(["eu-west-1", "NO", "no", ""])(
      "names the region of the shared snapshots with SourceRegionOverride %j",
      (override) => {
        const region = /^(no)?$/i.test(override) ? "us-east-1" : override;
        expect(shared({ SourceRegionOverride: override }).map((s) => s.resources)).toEqual([
          [`arn:aws:rds:${region}:*:cluster-snapshot:*`],
        ]);
      },
    );

    it("is not granted with COPY_MODE two-step (whose presigned requests name this account's intermediate copies), nor with CrossAccountCopy FALSE", () => {
      expect(shared({ CopyMode: "single-step" })).toHaveLength(1);
      expect(shared({ CopyMode: "auto" })).toHaveLength(1);
      expect(shared({ CopyMode: "two-step" })).toEqual([]);
      expect(shared({ CrossAccountCopy: "FALSE" })).toEqual([]);
    });
  });

  it("tags only this account's snapshots", () => {
    expect(grantsOf("dest", "rds:AddTagsToResource")).toMatchObject([{ resources: [own] }]);
  });

  it("deletes only copies tagged CopiedBy=Snapshot Tool for Aurora", () => {
    const deletes = grantsOf("dest", "rds:DeleteDBClusterSnapshot");
    expect(deletes.map((s) => s.role).sort()).toEqual(
      ["iamroleCopySnapshotsAurora", "iamroleDeleteOldDestAurora"].sort(),
    );
    for (const s of deletes) {
      expect(s).toMatchObject({
        actions: ["rds:DeleteDBClusterSnapshot"],
        resources: [own],
        condition: { StringEquals: { "rds:cluster-snapshot-tag/CopiedBy": TOOL } },
      });
    }
  });

  // Before issue 10 the copy role could use any key directly (Encrypt/Decrypt/... without
  // kms:ViaService) and had ListGrants/RevokeGrant, which nothing uses. Now: DescribeKey directly
  // on this account's keys (the function checks them), everything else only through RDS in the
  // regions the copies are made in.
  it("uses KMS keys only through RDS, in the copy regions, except DescribeKey of its own keys and (cross-account) of shared snapshots' keys", () => {
    const kms = (given: ParameterValues = {}) =>
      statements("dest", given)
        .filter((s) => s.role === "iamroleCopySnapshotsAurora")
        .filter((s) => s.actions.some((a) => a.startsWith("kms:")))
        .map(({ role, actions, resources, condition }) => ({
          role,
          actions,
          resources,
          condition,
        }));
    const found = kms();
    expect(found.map((s) => s.actions)).toEqual([
      ["kms:DescribeKey"],
      ["kms:DescribeKey"],
      [
        "kms:Encrypt",
        "kms:Decrypt",
        "kms:ReEncryptFrom",
        "kms:ReEncryptTo",
        "kms:GenerateDataKey",
        "kms:GenerateDataKeyWithoutPlaintext",
        "kms:DescribeKey",
        "kms:RetireGrant",
      ],
      ["kms:CreateGrant"],
    ]);
    expect(new Set(found.map((s) => s.role))).toEqual(new Set(["iamroleCopySnapshotsAurora"]));
    expect(found[0]).toMatchObject({
      resources: ["arn:aws:kms:*:123456789012:key/*"],
      condition: undefined,
    });
    // Metadata of any account's key: the key of a snapshot shared in is the source account's.
    expect(found[1]).toMatchObject({ resources: ["arn:aws:kms:*:*:key/*"], condition: undefined });
    // Same account, nothing is shared in: no DescribeKey beyond the account's own keys.
    expect(kms({ CrossAccountCopy: "FALSE" }).filter((s) => s.actions.length === 1)).toHaveLength(
      2,
    );
    expect(found[2]?.resources).toEqual([keys]);
    expect(found[3]).toMatchObject({
      resources: [keys],
      condition: { Bool: { "kms:GrantIsForAWSResource": "true" } },
    });
    const services = (given: ParameterValues) =>
      viaServices(kms(given).slice(2), { ...REQUIRED.dest, ...given });
    expect(services({})).toEqual(["rds.us-east-1.amazonaws.com", "rds.us-west-2.amazonaws.com"]);
    expect(
      services({ DestinationRegion: "us-west-2, eu-west-1", SourceRegionOverride: "eu-central-1" }),
    ).toEqual([
      "rds.eu-central-1.amazonaws.com",
      "rds.us-west-2.amazonaws.com",
      "rds.eu-west-1.amazonaws.com",
    ]);
  });

  it("gives the prune-dest function no copy, tag or KMS permission", () => {
    const actions = statements("dest")
      .filter((s) => s.role === "iamroleDeleteOldDestAurora")
      .flatMap((s) => s.actions);
    expect(actions.sort()).toEqual(
      [
        "rds:DescribeDBClusterSnapshots",
        "rds:DeleteDBClusterSnapshot",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
      ].sort(),
    );
  });
});

describe("IAM of the loops and the share events", () => {
  const BUS = "arn:aws:events:us-east-1:222222222222:event-bus/snapshot-tool-dest-snapshots-shared";
  const machines = {
    source: "statemachineShareSnapshotsAurora",
    dest: "statemachineCopySnapshotsDestAurora",
  };

  it.each(["source", "dest"] as const)(
    "lets the %s loop list its own state machine's executions, and nothing else",
    (name) => {
      expect(grantsOf(name, "states:ListExecutions")).toEqual([
        {
          role: "iamroleStateExecution",
          sid: "ListOwnExecutions",
          actions: ["states:ListExecutions"],
          resources: [`<${machines[name]}>`],
        },
      ]);
    },
  );

  it("grants nothing for the share loop when ShareSnapshots is FALSE", () => {
    expect(grantsOf("source", "states:ListExecutions", { ShareSnapshots: "FALSE" })).toEqual([]);
  });

  // The state machine names the role (RoleArn); a grant inside the role naming the state machine
  // would make each wait for the other.
  it.each(["source", "dest"] as const)(
    "grants ListExecutions apart from the %s state-machine role, so neither waits for the other",
    (name) => {
      const role = JSON.stringify(templates[name].Resources["iamroleStateExecution"]);
      expect(role).not.toContain(machines[name]);
      const definition = JSON.stringify(
        templates[name].Resources[machines[name]]?.Properties?.["DefinitionString"],
      );
      expect(definition).not.toContain(`\${${machines[name]}}`);
      expect(definition).toContain("$$.StateMachine.Id");
    },
  );

  it("lets share put events only on DestinationEventBusArn, and only when it is set", () => {
    expect(grantsOf("source", "events:PutEvents")).toEqual([]);
    expect(grantsOf("source", "events:PutEvents", { DestinationEventBusArn: BUS })).toEqual([
      {
        role: "iamroleShareSnapshotsAurora",
        sid: "AnnounceShares",
        actions: ["events:PutEvents"],
        resources: [BUS],
      },
    ]);
  });

  it("refuses a DestinationEventBusArn that is not an event bus ARN", () => {
    const pattern = new RegExp(
      templates.source.Parameters["DestinationEventBusArn"]?.["AllowedPattern"] as string,
    );
    for (const good of ["", BUS, "arn:aws-us-gov:events:us-gov-west-1:222222222222:event-bus/b"]) {
      expect(pattern.test(good), good).toBe(true);
    }
    for (const bad of [
      "*",
      "arn:aws:events:us-east-1:222222222222:rule/x",
      "arn:aws:events:us-east-1:*:event-bus/x",
      "arn:aws:sns:us-east-1:222222222222:event-bus/x",
    ]) {
      expect(pattern.test(bad), bad).toBe(false);
    }
  });

  it("admits only the SourceAccounts to the destination's bus, and only their share events", () => {
    const policies = Object.entries(templates.dest.Resources).filter(
      ([, r]) => r.Type === "AWS::Events::EventBusPolicy",
    );
    expect(policies.map(([id]) => id)).toEqual(["eventBusPolicySnapshotsAuroraDest"]);
    const stack = deployStack(
      templates.dest,
      { ...REQUIRED.dest, SourceAccounts: "111111111111,333333333333" },
      { account: "222222222222", region: "us-east-1" },
    );
    expect(stack.active.has("eventBusPolicySnapshotsAuroraDest")).toBe(true);
    const properties = renderDeep(
      stack,
      templates.dest.Resources["eventBusPolicySnapshotsAuroraDest"]?.Properties,
    );
    expect(properties).toEqual({
      EventBusName: "snapshot-tool-snapshots-shared",
      StatementId: "SourceAccountsPutShareEvents",
      Statement: {
        Effect: "Allow",
        Principal: { AWS: ["111111111111", "333333333333"] },
        Action: "events:PutEvents",
        Resource: "arn:aws:events:us-east-1:222222222222:event-bus/snapshot-tool-snapshots-shared",
        Condition: {
          "ForAllValues:StringEquals": {
            "events:source": ["aurora-snapshot-tool"],
            "events:detail-type": ["Snapshots Shared"],
          },
        },
      },
    });
  });
});

/*
 * Recovery assurance: the status role reads only; the verify role (VerifyEnabled TRUE) creates
 * clusters and instances only with this deployment's marker tag and name shape, and deletes or
 * changes only what carries the marker. Evaluated with the IAM evaluator of the coverage test
 * (@cloud-copilot/iam-simulate) on the role as the template deploys it.
 */
describe.each(["source", "dest"] as const)(
  "IAM of recovery assurance in the %s template",
  (name) => {
    const a = ASSURANCE[name];
    const ACCOUNT = PSEUDO_PARAMETERS["AWS::AccountId"]!;
    const STACK = PSEUDO_PARAMETERS["AWS::StackName"]!;
    /** Where verify restores: the clusters' region at the source, VerifyRegion (or the first DR region) in DR. */
    const HERE = name === "source" ? "us-east-1" : "us-west-2";
    const SECRET = `arn:aws:secretsmanager:${HERE}:${ACCOUNT}:secret:verify-db-AbCdEf`;
    const CHECK = `arn:aws:lambda:${HERE}:${ACCOUNT}:function:my-check`;
    const enabled = { VerifyEnabled: "TRUE" };
    const everything = { ...enabled, VerifySecretArn: SECRET, VerifyCheckLambdaArn: CHECK };

    const rds = (kind: string, id: string, region = HERE) =>
      `arn:aws:rds:${region}:${ACCOUNT}:${kind}:${id}`;
    const marker = (value = STACK) => ({
      "aws:RequestTag/SnapshotToolVerification": value,
      "aws:TagKeys": ["SnapshotToolVerification"],
    });
    /** A key's default policy: IAM policies of the account decide (as for the tool's own keys). */
    const keyPolicy = {
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "EnableIamPolicies",
          Effect: "Allow" as const,
          Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
          Action: "kms:*",
          Resource: "*",
        },
      ],
    };
    const ask = (
      action: string,
      resource: string,
      context: Record<string, string | string[]> = {},
    ): IamRequest => ({
      ...(action.startsWith("kms:") && { resourcePolicy: keyPolicy }),
      step: "verify",
      account: ACCOUNT,
      region: HERE,
      operation: "(synthetic)",
      action,
      resource,
      resourceAccount: ACCOUNT,
      context,
      origin: "modelled",
      what: action,
    });
    const roleOfStack = (role: string, fn: string, given: ParameterValues): DeployedFunction => {
      const stack = deployStack(
        templates[name],
        { ...REQUIRED[name], ...given },
        { account: ACCOUNT, region: "us-east-1" },
      );
      return {
        stack: name,
        step: "verify" as DeployedFunction["step"],
        fn,
        role,
        account: ACCOUNT,
        env: {},
        policies: rolePolicies(stack, role),
      };
    };
    const verdicts = async (requests: IamRequest[], given: ParameterValues = everything) => {
      const found = await evaluate(requests, [roleOfStack(a.verify.role, a.verify.fn, given)]);
      expect(found).toHaveLength(requests.length);
      return found.map(
        (v) =>
          `${v.request.action} ${v.request.resource.split(":").slice(-2).join(":")} -> ${v.result}`,
      );
    };
    const allowed = (requests: IamRequest[]) =>
      requests.map((r) => `${r.action} ${r.resource.split(":").slice(-2).join(":")} -> Allowed`);
    const denied = (requests: IamRequest[]) =>
      requests.map(
        (r) => `${r.action} ${r.resource.split(":").slice(-2).join(":")} -> ImplicitlyDenied`,
      );

    it("gives status and verify their own roles, and verify's only with VerifyEnabled", () => {
      expect(statements(name).some((s) => s.role === a.verify.role)).toBe(false);
      expect(statements(name, enabled).some((s) => s.role === a.verify.role)).toBe(true);
      expect(templates[name].Resources[a.verify.role]?.Condition).toBe("Verify");
      expect(
        roleOf(
          deployStack(
            templates[name],
            { ...REQUIRED[name], ...enabled },
            { account: ACCOUNT, region: "us-east-1" },
          ),
          a.status.fn,
        ),
      ).toBe(a.status.role);
    });

    it("lets the status function read only (Describe, kms:DescribeKey, its own logs)", () => {
      const actions = statements(name)
        .filter((s) => s.role === a.status.role)
        .flatMap((s) => s.actions);
      expect(actions.length).toBeGreaterThan(0);
      expect(
        actions.filter(
          (x) =>
            !/^(rds:Describe[A-Za-z]+|kms:DescribeKey|logs:CreateLogStream|logs:PutLogEvents)$/.test(
              x,
            ),
        ),
      ).toEqual([]);
    });

    it("refuses the status function every write", async () => {
      const status = roleOfStack(a.status.role, a.status.fn, {});
      const writes = [
        ask("rds:CreateDBClusterSnapshot", rds("cluster-snapshot", "x-2026-01-01-00-00"), {
          "aws:RequestTag/CreatedBy": TOOL,
          "aws:TagKeys": ["CreatedBy"],
        }),
        ask("rds:DeleteDBClusterSnapshot", rds("cluster-snapshot", "x"), {
          [`rds:cluster-snapshot-tag/${a.verify.toolTag}`]: TOOL,
        }),
        ask("rds:CopyDBClusterSnapshot", rds("cluster-snapshot", "x")),
        ask("rds:ModifyDBClusterSnapshotAttribute", rds("cluster-snapshot", "x")),
        ask("rds:AddTagsToResource", rds("cluster-snapshot", "x"), {
          "aws:TagKeys": ["SnapshotToolVerified"],
        }),
        ask("rds:DeleteDBCluster", rds("cluster", "orders")),
        ask("rds:RestoreDBClusterFromSnapshot", rds("cluster", "vfy-1"), marker()),
      ];
      const found = await evaluate(writes, [status]);
      expect(found.map((v) => v.result)).toEqual(writes.map(() => "ImplicitlyDenied"));
    });

    it("grants '*' only to Describe calls and no wildcard actions, with every verify option on", () => {
      const all = statements(name, everything);
      expect(
        all.filter(
          (s) => s.resources.includes("*") && s.actions.some((x) => !MAY_USE_STAR.test(x)),
        ),
      ).toEqual([]);
      expect(all.flatMap((s) => s.actions).filter((x) => x.includes("*"))).toEqual([]);
    });

    it("grants the verify role exactly the actions of core's VERIFY_IAM_ACTIONS", () => {
      const source = readFileSync(
        new URL("../../core/src/verify/iam-actions.ts", import.meta.url),
        "utf8",
      );
      const listed = source.slice(source.indexOf("export const VERIFY_IAM_ACTIONS"));
      const core = new Set(
        [...listed.matchAll(/"((?:rds|rds-data|kms|secretsmanager|lambda):[A-Za-z]+)"/g)].map(
          (m) => m[1],
        ),
      );
      const granted = new Set(
        statements(name, everything)
          .filter((s) => s.role === a.verify.role)
          .flatMap((s) => s.actions)
          .filter((x) => !x.startsWith("logs:")),
      );
      // DescribeDBClusterSnapshots: verify lists the tool's snapshots to restore, as the steps do.
      expect([...granted].sort()).toEqual([...core, "rds:DescribeDBClusterSnapshots"].sort());
    });

    it("lets the state machines invoke and the schedules start verify only when it is enabled", () => {
      const invoke = (given: ParameterValues) =>
        grantsOf(name, "lambda:InvokeFunction", given)
          .filter((s) => s.role === "iamroleStateExecution")
          .flatMap((s) => s.resources);
      const start = (given: ParameterValues) =>
        grantsOf(name, "states:StartExecution", given).flatMap((s) => s.resources);
      expect(invoke({})).not.toContain(`<${a.verify.fn}.Arn>`);
      expect(invoke(enabled)).toContain(`<${a.verify.fn}.Arn>`);
      expect(start({})).not.toContain(`<${a.verify.stateMachine}>`);
      expect(start(enabled)).toContain(`<${a.verify.stateMachine}>`);
    });

    it("lets verify restore the tool's snapshots into clusters carrying this deployment's marker, add their instance, check, tag the outcome and delete them", async () => {
      const own = {
        "rds:cluster-tag/SnapshotToolVerification": STACK,
        "aws:ResourceTag/SnapshotToolVerification": STACK,
      };
      const requests = [
        ask("rds:DescribeDBClusters", "*"),
        ask("rds:DescribeDBInstances", "*"),
        ask(
          "rds:RestoreDBClusterFromSnapshot",
          rds("cluster-snapshot", "orders-2026-01-01-01-00"),
          { [`rds:cluster-snapshot-tag/${a.verify.toolTag}`]: TOOL, ...marker() },
        ),
        ask("rds:RestoreDBClusterFromSnapshot", rds("cluster", "vfy-0abc123-orders"), marker()),
        ask("rds:RestoreDBClusterFromSnapshot", rds("subgrp", "default"), marker()),
        ask("rds:AddTagsToResource", rds("cluster", "vfy-0abc123-orders"), marker()),
        ask("rds:CreateDBInstance", rds("db", "vfy-0abc123-orders-i1"), marker()),
        ask("rds:AddTagsToResource", rds("db", "vfy-0abc123-orders-i1"), marker()),
        ask("rds:CreateDBInstance", rds("cluster", "vfy-0abc123-orders"), { ...own, ...marker() }),
        ask("rds:EnableHttpEndpoint", rds("cluster", "vfy-0abc123-orders"), own),
        ask("rds-data:ExecuteStatement", rds("cluster", "vfy-0abc123-orders"), {
          "aws:ResourceTag/SnapshotToolVerification": STACK,
        }),
        ask("secretsmanager:GetSecretValue", SECRET),
        ask("lambda:InvokeFunction", CHECK),
        ask("rds:AddTagsToResource", rds("cluster-snapshot", "orders-2026-01-01-01-00"), {
          [`rds:cluster-snapshot-tag/${a.verify.toolTag}`]: TOOL,
          "aws:RequestTag/SnapshotToolVerified": "2026-01-08T03:00:00Z passed",
          "aws:TagKeys": ["SnapshotToolVerified"],
        }),
        ask("rds:DeleteDBInstance", rds("db", "vfy-0abc123-orders-i1"), {
          "rds:db-tag/SnapshotToolVerification": STACK,
        }),
        ask("rds:DeleteDBCluster", rds("cluster", "vfy-0abc123-orders"), own),
        ask(
          "kms:CreateGrant",
          `arn:aws:kms:${HERE}:${ACCOUNT}:key/0b3b6a47-0000-4000-8000-000000000001`,
          { "kms:ViaService": `rds.${HERE}.amazonaws.com`, "kms:GrantIsForAWSResource": "true" },
        ),
        ask(
          "kms:Decrypt",
          `arn:aws:kms:${HERE}:${ACCOUNT}:key/0b3b6a47-0000-4000-8000-000000000001`,
          { "kms:ViaService": `rds.${HERE}.amazonaws.com` },
        ),
      ];
      expect(await verdicts(requests)).toEqual(allowed(requests));
    });

    it("refuses verify to delete or change a cluster or instance without this deployment's marker, or with another deployment's", async () => {
      const tagged = (value: string) => ({
        "rds:cluster-tag/SnapshotToolVerification": value,
        "aws:ResourceTag/SnapshotToolVerification": value,
      });
      const requests = [
        ask("rds:DeleteDBCluster", rds("cluster", "vfy-0abc123-orders")),
        ask(
          "rds:DeleteDBCluster",
          rds("cluster", "vfy-0abc123-orders"),
          tagged("another-deployment"),
        ),
        ask("rds:EnableHttpEndpoint", rds("cluster", "vfy-0abc123-orders")),
        ask(
          "rds:EnableHttpEndpoint",
          rds("cluster", "vfy-0abc123-orders"),
          tagged("another-deployment"),
        ),
        ask("rds:ModifyDBCluster", rds("cluster", "vfy-0abc123-orders"), tagged(STACK)),
        ask("rds:DeleteDBInstance", rds("db", "vfy-0abc123-orders-i1")),
        ask("rds:DeleteDBInstance", rds("db", "vfy-0abc123-orders-i1"), {
          "rds:db-tag/SnapshotToolVerification": "another-deployment",
        }),
        ask("rds-data:ExecuteStatement", rds("cluster", "vfy-0abc123-orders"), {
          "aws:ResourceTag/SnapshotToolVerification": "another-deployment",
        }),
        ask("rds:CreateDBInstance", rds("cluster", "vfy-0abc123-orders"), {
          ...tagged("another-deployment"),
          ...marker(),
        }),
        // a production cluster, even one someone tagged with this deployment's marker: not verify's name
        ask("rds:DeleteDBCluster", rds("cluster", "orders"), tagged(STACK)),
        ask("rds:AddTagsToResource", rds("cluster", "orders"), marker()),
        // re-tagging another deployment's verification cluster (or instance) with this stack's
        // marker, which would open it to the delete statements
        ask("rds:AddTagsToResource", rds("cluster", "vfy-0def456-orders"), {
          ...tagged("another-deployment"),
          ...marker(),
        }),
        ask("rds:AddTagsToResource", rds("db", "vfy-0def456-orders-i1"), {
          "rds:db-tag/SnapshotToolVerification": "another-deployment",
          ...marker(),
        }),
        // in another region than the one verify restores in
        ask(
          "rds:DeleteDBCluster",
          rds("cluster", "vfy-0abc123-orders", "eu-west-1"),
          tagged(STACK),
        ),
      ];
      expect(await verdicts(requests)).toEqual(denied(requests));
    });

    it("refuses verify to create without the marker, to restore someone else's snapshot, or to write any other tag on a snapshot", async () => {
      const requests = [
        ask("rds:RestoreDBClusterFromSnapshot", rds("cluster", "vfy-0abc123-orders"), {}),
        ask(
          "rds:RestoreDBClusterFromSnapshot",
          rds("cluster", "vfy-0abc123-orders"),
          marker("another-deployment"),
        ),
        ask("rds:RestoreDBClusterFromSnapshot", rds("cluster", "copy-of-orders"), marker()),
        ask("rds:RestoreDBClusterFromSnapshot", rds("cluster-snapshot", "manual-backup"), marker()),
        ask("rds:CreateDBInstance", rds("db", "vfy-0abc123-orders-i1"), {}),
        ask("rds:AddTagsToResource", rds("cluster-snapshot", "orders-2026-01-01-01-00"), {
          [`rds:cluster-snapshot-tag/${a.verify.toolTag}`]: TOOL,
          "aws:RequestTag/CreatedBy": TOOL,
          "aws:TagKeys": ["CreatedBy"],
        }),
        ask("rds:AddTagsToResource", rds("cluster-snapshot", "manual-backup"), {
          "aws:RequestTag/SnapshotToolVerified": "x",
          "aws:TagKeys": ["SnapshotToolVerified"],
        }),
        ask("rds:DeleteDBClusterSnapshot", rds("cluster-snapshot", "orders-2026-01-01-01-00"), {
          [`rds:cluster-snapshot-tag/${a.verify.toolTag}`]: TOOL,
        }),
        ask(
          "kms:Decrypt",
          `arn:aws:kms:${HERE}:${ACCOUNT}:key/0b3b6a47-0000-4000-8000-000000000001`,
        ),
        ask(
          "kms:CreateGrant",
          `arn:aws:kms:${HERE}:${ACCOUNT}:key/0b3b6a47-0000-4000-8000-000000000001`,
          { "kms:ViaService": "rds.eu-west-1.amazonaws.com", "kms:GrantIsForAWSResource": "true" },
        ),
      ];
      expect(await verdicts(requests)).toEqual(denied(requests));
    });

    it("grants the Data API, the secret and the check function only when they are configured, and no instance with VerifyInstanceClass NONE", async () => {
      const requests = [
        ask("rds-data:ExecuteStatement", rds("cluster", "vfy-0abc123-orders"), {
          "aws:ResourceTag/SnapshotToolVerification": STACK,
        }),
        ask("secretsmanager:GetSecretValue", SECRET),
        ask("lambda:InvokeFunction", CHECK),
      ];
      expect(await verdicts(requests, enabled)).toEqual(denied(requests));
      const instance = [ask("rds:CreateDBInstance", rds("db", "vfy-0abc123-orders-i1"), marker())];
      expect(await verdicts(instance, { ...enabled, VerifyInstanceClass: "NONE" })).toEqual(
        denied(instance),
      );
      expect(await verdicts(instance, enabled)).toEqual(allowed(instance));
    });

    if (name === "dest") {
      it("restores in VerifyRegion when it is set, else in the first of DestinationRegion", async () => {
        const del = (region: string) =>
          ask("rds:DeleteDBCluster", rds("cluster", "vfy-0abc123-orders", region), {
            "rds:cluster-tag/SnapshotToolVerification": STACK,
          });
        const given = { ...enabled, DestinationRegion: "us-west-2, eu-west-1" };
        expect(await verdicts([del("us-west-2"), del("eu-west-1")], given)).toEqual([
          ...allowed([del("us-west-2")]),
          ...denied([del("eu-west-1")]),
        ]);
        const there = { ...given, VerifyRegion: "eu-west-1" };
        expect(await verdicts([del("eu-west-1"), del("us-west-2")], there)).toEqual([
          ...allowed([del("eu-west-1")]),
          ...denied([del("us-west-2")]),
        ]);
      });
    }
  },
);
