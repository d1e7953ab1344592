// Partition data only: the SDK's copy of the endpoint rules' partitions, no client and no call.
// eslint-disable-next-line no-restricted-imports
import { partition } from "@aws-sdk/core/client";

import { checkIdentifier } from "../naming/index.js";
import { ConfigError, type FieldRef } from "./config-error.js";
import type { TagSelector } from "./types.js";

/*
 * Parsers shared by the source and destination policies. Each takes the name of the field as the
 * user wrote it (an env var such as RETENTION_DAYS, or an object key such as retentionDays) so the
 * ConfigError points at what the user must change.
 *
 * "Not set" is undefined or null. A blank string also counts as not set for text fields, lists and
 * optional keys, because CloudFormation passes an empty parameter through as "" and the original
 * tool gives "" a meaning there (no prefix, no override, no key). For numbers and booleans a blank
 * value is rejected instead: a missing number is more likely a broken template than a wish for the
 * default, and guessing a retention period is not safe.
 */

export function isUnset(raw: unknown): raw is undefined | null {
  return raw === undefined || raw === null;
}

function isBlank(raw: unknown): boolean {
  return isUnset(raw) || (typeof raw === "string" && raw.trim() === "");
}

/** Dates stay finite: 100 years in days/hours keeps `now - retention` a valid Date. */
export const MAX_DAYS = 36_500;
export const MAX_HOURS = 876_000;

export interface IntegerRange {
  readonly min: number;
  readonly max?: number;
  /** What the number counts, appended to `expected` (e.g. "days"). */
  readonly unit?: string;
}

function describeRange({ min, max, unit }: IntegerRange): string {
  const span = max === undefined ? `an integer >= ${min}` : `an integer from ${min} to ${max}`;
  return unit ? `${span} (${unit})` : span;
}

/** A whole number given as a number or a decimal string (as env vars and CloudFormation give it). */
export function parseInteger(
  field: FieldRef,
  raw: unknown,
  range: IntegerRange,
  fallback: number,
): number {
  if (isUnset(raw)) return fallback;
  return parseRequiredInteger(field, raw, range);
}

/** As parseInteger, but not set (blank included) gives undefined: for optional numbers. */
export function parseOptionalInteger(
  field: FieldRef,
  raw: unknown,
  range: IntegerRange,
): number | undefined {
  if (isBlank(raw)) return undefined;
  return parseRequiredInteger(field, raw, range);
}

function parseRequiredInteger(field: FieldRef, raw: unknown, range: IntegerRange): number {
  let n: number | undefined;
  if (typeof raw === "number") n = raw;
  else if (typeof raw === "string" && /^[+-]?\d+$/.test(raw.trim())) n = Number(raw.trim());
  const inRange =
    n !== undefined &&
    Number.isSafeInteger(n) &&
    n >= range.min &&
    (range.max === undefined || n <= range.max);
  if (!inRange) throw new ConfigError(field, raw, describeRange(range));
  return n as number;
}

const TRUE_WORDS = ["TRUE", "YES"];
const FALSE_WORDS = ["FALSE", "NO"];

/** TRUE/FALSE as the original templates spell them; YES/NO and any letter case accepted too. */
export function parseBoolean(field: FieldRef, raw: unknown, fallback: boolean): boolean {
  if (isUnset(raw)) return fallback;
  if (typeof raw === "boolean") return raw;
  const word = typeof raw === "string" ? raw.trim().toUpperCase() : undefined;
  if (word !== undefined && TRUE_WORDS.includes(word)) return true;
  if (word !== undefined && FALSE_WORDS.includes(word)) return false;
  throw new ConfigError(field, raw, "TRUE or FALSE (YES/NO and any letter case accepted)");
}

/** Splits a comma-separated value; an empty entry is refused rather than silently dropped. */
function splitList(field: FieldRef, raw: string, expected: string): string[] {
  const items = raw.split(",").map((item) => item.trim());
  if (items.some((item) => item === "")) throw new ConfigError(field, raw, expected);
  return items;
}

/** A comma-separated string or an array of strings; blank or not set gives []. */
function listItems(field: FieldRef, raw: unknown, expected: string): string[] {
  if (isBlank(raw)) return [];
  if (typeof raw === "string") return splitList(field, raw, expected);
  if (Array.isArray(raw)) {
    return raw.map((item: unknown) => {
      if (typeof item !== "string") throw new ConfigError(field, item, expected);
      return item.trim();
    });
  }
  throw new ConfigError(field, raw, expected);
}

function dedupe<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}

export const ACCOUNT_EXPECTED =
  'a 12-digit AWS account id ("all", which would share snapshots publicly, is refused)';

/**
 * A 12-digit account id. Safety rule 3: sharing is only ever with explicit accounts, so `all`
 * (RDS's word for public) gets no special treatment and fails like any other non-account. Only
 * strings are taken: a number would already have lost an account id's leading zeros.
 */
export function parseAccountId(field: FieldRef, raw: unknown): string {
  const text = typeof raw === "string" ? raw.trim() : undefined;
  if (text === undefined || !/^\d{12}$/.test(text)) {
    throw new ConfigError(field, raw, ACCOUNT_EXPECTED);
  }
  return text;
}

/** Optional account: not set or blank gives undefined. */
export function parseOptionalAccountId(field: FieldRef, raw: unknown): string | undefined {
  return isBlank(raw) ? undefined : parseAccountId(field, raw);
}

/** RDS shares a manual snapshot with at most 20 accounts (ModifyDBClusterSnapshotAttribute). */
export const MAX_SHARE_ACCOUNTS = 20;

export const DESTINATION_ACCOUNTS_EXPECTED =
  `1 to ${MAX_SHARE_ACCOUNTS} comma-separated 12-digit AWS account ids, each once ` +
  '("all", which would share snapshots publicly, is refused)';

/**
 * DEST_ACCOUNT: one 12-digit id (the original's form) or up to 20, comma-separated (or an array);
 * not set or blank gives []. A duplicate is refused rather than dropped: it is a typo more often
 * than not, and the list is short. Safety rule 3: `all` fails like any other non-account.
 */
export function parseDestinationAccounts(field: FieldRef, raw: unknown): string[] {
  const expected = DESTINATION_ACCOUNTS_EXPECTED;
  const items = listItems(field, raw, expected);
  const ids = items.map((item) => {
    if (!/^\d{12}$/.test(item)) throw new ConfigError(field, raw, expected);
    return item;
  });
  if (ids.length > MAX_SHARE_ACCOUNTS || new Set(ids).size !== ids.length) {
    throw new ConfigError(field, raw, expected);
  }
  return ids;
}

/** Comma-separated (or an array of) 12-digit account ids, duplicates dropped; not set gives []. */
export function parseAccountList(field: FieldRef, raw: unknown): string[] {
  const expected = 'comma-separated 12-digit AWS account ids, or empty for any ("all" is refused)';
  const items = listItems(field, raw, expected);
  return dedupe(items.map((item) => parseAccountId(field, item)));
}

/*
 * A region must be one an AWS partition lists in the SDK's partition data, so that a made-up name
 * (mars-north-1) fails here rather than at the first AWS call or, for a copy destination, in the
 * copy step. The SDK exports that data only through `partition()`: a listed region gets its own
 * entry (with a `description`) merged over its partition's defaults, any other name the defaults
 * alone. The shape check keeps out pseudo-regions such as aws-global. A region newer than the SDK
 * pinned here is refused until the SDK is updated.
 */
/** A region name's shape, whether or not the SDK lists the region. */
export const REGION_SHAPE = /^[a-z]{2,4}(?:-[a-z]+){1,2}-\d{1,2}$/;
/** sts:ExternalId as AssumeRole takes it: 2 to 1224 of letters, digits and `+=,.@:/-`. */
export const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;
export const REGION_EXPECTED =
  "an AWS region name that a partition lists, such as us-east-1, eu-central-2, us-gov-west-1 " +
  "or cn-north-1 (from the AWS SDK's partition data: a region newer than this release is not known)";

export function isRegionName(text: string): boolean {
  return REGION_SHAPE.test(text) && Object.hasOwn(partition(text), "description");
}

/** The partition a listed region is in (`aws`, `aws-cn`, `aws-us-gov`, ...). */
export function partitionOf(region: string): string {
  return partition(region).name;
}

export function parseRegion(field: FieldRef, raw: unknown, expected = REGION_EXPECTED): string {
  const text = typeof raw === "string" ? raw.trim() : undefined;
  if (text === undefined || !isRegionName(text)) throw new ConfigError(field, raw, expected);
  return text;
}

/** REGION_OVERRIDE: `NO` (any case) or blank means the region the tool runs in. */
export function parseRegionOverride(field: FieldRef, raw: unknown): string | undefined {
  if (isBlank(raw)) return undefined;
  if (typeof raw === "string" && raw.trim().toUpperCase() === "NO") return undefined;
  return parseRegion(field, raw, `NO, or ${REGION_EXPECTED}`);
}

export const REGION_LIST_EXPECTED =
  "one or more AWS region names separated by commas, such as us-east-1 or us-east-1,eu-west-1 " +
  "(regions a partition lists in the AWS SDK's partition data)";

/**
 * Every entry of a required region list, validated, in the order given and duplicates kept: a
 * list aligned with it (KMS_KEY_DEST_REGION) is matched entry by entry. Dedupe the result for the
 * regions themselves.
 */
export function parseRegionEntries(field: FieldRef, raw: unknown): string[] {
  const items = listItems(field, raw, REGION_LIST_EXPECTED);
  if (items.length === 0) throw new ConfigError(field, raw, REGION_LIST_EXPECTED);
  return items.map((item) => parseRegion(field, item, REGION_LIST_EXPECTED));
}

export function parseRegionList(field: FieldRef, raw: unknown): string[] {
  return dedupe(parseRegionEntries(field, raw));
}

/*
 * KMS key references as the KMS API takes them (API_DescribeKey, KeyId): a key id (a UUID, or
 * `mrk-` and 32 hex digits for a multi-Region key), an alias name (`alias/` then letters, digits,
 * `/`, `_`, `-`, at most 256 characters in all), or the ARN of a key or an alias. Whether the key
 * exists, is enabled and is usable is checked later against KMS itself.
 */
const KEY_ID =
  "(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|mrk-[0-9a-fA-F]{32})";
const ALIAS = "alias/[A-Za-z0-9/_-]+";
const KEY_REF = new RegExp(`^(?:${KEY_ID}|${ALIAS})$`);
const KEY_ARN = new RegExp(
  `^arn:(aws(?:-[a-z]+)*):kms:([a-z0-9-]+):\\d{12}:(?:key/${KEY_ID}|${ALIAS})$`,
);
const MAX_ALIAS_LENGTH = 256;

export const KMS_KEY_EXPECTED =
  "None, a KMS key id (a UUID, or mrk- and 32 hex digits for a multi-Region key), " +
  "an alias (alias/NAME; letters, digits, /, _ and -), or the ARN of a KMS key or alias " +
  "in a region an AWS partition lists";

function isKmsKeyRef(text: string): boolean {
  const aliasAt = text.indexOf("alias/");
  if (aliasAt >= 0 && text.length - aliasAt > MAX_ALIAS_LENGTH) return false;
  if (KEY_REF.test(text)) return true;
  const arn = KEY_ARN.exec(text);
  if (arn === null) return false;
  // An ARN names its region's partition (arn:aws-cn:kms:cn-north-1:...); another can only fail.
  const [, arnPartition = "", region = ""] = arn;
  return isRegionName(region) && partitionOf(region) === arnPartition;
}

/**
 * One of a fixed set of words, in any letter case; not set or blank gives the fallback. The error
 * lists every accepted word.
 */
export function parseChoice<T extends string>(
  field: FieldRef,
  raw: unknown,
  choices: readonly T[],
  fallback: T,
): T {
  if (isBlank(raw)) return fallback;
  const word = typeof raw === "string" ? raw.trim().toLowerCase() : undefined;
  const found = choices.find((c) => c === word);
  if (found === undefined) throw new ConfigError(field, raw, `one of ${choices.join(", ")}`);
  return found;
}

const EVENT_BUS_ARN =
  /^arn:(aws[a-z-]*):events:([a-z0-9-]+):(\d{12}):event-bus\/[A-Za-z0-9._\-/]{1,256}$/;
export const EVENT_BUS_EXPECTED =
  "an EventBridge event bus ARN (arn:aws:events:REGION:ACCOUNT:event-bus/NAME), or empty for none";

/** An event bus ARN whose partition matches its region; blank gives undefined (no bus). */
export function parseEventBusArn(field: FieldRef, raw: unknown): string | undefined {
  if (isBlank(raw)) return undefined;
  const text = typeof raw === "string" ? raw.trim() : undefined;
  const m = text === undefined ? null : EVENT_BUS_ARN.exec(text);
  if (text === undefined || !m || !isRegionName(m[2] ?? "") || partitionOf(m[2] ?? "") !== m[1]) {
    throw new ConfigError(field, raw, EVENT_BUS_EXPECTED);
  }
  return text;
}

/** `None` (any case) or blank means no key, as in the original tool. */
export function isNoneKey(raw: unknown): boolean {
  return isBlank(raw) || (typeof raw === "string" && raw.trim().toLowerCase() === "none");
}

/** A KMS key reference, or undefined for `None`. */
export function parseKmsKeyRef(field: FieldRef, raw: unknown): string | undefined {
  if (isNoneKey(raw)) return undefined;
  const text = typeof raw === "string" ? raw.trim() : undefined;
  if (text === undefined || !isKmsKeyRef(text)) throw new ConfigError(field, raw, KMS_KEY_EXPECTED);
  return text;
}

/** The region named by a key or alias ARN; undefined for key ids and alias names (not knowable here). */
export function kmsKeyRegion(ref: string): string | undefined {
  return KEY_ARN.exec(ref)?.[2];
}

/**
 * RDS encrypts a copy with a key that lives in the region the copy is made in: an ARN naming
 * another region can only fail, so it is refused before any copy starts.
 */
export function checkKeyRegion(field: FieldRef, ref: string, region: string): void {
  const keyRegion = kmsKeyRegion(ref);
  if (keyRegion !== undefined && keyRegion !== region) {
    throw new ConfigError(
      field,
      ref,
      `a KMS key in ${region}, the region it is used in (this ARN names ${keyRegion}; ` +
        "for a multi-Region key give the replica's ARN or its mrk- key id)",
    );
  }
}

/*
 * Tag selectors follow RDS's tag rules (API_Tag): a key of 1-128 and a value of 0-256 Unicode
 * letters, digits, white space or `_ . : / = + - @`. Selectors are written `key=value` and split at
 * the first `=`, so a key cannot hold `=` here (a value can). Commas are not tag characters, which
 * makes them a safe separator. Keys starting `aws:` are allowed: they cannot be set by users but
 * can be read, and `aws:cloudformation:stack-name` is a useful selector.
 */
const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
export const TAG_SELECTORS_EXPECTED =
  "comma-separated key=value selectors (key: 1-128, value: 0-256 letters, digits, spaces " +
  "or _ . : / = + - @; the key cannot contain =), or empty for none";

function parseTagSelector(field: FieldRef, raw: unknown): TagSelector {
  let key: string | undefined;
  let value: string | undefined;
  if (typeof raw === "string" && raw.includes("=")) {
    const at = raw.indexOf("=");
    key = raw.slice(0, at).trim();
    value = raw.slice(at + 1).trim();
  } else if (typeof raw === "object" && raw !== null) {
    const { key: k, value: v } = raw as Record<string, unknown>;
    if (typeof k === "string" && typeof v === "string" && !k.includes("=")) {
      key = k;
      value = v;
    }
  }
  const valid =
    key !== undefined &&
    value !== undefined &&
    key.length >= 1 &&
    key.length <= 128 &&
    value.length <= 256 &&
    TAG_TEXT.test(key) &&
    TAG_TEXT.test(value);
  if (!valid) throw new ConfigError(field, raw, TAG_SELECTORS_EXPECTED);
  return Object.freeze({ key: key as string, value: value as string });
}

/** `k=v,k2=v2` or an array of `{ key, value }`; not set or blank gives []. Duplicates dropped. */
export function parseTagSelectors(field: FieldRef, raw: unknown): TagSelector[] {
  if (isBlank(raw)) return [];
  let items: unknown[];
  if (typeof raw === "string") items = splitList(field, raw, TAG_SELECTORS_EXPECTED);
  else if (Array.isArray(raw)) items = raw;
  else throw new ConfigError(field, raw, TAG_SELECTORS_EXPECTED);
  const seen = new Set<string>();
  const selectors: TagSelector[] = [];
  for (const item of items) {
    const selector = parseTagSelector(field, item);
    const id = `${selector.key}\u0000${selector.value}`;
    if (!seen.has(id)) selectors.push(selector);
    seen.add(id);
  }
  return selectors;
}

/*
 * The prefix starts every snapshot identifier (`PREFIX-CLUSTER-YYYY-MM-DD-HH-MM`), so it must obey
 * RDS's identifier rules itself, and leave room for at least a one-letter cluster id and the 17
 * characters of `-YYYY-MM-DD-HH-MM` within 63: 63 - 1 (hyphen) - 1 - 17 = 44.
 */
export const MAX_PREFIX_LENGTH = 44;
export const PREFIX_EXPECTED =
  `NONE or empty for no prefix, or up to ${MAX_PREFIX_LENGTH} letters, digits and single ` +
  "hyphens, starting with a letter and not ending with a hyphen";

/** SNAPSHOT_NAME_PREFIX: `NONE` (any case) or blank means no prefix, as in the original tool. */
export function parseSnapshotNamePrefix(field: FieldRef, raw: unknown): string | undefined {
  if (isBlank(raw)) return undefined;
  const text = typeof raw === "string" ? raw.trim() : undefined;
  if (text !== undefined && text.toUpperCase() === "NONE") return undefined;
  if (
    text === undefined ||
    text.length > MAX_PREFIX_LENGTH ||
    checkIdentifier(text) !== undefined
  ) {
    throw new ConfigError(field, raw, PREFIX_EXPECTED);
  }
  return text;
}

/**
 * The object form's own checks: it must be a plain object, and a key the policy does not know is
 * refused (a misspelt `retentionDay` would otherwise silently fall back to the default).
 */
export function readInputObject(
  input: unknown,
  knownKeys: readonly string[],
): Record<string, unknown> {
  const expected = `an object with the keys ${knownKeys.join(", ")}`;
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw new ConfigError("policy", input, expected);
  }
  const record = input as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!knownKeys.includes(key)) {
      throw new ConfigError(key, record[key], `one of the keys ${knownKeys.join(", ")}`);
    }
  }
  return record;
}
