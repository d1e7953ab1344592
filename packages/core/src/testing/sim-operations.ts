/**
 * The RDS, KMS and STS operations of the in-memory RDS other than listings: sharing, create, copy,
 * delete, tags, DescribeKey, GetCallerIdentity. Each enforces the rules AWS applies, with the
 * modelled error names, so the engine meets the same refusals it would in AWS.
 */
import type {
  DescribeKeyRequest,
  DescribeKeyResponse,
  GetKeyPolicyRequest,
  GetKeyPolicyResponse,
} from "@aws-sdk/client-kms";
import type {
  AddTagsToResourceMessage,
  CopyDBClusterSnapshotMessage,
  CopyDBClusterSnapshotResult,
  CreateDBClusterSnapshotMessage,
  CreateDBClusterSnapshotResult,
  CreateDBInstanceMessage,
  DBClusterSnapshotAttributesResult,
  DeleteDBClusterMessage,
  DeleteDBClusterSnapshotMessage,
  DeleteDBClusterSnapshotResult,
  DescribeDBClusterSnapshotAttributesMessage,
  DescribeDBClusterSnapshotAttributesResult,
  DescribeDBClusterSnapshotsMessage,
  DescribeDBClustersMessage,
  DeleteDBInstanceMessage,
  DescribeDBInstancesMessage,
  ListTagsForResourceMessage,
  ModifyDBClusterSnapshotAttributeMessage,
  ModifyDBClusterSnapshotAttributeResult,
  RemoveTagsFromResourceMessage,
  RestoreDBClusterFromSnapshotMessage,
  TagListMessage,
} from "@aws-sdk/client-rds";
import type { GetCallerIdentityResponse } from "@aws-sdk/client-sts";
import { simError } from "./sim-errors.js";
import { describeClusters, describeSnapshots } from "./sim-listing.js";
import {
  isAccountId,
  MAX_TAGS,
  parseRdsArn,
  snapshotArn,
  snapshotIdentifierProblem,
  tagsToList,
} from "./sim-names.js";
import {
  createInstance,
  deleteCluster,
  deleteInstance,
  describeInstances,
  restoreClusterFromSnapshot,
  withClusterDetails,
} from "./sim-restore.js";
import { required, validTags } from "./sim-params.js";
import { apiSnapshot } from "./sim-state.js";
import type { ClusterState, SnapshotState } from "./sim-state.js";
import { sourceSnapshot } from "./sim-store.js";
import type { SimStore } from "./sim-store.js";
import type { SimPlace } from "./sim-types.js";

const MINUTE = 60_000;
/** AWS's limit on accounts in a manual snapshot's `restore` attribute. */
const SHARED_ACCOUNTS_LIMIT = 20;

/** The states of a copy that RDS counts against the copies-in-progress limit. */
const COPY_IN_FLIGHT: ReadonlySet<string> = new Set(["pending", "creating", "copying"]);

/** Runs one RDS, KMS or STS operation as `place` against the store. */
export function runOperation(store: SimStore, place: SimPlace, op: string, input: object): object {
  switch (op) {
    case "DescribeDBClusters":
      return withClusterDetails(
        store,
        place,
        describeClusters(store, place, input as DescribeDBClustersMessage),
      );
    case "DescribeDBClusterSnapshots":
      return describeSnapshots(store, place, input as DescribeDBClusterSnapshotsMessage);
    case "DescribeDBClusterSnapshotAttributes":
      return describeAttributes(store, place, input as DescribeDBClusterSnapshotAttributesMessage);
    case "ModifyDBClusterSnapshotAttribute":
      return modifyAttribute(store, place, input as ModifyDBClusterSnapshotAttributeMessage);
    case "CreateDBClusterSnapshot":
      return createSnapshot(store, place, input as CreateDBClusterSnapshotMessage);
    case "CopyDBClusterSnapshot":
      return copySnapshot(store, place, input as CopyDBClusterSnapshotMessage);
    case "DeleteDBClusterSnapshot":
      return deleteSnapshot(store, place, input as DeleteDBClusterSnapshotMessage);
    case "AddTagsToResource":
      return addTags(store, place, input as AddTagsToResourceMessage);
    case "ListTagsForResource":
      return listTags(store, place, input as ListTagsForResourceMessage);
    case "RemoveTagsFromResource":
      return removeTags(store, place, input as RemoveTagsFromResourceMessage);
    case "RestoreDBClusterFromSnapshot":
      return restoreClusterFromSnapshot(store, place, input as RestoreDBClusterFromSnapshotMessage);
    case "CreateDBInstance":
      return createInstance(store, place, input as CreateDBInstanceMessage);
    case "DescribeDBInstances":
      return describeInstances(store, place, input as DescribeDBInstancesMessage);
    case "DeleteDBInstance":
      return deleteInstance(store, place, input as DeleteDBInstanceMessage);
    case "DeleteDBCluster":
      return deleteCluster(store, place, input as DeleteDBClusterMessage, (final) =>
        createSnapshot(store, place, final),
      );
    case "DescribeKey":
      return describeKey(store, place, input as DescribeKeyRequest);
    case "GetKeyPolicy":
      return getKeyPolicy(store, place, input as GetKeyPolicyRequest);
    case "GetCallerIdentity":
      return callerIdentity(store, place);
    default:
      throw simError("InvalidAction", `The in-memory RDS does not implement ${op}`);
  }
}

function describeAttributes(
  store: SimStore,
  place: SimPlace,
  input: DescribeDBClusterSnapshotAttributesMessage,
): DescribeDBClusterSnapshotAttributesResult {
  const snap = store.ownSnapshot(
    place,
    required(input.DBClusterSnapshotIdentifier, "DBClusterSnapshotIdentifier"),
  );
  return { DBClusterSnapshotAttributesResult: attributes(snap) };
}

function modifyAttribute(
  store: SimStore,
  place: SimPlace,
  input: ModifyDBClusterSnapshotAttributeMessage,
): ModifyDBClusterSnapshotAttributeResult {
  const snap = store.ownSnapshot(
    place,
    required(input.DBClusterSnapshotIdentifier, "DBClusterSnapshotIdentifier"),
  );
  if (required(input.AttributeName, "AttributeName") !== "restore") {
    throw simError("InvalidParameterValue", `Invalid attribute name: ${input.AttributeName}`);
  }
  if (snap.type !== "manual") {
    throw simError(
      "InvalidDBClusterSnapshotStateFault",
      `Only manual snapshots can be shared; ${snap.id} is ${snap.type}`,
    );
  }
  if (snap.status !== "available") {
    throw simError(
      "InvalidDBClusterSnapshotStateFault",
      `Snapshot ${snap.id} is ${snap.status}, not available`,
    );
  }
  const toAdd = (input.ValuesToAdd ?? []).map((v) => v.trim().toLowerCase());
  const toRemove = (input.ValuesToRemove ?? []).map((v) => v.trim().toLowerCase());
  const invalid = [...toAdd, ...toRemove].find((v) => v !== "all" && !isAccountId(v));
  if (invalid !== undefined) {
    throw simError("InvalidParameterValue", `Invalid account id for restore attribute: ${invalid}`);
  }
  if (snap.encrypted && toAdd.includes("all")) {
    throw simError("InvalidParameterValue", "Encrypted snapshots cannot be made public");
  }
  if (snap.encrypted && toAdd.some((v) => v !== place.account)) {
    const key = snap.kmsKeyId === undefined ? undefined : store.kms.byKeyArn(snap.kmsKeyId);
    if (key?.manager === "AWS") {
      // AuroraUserGuide/share-encrypted-snapshot: the AWS-managed aws/rds key cannot be granted.
      throw simError(
        "InvalidParameterValue",
        `Snapshot ${snap.id} is encrypted with the default KMS key and cannot be shared with another account`,
      );
    }
  }
  const next = [...new Set([...snap.sharedWith, ...toAdd])].filter((v) => !toRemove.includes(v));
  if (next.filter((v) => v !== "all").length > SHARED_ACCOUNTS_LIMIT) {
    throw simError(
      "SharedSnapshotQuotaExceededFault",
      `A snapshot can be shared with at most ${SHARED_ACCOUNTS_LIMIT} accounts`,
    );
  }
  snap.sharedWith = next;
  store.version += 1;
  return { DBClusterSnapshotAttributesResult: attributes(snap) };
}

function createSnapshot(
  store: SimStore,
  place: SimPlace,
  input: CreateDBClusterSnapshotMessage,
): CreateDBClusterSnapshotResult {
  const id = validSnapshotId(
    required(input.DBClusterSnapshotIdentifier, "DBClusterSnapshotIdentifier"),
  );
  const clusterRef = required(input.DBClusterIdentifier, "DBClusterIdentifier");
  const tags = validTags(input.Tags);
  const cluster = store.findCluster(place, clusterRef);
  if (!cluster) throw simError("DBClusterNotFoundFault", `DBCluster ${clusterRef} not found.`);
  if (cluster.status !== "available") {
    throw simError(
      "InvalidDBClusterStateFault",
      `DBCluster ${cluster.id} is in ${cluster.status} state but expected it to be available.`,
    );
  }
  store.assertNewSnapshot(place, id);
  store.assertManualQuota(place);
  const snap: SnapshotState = {
    account: place.account,
    region: place.region,
    id,
    arn: snapshotArn(place.account, place.region, id),
    clusterId: cluster.id,
    engine: cluster.engine,
    engineVersion: cluster.engineVersion,
    type: "manual",
    status: "creating",
    percentProgress: 0,
    createTime: store.now(),
    startedAt: store.now(),
    readyAt: new Date(store.clock.getTime() + store.settings.createMinutes * MINUTE),
    encrypted: cluster.encrypted,
    ...(cluster.kmsKeyId !== undefined && { kmsKeyId: cluster.kmsKeyId }),
    tags,
    sharedWith: [],
  };
  store.insertSnapshot(snap);
  return { DBClusterSnapshot: apiSnapshot(snap, "own") };
}

function copySnapshot(
  store: SimStore,
  place: SimPlace,
  input: CopyDBClusterSnapshotMessage,
): CopyDBClusterSnapshotResult {
  const sourceRef = required(
    input.SourceDBClusterSnapshotIdentifier,
    "SourceDBClusterSnapshotIdentifier",
  );
  const id = validSnapshotId(
    required(input.TargetDBClusterSnapshotIdentifier, "TargetDBClusterSnapshotIdentifier"),
  );
  const tags = validTags(input.Tags);
  const source = sourceSnapshot(store, place, sourceRef);
  if (source.status !== "available") {
    throw simError(
      "InvalidDBClusterSnapshotStateFault",
      `Snapshot ${source.arn} is ${source.status}; only available snapshots can be copied`,
    );
  }
  const crossAccount = source.account !== place.account;
  const crossRegion = source.region !== place.region;
  const allowed = store.settings.allowSharedCrossRegionCopy;
  const singleStepAllowed =
    typeof allowed === "function"
      ? allowed({ targetRegion: place.region, sourceRegion: source.region })
      : allowed;
  if (crossAccount && crossRegion && !singleStepAllowed) {
    throw simError(
      "InvalidParameterCombination",
      "A snapshot shared from another account can only be copied within its region",
    );
  }
  const kmsKeyId = copyKey(store, place, source, input.KmsKeyId, crossAccount, crossRegion);
  store.assertNewSnapshot(place, id);
  store.assertManualQuota(place);
  // The limit counts every copy into this account and region that is not finished yet, whether
  // AWS shows it pending, creating or copying.
  const copying = [...store.snapshotsAt(place).values()].filter(
    (s) => s.sourceArn !== undefined && COPY_IN_FLIGHT.has(s.status),
  ).length;
  if (copying >= store.settings.copiesInFlightLimit) {
    // AWS documents the limit (5 copies in progress per destination region) but not its error
    // code; SnapshotQuotaExceededFault is the closest modelled fault of CopyDBClusterSnapshot.
    throw simError(
      "SnapshotQuotaExceededFault",
      `Too many snapshot copies in progress in ${place.region} (limit ${store.settings.copiesInFlightLimit})`,
    );
  }
  const minutes = store.settings.copyDuration({
    sourceArn: source.arn,
    clusterId: source.clusterId,
    crossRegion,
    crossAccount,
  });
  // The owner's tags are invisible to another account, so CopyTags has nothing to copy there.
  const copiedTags = input.CopyTags && !crossAccount ? source.tags : {};
  const snap: SnapshotState = {
    account: place.account,
    region: place.region,
    id,
    arn: snapshotArn(place.account, place.region, id),
    clusterId: source.clusterId,
    engine: source.engine,
    engineVersion: source.engineVersion,
    type: "manual",
    // Queued first: settle() starts it as the place has room (InMemoryRdsOptions.copiesRunningAtOnce).
    status: "pending",
    percentProgress: 0,
    // AWS documents neither rule for cluster snapshots: a scenario picks one.
    createTime:
      store.settings.copyCreateTime === "copy" ? store.now() : new Date(source.createTime),
    queuedAt: store.now(),
    durationMs: minutes * MINUTE,
    encrypted: source.encrypted,
    ...(kmsKeyId !== undefined && { kmsKeyId }),
    tags: { ...copiedTags, ...tags },
    sharedWith: [],
    sourceArn: source.arn,
  };
  store.insertSnapshot(snap);
  return { DBClusterSnapshot: apiSnapshot(snap, "own") };
}

/** The key ARN a copy is encrypted with, enforcing RDS's encryption rules for copies. */
function copyKey(
  store: SimStore,
  place: SimPlace,
  source: SnapshotState,
  keyRef: string | undefined,
  crossAccount: boolean,
  crossRegion: boolean,
): string | undefined {
  if (!source.encrypted) {
    if (keyRef !== undefined && keyRef !== "") {
      throw simError(
        "InvalidParameterValue",
        "KmsKeyId can only be given when copying an encrypted snapshot",
      );
    }
    return undefined;
  }
  const sourceKey = source.kmsKeyId === undefined ? undefined : store.kms.byKeyArn(source.kmsKeyId);
  if (!sourceKey || !sourceKey.enabled || !store.kms.usableBy(sourceKey, place.account)) {
    throw simError(
      "KMSKeyNotAccessibleFault",
      `The source snapshot's KMS key ${source.kmsKeyId ?? "(none)"} is not accessible`,
    );
  }
  if (keyRef === undefined || keyRef === "") {
    if (crossAccount) {
      throw simError(
        "InvalidParameterValue",
        "KmsKeyId is required to copy an encrypted snapshot shared from another account",
      );
    }
    if (crossRegion) {
      throw simError(
        "InvalidParameterValue",
        "KmsKeyId is required to copy an encrypted snapshot to another region",
      );
    }
    return sourceKey.arn;
  }
  // KMS keys are regional: the key must be found in the target (the caller's) region.
  const key = store.kms.resolve(keyRef, place.account, place.region);
  if (!key || !key.enabled || !store.kms.usableBy(key, place.account)) {
    throw simError(
      "KMSKeyNotAccessibleFault",
      `KMS key ${keyRef} is not accessible in ${place.region}`,
    );
  }
  return key.arn;
}

function deleteSnapshot(
  store: SimStore,
  place: SimPlace,
  input: DeleteDBClusterSnapshotMessage,
): DeleteDBClusterSnapshotResult {
  const snap = store.ownSnapshot(
    place,
    required(input.DBClusterSnapshotIdentifier, "DBClusterSnapshotIdentifier"),
  );
  if (snap.type !== "manual") {
    throw simError(
      "InvalidDBClusterSnapshotStateFault",
      `Snapshot ${snap.id} is ${snap.type}; only manual snapshots can be deleted`,
    );
  }
  // Deleting a copy that is not finished (`pending` or `copying`) cancels it; `failed` snapshots
  // can be cleaned up too.
  if (!["available", "pending", "copying", "failed"].includes(snap.status)) {
    throw simError(
      "InvalidDBClusterSnapshotStateFault",
      `Snapshot ${snap.id} is ${snap.status}; it can be deleted once available`,
    );
  }
  const result = apiSnapshot(snap, "own");
  store.snapshotsAt(place).delete(snap.id);
  store.inFlight.delete(snap);
  // Deleting a source under a running copy fails that copy (AWS says it "may"; the simulator
  // always does, which makes an early delete of an intermediate copy visible in tests).
  for (const copy of [...store.inFlight]) {
    if (copy.sourceArn === snap.arn) store.endTransition(copy, "failed");
  }
  store.version += 1;
  return { DBClusterSnapshot: result };
}

function addTags(store: SimStore, place: SimPlace, input: AddTagsToResourceMessage): object {
  const resource = taggedResource(store, place, required(input.ResourceName, "ResourceName"));
  const merged = { ...resource.tags, ...validTags(input.Tags) };
  if (Object.keys(merged).length > MAX_TAGS) {
    throw simError("InvalidParameterValue", `A resource can carry at most ${MAX_TAGS} tags`);
  }
  resource.tags = merged;
  return {};
}

function listTags(
  store: SimStore,
  place: SimPlace,
  input: ListTagsForResourceMessage,
): TagListMessage {
  const resource = taggedResource(store, place, required(input.ResourceName, "ResourceName"));
  return { TagList: tagsToList(resource.tags) };
}

function removeTags(
  store: SimStore,
  place: SimPlace,
  input: RemoveTagsFromResourceMessage,
): object {
  const resource = taggedResource(store, place, required(input.ResourceName, "ResourceName"));
  const keys = new Set(input.TagKeys ?? []);
  resource.tags = Object.fromEntries(Object.entries(resource.tags).filter(([k]) => !keys.has(k)));
  return {};
}

/** A cluster or snapshot of the caller's account and region, named by ARN as the tag APIs want. */
function taggedResource(
  store: SimStore,
  place: SimPlace,
  resourceName: string,
): ClusterState | SnapshotState {
  const arn = parseRdsArn(resourceName);
  if (!arn) throw simError("InvalidParameterValue", `Invalid resource name: ${resourceName}`);
  const own = arn.account === place.account && arn.region === place.region;
  if (arn.resourceType === "cluster") {
    const cluster = own ? store.clustersAt(place).get(arn.id) : undefined;
    if (!cluster) throw simError("DBClusterNotFoundFault", `DBCluster ${resourceName} not found.`);
    return cluster;
  }
  if (arn.resourceType === "cluster-snapshot") {
    const snap = own ? store.snapshotsAt(place).get(arn.id) : undefined;
    if (!snap) {
      throw simError(
        "DBClusterSnapshotNotFoundFault",
        `DBClusterSnapshot ${resourceName} not found.`,
      );
    }
    return snap;
  }
  throw simError("InvalidParameterValue", `Unsupported resource type in ${resourceName}`);
}

function describeKey(
  store: SimStore,
  place: SimPlace,
  input: DescribeKeyRequest,
): DescribeKeyResponse {
  const ref = required(input.KeyId, "KeyId");
  const key = store.kms.resolve(ref, place.account, place.region);
  if (!key) throw simError("NotFoundException", `Key '${ref}' does not exist`);
  if (!store.kms.usableBy(key, place.account)) {
    throw simError("AccessDeniedException", `Account ${place.account} may not use key ${key.arn}`);
  }
  return { KeyMetadata: store.kms.metadata(key) };
}

/** GetKeyPolicy: only the key's own account reads its policy, and the only name is `default`. */
function getKeyPolicy(
  store: SimStore,
  place: SimPlace,
  input: GetKeyPolicyRequest,
): GetKeyPolicyResponse {
  const ref = required(input.KeyId, "KeyId");
  const key = store.kms.resolve(ref, place.account, place.region);
  if (!key) throw simError("NotFoundException", `Key '${ref}' does not exist`);
  if (key.account !== place.account) {
    throw simError(
      "AccessDeniedException",
      `Account ${place.account} may not read the policy of ${key.arn}`,
    );
  }
  const name = input.PolicyName ?? "default";
  if (name !== "default") throw simError("NotFoundException", `No policy ${name} on ${key.arn}`);
  return { Policy: store.kms.keyPolicy(key), PolicyName: "default" };
}

function callerIdentity(store: SimStore, place: SimPlace): GetCallerIdentityResponse {
  return {
    UserId: `AIDASIMULATED${place.account}`,
    Account: place.account,
    Arn: `arn:aws:iam::${place.account}:user/in-memory-rds`,
  };
}

function attributes(snap: SnapshotState): DBClusterSnapshotAttributesResult {
  return {
    DBClusterSnapshotIdentifier: snap.id,
    DBClusterSnapshotAttributes: [
      { AttributeName: "restore", AttributeValues: [...snap.sharedWith] },
    ],
  };
}

function validSnapshotId(id: string): string {
  const problem = snapshotIdentifierProblem(id);
  if (problem)
    throw simError("InvalidParameterValue", `Invalid snapshot identifier ${id}: it ${problem}`);
  return id.toLowerCase();
}
