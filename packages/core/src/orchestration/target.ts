import { ConfigError } from "../policy/config-error.js";
import { EXTERNAL_ID, REGION_SHAPE, isRegionName } from "../policy/fields.js";
import { accountOfArn } from "./account-guard.js";

/**
 * Where a step runs: an account and region, and the role to assume there. The orchestration
 * port's unit of work, and one item of a fleet.
 */
export interface StepTarget {
  /**
   * The account the step must act in (12 digits). Omitted: whatever account the clients'
   * credentials are of, unchecked (a single-account deployment running in its own account).
   */
  readonly account?: string;
  /** The region the step runs in (a policy's REGION_OVERRIDE still takes precedence). */
  readonly region: string;
  /** A role in `account` to assume (STS AssumeRole) before anything else. */
  readonly roleArn?: string;
  /** The external id the role's trust policy asks for (sts:ExternalId). */
  readonly externalId?: string;
}

const ACCOUNT = /^\d{12}$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;

/** The label a target goes by in reports and logs: `123456789012/eu-west-1`. */
export function targetLabel(target: StepTarget): string {
  return `${target.account ?? "(own account)"}/${target.region}`;
}

/**
 * Checks a target before any AWS call, naming the field (`field` is the target's place, such as
 * `targets[3]`): a 12-digit account, a region's shape, a role ARN of that very account, and an
 * external id only with a role. A role of another account is refused: it could make the run act
 * in an account the operator did not name.
 */
export function checkTarget(target: StepTarget, field = "target"): StepTarget {
  if (target.account !== undefined && !ACCOUNT.test(target.account)) {
    throw new ConfigError(`${field}.account`, target.account, "a 12-digit AWS account id");
  }
  // A named account is a fleet's target: its region must be one the SDK lists. A function's own
  // region (no account) is taken by its shape, so a region newer than the bundled SDK still runs.
  const regionOk =
    typeof target.region === "string" &&
    (target.account === undefined ? REGION_SHAPE.test(target.region) : isRegionName(target.region));
  if (!regionOk) {
    throw new ConfigError(`${field}.region`, target.region, "an AWS region such as eu-west-1");
  }
  if (target.roleArn !== undefined) {
    if (!ROLE_ARN.test(target.roleArn)) {
      throw new ConfigError(
        `${field}.roleArn`,
        target.roleArn,
        "an IAM role ARN, arn:aws:iam::ACCOUNT:role/NAME",
      );
    }
    const roleAccount = accountOfArn(target.roleArn);
    if (target.account !== undefined && roleAccount !== target.account) {
      throw new ConfigError(
        `${field}.roleArn`,
        target.roleArn,
        `a role in the target's account ${target.account}, not in ${roleAccount ?? "?"}`,
      );
    }
  }
  if (target.externalId !== undefined) {
    if (target.roleArn === undefined) {
      throw new ConfigError(
        `${field}.externalId`,
        target.externalId,
        "an external id only with a roleArn",
      );
    }
    if (!EXTERNAL_ID.test(target.externalId)) {
      throw new ConfigError(
        `${field}.externalId`,
        target.externalId,
        "2 to 1224 characters of letters, digits and +=,.@:/-",
      );
    }
  }
  return target;
}
