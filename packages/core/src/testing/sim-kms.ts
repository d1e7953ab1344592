import type { KeyMetadata } from "@aws-sdk/client-kms";
import { parseArn } from "../model/snapshot.js";
import { deterministicUuid, placeKey } from "./sim-names.js";
import type { SimKeyInit, SimKeyRecord } from "./sim-types.js";

export const DEFAULT_RDS_ALIAS = "alias/aws/rds";

export interface KeyState {
  readonly account: string;
  readonly region: string;
  readonly keyId: string;
  readonly arn: string;
  readonly aliases: string[];
  readonly manager: "AWS" | "CUSTOMER";
  enabled: boolean;
  readonly usableBy?: readonly string[];
  /** The key policy as given (see SimKeyInit.policy); undefined: built from usableBy. */
  readonly policy?: string;
  readonly createTime: Date;
}

const normaliseAlias = (alias: string): string =>
  (alias.startsWith("alias/") ? alias : `alias/${alias}`).toLowerCase();

/**
 * KMS keys per account and region. Every (account, region) has the AWS-managed `aws/rds` key, as in
 * AWS; it is created on first use with an id derived from the place, so it never depends on the
 * order of calls.
 */
export class KeyStore {
  private readonly byArn = new Map<string, KeyState>();
  /** `account|region|alias/name` -> key ARN */
  private readonly aliases = new Map<string, string>();
  private counter = 0;

  constructor(private readonly clock: () => Date) {}

  add(init: SimKeyInit): KeyState {
    const manager = init.manager ?? "CUSTOMER";
    const alias = init.alias === undefined ? undefined : normaliseAlias(init.alias);
    if (alias?.startsWith("alias/aws/") && manager !== "AWS") {
      throw new Error(`alias ${alias} is reserved for AWS-managed keys`);
    }
    if (alias && this.aliases.has(`${placeKey(init.account, init.region)}|${alias}`)) {
      throw new Error(`alias ${alias} already exists in ${init.account} ${init.region}`);
    }
    this.counter += 1;
    const keyId = deterministicUuid(`${init.account}:${init.region}:key:${this.counter}`);
    return this.store({
      account: init.account,
      region: init.region,
      keyId,
      arn: `arn:aws:kms:${init.region}:${init.account}:key/${keyId}`,
      aliases: alias ? [alias] : [],
      manager,
      enabled: init.enabled ?? true,
      createTime: this.clock(),
      ...(init.usableBy && { usableBy: [...init.usableBy] }),
      ...(init.policy !== undefined && { policy: init.policy }),
    });
  }

  /** The key's policy document (GetKeyPolicy, policy name `default`) as JSON text. */
  keyPolicy(key: KeyState): string {
    if (key.policy !== undefined) return key.policy;
    const root = (account: string) => `arn:aws:iam::${account}:root`;
    const statements: object[] = [
      {
        Sid: "Enable IAM User Permissions",
        Effect: "Allow",
        Principal: { AWS: root(key.account) },
        Action: "kms:*",
        Resource: "*",
      },
    ];
    if (key.manager === "CUSTOMER" && key.usableBy !== undefined && key.usableBy.length > 0) {
      statements.push({
        Sid: "Allow use of the key by other accounts",
        Effect: "Allow",
        Principal: { AWS: key.usableBy.map(root) },
        Action: [
          "kms:Encrypt",
          "kms:Decrypt",
          "kms:ReEncrypt*",
          "kms:GenerateDataKey*",
          "kms:DescribeKey",
          "kms:CreateGrant",
        ],
        Resource: "*",
      });
    }
    return JSON.stringify({ Version: "2012-10-17", Id: "key-default-1", Statement: statements });
  }

  /** The AWS-managed `aws/rds` key of a place. */
  defaultRdsKey(account: string, region: string): KeyState {
    const existing = this.aliases.get(`${placeKey(account, region)}|${DEFAULT_RDS_ALIAS}`);
    const found = existing === undefined ? undefined : this.byArn.get(existing);
    if (found) return found;
    const keyId = deterministicUuid(`${account}:${region}:${DEFAULT_RDS_ALIAS}`);
    return this.store({
      account,
      region,
      keyId,
      arn: `arn:aws:kms:${region}:${account}:key/${keyId}`,
      aliases: [DEFAULT_RDS_ALIAS],
      manager: "AWS",
      enabled: true,
      createTime: this.clock(),
    });
  }

  byKeyArn(arn: string): KeyState | undefined {
    return this.byArn.get(arn.toLowerCase());
  }

  /**
   * Resolves a key id, `alias/name`, alias ARN or key ARN the way KMS does for a caller in `region`:
   * a bare id or alias means the caller's own account; an ARN must name `region`.
   */
  resolve(ref: string, callerAccount: string, region: string): KeyState | undefined {
    const lower = ref.trim().toLowerCase();
    if (lower.startsWith("arn:")) {
      const arn = parseArn(lower);
      if (!arn || arn.service !== "kms" || arn.region !== region) return undefined;
      if (arn.resourceType === "key") return this.byArn.get(lower);
      if (arn.resourceType === "alias") {
        return this.byAlias(arn.account, arn.region, `alias/${arn.resource}`);
      }
      return undefined;
    }
    if (lower.startsWith("alias/")) return this.byAlias(callerAccount, region, lower);
    return this.byArn.get(`arn:aws:kms:${region}:${callerAccount}:key/${lower}`);
  }

  /** Whether `account` may use the key (its own, or granted by the key policy: `usableBy`). */
  usableBy(key: KeyState, account: string): boolean {
    if (key.account === account) return true;
    // AWS-managed keys cannot be granted to other accounts: the reason aws/rds snapshots cannot be shared.
    if (key.manager === "AWS") return false;
    // As on AWS, another account may use a key only when the key policy or a grant says so.
    return key.usableBy !== undefined && key.usableBy.includes(account);
  }

  list(): KeyState[] {
    return [...this.byArn.values()];
  }

  record(key: KeyState): SimKeyRecord {
    return {
      account: key.account,
      region: key.region,
      keyId: key.keyId,
      arn: key.arn,
      aliases: [...key.aliases],
      manager: key.manager,
      enabled: key.enabled,
      ...(key.usableBy && { usableBy: [...key.usableBy] }),
    };
  }

  metadata(key: KeyState): KeyMetadata {
    return {
      AWSAccountId: key.account,
      KeyId: key.keyId,
      Arn: key.arn,
      CreationDate: new Date(key.createTime),
      Enabled: key.enabled,
      Description: key.manager === "AWS" ? "Default key that protects my RDS database volumes" : "",
      KeyUsage: "ENCRYPT_DECRYPT",
      KeyState: key.enabled ? "Enabled" : "Disabled",
      Origin: "AWS_KMS",
      KeyManager: key.manager,
      CustomerMasterKeySpec: "SYMMETRIC_DEFAULT",
      KeySpec: "SYMMETRIC_DEFAULT",
      EncryptionAlgorithms: ["SYMMETRIC_DEFAULT"],
      MultiRegion: false,
    };
  }

  private byAlias(account: string, region: string, alias: string): KeyState | undefined {
    if (alias === DEFAULT_RDS_ALIAS) return this.defaultRdsKey(account, region);
    const arn = this.aliases.get(`${placeKey(account, region)}|${alias}`);
    return arn === undefined ? undefined : this.byArn.get(arn);
  }

  private store(key: KeyState): KeyState {
    this.byArn.set(key.arn, key);
    for (const alias of key.aliases) {
      this.aliases.set(`${placeKey(key.account, key.region)}|${alias}`, key.arn);
    }
    return key;
  }
}
