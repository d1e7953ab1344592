import { ConfigError, type PolicySide } from "@aurora-snapshot-tool/core";
import { DEFAULT_DEPLOYMENT_NAME } from "@aurora-snapshot-tool/core/settings";

/** What the handlers read their configuration from: process.env, or a copy of it in tests. */
export type HandlerEnv = Readonly<Record<string, string | undefined>>;

/*
 * Env defaults fixed when a zip is built (esbuild `define`). The original chose the destination's
 * mode by zip: a stack that deploys copy_snapshots_no_x_account_aurora.zip may not set
 * CROSS_ACCOUNT_COPY at all, so that zip is built with CROSS_ACCOUNT_COPY=FALSE here. Outside a
 * bundle the identifier is not defined and there are no defaults.
 */
declare const __SNAPSHOT_TOOL_ENV_DEFAULTS__: Readonly<Record<string, string>> | undefined;

export function bundledEnvDefaults(): Readonly<Record<string, string>> {
  return typeof __SNAPSHOT_TOOL_ENV_DEFAULTS__ === "object" && __SNAPSHOT_TOOL_ENV_DEFAULTS__
    ? __SNAPSHOT_TOOL_ENV_DEFAULTS__
    : {};
}

/** The env with each default filled in where the variable is not set; a value set always wins. */
export function withEnvDefaults(
  env: HandlerEnv,
  defaults: Readonly<Record<string, string>>,
): HandlerEnv {
  const merged: Record<string, string | undefined> = { ...env };
  for (const [name, value] of Object.entries(defaults)) {
    if (merged[name] === undefined) merged[name] = value;
  }
  return merged;
}

/** The region the function runs in; Lambda always sets AWS_REGION. */
export function runRegion(env: HandlerEnv): string {
  const region = env["AWS_REGION"]?.trim() || env["AWS_DEFAULT_REGION"]?.trim();
  if (!region) {
    throw new ConfigError(
      "AWS_REGION",
      env["AWS_REGION"],
      "the region the function runs in (Lambda sets it)",
    );
  }
  return region;
}

/** TOOL_SIDE: which account's policy the status and verify functions read (the zip sets it). */
export function toolSide(env: HandlerEnv): PolicySide {
  const raw = env["TOOL_SIDE"];
  const side = raw?.trim().toLowerCase() || "source";
  if (side !== "source" && side !== "destination") {
    throw new ConfigError("TOOL_SIDE", raw, "source (default) or destination");
  }
  return side;
}

/**
 * The Deployment dimension of a run that failed before its policy was read (a ConfigError): the
 * DEPLOYMENT_NAME given, unchecked, or the default, so the alarm on RunsFailed still sees it.
 */
export function deploymentNameOf(env: HandlerEnv): string {
  return env["DEPLOYMENT_NAME"]?.trim() || DEFAULT_DEPLOYMENT_NAME;
}
