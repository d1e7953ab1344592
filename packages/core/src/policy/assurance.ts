import type { FieldRef } from "./config-error.js";
import { ConfigError } from "./config-error.js";
import {
  MAX_HOURS,
  isNoneKey,
  parseBoolean,
  parseInteger,
  parseOptionalInteger,
  parseRegion,
} from "./fields.js";

/*
 * The settings of recovery assurance (status, metrics, restore verification) that both sides read.
 * Each side's policy parser calls parseAssurance with its own lookup, so the same env var, flag
 * and config key mean the same thing on both sides.
 */

/**
 * RPO, metrics and restore verification settings, flat as in the policy input (so a policy reads
 * back as its own input).
 */
export interface AssuranceSettings {
  /**
   * RPO_HOURS: a recovery point older than this is not protected. Undefined = the default: the
   * interval plus 2 hours at the source, plus the copy allowance in DR (per cluster there, since the
   * destination reads the interval from the spacing of the snapshots).
   */
  readonly rpoHours?: number;
  /** METRICS_PER_CLUSTER: per-cluster metric dimensions (off for large fleets: fleet-wide only). */
  readonly metricsPerCluster: boolean;
  /**
   * DEPLOYMENT_NAME: marks this deployment's verification clusters (tag value); the templates set
   * the stack name. Another deployment's verification clusters are never touched.
   */
  readonly deploymentName: string;
  /** Clusters verified per run; 0 = every selected cluster. The least recently verified go first. */
  readonly verifySample: number;
  /**
   * Destination side: the region whose copies are restored (VERIFY_REGION, default the first
   * DEST_REGION). Source side: undefined (the clusters' region).
   */
  readonly verifyRegion?: string;
  /** DB subnet group of the temporary cluster (default `default`). */
  readonly verifySubnetGroup: string;
  /** VPC security groups of the temporary cluster (empty: the VPC's default group). */
  readonly verifySecurityGroups: readonly string[];
  /** Instance class of the one instance added to the restored cluster; undefined = no instance. */
  readonly verifyInstanceClass?: string;
  /** A Lambda function invoked with the endpoint once the instance is available. */
  readonly verifyCheckLambdaArn?: string;
  /** Secrets Manager secret for a Data API check (`SELECT 1`) on the restored cluster. */
  readonly verifySecretArn?: string;
  /** A verification not finished within this many minutes fails and is cleaned up. */
  readonly verifyMaxMinutes: number;
}

/** The keys parseAssurance reads, by their policy input key. */
export type AssuranceKey =
  | "rpoHours"
  | "metricsPerCluster"
  | "deploymentName"
  | "verifySample"
  | "verifyRegion"
  | "verifySubnetGroup"
  | "verifySecurityGroups"
  | "verifyInstanceClass"
  | "verifyCheckLambdaArn"
  | "verifySecretArn"
  | "verifyMaxMinutes";

/** The plain-object form (config file keys), shared by both policy inputs. */
export interface AssuranceInput {
  /** Hours; not set = the interval + 2 at the source, + the copy allowance in DR. */
  rpoHours?: number | string;
  /** TRUE (default) or FALSE. */
  metricsPerCluster?: boolean | string;
  /** Letters, digits and hyphens, starting with a letter (default `aurora-snapshot-tool`). */
  deploymentName?: string;
  /** Clusters verified per run (default 0: all). */
  verifySample?: number | string;
  /** Destination side: the DR region whose copies are verified (default: the first DEST_REGION). */
  verifyRegion?: string;
  /** DB subnet group name (default `default`). */
  verifySubnetGroup?: string;
  /** Comma-separated sg-... ids (default: none, the VPC's default group). */
  verifySecurityGroups?: string | readonly string[];
  /** db.serverless (default), another db.* class, or NONE for no instance. */
  verifyInstanceClass?: string;
  /** A Lambda function ARN; none (default) for no such check. */
  verifyCheckLambdaArn?: string;
  /** A Secrets Manager secret ARN: run `SELECT 1` through the Data API; none (default). */
  verifySecretArn?: string;
  /** Minutes (default 120). */
  verifyMaxMinutes?: number | string;
}

/**
 * Hours of copying allowed for on top of the source's RPO when the destination's RPO is not given:
 * a copy starts within the copy schedule (30 minutes) or at once with events, then takes from
 * minutes to a few hours for a large cross-region snapshot (see README "Recovery assurance").
 */
export const COPY_ALLOWANCE_HOURS = 6;
/** Hours added to the interval for the default RPO: a run late by a schedule slot and the snapshot's own creation time. */
export const RPO_SLACK_HOURS = 2;
export const DEFAULT_DEPLOYMENT_NAME = "aurora-snapshot-tool";
export const DEFAULT_INSTANCE_CLASS = "db.serverless";
export const MAX_VERIFY_MINUTES = 24 * 60;

const DEPLOYMENT = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;
const SUBNET_GROUP = /^[A-Za-z0-9 ._-]{1,255}$/;
const SECURITY_GROUP = /^sg-[0-9a-f]{8}(?:[0-9a-f]{9})?$/;
const INSTANCE_CLASS = /^db\.[a-z0-9]+(?:\.[a-z0-9]+)?$/;
const LAMBDA_ARN =
  /^arn:aws[a-z-]*:lambda:[a-z]{2,4}(?:-[a-z]+){1,2}-\d{1,2}:\d{12}:function:[A-Za-z0-9_-]{1,64}(?::[A-Za-z0-9_$-]{1,128})?$/;
const SECRET_ARN =
  /^arn:aws[a-z-]*:secretsmanager:[a-z]{2,4}(?:-[a-z]+){1,2}-\d{1,2}:\d{12}:secret:[A-Za-z0-9/_+=.@-]{1,512}$/;

function text(raw: unknown): string | undefined {
  return typeof raw === "string" ? raw.trim() : undefined;
}

function blank(raw: unknown): boolean {
  return raw === undefined || raw === null || (typeof raw === "string" && raw.trim() === "");
}

function parseMatching(
  field: FieldRef,
  raw: unknown,
  shape: RegExp,
  expected: string,
): string | undefined {
  if (isNoneKey(raw)) return undefined;
  const value = text(raw);
  if (value === undefined || !shape.test(value)) throw new ConfigError(field, raw, expected);
  return value;
}

function parseSecurityGroups(field: FieldRef, raw: unknown): string[] {
  const expected = "comma-separated VPC security group ids (sg- and 8 or 17 hex digits), or empty";
  if (blank(raw)) return [];
  const items =
    typeof raw === "string"
      ? raw.split(",").map((s) => s.trim())
      : Array.isArray(raw)
        ? raw.map((s: unknown) => (typeof s === "string" ? s.trim() : ""))
        : undefined;
  if (items === undefined || items.some((s) => !SECURITY_GROUP.test(s))) {
    throw new ConfigError(field, raw, expected);
  }
  return [...new Set(items)];
}

/**
 * Reads the assurance settings with a side's lookup. `destinationRegions` is the destination's
 * DEST_REGION list (VERIFY_REGION must be one of them); undefined on the source side, which has
 * no VERIFY_REGION: the source verifies where its clusters are.
 */
export function parseAssurance(
  get: (key: AssuranceKey) => [field: FieldRef, raw: unknown],
  destinationRegions?: readonly string[],
): AssuranceSettings {
  const rpoHours = parseOptionalInteger(...get("rpoHours"), {
    min: 1,
    max: MAX_HOURS,
    unit: "hours; empty for the interval + 2 (+ the copy allowance in DR)",
  });
  const metricsPerCluster = parseBoolean(...get("metricsPerCluster"), true);
  const [deploymentField, deploymentRaw] = get("deploymentName");
  const deploymentName = blank(deploymentRaw)
    ? DEFAULT_DEPLOYMENT_NAME
    : (parseMatching(
        deploymentField,
        deploymentRaw,
        DEPLOYMENT,
        "1 to 128 letters, digits and hyphens, starting with a letter (a stack name fits)",
      ) ?? DEFAULT_DEPLOYMENT_NAME);
  const sample = parseInteger(
    ...get("verifySample"),
    { min: 0, max: 1000, unit: "clusters verified per run; 0 = all" },
    0,
  );
  let region: string | undefined;
  if (destinationRegions !== undefined) {
    const [regionField, regionRaw] = get("verifyRegion");
    region = blank(regionRaw) ? destinationRegions[0] : parseRegion(regionField, regionRaw);
    if (region !== undefined && !destinationRegions.includes(region)) {
      throw new ConfigError(
        regionField,
        regionRaw,
        `one of the destination regions (${destinationRegions.join(", ")})`,
      );
    }
  }
  const [subnetField, subnetRaw] = get("verifySubnetGroup");
  const subnetGroup = blank(subnetRaw)
    ? "default"
    : (parseMatching(
        subnetField,
        subnetRaw,
        SUBNET_GROUP,
        "a DB subnet group name (letters, digits, spaces, periods, underscores, hyphens)",
      ) ?? "default");
  const securityGroups = Object.freeze(parseSecurityGroups(...get("verifySecurityGroups")));
  const [classField, classRaw] = get("verifyInstanceClass");
  const instanceClass = blank(classRaw)
    ? DEFAULT_INSTANCE_CLASS
    : parseMatching(
        classField,
        classRaw,
        INSTANCE_CLASS,
        "db.serverless, another DB instance class such as db.r6g.large, or NONE for no instance",
      );
  const checkLambdaArn = parseMatching(
    ...get("verifyCheckLambdaArn"),
    LAMBDA_ARN,
    "a Lambda function ARN (arn:aws:lambda:REGION:ACCOUNT:function:NAME), or empty for none",
  );
  const [secretField, secretRaw] = get("verifySecretArn");
  const secretArn = parseMatching(
    secretField,
    secretRaw,
    SECRET_ARN,
    "a Secrets Manager secret ARN (arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME), or empty for none",
  );
  if ((checkLambdaArn !== undefined || secretArn !== undefined) && instanceClass === undefined) {
    throw new ConfigError(
      classField,
      classRaw,
      "an instance class (not NONE) when VERIFY_CHECK_LAMBDA_ARN or VERIFY_SECRET_ARN is set: a check needs an instance",
    );
  }
  const maxMinutes = parseInteger(
    ...get("verifyMaxMinutes"),
    { min: 10, max: MAX_VERIFY_MINUTES, unit: "minutes" },
    120,
  );
  return {
    ...(rpoHours !== undefined && { rpoHours }),
    metricsPerCluster,
    deploymentName,
    verifySample: sample,
    ...(region !== undefined && { verifyRegion: region }),
    verifySubnetGroup: subnetGroup,
    verifySecurityGroups: securityGroups,
    ...(instanceClass !== undefined && { verifyInstanceClass: instanceClass }),
    ...(checkLambdaArn !== undefined && { verifyCheckLambdaArn: checkLambdaArn }),
    ...(secretArn !== undefined && { verifySecretArn: secretArn }),
    verifyMaxMinutes: maxMinutes,
  };
}
