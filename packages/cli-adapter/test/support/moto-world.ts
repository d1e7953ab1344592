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
import { timeInSnapshotName, type MotoServer } from "@aurora-snapshot-tool/test-support";

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

/** The SnapshotCreateTime a seeded snapshot should report; undefined: moto's own (now). */
function createTimeFor(snapshotId: string, wanted: Date | "moto" | undefined): Date | undefined {
  if (wanted !== undefined) return wanted === "moto" ? undefined : wanted;
  // No snapshot is created in the future: a name stamped later keeps moto's time.
  const stamped = timeInSnapshotName(snapshotId);
  return stamped !== undefined && stamped.getTime() < Date.now() ? stamped : undefined;
}

/** Builds the emulator's state with the SDK, the way a user's account would look. */
export class MotoWorld {
  constructor(private readonly moto: MotoServer) {}

  get endpoint(): string {
    return this.moto.endpoint;
  }

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

  /**
   * A manual snapshot. One whose id ends in a `YYYY-MM-DD-HH-MM` stamp (UTC) in the past reports
   * that stamp as its SnapshotCreateTime, as a snapshot taken then would; `createTime` sets
   * another time, or `"moto"` keeps the time moto gave it (now).
   */
  async snapshot(
    clusterId: string,
    snapshotId: string,
    options: Where & { tags?: { Key: string; Value: string }[]; createTime?: Date | "moto" } = {},
  ): Promise<void> {
    const out = await (
      await this.rds(options)
    ).send(
      new CreateDBClusterSnapshotCommand({
        DBClusterIdentifier: clusterId,
        DBClusterSnapshotIdentifier: snapshotId,
        Tags: options.tags ?? TOOL_TAGS,
      }),
    );
    const time = createTimeFor(snapshotId, options.createTime);
    if (time === undefined) return;
    await this.moto.setSnapshotTime({
      arn: out.DBClusterSnapshot?.DBClusterSnapshotArn ?? "",
      time,
    });
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
