import { AwsActionError } from "../execute/errors.js";
import type { Gateway } from "../execute/gateway.js";

/** The error code of a run whose credentials act in another account than its target's. */
export const WRONG_ACCOUNT = "WrongAccount";

const ARN_ACCOUNT = /^arn:[^:]+:[^:]*:[^:]*:(\d{12}):/;

/** The account an ARN names; undefined for an identifier that is not an ARN. */
export function accountOfArn(ref: string): string | undefined {
  return ARN_ACCOUNT.exec(ref)?.[1];
}

function wrongAccount(operation: string, expected: string, found: string): AwsActionError {
  return new AwsActionError({
    code: WRONG_ACCOUNT,
    message: `the credentials act in account ${found}, but the target is account ${expected}: nothing is changed there`,
    retryable: false,
    operation,
  });
}

/**
 * A gateway bound to one account: whatever the credentials turn out to be, it never changes
 * anything outside `account`. The account is confirmed for free by the listings a step makes
 * first (a cluster or own snapshot carries its account in its ARN); a step that listed nothing of
 * its own asks STS once (GetCallerIdentity) before its first change. A listing, an identity or an
 * ARN of another account fails the call with WrongAccount, so a target whose role or credentials
 * point elsewhere stops before it acts. Shared snapshots belong to other accounts by nature and
 * are not judged.
 */
export interface AccountBoundGateway extends Gateway {
  /**
   * Makes sure the account was confirmed: a run that listed nothing of its own and changed
   * nothing has not yet shown whose account it looked at, and an empty answer from another
   * account must not pass for the target's. Asks STS once when needed; throws WrongAccount.
   */
  confirmAccount(): Promise<void>;
}

export function accountBoundGateway(inner: Gateway, account: string): AccountBoundGateway {
  let confirmed = false;
  const confirm = (operation: string, found: string): void => {
    if (found !== account) throw wrongAccount(operation, account, found);
    confirmed = true;
  };
  const confirmOwn = async (operation: string, arn?: string): Promise<void> => {
    const named = arn === undefined ? undefined : accountOfArn(arn);
    // An ARN of another account is refused whoever the caller is: never acted on from here.
    if (named !== undefined && named !== account) throw wrongAccount(operation, account, named);
    if (!confirmed) confirm(operation, await inner.accountId());
  };
  const checked = <T extends { readonly account: string }>(operation: string, items: T[]): T[] => {
    for (const item of items) confirm(operation, item.account);
    return items;
  };

  const guarded: AccountBoundGateway = {
    confirmAccount: async () => {
      if (!confirmed) confirm("GetCallerIdentity", await inner.accountId());
    },
    ...(inner.serverClock !== undefined && { serverClock: () => inner.serverClock!() }),
    accountId: async () => {
      const found = await inner.accountId();
      confirm("GetCallerIdentity", found);
      return found;
    },
    listClusters: async (region) => checked("DescribeDBClusters", await inner.listClusters(region)),
    listSnapshots: async (region, query) => {
      const snapshots = await inner.listSnapshots(region, query);
      return query.type === "shared" ? snapshots : checked("DescribeDBClusterSnapshots", snapshots);
    },
    describeSnapshot: async (region, id) => {
      const snapshot = await inner.describeSnapshot(region, id);
      // A shared snapshot described by its ARN is another account's; an own one confirms.
      if (snapshot !== undefined && snapshot.type !== "shared") {
        confirm("DescribeDBClusterSnapshots", snapshot.account);
      }
      return snapshot;
    },
    describeKey: (region, keyRef) => inner.describeKey(region, keyRef),
    ...(inner.keyPolicy !== undefined && {
      keyPolicy: (region: string, keyRef: string) => inner.keyPolicy!(region, keyRef),
    }),
    createSnapshot: async (input) => {
      await confirmOwn("CreateDBClusterSnapshot");
      return inner.createSnapshot(input);
    },
    shareSnapshot: async (region, id, to) => {
      await confirmOwn("ModifyDBClusterSnapshotAttribute", id);
      return inner.shareSnapshot(region, id, to);
    },
    addTags: async (region, arn, tags) => {
      await confirmOwn("AddTagsToResource", arn);
      return inner.addTags(region, arn, tags);
    },
    copySnapshot: async (input) => {
      // The source may be another account's shared snapshot; the copy is made in this one.
      await confirmOwn("CopyDBClusterSnapshot");
      return inner.copySnapshot(input);
    },
    deleteSnapshot: async (region, id) => {
      await confirmOwn("DeleteDBClusterSnapshot", id);
      return inner.deleteSnapshot(region, id);
    },
    ...(inner.publishEvents !== undefined && {
      publishEvents: async (
        busArn: string,
        events: Parameters<NonNullable<Gateway["publishEvents"]>>[1],
      ) => {
        // The bus is the destination's; the events speak for this account.
        if (!confirmed) confirm("PutEvents", await inner.accountId());
        return inner.publishEvents!(busArn, events);
      },
    }),
  };
  return guarded;
}
