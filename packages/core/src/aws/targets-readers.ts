import {
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  OrganizationsClient,
  type Account,
} from "@aws-sdk/client-organizations";
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";

import type { TargetsReaders } from "../fleet/targets-source.js";
import { toAwsActionError } from "./errors.js";

/** What the AWS readers of a targets document are made with. */
export interface AwsTargetsReadersOptions {
  /** Region of the S3, SSM and Organizations clients (Organizations answers in any region). */
  readonly region: string;
  /** Passed to every client (endpoint, credentials, retry): the same config the tool's clients use. */
  readonly clientConfig?: Record<string, unknown>;
  /** Reads a local file (the CLI's); omitted in Lambda, where a path means nothing. */
  readonly readFile?: (path: string) => Promise<string>;
}

/**
 * Whether Organizations calls the account active. `State` replaced `Status`, which the API
 * stopped returning on 2026-09-09 (Organizations API reference); an answer with only `Status`
 * (an older endpoint or an emulator) is read the same way.
 */
export function isActiveAccount(account: Account): boolean {
  return (account.State ?? account.Status) === "ACTIVE";
}

/**
 * The AWS readers of a fleet's targets: S3 GetObject, SSM GetParameter (SecureString decrypted)
 * and, for organizational units, ListAccountsForParent and ListOrganizationalUnitsForParent,
 * walked down every child OU, keeping the ACTIVE accounts. Errors carry the operation's name
 * (AccessDenied on organizations:ListAccountsForParent, NoSuchKey, ParameterNotFound).
 */
export function awsTargetsReaders(options: AwsTargetsReadersOptions): TargetsReaders {
  const config = { region: options.region, ...options.clientConfig };
  let s3: S3Client | undefined;
  let ssm: SSMClient | undefined;
  let organizations: OrganizationsClient | undefined;
  const call = async <T>(operation: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (error) {
      throw toAwsActionError(error, operation);
    }
  };

  async function childrenOf(parentId: string): Promise<{ accounts: string[]; units: string[] }> {
    organizations ??= new OrganizationsClient(config);
    const client = organizations;
    const accounts: string[] = [];
    const units: string[] = [];
    let token: string | undefined;
    do {
      const page = await call("ListAccountsForParent", () =>
        client.send(new ListAccountsForParentCommand({ ParentId: parentId, NextToken: token })),
      );
      for (const account of page.Accounts ?? []) {
        if (account.Id !== undefined && isActiveAccount(account)) accounts.push(account.Id);
      }
      token = page.NextToken;
    } while (token !== undefined);
    do {
      const page = await call("ListOrganizationalUnitsForParent", () =>
        client.send(
          new ListOrganizationalUnitsForParentCommand({ ParentId: parentId, NextToken: token }),
        ),
      );
      for (const unit of page.OrganizationalUnits ?? []) if (unit.Id) units.push(unit.Id);
      token = page.NextToken;
    } while (token !== undefined);
    return { accounts, units };
  }

  return {
    ...(options.readFile !== undefined && { readFile: options.readFile }),
    readS3Object: async (bucket, key) => {
      s3 ??= new S3Client(config);
      const client = s3;
      return call("GetObject", async () => {
        const output = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return (await output.Body?.transformToString("utf-8")) ?? "";
      });
    },
    readSsmParameter: async (name) => {
      ssm ??= new SSMClient(config);
      const client = ssm;
      return call("GetParameter", async () => {
        const output = await client.send(
          new GetParameterCommand({ Name: name, WithDecryption: true }),
        );
        return output.Parameter?.Value ?? "";
      });
    },
    listActiveAccounts: async (parentIds) => {
      const found = new Set<string>();
      const seen = new Set<string>();
      const queue = [...parentIds];
      while (queue.length > 0) {
        const parent = queue.shift()!;
        if (seen.has(parent)) continue;
        seen.add(parent);
        const { accounts, units } = await childrenOf(parent);
        for (const account of accounts) found.add(account);
        queue.push(...units);
      }
      return [...found].sort();
    },
  };
}

/** JSON objects in S3: where a fleet on Step Functions keeps its targets and its reports. */
export interface ObjectStore {
  get(bucket: string, key: string): Promise<string>;
  put(bucket: string, key: string, text: string): Promise<void>;
}

/** An ObjectStore over S3 GetObject and PutObject (server-side encryption as the bucket sets it). */
export function awsObjectStore(options: Omit<AwsTargetsReadersOptions, "readFile">): ObjectStore {
  const s3 = new S3Client({ region: options.region, ...options.clientConfig });
  return {
    get: async (bucket, key) => {
      try {
        const output = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return (await output.Body?.transformToString("utf-8")) ?? "";
      } catch (error) {
        throw toAwsActionError(error, "GetObject");
      }
    },
    put: async (bucket, key, text) => {
      try {
        await s3.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: key,
            Body: text,
            ContentType: "application/json",
          }),
        );
      } catch (error) {
        throw toAwsActionError(error, "PutObject");
      }
    },
  };
}
