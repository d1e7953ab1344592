import type { KeyInfo } from "../model/index.js";
import type { Check } from "./doctor-checks.js";

/*
 * doctor's check of REENCRYPT_KMS_KEY, the key share re-encrypts aws/rds snapshots with: it must
 * exist in the snapshots' region, be enabled, be a customer-managed symmetric encryption key (RDS
 * encrypts with nothing else, and an AWS-managed key could not be shared either), and its key
 * policy must admit the destination account, which needs the key to copy the shared snapshot.
 * Pure: what KMS said in, checks out.
 */

/**
 * What the destination account needs on the source's key to copy a snapshot encrypted with it
 * (Aurora user guide, sharing encrypted snapshots): the one list doctor requires and puts in the
 * statement it suggests, and the README's key-policy section shows.
 */
export const DESTINATION_KEY_ACTIONS = [
  "kms:Decrypt",
  "kms:DescribeKey",
  "kms:CreateGrant",
  "kms:Encrypt",
  "kms:ReEncrypt*",
  "kms:GenerateDataKey*",
] as const;

/** The key policy statement doctor suggests for `account`. */
export function destinationKeyStatement(account: string): string {
  return JSON.stringify({
    Sid: "DestinationCopiesSharedSnapshots",
    Effect: "Allow",
    Principal: { AWS: `arn:aws:iam::${account}:root` },
    Action: DESTINATION_KEY_ACTIONS,
    Resource: "*",
  });
}

export interface ReencryptKeyFacts {
  /** How the user gave the setting (REENCRYPT_KMS_KEY, --reencrypt-kms-key, reencryptKmsKey). */
  readonly field: string;
  readonly ref: string;
  readonly region: string;
  /** DEST_ACCOUNT's accounts: each must be able to use the key to copy the shared copies. */
  readonly destinationAccounts: readonly string[];
  readonly info: KeyInfo | undefined | { error: string };
  /** GetKeyPolicy's document; undefined: not found; `unsupported`: the gateway cannot read it. */
  readonly policy: string | undefined | { error: string } | "unsupported";
}

type Statement = Readonly<Record<string, unknown>>;

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}

/** How a principal admits `account`: as the account itself, only as a role or user in it, or not. */
type Admission = { kind: "account" } | { kind: "only"; principal: string } | { kind: "none" };

function awsPrincipals(principal: unknown): unknown[] {
  if (principal === "*") return ["*"];
  if (typeof principal !== "object" || principal === null) return [];
  return asList((principal as Record<string, unknown>)["AWS"]);
}

function admission(principal: unknown, account: string, accountCondition: boolean): Admission {
  const root = new RegExp(`^arn:aws[a-z-]*:iam::${account}:root$`);
  const inAccount = new RegExp(`^arn:aws[a-z-]*:(iam|sts)::${account}:`);
  let only: string | undefined;
  for (const p of awsPrincipals(principal)) {
    if (typeof p !== "string") continue;
    if (p === account || root.test(p)) return { kind: "account" };
    // Anyone, narrowed to the destination by aws:PrincipalAccount / kms:CallerAccount.
    if (p === "*" && accountCondition) return { kind: "account" };
    if (inAccount.test(p)) only ??= p;
  }
  return only === undefined ? { kind: "none" } : { kind: "only", principal: only };
}

/** Whether a principal (of a Deny) could be the destination account or something in it. */
function couldBe(principal: unknown, account: string): boolean {
  const inAccount = new RegExp(`^arn:aws[a-z-]*:(iam|sts)::${account}:`);
  return awsPrincipals(principal).some(
    (p) => typeof p === "string" && (p === "*" || p === account || inAccount.test(p)),
  );
}

const ACCOUNT_KEYS = new Set(["aws:principalaccount", "kms:calleraccount"]);
const EQUALS = new Set(["stringequals", "stringequalsignorecase"]);

/**
 * A statement's Condition block, read as far as doctor reads it: `account` when it narrows the
 * statement to the destination (aws:PrincipalAccount or kms:CallerAccount equal to it), whether
 * every condition is one of those or kms:GrantIsForAWSResource true (the others could keep the
 * destination out, and doctor does not evaluate them).
 */
function conditions(condition: unknown, account: string): { account: boolean; plain: boolean } {
  if (condition === undefined) return { account: false, plain: true };
  if (typeof condition !== "object" || condition === null) return { account: false, plain: false };
  let narrowed = false;
  let plain = true;
  for (const [operator, block] of Object.entries(condition)) {
    if (typeof block !== "object" || block === null) {
      plain = false;
      continue;
    }
    for (const [key, value] of Object.entries(block as Record<string, unknown>)) {
      const k = key.toLowerCase();
      const op = operator.toLowerCase();
      const values = asList(value).map(String);
      if (ACCOUNT_KEYS.has(k) && EQUALS.has(op) && values.length > 0) {
        if (values.every((v) => v === account)) narrowed = true;
        else plain = false;
      } else if (
        k === "kms:grantisforawsresource" &&
        op === "bool" &&
        values.every((v) => v.toLowerCase() === "true")
      ) {
        // RDS makes the grants the copy needs: this condition keeps RDS's in.
      } else {
        plain = false;
      }
    }
  }
  return { account: narrowed, plain };
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

/** Whether a statement's actions could include one the destination needs. */
function touches(s: Statement): boolean {
  if (s["NotAction"] !== undefined) return true;
  return DESTINATION_KEY_ACTIONS.some(
    (a) =>
      allows(s["Action"], a) ||
      // A pattern narrower than the needed one (kms:ReEncryptFrom within kms:ReEncrypt*).
      asList(s["Action"]).some(
        (x) =>
          typeof x === "string" &&
          a.endsWith("*") &&
          x.toLowerCase().startsWith(a.slice(0, -1).toLowerCase()),
      ),
  );
}

export interface KeyPolicyReading {
  /** Actions of DESTINATION_KEY_ACTIONS no Allow statement admitting the destination grants. */
  readonly missing: string[];
  /** Why the admission is in doubt (empty: an unconditioned Allow admits the account). */
  readonly doubts: string[];
}

function sid(s: Statement, i: number): string {
  return typeof s["Sid"] === "string" && s["Sid"] !== "" ? `"${s["Sid"]}"` : `#${i + 1}`;
}

/**
 * Reads a key policy for what the destination account needs. Passes (no missing, no doubts) only
 * when every needed action is granted by an Allow statement whose principal is the destination
 * account (its root ARN, its bare id, or `*` narrowed to it by aws:PrincipalAccount or
 * kms:CallerAccount) and whose only conditions are those or kms:GrantIsForAWSResource true.
 * Doubts: an action granted only under other conditions or only to a role or user of the account,
 * and any Deny or NotPrincipal statement that could match the destination.
 */
export function readKeyPolicy(policyJson: string, account: string): KeyPolicyReading {
  let doc: unknown;
  try {
    doc = JSON.parse(policyJson);
  } catch {
    return { missing: [...DESTINATION_KEY_ACTIONS], doubts: [] };
  }
  const statements = asList((doc as Record<string, unknown> | null)?.["Statement"]).filter(
    (s): s is Statement => typeof s === "object" && s !== null,
  );
  const sure: Statement[] = [];
  const doubtful: { s: Statement; why: string }[] = [];
  const doubts: string[] = [];
  statements.forEach((s, i) => {
    if (s["NotPrincipal"] !== undefined) {
      const listed = admission(s["NotPrincipal"], account, false).kind === "account";
      if (!listed && touches(s)) {
        doubts.push(`statement ${sid(s, i)} uses NotPrincipal, which could match the destination`);
      }
      return;
    }
    const cond = conditions(s["Condition"], account);
    if (s["Effect"] === "Deny") {
      if (couldBe(s["Principal"], account) && touches(s)) {
        doubts.push(`the Deny statement ${sid(s, i)} could match the destination`);
      }
      return;
    }
    if (s["Effect"] !== "Allow") return;
    const a = admission(s["Principal"], account, cond.account);
    if (a.kind === "none") return;
    if (a.kind === "only")
      doubtful.push({ s, why: `statement ${sid(s, i)} admits only ${a.principal}` });
    else if (!cond.plain) {
      doubtful.push({
        s,
        why: `statement ${sid(s, i)} admits the destination only under conditions doctor does not evaluate`,
      });
    } else sure.push(s);
  });
  const missing: string[] = [];
  for (const action of DESTINATION_KEY_ACTIONS) {
    if (sure.some((s) => allows(s["Action"], action))) continue;
    const maybe = doubtful.filter((d) => allows(d.s["Action"], action));
    if (maybe.length === 0) missing.push(action);
    else for (const d of maybe) if (!doubts.includes(d.why)) doubts.push(d.why);
  }
  return { missing, doubts };
}

/** The actions of DESTINATION_KEY_ACTIONS no Allow statement admitting `account` grants. */
export function missingDestinationActions(policyJson: string, account: string): string[] {
  return readKeyPolicy(policyJson, account).missing;
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
  const { policy } = k;
  if (policy === "unsupported" || policy === undefined || typeof policy === "object") {
    const why =
      policy === "unsupported"
        ? "this gateway cannot read key policies"
        : policy === undefined
          ? "KMS returned no policy"
          : policy.error;
    const statements = k.destinationAccounts.map(destinationKeyStatement).join(" and ");
    return [
      ok,
      {
        ...policyBase,
        status: "warn",
        detail: `could not read the key policy of ${k.ref}: ${why}`,
        fix: `allow kms:GetKeyPolicy on the key to check it, and make sure it holds a statement like ${statements}`,
      },
    ];
  }
  // Every destination account copies the re-encrypted snapshots, so each must be admitted: one
  // finding per account, so the fix names the one the policy leaves out.
  return [ok, ...k.destinationAccounts.map((account) => keyPolicyCheck(k, policy, account))];
}

function keyPolicyCheck(k: ReencryptKeyFacts, policy: string, account: string): Check {
  const policyBase = {
    id: "reencrypt-key-policy",
    title: `re-encryption key policy (${k.field})`,
  } as const;
  const statement = destinationKeyStatement(account);
  const reading = readKeyPolicy(policy, account);
  if (reading.missing.length > 0) {
    return {
      ...policyBase,
      status: "fail",
      detail: `the key policy of ${k.ref} does not allow ${reading.missing.join(", ")} to the destination account ${account}, which then cannot copy the re-encrypted snapshots`,
      fix: `add to the key policy a statement like ${statement}`,
    };
  }
  if (reading.doubts.length > 0) {
    return {
      ...policyBase,
      status: "warn",
      detail: `the key policy of ${k.ref} may not admit the destination account ${account}: ${reading.doubts.join("; ")}`,
      fix: `check those statements, or add a statement like ${statement}`,
    };
  }
  return {
    ...policyBase,
    status: "pass",
    detail: `the key policy of ${k.ref} allows ${DESTINATION_KEY_ACTIONS.join(", ")} to ${account}, with no Deny or NotPrincipal statement that could match it`,
  };
}
