import type { KeyInfo } from "../model/index.js";
import type { Check } from "./doctor-checks.js";

/*
 * doctor's check of REENCRYPT_KMS_KEY, the key share re-encrypts aws/rds snapshots with: it must
 * exist in the snapshots' region, be enabled, be a customer-managed symmetric encryption key (RDS
 * encrypts with nothing else, and an AWS-managed key could not be shared either), and its key
 * policy must admit the destination account, which needs the key to copy the shared snapshot.
 * Pure: what KMS said in, checks out.
 */

/** What the destination account needs on the source's key to copy a snapshot encrypted with it. */
export const DESTINATION_KEY_ACTIONS = ["kms:CreateGrant", "kms:Decrypt", "kms:DescribeKey"];

export interface ReencryptKeyFacts {
  /** How the user gave the setting (REENCRYPT_KMS_KEY, --reencrypt-kms-key, reencryptKmsKey). */
  readonly field: string;
  readonly ref: string;
  readonly region: string;
  readonly destinationAccount: string;
  readonly info: KeyInfo | undefined | { error: string };
  /** GetKeyPolicy's document; undefined: not found; `unsupported`: the gateway cannot read it. */
  readonly policy: string | undefined | { error: string } | "unsupported";
}

type Statement = Readonly<Record<string, unknown>>;

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}

/** Whether a statement's principal names the account (its id, or its root ARN). */
function namesAccount(principal: unknown, account: string): boolean {
  if (principal === "*") return false; // anyone: not an admission of this account in particular
  const aws =
    typeof principal === "object" && principal !== null
      ? (principal as Record<string, unknown>)["AWS"]
      : principal;
  const root = new RegExp(`^arn:aws[a-z-]*:iam::${account}:root$`);
  return asList(aws).some((p) => typeof p === "string" && (p === account || root.test(p)));
}

/** Whether a statement's actions cover `action` (exact, `kms:*`, `*`, or a trailing-* pattern). */
function allows(actions: unknown, action: string): boolean {
  return asList(actions).some((a) => {
    if (typeof a !== "string") return false;
    const pattern = a.toLowerCase();
    if (pattern === "*" || pattern === "kms:*") return true;
    if (pattern.endsWith("*")) return action.toLowerCase().startsWith(pattern.slice(0, -1));
    return pattern === action.toLowerCase();
  });
}

/**
 * The actions of DESTINATION_KEY_ACTIONS that no Allow statement naming `account` grants (empty:
 * the policy admits it). Deny statements and conditions are not evaluated: an Allow for the
 * account is what a key policy must have, and doctor says the check reads no further.
 */
export function missingDestinationActions(policyJson: string, account: string): string[] {
  let doc: unknown;
  try {
    doc = JSON.parse(policyJson);
  } catch {
    return [...DESTINATION_KEY_ACTIONS];
  }
  const statements = asList((doc as Record<string, unknown> | null)?.["Statement"]).filter(
    (s): s is Statement => typeof s === "object" && s !== null,
  );
  const admitting = statements.filter(
    (s) => s["Effect"] === "Allow" && namesAccount(s["Principal"], account),
  );
  return DESTINATION_KEY_ACTIONS.filter((a) => !admitting.some((s) => allows(s["Action"], a)));
}

export function reencryptKeyChecks(k: ReencryptKeyFacts): Check[] {
  const base = { id: "reencrypt-key", title: `re-encryption key (${k.field})` } as const;
  const { info } = k;
  if (info === undefined) {
    return [
      {
        ...base,
        status: "fail",
        detail: `${k.ref} was not found in ${k.region}: aws/rds snapshots cannot be re-encrypted and stay unshared`,
        fix: `create a customer-managed symmetric key (or the alias) in ${k.region}, or correct ${k.field}`,
      },
    ];
  }
  if ("error" in info) {
    return [
      {
        ...base,
        status: "fail",
        detail: `could not describe ${k.ref} in ${k.region}: ${info.error}`,
        fix: `allow kms:DescribeKey on the key, or correct ${k.field}`,
      },
    ];
  }
  const problems: string[] = [];
  if (info.region !== "" && info.region !== k.region) problems.push(`it is in ${info.region}`);
  if (!info.enabled) problems.push("it is not enabled");
  if (info.manager === "AWS") problems.push("it is AWS-managed (its snapshots cannot be shared)");
  if (info.spec !== undefined && info.spec !== "SYMMETRIC_DEFAULT") {
    problems.push(`its key spec is ${info.spec}, not SYMMETRIC_DEFAULT`);
  }
  if (info.usage !== undefined && info.usage !== "ENCRYPT_DECRYPT") {
    problems.push(`its key usage is ${info.usage}, not ENCRYPT_DECRYPT`);
  }
  if (problems.length > 0) {
    return [
      {
        ...base,
        status: "fail",
        detail: `${k.ref} (${info.arn}) cannot re-encrypt snapshots for sharing: ${problems.join("; ")}`,
        fix: `set ${k.field} to an enabled customer-managed symmetric encryption key in ${k.region}`,
      },
    ];
  }
  const ok: Check = {
    ...base,
    status: "pass",
    detail: `${k.ref} (${info.arn}) is an enabled customer-managed symmetric key in ${k.region}`,
  };
  const policyBase = {
    id: "reencrypt-key-policy",
    title: `re-encryption key policy (${k.field})`,
  } as const;
  const statement = `{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::${k.destinationAccount}:root"},"Action":["kms:CreateGrant","kms:Decrypt","kms:DescribeKey"],"Resource":"*"}`;
  const { policy } = k;
  if (policy === "unsupported" || policy === undefined || typeof policy === "object") {
    const why =
      policy === "unsupported"
        ? "this gateway cannot read key policies"
        : policy === undefined
          ? "KMS returned no policy"
          : policy.error;
    return [
      ok,
      {
        ...policyBase,
        status: "warn",
        detail: `could not read the key policy of ${k.ref}: ${why}`,
        fix: `allow kms:GetKeyPolicy on the key to check it, and make sure it holds a statement like ${statement}`,
      },
    ];
  }
  const missing = missingDestinationActions(policy, k.destinationAccount);
  if (missing.length > 0) {
    return [
      ok,
      {
        ...policyBase,
        status: "fail",
        detail: `the key policy of ${k.ref} does not allow ${missing.join(", ")} to the destination account ${k.destinationAccount}, which then cannot copy the re-encrypted snapshots`,
        fix: `add to the key policy a statement like ${statement}`,
      },
    ];
  }
  return [
    ok,
    {
      ...policyBase,
      status: "pass",
      detail: `the key policy of ${k.ref} allows ${DESTINATION_KEY_ACTIONS.join(", ")} to ${k.destinationAccount} (conditions and Deny statements not evaluated)`,
    },
  ];
}
