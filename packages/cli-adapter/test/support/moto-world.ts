import { CreateKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import {
  CreateDBClusterCommand,
  CreateDBClusterSnapshotCommand,
  DescribeDBClusterSnapshotAttributesCommand,
  DescribeDBClusterSnapshotsCommand,
  RDSClient,
  StopDBClusterCommand,
  type DBClusterSnapshot,
} from "@aws-sdk/client-rds";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";

/** moto's default account: what the fake base credentials act in. */
export const HOME_ACCOUNT = "123456789012";
export const TOOL_TAGS = [
  { Key: "CreatedBy", Value: "Snapshot Tool for Aurora" },
  { Key: "shareAndCopy", Value: "YES" },
];
export const COPY_TAGS = [{ Key: "CopiedBy", Value: "Snapshot Tool for Aurora" }];

export function roleIn(account: string): string {
  return `arn:aws:iam::${account}:role/any`;
}

interface Where {
  readonly region?: string;
  /** Another account, reached through AssumeRole as the CLI's --role-arn does. */
  readonly account?: string;
}

/** Builds the emulator's state with the SDK, the way a user's account would look. */
export class MotoWorld {
  constructor(readonly endpoint: string) {}

  private async config(where: Where) {
    const base = {
      region: where.region ?? "us-east-1",
      endpoint: this.endpoint,
      credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
    };
    if (where.account === undefined || where.account === HOME_ACCOUNT) return base;
    const sts = new STSClient(base);
    const out = await sts.send(
      new AssumeRoleCommand({ RoleArn: roleIn(where.account), RoleSessionName: "fixture" }),
    );
    const c = out.Credentials;
    return {
      ...base,
      credentials: {
        accessKeyId: c?.AccessKeyId ?? "",
        secretAccessKey: c?.SecretAccessKey ?? "",
        sessionToken: c?.SessionToken ?? "",
      },
    };
  }

  async rds(where: Where = {}): Promise<RDSClient> {
    return new RDSClient(await this.config(where));
  }

  async cluster(
    id: string,
    options: Where & { engine?: string; kmsKeyId?: string; tags?: Record<string, string> } = {},
  ): Promise<void> {
    const rds = await this.rds(options);
    await rds.send(
      new CreateDBClusterCommand({
        DBClusterIdentifier: id,
        Engine: options.engine ?? "aurora-mysql",
        MasterUsername: "admin",
        MasterUserPassword: "password123",
        ...(options.kmsKeyId !== undefined && {
          StorageEncrypted: true,
          KmsKeyId: options.kmsKeyId,
        }),
        Tags: Object.entries(options.tags ?? {}).map(([Key, Value]) => ({ Key, Value })),
      }),
    );
  }

  async stopCluster(id: string, where: Where = {}): Promise<void> {
    await (await this.rds(where)).send(new StopDBClusterCommand({ DBClusterIdentifier: id }));
  }

  async snapshot(
    clusterId: string,
    snapshotId: string,
    options: Where & { tags?: { Key: string; Value: string }[] } = {},
  ): Promise<void> {
    await (
      await this.rds(options)
    ).send(
      new CreateDBClusterSnapshotCommand({
        DBClusterIdentifier: clusterId,
        DBClusterSnapshotIdentifier: snapshotId,
        Tags: options.tags ?? TOOL_TAGS,
      }),
    );
  }

  /** The account's manual snapshots (moto also makes one automated snapshot per cluster). */
  async manualSnapshots(where: Where = {}): Promise<DBClusterSnapshot[]> {
    const out = await (
      await this.rds(where)
    ).send(new DescribeDBClusterSnapshotsCommand({ SnapshotType: "manual" }));
    return out.DBClusterSnapshots ?? [];
  }

  async manualSnapshotIds(where: Where = {}): Promise<string[]> {
    return (await this.manualSnapshots(where))
      .map((s) => s.DBClusterSnapshotIdentifier ?? "")
      .sort();
  }

  async sharedWith(snapshotId: string, where: Where = {}): Promise<string[]> {
    const out = await (
      await this.rds(where)
    ).send(
      new DescribeDBClusterSnapshotAttributesCommand({ DBClusterSnapshotIdentifier: snapshotId }),
    );
    const attrs = out.DBClusterSnapshotAttributesResult?.DBClusterSnapshotAttributes ?? [];
    return attrs.find((a) => a.AttributeName === "restore")?.AttributeValues ?? [];
  }

  async key(where: Where = {}): Promise<string> {
    const kms = new KMSClient(await this.config(where));
    const out = await kms.send(new CreateKeyCommand({}));
    return out.KeyMetadata?.Arn ?? "";
  }
}
