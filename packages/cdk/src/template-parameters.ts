import { ConfigError } from "@aurora-snapshot-tool/core";
import {
  parseBoolean,
  parseInteger,
  parseLogLevel,
  type SettingSpec,
} from "@aurora-snapshot-tool/core/settings";

/** A value a template parameter can be given: the form the setting's env var takes, typed. */
export type ParameterValue = string | number | boolean | readonly string[];

/**
 * The props of a policy: every key of the policy's input, narrowed to the values a template
 * parameter can carry (a RegExp or a parsed tag selector has no parameter form, so a pattern or a
 * selector is given as the string its env var takes).
 */
export type PolicyProps<I> = {
  readonly [K in keyof I]?: Extract<I[K], ParameterValue>;
};

/** The settings a deployment fixes itself: DEPLOYMENT_NAME is the stack's name in the templates. */
export type DerivedSetting = "deploymentName";

/**
 * The parameter values for the policy props that are set, named by the registry: the same
 * `parameter` the templates and the README use for each setting. A prop whose setting has no
 * template parameter is refused, naming the prop.
 */
export function policyParameters(
  props: Readonly<Record<string, unknown>>,
  settings: Readonly<Record<string, SettingSpec>>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined) continue;
    const spec = settings[key];
    if (spec === undefined) continue;
    if (spec.parameter === undefined) {
      throw new ConfigError(key, value, "not set: the templates derive it from the stack");
    }
    out[spec.parameter] = parameterText(key, value);
  }
  return out;
}

/** The text a template parameter takes for a prop: what the setting's env var would hold. */
export function parameterText(key: string, value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number") return String(value);
  if (typeof value === "boolean") return value ? "TRUE" : "FALSE";
  if (Array.isArray(value) && value.every((v) => typeof v === "string")) return value.join(",");
  throw new ConfigError(key, value, "a string, number, boolean or list of strings");
}

/** The props every template has besides the policy settings. */
export interface DeploymentProps {
  /** LOG_LEVEL of every function: DEBUG, INFO, WARN, ERROR or CRITICAL (default ERROR). */
  readonly logLevel?: string;
  /** DeleteOldSnapshots: deploy the prune function and its schedule (default true). */
  readonly deleteOldSnapshots?: boolean;
  /**
   * SNSTopic: the ARN of an existing topic the alarms notify; not set (default), a topic is
   * created, encrypted with a key of its own.
   */
  readonly snsTopicArn?: string;
  /** StatusSchedule: when status publishes the recovery point metrics (default `rate(1 hour)`). */
  readonly statusSchedule?: string;
  /** HeartbeatHours: the heartbeat alarm's window, 1 to 168 (default 25 source, 2 destination). */
  readonly heartbeatHours?: number;
  /** VerifyEnabled: deploy restore verification (default false). */
  readonly verifyEnabled?: boolean;
  /** VerifySchedule: when verification runs (default `cron(0 3 ? * SUN *)`). */
  readonly verifySchedule?: string;
  /**
   * Where the function zips are read from (default: packages/lambda-adapter/artifacts, which
   * `pnpm package` writes). Each function's code becomes a CDK asset of its zip.
   */
  readonly codeDirectory?: string;
}

const MAX_HEARTBEAT_HOURS = 168;

/** The parameters of {@link DeploymentProps}, checked the way the templates' constraints are. */
export function deploymentParameters(props: DeploymentProps): Record<string, string> {
  const out: Record<string, string> = {};
  if (props.logLevel !== undefined) {
    parseLogLevel("logLevel", props.logLevel, "ERROR");
    out.LogLevel = props.logLevel;
  }
  if (props.deleteOldSnapshots !== undefined) {
    out.DeleteOldSnapshots = flag("deleteOldSnapshots", props.deleteOldSnapshots);
  }
  if (props.snsTopicArn !== undefined) {
    if (!/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}$/.test(props.snsTopicArn)) {
      throw new ConfigError("snsTopicArn", props.snsTopicArn, "an SNS topic ARN");
    }
    out.SNSTopic = props.snsTopicArn;
  }
  if (props.statusSchedule !== undefined) {
    out.StatusSchedule = scheduleExpression("statusSchedule", props.statusSchedule);
  }
  if (props.heartbeatHours !== undefined) {
    const range = { min: 1, max: MAX_HEARTBEAT_HOURS, unit: "hours" };
    const hours = parseInteger("heartbeatHours", props.heartbeatHours, range, 0);
    out.HeartbeatHours = String(hours);
  }
  if (props.verifyEnabled !== undefined) {
    out.VerifyEnabled = flag("verifyEnabled", props.verifyEnabled);
  }
  if (props.verifySchedule !== undefined) {
    out.VerifySchedule = scheduleExpression("verifySchedule", props.verifySchedule);
  }
  return out;
}

/** TRUE or FALSE, the templates' AllowedValues for their switches. */
export function flag(key: string, value: unknown): "TRUE" | "FALSE" {
  return parseBoolean(key, value, false) ? "TRUE" : "FALSE";
}

/** An EventBridge schedule expression; its body is EventBridge's to check at deploy time. */
export function scheduleExpression(key: string, value: string): string {
  if (!/^(cron|rate)\(.+\)$/.test(value)) {
    throw new ConfigError(key, value, "an EventBridge schedule: cron(...) or rate(...)");
  }
  return value;
}
