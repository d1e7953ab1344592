/**
 * The in-memory RDS (`InMemoryRds`, core/testing) against moto_server: one call sequence, through
 * real SDK v3 clients, sent to both; every step's outcome (success or the SDK v3 error name) and
 * the fields the tool reads are compared after normalising what legitimately differs (request ids,
 * times as hours since T0, percent progress, key ARNs by the name they were set up under).
 *
 * Every known divergence is in DIVERGENCES, with the side AWS's documentation supports; the test
 * fails on a new divergence and on one that vanished, so a change on either side shows here.
 *
 * Set-up is not compared: the model has no CreateDBCluster, CreateKey or AssumeRole, so each side
 * is seeded its own way (differential-support.ts), and a step one side refused is followed by a
 * `discard` on both, so that later listings hold the same snapshots. Time: both clocks start at
 * T0 and `settle()` moves both a day on (the model finishes creating and copying; moto's clock is
 * shifted by its extension, so SnapshotCreateTime stays comparable). Status is compared where a
 * step asks for it (the response of a create or copy) and in every listing after a settle.
 * KmsKeyId of an unencrypted snapshot is compared in one step only (the tool never reads it).
 */
import { DescribeKeyCommand } from "@aws-sdk/client-kms";
import {
  AddTagsToResourceCommand,
  CopyDBClusterSnapshotCommand,
  CreateDBClusterSnapshotCommand,
  DeleteDBClusterSnapshotCommand,
  DescribeDBClusterSnapshotAttributesCommand,
  DescribeDBClusterSnapshotsCommand,
  ListTagsForResourceCommand,
  ModifyDBClusterSnapshotAttributeCommand,
} from "@aws-sdk/client-rds";
import type {
  CopyDBClusterSnapshotMessage,
  DBClusterSnapshotAttributesResult,
  DescribeDBClusterSnapshotsMessage,
} from "@aws-sdk/client-rds";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { startMotoServer, type MotoServer } from "@aurora-snapshot-tool/test-support";
import { appendFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import {
  Recorder,
  byStepAndField,
  compare,
  learnDefaultKey,
  listingFields,
  modelBackend,
  motoBackend,
  snapshotFields,
  tagList,
  type Backend,
  type Comparison,
  type Divergence,
  type Fields,
  type SnapshotFieldOptions,
} from "./differential-support.js";

const A = "123456789012";
const B = "222222222222";
const HOME = "us-east-1";
const AWAY = "us-west-2";
const TOOL = "Snapshot Tool for Aurora";

const snapshotArn = (account: string, region: string, id: string): string =>
  `arn:aws:rds:${region}:${account}:cluster-snapshot:${id}`;
const tags = (t: Record<string, string>) =>
  Object.entries(t).map(([Key, Value]) => ({ Key, Value }));

// ------------------------------------------------------------------ the divergence table

interface KnownDivergence extends Divergence {
  /** The AWS page (or API reference name) that says which side is right. */
  readonly decidedBy: string;
  /** `model wrong`, `moto wrong`, or why neither side can be held to the docs. */
  readonly note: string;
}

const API = "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference";
const GUIDE = "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide";
const KMS_API = "https://docs.aws.amazon.com/kms/latest/APIReference";
const DOC = {
  createSnapshot: `${API}/API_CreateDBClusterSnapshot.html`,
  copySnapshot: `${API}/API_CopyDBClusterSnapshot.html`,
  describeSnapshots: `${API}/API_DescribeDBClusterSnapshots.html`,
  modifyAttribute: `${API}/API_ModifyDBClusterSnapshotAttribute.html`,
  deleteSnapshot: `${API}/API_DeleteDBClusterSnapshot.html`,
  listTags: `${API}/API_ListTagsForResource.html`,
  snapshotShape: `${API}/API_DBClusterSnapshot.html`,
  createCluster: `${API}/API_CreateDBCluster.html`,
  stopStart: `${GUIDE}/aurora-cluster-stop-start.html`,
  shareGuide: `${GUIDE}/aurora-share-snapshot.html`,
  describeKey: `${KMS_API}/API_DescribeKey.html`,
  keyMetadata: `${KMS_API}/API_KeyMetadata.html`,
  kmsErrors: `${KMS_API}/CommonErrors.html`,
  docdbDelete:
    "https://docs.aws.amazon.com/documentdb/latest/developerguide/backup_restore-delete_cluster_snapshot.html",
} as const;

/**
 * What each side says a snapshot's Status is in the response of the call that made it. moto has
 * no transitions (everything is `available` at once); the model queues a copy as `pending`, then
 * `copying`. Update the model's column here when its states change.
 */
const STATUS_AT_ONCE = {
  created: { model: "creating", moto: "available" },
  copied: { model: "pending", moto: "available" },
  copiedAcrossRegions: { model: "pending", moto: "available" },
} as const;

/**
 * SnapshotCreateTime of a copy made a day (one settle) after its source was taken at T0: the
 * source's time, or the time of the copy. The model's is its default (`copyCreateTime: "source"`).
 */
const COPY_CREATE_TIME = { model: "T0+0h", moto: "T0+24h" } as const;

/** The copies each settled listing holds, by source: their `created` and `source` are compared. */
const COPIES_LISTED: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  "encryption: DescribeDBClusterSnapshots manual, settled": {
    "basic-1-cmk": "basic-1",
    "vault-1-local": "vault-1",
    "vault-1-tagged": "vault-1",
  },
  "encryption: DescribeDBClusterSnapshots manual, other region, settled": {
    "basic-1": "basic-1",
    "plain-1": "plain-1",
    "vault-1": "vault-1",
  },
};

/** The entry, when the two sides' values differ (none when a change made them agree). */
function whenDiffering(
  step: string,
  field: string,
  values: { readonly model: string; readonly moto: string },
  decidedBy: string,
  note: string,
): KnownDivergence[] {
  return values.model === values.moto ? [] : [{ step, field, ...values, decidedBy, note }];
}

const SHARED_ARN = snapshotArn(A, HOME, "orders-2026-01-01-00-00");
const TOOL_TAG_LIST = `[CreatedBy=${TOOL}, CreatedOn=2026-01-01-00-00, shareAndCopy=YES]`;
const MOTO_SHARES_NO_CROSS_ACCOUNT =
  "moto wrong: moto looks a copy's source up in the caller's own account only";

const DIVERGENCES: readonly KnownDivergence[] = [
  // ---------------------------------------------------------------- take
  ...whenDiffering(
    "take: CreateDBClusterSnapshot with Tags",
    "status",
    STATUS_AT_ONCE.created,
    `${GUIDE}/USER_CreateSnapshotCluster.html`,
    "moto wrong: no creating phase (a new snapshot is available at once)",
  ),
  {
    step: "take: CreateDBClusterSnapshot under an invalid identifier",
    field: "outcome",
    model: "InvalidParameterValue",
    moto: "ok",
    decidedBy: `${DOC.createSnapshot} (DBClusterSnapshotIdentifier constraints)`,
    note: "moto wrong: it checks DB snapshot identifiers, not cluster snapshot ones ('orders--bad-' has -- and a trailing hyphen)",
  },
  {
    step: "take: CreateDBClusterSnapshot of a stopped cluster",
    field: "outcome",
    model: "InvalidDBClusterStateFault",
    moto: "ok",
    decidedBy: `${DOC.createSnapshot} (Errors: InvalidDBClusterStateFault); ${DOC.stopStart}`,
    note: "moto wrong: it snapshots a cluster in any state",
  },
  {
    step: "take: CreateDBClusterSnapshot of an unencrypted cluster, KmsKeyId",
    field: "kmsKey",
    model: "(absent)",
    moto: "default_kms_key_id",
    decidedBy: `${DOC.snapshotShape} (KmsKeyId: "If StorageEncrypted is true, the AWS KMS key identifier")`,
    note: "moto wrong: a placeholder key on every unencrypted snapshot (other steps leave KmsKeyId of unencrypted snapshots out: the tool never reads it)",
  },
  {
    step: "take: DeleteDBClusterSnapshot while it is creating",
    field: "outcome",
    model: "InvalidDBClusterSnapshotStateFault",
    moto: "ok",
    decidedBy: `${DOC.deleteSnapshot} ("must be in the available state to be deleted")`,
    note: "moto wrong: no creating phase, so nothing to refuse",
  },
  {
    step: "take: ListTagsForResource on a snapshot that does not exist",
    field: "outcome",
    model: "DBClusterSnapshotNotFoundFault",
    moto: "ok",
    decidedBy: `${DOC.listTags} (Errors)`,
    note: "neither: moto answers an empty TagList; the documented faults of ListTagsForResource hold no DBClusterSnapshotNotFoundFault (DBSnapshotNotFoundFault is the snapshot one listed) - model wrong by the docs' error list, AWS's actual code unverified",
  },
  {
    step: "take: DeleteDBClusterSnapshot of an automated snapshot",
    field: "outcome",
    model: "InvalidDBClusterSnapshotStateFault",
    moto: "ok",
    decidedBy: `${DOC.deleteSnapshot}; ${DOC.docdbDelete}`,
    note: "model, by analogy: Aurora's pages do not say; the DocumentDB page of the same API says automated snapshots cannot be deleted manually; the error code is undocumented",
  },
  // ---------------------------------------------------------------- share
  {
    step: "share: ModifyDBClusterSnapshotAttribute while it is creating",
    field: "outcome",
    model: "InvalidDBClusterSnapshotStateFault",
    moto: "ok",
    decidedBy: `${DOC.modifyAttribute} (Errors: InvalidDBClusterSnapshotStateFault)`,
    note: "undecided: the fault is listed, the states it applies to are not; the model is the stricter reading",
  },
  ...(["SnapshotType shared + IncludeShared", "SnapshotType shared"] as const).flatMap((how) => {
    const step = `share: DescribeDBClusterSnapshots ${how}, other account`;
    const record = "orders-2026-01-01-00-00";
    const decidedBy = DOC.describeSnapshots;
    return [
      {
        step,
        field: "ids",
        model: `[${SHARED_ARN}]`,
        moto: `[${record}]`,
        decidedBy,
        note: "undecided: the docs do not say how another account's listing names a shared snapshot; the model gives its ARN (what the gateway expects, and what the copy needs)",
      },
      {
        step,
        field: `${record}.id`,
        model: SHARED_ARN,
        moto: record,
        decidedBy,
        note: "undecided: as ids",
      },
      {
        step,
        field: `${record}.tags`,
        model: "[]",
        moto: TOOL_TAG_LIST,
        decidedBy,
        note: "undecided: the docs do not say whether the owner's tags show in another account; the model hides them (the tool never relies on them there)",
      },
      {
        step,
        field: `${record}.type`,
        model: "shared",
        moto: "manual",
        decidedBy,
        note: "undecided: SnapshotType shared 'returns all manual DB cluster snapshots that have been shared'; the type each one reports is not stated",
      },
    ];
  }),
  {
    step: "share: DescribeDBClusterSnapshots IncludeShared alone, other account",
    field: "ids",
    model: `[${SHARED_ARN}]`,
    moto: "[]",
    decidedBy: `${DOC.describeSnapshots} (IncludeShared)`,
    note: "moto wrong: it ignores IncludeShared without SnapshotType shared",
  },
  {
    step: "share: DescribeDBClusterSnapshots by ARN, other account",
    field: "outcome",
    model: "ok",
    moto: "DBClusterSnapshotNotFoundFault",
    decidedBy: DOC.describeSnapshots,
    note: "undecided: the docs do not say a shared snapshot can be named by ARN here (CopyDBClusterSnapshot says a shared source is named by ARN); moto looks in the caller's account only",
  },
  {
    step: "share: CopyDBClusterSnapshot of the shared snapshot, other account, same region",
    field: "outcome",
    model: "ok",
    moto: "DBClusterSnapshotNotFoundFault",
    decidedBy: `${DOC.copySnapshot} ("To copy a DB cluster snapshot from a shared manual DB cluster snapshot, SourceDBClusterSnapshotIdentifier must be the ARN")`,
    note: MOTO_SHARES_NO_CROSS_ACCOUNT,
  },
  {
    step: "share: ModifyDBClusterSnapshotAttribute with an invalid account id",
    field: "outcome",
    model: "InvalidParameterValue",
    moto: "ok",
    decidedBy: `${DOC.modifyAttribute} (ValuesToAdd: "one or more AWS account IDs, or all")`,
    note: "undecided: the value rule is documented, the error for breaking it is not; the model is the stricter reading",
  },
  {
    step: "share: ModifyDBClusterSnapshotAttribute share with an account twice",
    field: "restore",
    model: "[222222222222]",
    moto: "[222222222222, 222222222222]",
    decidedBy: `${DOC.modifyAttribute} (restore: the list of accounts authorized to restore)`,
    note: "moto wrong: it appends the account again; an account is authorized or not",
  },
  // ---------------------------------------------------------------- encryption
  {
    step: "encryption: DescribeKey alias/aws/rds",
    field: "manager",
    model: "AWS",
    moto: "CUSTOMER",
    decidedBy: `${DOC.describeKey} (a predefined AWS alias is associated with an AWS managed key); ${DOC.keyMetadata} (KeyManager)`,
    note: "moto wrong: it creates its aws/* keys as customer keys",
  },
  {
    step: "encryption: DescribeKey by ARN from an account the key policy grants",
    field: "outcome",
    model: "ok",
    moto: "NotFoundException",
    decidedBy: `${DOC.describeKey} ("To specify a KMS key in a different AWS account, you must use the key ARN or alias ARN")`,
    note: "moto wrong: moto's KMS has no cross-account keys (and no key policies)",
  },
  {
    step: "encryption: DescribeKey by ARN from an account the key policy does not grant",
    field: "outcome",
    model: "AccessDeniedException",
    moto: "NotFoundException",
    decidedBy: `${DOC.kmsErrors} (AccessDeniedException); ${DOC.describeKey}`,
    note: "model: a caller without permission is denied; moto cannot see other accounts' keys at all",
  },
  {
    step: "encryption: CreateDBClusterSnapshot of a cluster under aws/rds",
    field: "kmsKey",
    model: "key:aws/rds",
    moto: "default_kms_key_id",
    decidedBy: `${DOC.createCluster} (KmsKeyId: StorageEncrypted without KmsKeyId uses the default KMS key); ${DOC.snapshotShape} (KmsKeyId)`,
    note: "moto wrong: a placeholder string instead of the aws/rds key ARN",
  },
  {
    step: "encryption: CopyDBClusterSnapshot while the source is creating",
    field: "outcome",
    model: "InvalidDBClusterSnapshotStateFault",
    moto: "ok",
    decidedBy: `${DOC.copySnapshot} (SourceDBClusterSnapshotIdentifier: 'Must specify a valid system snapshot in the "available" state')`,
    note: "moto wrong: no creating phase",
  },
  ...whenDiffering(
    "encryption: CopyDBClusterSnapshot same region, no KmsKeyId",
    "status",
    STATUS_AT_ONCE.copied,
    `${DOC.copySnapshot} (cancel a copy "while that DB cluster snapshot is in copying status")`,
    "moto wrong: no copying phase (the model's first state, pending = queued, is not named in the API reference, which names copying)",
  ),
  ...[
    "encryption: CopyDBClusterSnapshot same region, CopyTags and Tags",
    "encryption: DescribeDBClusterSnapshots manual, settled",
  ].map((step) => ({
    step,
    field: step.includes("Describe") ? "vault-1-tagged.tags" : "tags",
    model: `[CopiedBy=${TOOL}, CreatedBy=${TOOL}, CreatedOn=2026-01-01-00-00, shareAndCopy=YES]`,
    moto: `[CopiedBy=${TOOL}]`,
    decidedBy: `${DOC.copySnapshot} (CopyTags, Tags)`,
    note: "undecided, possibly model wrong: the docs describe each parameter alone; moto's source says it verified against AWS (2025-02) that CopyTags is ignored when Tags are given, the model merges both",
  })),
  {
    step: "encryption: CopyDBClusterSnapshot encrypted, other region, no KmsKeyId",
    field: "outcome",
    model: "InvalidParameterValue",
    moto: "ok",
    decidedBy: `${DOC.copySnapshot} (KmsKeyId: "To copy an encrypted DB cluster snapshot to another AWS Region, you must set KmsKeyId")`,
    note: "moto wrong: it keeps the source region's key on the copy",
  },
  ...whenDiffering(
    "encryption: CopyDBClusterSnapshot encrypted, other region, destination key",
    "status",
    STATUS_AT_ONCE.copiedAcrossRegions,
    `${DOC.copySnapshot}; ${GUIDE}/aurora-copy-snapshot.html`,
    "moto wrong: no copying phase",
  ),
  {
    step: "encryption: CopyDBClusterSnapshot with a key that does not exist",
    field: "outcome",
    model: "KMSKeyNotAccessibleFault",
    moto: "Error (HTTP 500)",
    decidedBy: `${DOC.copySnapshot} (Errors: KMSKeyNotAccessibleFault)`,
    note: "moto wrong: an unhandled KMS NotFoundException becomes an HTML error page",
  },
  {
    step: "encryption: CopyDBClusterSnapshot unencrypted with a KmsKeyId",
    field: "outcome",
    model: "InvalidParameterValue",
    moto: "ok",
    decidedBy: `${DOC.copySnapshot} (KmsKeyId: "If you copy an unencrypted DB cluster snapshot and specify a value for the KmsKeyId parameter, an error is returned")`,
    note: "moto wrong: it encrypts the copy; the error code itself is undocumented",
  },
  {
    step: "encryption: CopyDBClusterSnapshot to an invalid identifier",
    field: "outcome",
    model: "InvalidParameterValue",
    moto: "ok",
    decidedBy: `${DOC.copySnapshot} (TargetDBClusterSnapshotIdentifier constraints)`,
    note: "moto wrong: no identifier check ('9-lives' starts with a digit)",
  },
  {
    step: "encryption: ModifyDBClusterSnapshotAttribute share an aws/rds snapshot",
    field: "outcome",
    model: "InvalidParameterValue",
    moto: "ok",
    decidedBy: `${DOC.shareGuide} (sharing encrypted snapshots: not with the default aws/rds key)`,
    note: "moto wrong: it shares whatever the key; the error code is undocumented",
  },
  {
    step: "encryption: ModifyDBClusterSnapshotAttribute make an encrypted snapshot public",
    field: "outcome",
    model: "InvalidParameterValue",
    moto: "ok",
    decidedBy: `${DOC.modifyAttribute} ("You can't use all as a value for that parameter in this case")`,
    note: "moto wrong; the error code is undocumented",
  },
  {
    step: "encryption: CopyDBClusterSnapshot shared encrypted, other account, no KmsKeyId",
    field: "outcome",
    model: "InvalidParameterValue",
    moto: "DBClusterSnapshotNotFoundFault",
    decidedBy: `${DOC.copySnapshot} (KmsKeyId: "If you copy an encrypted DB cluster snapshot that is shared from another AWS account, then you must specify a value for KmsKeyId")`,
    note: MOTO_SHARES_NO_CROSS_ACCOUNT,
  },
  {
    step: "encryption: CopyDBClusterSnapshot shared encrypted, other account, its own key",
    field: "outcome",
    model: "ok",
    moto: "DBClusterSnapshotNotFoundFault",
    decidedBy: DOC.copySnapshot,
    note: MOTO_SHARES_NO_CROSS_ACCOUNT,
  },
  {
    step: "encryption: CopyDBClusterSnapshot shared encrypted, other account, other region",
    field: "outcome",
    model: "ok",
    moto: "DBClusterSnapshotNotFoundFault",
    decidedBy: `${DOC.copySnapshot} (SourceDBClusterSnapshotIdentifier, current text: "You can also specify an ARN of a snapshot that is in a different account and a different AWS Region")`,
    note: "moto wrong (no cross-account copy at all); the model refuses it only when allowSharedCrossRegionCopy says so, as an API before 2025-09 did",
  },
  {
    step: "encryption: DescribeDBClusterSnapshots manual, settled",
    field: "basic-1.kmsKey",
    model: "key:aws/rds",
    moto: "default_kms_key_id",
    decidedBy: `${DOC.createCluster}; ${DOC.snapshotShape} (KmsKeyId)`,
    note: "moto wrong: as CreateDBClusterSnapshot of a cluster under aws/rds",
  },
  ...Object.entries(COPIES_LISTED).flatMap(([step, copies]) =>
    Object.entries(copies).flatMap(([copy, source]) => [
      ...whenDiffering(
        step,
        `${copy}.created`,
        COPY_CREATE_TIME,
        `${DOC.snapshotShape} (SnapshotCreateTime: "the time when the snapshot was taken")`,
        "undecided: cluster snapshots have no OriginalSnapshotCreateTime and the docs do not say whether a copy keeps its source's time (AWS-FACTS.md: AWS's own example shows the source's); never age a copy by this field alone",
      ),
      {
        step,
        field: `${copy}.source`,
        model: snapshotArn(A, HOME, source),
        moto: "(absent)",
        decidedBy: `${DOC.snapshotShape} (SourceDBClusterSnapshotArn: "If the DB cluster snapshot was copied from a source DB cluster snapshot, the ARN for the source")`,
        note: "moto wrong: it never sets SourceDBClusterSnapshotArn",
      },
    ]),
  ),
  {
    step: "encryption: DescribeDBClusterSnapshots manual, other account, settled",
    field: "ids",
    model: "[vault-1]",
    moto: "[]",
    decidedBy: DOC.copySnapshot,
    note: "follows from the shared copy moto refused (moto wrong)",
  },
];

// ------------------------------------------------------------------ scenarios

interface Scenario {
  readonly name: string;
  readonly accounts: readonly [string, ...string[]];
  run(r: Recorder): Promise<void>;
}

function restoreValues(result: DBClusterSnapshotAttributesResult | undefined): string[] {
  const attributes = result?.DBClusterSnapshotAttributes ?? [];
  return [...(attributes.find((a) => a.AttributeName === "restore")?.AttributeValues ?? [])].sort();
}

/** The calls a scenario makes, for one backend, in one account and region at a time. */
function calls(b: Backend, keyName: (ref: string) => string = (ref) => b.keyName(ref)) {
  const rds = (account: string, region: string) => b.clients(account, region).rds;
  return {
    create: async (
      account: string,
      cluster: string,
      id: string,
      t: Record<string, string> = {},
      options: SnapshotFieldOptions = {},
    ) => {
      const out = await rds(account, HOME).send(
        new CreateDBClusterSnapshotCommand({
          DBClusterIdentifier: cluster,
          DBClusterSnapshotIdentifier: id,
          Tags: tags(t),
        }),
      );
      return snapshotFields(out.DBClusterSnapshot, keyName, options);
    },
    copy: async (
      account: string,
      region: string,
      input: CopyDBClusterSnapshotMessage,
      options: SnapshotFieldOptions = {},
    ) => {
      const out = await rds(account, region).send(new CopyDBClusterSnapshotCommand(input));
      return snapshotFields(out.DBClusterSnapshot, keyName, options);
    },
    describe: async (
      account: string,
      region: string,
      input: DescribeDBClusterSnapshotsMessage,
    ): Promise<Fields> => {
      const out = await rds(account, region).send(new DescribeDBClusterSnapshotsCommand(input));
      return listingFields(out.DBClusterSnapshots, keyName, { status: true, history: true });
    },
    /**
     * Set-up, not a step: makes both sides hold the same snapshots again after a step one side
     * refused, so later listings compare like with like. Whatever either side answers is ignored.
     */
    discard: async (account: string, region: string, id: string) => {
      await rds(account, region)
        .send(new DeleteDBClusterSnapshotCommand({ DBClusterSnapshotIdentifier: id }))
        .catch(() => undefined);
    },
    share: async (account: string, id: string, add: string[], remove: string[] = []) => {
      const out = await rds(account, HOME).send(
        new ModifyDBClusterSnapshotAttributeCommand({
          DBClusterSnapshotIdentifier: id,
          AttributeName: "restore",
          ValuesToAdd: add,
          ValuesToRemove: remove,
        }),
      );
      return { restore: restoreValues(out.DBClusterSnapshotAttributesResult) };
    },
    attributes: async (account: string, id: string) => {
      const out = await rds(account, HOME).send(
        new DescribeDBClusterSnapshotAttributesCommand({ DBClusterSnapshotIdentifier: id }),
      );
      return {
        id: out.DBClusterSnapshotAttributesResult?.DBClusterSnapshotIdentifier,
        restore: restoreValues(out.DBClusterSnapshotAttributesResult),
      };
    },
    remove: async (account: string, region: string, id: string) => {
      const out = await rds(account, region).send(
        new DeleteDBClusterSnapshotCommand({ DBClusterSnapshotIdentifier: id }),
      );
      return snapshotFields(out.DBClusterSnapshot, keyName);
    },
    describeKey: async (account: string, region: string, keyId: string) => {
      const out = await b
        .clients(account, region)
        .kms.send(new DescribeKeyCommand({ KeyId: keyId }));
      const k = out.KeyMetadata;
      return {
        arn: k?.Arn === undefined ? undefined : keyName(k.Arn),
        keyId: k?.KeyId === undefined ? undefined : keyName(k.KeyId),
        account: k?.AWSAccountId,
        manager: k?.KeyManager,
        enabled: k?.Enabled,
        state: k?.KeyState,
      };
    },
    callerAccount: async (account: string) => {
      const out = await b.clients(account, HOME).sts.send(new GetCallerIdentityCommand({}));
      return { account: out.Account };
    },
  };
}

const TAKEN = "orders-2026-01-01-00-00";
const TOOL_TAGS = { CreatedBy: TOOL, CreatedOn: "2026-01-01-00-00", shareAndCopy: "YES" };

const take: Scenario = {
  name: "take",
  accounts: [A],
  async run(r) {
    const b = r.backend;
    const c = calls(b);
    const rds = b.clients(A, HOME).rds;
    await b.aCluster({ account: A, region: HOME, id: "orders" });
    await b.aCluster({ account: A, region: HOME, id: "paused" });
    await b.stopCluster(A, HOME, "paused");
    const automated = "rds:orders-2026-01-01-00-00";

    await r.step("CreateDBClusterSnapshot with Tags", () =>
      c.create(A, "orders", TAKEN, TOOL_TAGS, { status: true }),
    );
    await r.step("CreateDBClusterSnapshot under an identifier already taken", () =>
      c.create(A, "orders", TAKEN),
    );
    await r.step("CreateDBClusterSnapshot under an invalid identifier", () =>
      c.create(A, "orders", "orders--bad-"),
    );
    await r.step("CreateDBClusterSnapshot of a cluster that does not exist", () =>
      c.create(A, "missing", "missing-1"),
    );
    await r.step("CreateDBClusterSnapshot of a stopped cluster", () =>
      c.create(A, "paused", "paused-1"),
    );
    await r.step("CreateDBClusterSnapshot of an unencrypted cluster, KmsKeyId", () =>
      c.create(A, "orders", "orders-early", {}, { keyWhenUnencrypted: true }),
    );
    await r.step("DeleteDBClusterSnapshot while it is creating", () =>
      c.remove(A, HOME, "orders-early"),
    );
    await b.settle();
    for (const id of ["orders--bad-", "paused-1", "orders-early"]) await c.discard(A, HOME, id);

    await r.step("DescribeDBClusterSnapshots by identifier, settled", () =>
      c.describe(A, HOME, { DBClusterSnapshotIdentifier: TAKEN }),
    );
    await r.step("DescribeDBClusterSnapshots by identifier in upper case", () =>
      c.describe(A, HOME, { DBClusterSnapshotIdentifier: TAKEN.toUpperCase() }),
    );
    await r.step("DescribeDBClusterSnapshots by an identifier that does not exist", () =>
      c.describe(A, HOME, { DBClusterSnapshotIdentifier: "nothing-here" }),
    );
    await r.step("DescribeDBClusterSnapshots SnapshotType manual", () =>
      c.describe(A, HOME, { SnapshotType: "manual" }),
    );
    await r.step("DescribeDBClusterSnapshots by cluster", () =>
      c.describe(A, HOME, { DBClusterIdentifier: "orders" }),
    );
    await r.step("DescribeDBClusterSnapshots automated by identifier", () =>
      c.describe(A, HOME, { DBClusterSnapshotIdentifier: automated, SnapshotType: "automated" }),
    );
    await r.step("AddTagsToResource on a snapshot", async () => {
      await rds.send(
        new AddTagsToResourceCommand({
          ResourceName: snapshotArn(A, HOME, TAKEN),
          Tags: tags({ Owner: "platform", shareAndCopy: "NO" }),
        }),
      );
      return {};
    });
    await r.step("ListTagsForResource on a snapshot", async () => {
      const out = await rds.send(
        new ListTagsForResourceCommand({ ResourceName: snapshotArn(A, HOME, TAKEN) }),
      );
      return { tags: tagList(out.TagList) };
    });
    await r.step("ListTagsForResource on a snapshot that does not exist", async () => {
      const out = await rds.send(
        new ListTagsForResourceCommand({ ResourceName: snapshotArn(A, HOME, "nothing-here") }),
      );
      return { tags: tagList(out.TagList) };
    });
    await r.step("DeleteDBClusterSnapshot", () => c.remove(A, HOME, TAKEN));
    await r.step("DescribeDBClusterSnapshots by identifier after the delete", () =>
      c.describe(A, HOME, { DBClusterSnapshotIdentifier: TAKEN }),
    );
    await r.step("DeleteDBClusterSnapshot of a snapshot already deleted", () =>
      c.remove(A, HOME, TAKEN),
    );
    await r.step("DeleteDBClusterSnapshot of an automated snapshot", () =>
      c.remove(A, HOME, automated),
    );
    await r.step("GetCallerIdentity", () => c.callerAccount(A));
  },
};

const share: Scenario = {
  name: "share",
  accounts: [A, B],
  async run(r) {
    const b = r.backend;
    const c = calls(b);
    await b.aCluster({ account: A, region: HOME, id: "orders" });
    const arn = snapshotArn(A, HOME, TAKEN);

    await r.step("CreateDBClusterSnapshot", () => c.create(A, "orders", TAKEN, TOOL_TAGS));
    await r.step("CreateDBClusterSnapshot orders-late", () => c.create(A, "orders", "orders-late"));
    await r.step("ModifyDBClusterSnapshotAttribute while it is creating", () =>
      c.share(A, "orders-late", [B]),
    );
    await b.settle();
    await c.share(A, "orders-late", [], [B]).catch(() => undefined);

    await r.step("ModifyDBClusterSnapshotAttribute share with an account", () =>
      c.share(A, TAKEN, [B]),
    );
    await r.step("DescribeDBClusterSnapshotAttributes", () => c.attributes(A, TAKEN));
    await r.step("GetCallerIdentity in the other account", () => c.callerAccount(B));
    await r.step(
      "DescribeDBClusterSnapshots SnapshotType shared + IncludeShared, other account",
      () => c.describe(B, HOME, { SnapshotType: "shared", IncludeShared: true }),
    );
    await r.step("DescribeDBClusterSnapshots SnapshotType shared, other account", () =>
      c.describe(B, HOME, { SnapshotType: "shared" }),
    );
    await r.step("DescribeDBClusterSnapshots IncludeShared alone, other account", () =>
      c.describe(B, HOME, { IncludeShared: true }),
    );
    await r.step("DescribeDBClusterSnapshots SnapshotType manual, other account", () =>
      c.describe(B, HOME, { SnapshotType: "manual" }),
    );
    await r.step("DescribeDBClusterSnapshots by ARN, other account", () =>
      c.describe(B, HOME, { DBClusterSnapshotIdentifier: arn }),
    );
    await r.step(
      "DescribeDBClusterSnapshots SnapshotType shared, other account, other region",
      () => c.describe(B, AWAY, { SnapshotType: "shared", IncludeShared: true }),
    );
    await r.step("CopyDBClusterSnapshot of the shared snapshot, other account, same region", () =>
      c.copy(B, HOME, {
        SourceDBClusterSnapshotIdentifier: arn,
        TargetDBClusterSnapshotIdentifier: TAKEN,
        Tags: tags({ CopiedBy: TOOL }),
      }),
    );
    await r.step("ModifyDBClusterSnapshotAttribute add all", () => c.share(A, TAKEN, ["all"]));
    await r.step("ModifyDBClusterSnapshotAttribute remove the account and all", () =>
      c.share(A, TAKEN, [], [B, "all"]),
    );
    await r.step("ModifyDBClusterSnapshotAttribute with an invalid account id", () =>
      c.share(A, TAKEN, ["12345"]),
    );
    await c.share(A, TAKEN, [], ["12345"]).catch(() => undefined);
    await r.step(
      "ModifyDBClusterSnapshotAttribute of an attribute other than restore",
      async () => {
        await b.clients(A, HOME).rds.send(
          new ModifyDBClusterSnapshotAttributeCommand({
            DBClusterSnapshotIdentifier: TAKEN,
            AttributeName: "copy",
            ValuesToAdd: [B],
          }),
        );
        return {};
      },
    );
    await r.step("ModifyDBClusterSnapshotAttribute of a snapshot that does not exist", () =>
      c.share(A, "nothing-here", [B]),
    );
    await r.step("ModifyDBClusterSnapshotAttribute of an automated snapshot", () =>
      c.share(A, "rds:orders-2026-01-01-00-00", [B]),
    );
    await r.step("DescribeDBClusterSnapshotAttributes of a snapshot that does not exist", () =>
      c.attributes(A, "nothing-here"),
    );
    await r.step("ModifyDBClusterSnapshotAttribute share with an account twice", async () => {
      await c.share(A, TAKEN, [B]);
      return c.share(A, TAKEN, [B]);
    });
  },
};

const encryption: Scenario = {
  name: "encryption",
  accounts: [A, B],
  async run(r) {
    const b = r.backend;
    const cmk = await b.aKey({ account: A, region: HOME, name: "cmk", usableBy: [B] });
    const cmkPrivate = await b.aKey({ account: A, region: HOME, name: "cmk-private" });
    const cmkAway = await b.aKey({ account: A, region: AWAY, name: "cmk-away" });
    const cmkB = await b.aKey({ account: B, region: HOME, name: "cmk-b" });
    const cmkBAway = await b.aKey({ account: B, region: AWAY, name: "cmk-b-away" });
    await b.aCluster({ account: A, region: HOME, id: "vault", key: "cmk" });
    await b.aCluster({ account: A, region: HOME, id: "plain" });
    await b.aCluster({ account: A, region: HOME, id: "basic", key: "aws/rds" });
    const c = calls(b, await learnDefaultKey(b, A, HOME));
    const vault = snapshotArn(A, HOME, "vault-1");
    const plain = snapshotArn(A, HOME, "plain-1");
    const basic = snapshotArn(A, HOME, "basic-1");

    await r.step("DescribeKey of a customer key by ARN", () => c.describeKey(A, HOME, cmk));
    await r.step("DescribeKey by alias", () => c.describeKey(A, HOME, "alias/cmk"));
    await r.step("DescribeKey alias/aws/rds", () => c.describeKey(A, HOME, "alias/aws/rds"));
    await r.step("DescribeKey of an alias that does not exist", () =>
      c.describeKey(A, HOME, "alias/nothing-here"),
    );
    await r.step("DescribeKey by ARN from an account the key policy grants", () =>
      c.describeKey(B, HOME, cmk),
    );
    await r.step("DescribeKey by ARN from an account the key policy does not grant", () =>
      c.describeKey(B, HOME, cmkPrivate),
    );

    await r.step("CreateDBClusterSnapshot of a cluster under a customer key", () =>
      c.create(A, "vault", "vault-1", TOOL_TAGS),
    );
    await r.step("CreateDBClusterSnapshot of a cluster under aws/rds", () =>
      c.create(A, "basic", "basic-1"),
    );
    await r.step("CreateDBClusterSnapshot of an unencrypted cluster", () =>
      c.create(A, "plain", "plain-1"),
    );
    await r.step("CopyDBClusterSnapshot while the source is creating", () =>
      c.copy(A, HOME, {
        SourceDBClusterSnapshotIdentifier: "vault-1",
        TargetDBClusterSnapshotIdentifier: "vault-1-early",
      }),
    );
    await b.settle();

    await r.step("CopyDBClusterSnapshot same region, no KmsKeyId", () =>
      c.copy(
        A,
        HOME,
        {
          SourceDBClusterSnapshotIdentifier: "vault-1",
          TargetDBClusterSnapshotIdentifier: "vault-1-local",
          Tags: tags({ CopiedBy: TOOL }),
        },
        { status: true },
      ),
    );
    await r.step("CopyDBClusterSnapshot same region, CopyTags and Tags", () =>
      c.copy(A, HOME, {
        SourceDBClusterSnapshotIdentifier: "vault-1",
        TargetDBClusterSnapshotIdentifier: "vault-1-tagged",
        CopyTags: true,
        Tags: tags({ CopiedBy: TOOL }),
      }),
    );
    await r.step("CopyDBClusterSnapshot aws/rds snapshot re-encrypted with a customer key", () =>
      c.copy(A, HOME, {
        SourceDBClusterSnapshotIdentifier: "basic-1",
        TargetDBClusterSnapshotIdentifier: "basic-1-cmk",
        KmsKeyId: cmk,
      }),
    );
    await r.step("CopyDBClusterSnapshot cancelled by deleting the copy at once", async () => {
      await b.clients(A, HOME).rds.send(
        new CopyDBClusterSnapshotCommand({
          SourceDBClusterSnapshotIdentifier: "plain-1",
          TargetDBClusterSnapshotIdentifier: "plain-1-cancelled",
        }),
      );
      return c.remove(A, HOME, "plain-1-cancelled");
    });
    await r.step("CopyDBClusterSnapshot encrypted, other region, no KmsKeyId", () =>
      c.copy(A, AWAY, {
        SourceDBClusterSnapshotIdentifier: vault,
        TargetDBClusterSnapshotIdentifier: "vault-1-nokey",
      }),
    );
    await r.step("CopyDBClusterSnapshot encrypted, other region, destination key", () =>
      c.copy(
        A,
        AWAY,
        {
          SourceDBClusterSnapshotIdentifier: vault,
          TargetDBClusterSnapshotIdentifier: "vault-1",
          KmsKeyId: cmkAway,
          Tags: tags({ CopiedBy: TOOL }),
        },
        { status: true },
      ),
    );
    await r.step("CopyDBClusterSnapshot encrypted, other region, a key of the source region", () =>
      c.copy(A, AWAY, {
        SourceDBClusterSnapshotIdentifier: vault,
        TargetDBClusterSnapshotIdentifier: "vault-1-wrongkey",
        KmsKeyId: cmk,
      }),
    );
    await r.step("CopyDBClusterSnapshot with a key that does not exist", () =>
      c.copy(A, AWAY, {
        SourceDBClusterSnapshotIdentifier: vault,
        TargetDBClusterSnapshotIdentifier: "vault-1-nosuchkey",
        KmsKeyId: "alias/nothing-here",
      }),
    );
    await r.step("CopyDBClusterSnapshot aws/rds snapshot, other region, destination key", () =>
      c.copy(A, AWAY, {
        SourceDBClusterSnapshotIdentifier: basic,
        TargetDBClusterSnapshotIdentifier: "basic-1",
        KmsKeyId: cmkAway,
      }),
    );
    await r.step("CopyDBClusterSnapshot unencrypted with a KmsKeyId", () =>
      c.copy(A, HOME, {
        SourceDBClusterSnapshotIdentifier: "plain-1",
        TargetDBClusterSnapshotIdentifier: "plain-1-encrypted",
        KmsKeyId: cmk,
      }),
    );
    await r.step("CopyDBClusterSnapshot unencrypted, other region", () =>
      c.copy(A, AWAY, {
        SourceDBClusterSnapshotIdentifier: plain,
        TargetDBClusterSnapshotIdentifier: "plain-1",
      }),
    );
    await r.step("CopyDBClusterSnapshot to an identifier already taken", () =>
      c.copy(A, HOME, {
        SourceDBClusterSnapshotIdentifier: "plain-1",
        TargetDBClusterSnapshotIdentifier: "vault-1",
      }),
    );
    await r.step("CopyDBClusterSnapshot to an invalid identifier", () =>
      c.copy(A, HOME, {
        SourceDBClusterSnapshotIdentifier: "plain-1",
        TargetDBClusterSnapshotIdentifier: "9-lives",
      }),
    );
    await r.step("CopyDBClusterSnapshot of a source that does not exist", () =>
      c.copy(A, HOME, {
        SourceDBClusterSnapshotIdentifier: "nothing-here",
        TargetDBClusterSnapshotIdentifier: "nothing-copied",
      }),
    );
    await r.step("ModifyDBClusterSnapshotAttribute share an aws/rds snapshot", () =>
      c.share(A, "basic-1", [B]),
    );
    await r.step("ModifyDBClusterSnapshotAttribute share a customer-key snapshot", () =>
      c.share(A, "vault-1", [B]),
    );
    await r.step("ModifyDBClusterSnapshotAttribute make an encrypted snapshot public", () =>
      c.share(A, "vault-1", ["all"]),
    );
    await r.step("CopyDBClusterSnapshot shared encrypted, other account, no KmsKeyId", () =>
      c.copy(B, HOME, {
        SourceDBClusterSnapshotIdentifier: vault,
        TargetDBClusterSnapshotIdentifier: "vault-1-nokey",
      }),
    );
    await r.step("CopyDBClusterSnapshot shared encrypted, other account, its own key", () =>
      c.copy(B, HOME, {
        SourceDBClusterSnapshotIdentifier: vault,
        TargetDBClusterSnapshotIdentifier: "vault-1",
        KmsKeyId: cmkB,
      }),
    );
    await r.step("CopyDBClusterSnapshot shared encrypted, other account, other region", () =>
      c.copy(B, AWAY, {
        SourceDBClusterSnapshotIdentifier: vault,
        TargetDBClusterSnapshotIdentifier: "vault-1",
        KmsKeyId: cmkBAway,
      }),
    );
    await b.settle();
    // What one side made and the other refused (and the cancelled copy, should one side keep it).
    for (const id of ["vault-1-early", "plain-1-encrypted", "9-lives", "plain-1-cancelled"]) {
      await c.discard(A, HOME, id);
    }
    await c.discard(A, AWAY, "vault-1-nokey");

    await r.step("DescribeDBClusterSnapshots manual, settled", () =>
      c.describe(A, HOME, { SnapshotType: "manual" }),
    );
    await r.step("DescribeDBClusterSnapshots manual, other region, settled", () =>
      c.describe(A, AWAY, { SnapshotType: "manual" }),
    );
    await r.step("DescribeDBClusterSnapshots manual, other account, settled", () =>
      c.describe(B, HOME, { SnapshotType: "manual" }),
    );
  },
};

const SCENARIOS: readonly Scenario[] = [take, share, encryption];

// ------------------------------------------------------------------ the test

let moto: MotoServer;

beforeAll(async () => {
  moto = await startMotoServer();
}, 60_000);

afterAll(async () => {
  await moto?.stop();
});

async function runOn(backend: Backend, scenario: Scenario): Promise<Recorder> {
  const recorder = new Recorder(scenario.name, backend);
  try {
    await scenario.run(recorder);
  } finally {
    backend.destroy();
  }
  return recorder;
}

const withoutReasons = ({ step, field, model, moto }: Divergence): Divergence => ({
  step,
  field,
  model,
  moto,
});

/** DIFFERENTIAL_DUMP=<file> appends both sides' observations per scenario, to update the table. */
const DUMP = process.env["DIFFERENTIAL_DUMP"];

describe("the in-memory RDS against moto_server", () => {
  for (const scenario of SCENARIOS) {
    it(`${scenario.name}: diverges exactly as the table says`, async () => {
      const model = await runOn(modelBackend(), scenario);
      const onMoto = await runOn(await motoBackend(moto, scenario.accounts), scenario);
      const comparison = compare(model.observed, onMoto.observed);
      if (DUMP) appendFileSync(DUMP, `${JSON.stringify(dumpOf(comparison, model, onMoto))}\n`);

      const expected = DIVERGENCES.filter((d) => d.step.startsWith(`${scenario.name}: `))
        .map(withoutReasons)
        .sort(byStepAndField);
      expect(comparison.divergences.sort(byStepAndField)).toEqual(expected);
      expect(comparison.agreeing).toBeGreaterThan(0);
    });
  }

  it("lists each divergence once, under a scenario that exists", () => {
    const keys = DIVERGENCES.map((d) => `${d.step} | ${d.field}`);
    expect(keys.filter((k, i) => keys.indexOf(k) !== i)).toEqual([]);
    const unknown = DIVERGENCES.filter(
      (d) => !SCENARIOS.some((s) => d.step.startsWith(`${s.name}: `)),
    );
    expect(unknown.map((d) => d.step)).toEqual([]);
  });

  it("says for every divergence which AWS page decides it", () => {
    expect(
      DIVERGENCES.filter((d) => !/https:\/\/docs\.aws\.amazon\.com\//.test(d.decidedBy)),
    ).toEqual([]);
  });
});

function dumpOf(comparison: Comparison, model: Recorder, onMoto: Recorder) {
  return {
    steps: comparison.steps,
    agreeing: comparison.agreeing,
    divergences: comparison.divergences,
    model: Object.fromEntries(model.observed),
    moto: Object.fromEntries(onMoto.observed),
  };
}
