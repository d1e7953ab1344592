import { Stack, Validations } from "aws-cdk-lib";
import { CfnPolicy, CfnRole } from "aws-cdk-lib/aws-iam";
import { CfnStateMachine } from "aws-cdk-lib/aws-stepfunctions";
import type { CfnInclude } from "aws-cdk-lib/cloudformation-include";

/*
 * cdk-nag's AwsSolutions checks flag every `*` in an IAM statement (IAM5) and every state machine
 * without CloudWatch Logs or X-Ray (SF1, SF2). The templates are least-privilege by design (see
 * the README's IAM section): each wildcard below is there because the API takes no narrower
 * resource, or because the names are only known at run time and a condition narrows the grant.
 * A statement is acknowledged by its Sid and only with the reason given for that Sid, so a new
 * wildcard statement in a template fails the cdk-nag test until it is justified here.
 */
export const WILDCARD_REASONS: Readonly<Record<string, string>> = Object.freeze({
  ReadInventory:
    "rds:DescribeDBClusters/DescribeDBClusterSnapshots/DescribeDBInstances list the whole " +
    "region and support no resource-level permissions",
  ReadVerificationState:
    "the RDS Describe actions support no resource-level permissions; verify reads only",
  ReadKeyManager:
    "kms:DescribeKey on the snapshots' keys, whose ids are only known from the snapshots at run " +
    "time; read-only",
  CheckOwnKeys: "kms:DescribeKey on this account's keys, only known from the snapshots; read-only",
  CreateSnapshots:
    "clusters are chosen by PATTERN and tags at run time; the grant requires the tool's " +
    "CreatedBy tag on the new snapshot and only the tool's tag keys",
  TagNewSnapshots:
    "snapshot names end in the tool's timestamp (*-????-??-??-??-??) and the grant requires the " +
    "tool's CreatedBy tag and tag keys",
  ShareOwnSnapshots:
    "snapshot names are only known at run time; the grant is limited to snapshots tagged " +
    "CreatedBy=Snapshot Tool for Aurora",
  MarkSharedSnapshots:
    "limited to the tool's own snapshots (CreatedBy tag) and to the SnapshotToolSharedWith tag " +
    "naming the configured destination account",
  DeleteOwnSnapshots:
    "limited to snapshots tagged CreatedBy=Snapshot Tool for Aurora; the functions also check " +
    "the exact [PREFIX-]CLUSTER-timestamp name before deleting",
  RestoreFromToolSnapshots:
    "verify restores only snapshots tagged CreatedBy=Snapshot Tool for Aurora, named at run time",
  RestoreVerificationClusters:
    "restored clusters are named vfy-* and must carry the stack's SnapshotToolVerification tag",
  TagNewVerificationResources:
    "only vfy-* clusters and instances, only with the stack's SnapshotToolVerification tag, and " +
    "only when they carry no such tag yet",
  DeleteVerificationInstances:
    "only vfy-* instances carrying this stack's SnapshotToolVerification tag",
  RemoveVerificationClusters:
    "only vfy-* clusters carrying this stack's SnapshotToolVerification tag",
  RecordVerificationOutcome:
    "only the tool's own snapshots (CreatedBy tag) and only the SnapshotToolVerified tag key",
  UseKeysThroughRds:
    "the snapshots' KMS keys are only known at run time; usable only through RDS (kms:ViaService)",
  GrantKeysToRds:
    "RDS needs a grant on the snapshot's key to copy or restore it; only for AWS resources " +
    "(kms:GrantIsForAWSResource) and only through RDS (kms:ViaService)",
  CopySnapshots:
    "copies go to any configured destination region and come from snapshots shared at run " +
    "time; the copy must carry the CopiedBy tag and only the tool's tag keys",
  PresignedCopyOfCopies:
    "the pre-signed cross-region copy is authorised against the source copy, which must carry " +
    "the CopiedBy tag",
  PresignedCopyOfOwnSnapshots:
    "the pre-signed cross-region copy of the account's own snapshot, which must carry the " +
    "CreatedBy tag",
  TagCopies: "requires the CopiedBy tag and only the tool's tag keys on copies it makes",
  DeleteOwnCopies:
    "limited to the tool's own copies (CopiedBy tag); the intermediate copies need the " +
    "SnapshotToolIntermediate tag",
});

export const STATE_MACHINE_REASONS = Object.freeze({
  "AwsSolutions-SF1":
    "each state machine runs one function and retries it; the function logs every decision to " +
    "its own log group, and the execution history keeps each state's input, output and error",
  "AwsSolutions-SF2":
    "each state machine is one Lambda task with retries; X-Ray adds no trace a single task " +
    "does not show, and the alarms watch the executions' failures",
});

interface Statement {
  readonly Sid?: unknown;
  readonly Effect?: unknown;
  readonly Action?: unknown;
  readonly Resource?: unknown;
}

/** Acknowledges the AwsSolutions findings the reasons above cover, on the included resources. */
export function acknowledgeNagFindings(include: CfnInclude): void {
  for (const child of include.node.children) {
    if (child instanceof CfnStateMachine) {
      for (const [id, reason] of Object.entries(STATE_MACHINE_REASONS)) {
        Validations.of(child).acknowledge({ id, reason });
      }
    } else if (child instanceof CfnRole || child instanceof CfnPolicy) {
      const stack = Stack.of(child);
      const documents: unknown[] =
        child instanceof CfnRole
          ? asArray(stack.resolve(child.policies)).map(
              (p) => (stack.resolve(p) as { policyDocument?: unknown }).policyDocument,
            )
          : [child.policyDocument];
      const reasons = new Map<string, Set<string>>();
      for (const document of documents) {
        const resolved = stack.resolve(document) as { Statement?: unknown };
        for (const statement of asArray(resolved?.Statement) as Statement[]) {
          if (statement.Effect !== "Allow" || typeof statement.Sid !== "string") continue;
          const reason = WILDCARD_REASONS[statement.Sid];
          if (reason === undefined) continue;
          const findings = [
            ...(asArray(statement.Action) as unknown[])
              .filter((a): a is string => typeof a === "string" && a.includes("*"))
              .map((a) => `Action::${a}`),
            ...asArray(statement.Resource)
              .map(flattenReference)
              .filter((r) => r.includes("*"))
              .map((r) => `Resource::${r}`),
          ];
          for (const finding of findings) {
            const set = reasons.get(finding) ?? new Set<string>();
            set.add(`${statement.Sid}: ${reason}`);
            reasons.set(finding, set);
          }
        }
      }
      for (const [finding, why] of reasons) {
        Validations.of(child).acknowledge({
          id: `AwsSolutions-IAM5[${finding}]`,
          reason: [...why].join("; "),
        });
      }
    }
  }
}

function asArray(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/*
 * A resource as cdk-nag names it in an IAM5 finding (`Resource::<name>`): Fn::Sub and Fn::Join
 * flattened, references as <Name>, anything else as JSON. The finding must match cdk-nag's text
 * exactly for an acknowledgement to apply; the cdk-nag test fails if the two ever part.
 */
export function flattenReference(node: unknown): string {
  if (node === undefined) return "";
  if (typeof node === "string") return node.replace(/\$\{/g, "<").replace(/\}/g, ">");
  if (typeof node === "object" && node !== null) {
    const o = node as Record<string, unknown>;
    if (o["Fn::Join"]) {
      const [delimiter, items] = o["Fn::Join"] as [string, unknown[]];
      return items.map(flattenReference).join(delimiter);
    }
    if (o["Fn::Sub"]) return flattenReference(o["Fn::Sub"]);
    if (o["Fn::GetAtt"]) {
      const [resource, attribute] = o["Fn::GetAtt"] as [unknown, unknown];
      return `<${flattenReference(resource)}.${flattenReference(attribute)}>`;
    }
    if (o["Fn::ImportValue"]) return flattenReference(o["Fn::ImportValue"]);
    if (o.Ref) return `<${flattenReference(o.Ref)}>`;
  }
  return JSON.stringify(node);
}
