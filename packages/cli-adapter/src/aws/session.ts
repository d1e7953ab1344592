import {
  AwsGateway,
  createClientFactory,
  type ClientFactoryOptions,
  type Gateway,
} from "@aurora-snapshot-tool/core";

import type { AwsSettings } from "../config/resolve.js";
import { requestLogPlugin } from "./request-log.js";

/**
 * What every client of one command run is made with: the endpoint, the `--debug` request log and
 * the base credentials. Credentials come from the SDK's default chain; `--profile` is applied by
 * setting AWS_PROFILE before the first client exists, which makes the chain read that profile (and
 * skip static keys in the environment) exactly as the AWS CLI does. No role: `--role-arn` is the
 * single-target run's, a fleet's targets name their own.
 */
export function clientOptionsFor(
  settings: AwsSettings,
  env: Record<string, string | undefined>,
): ClientFactoryOptions {
  if (settings.profile !== undefined) env["AWS_PROFILE"] = settings.profile;
  const log = settings.requestLog;
  return {
    ...(log !== undefined && { plugins: (region: string) => [requestLogPlugin(region, log)] }),
    ...(settings.endpoint !== undefined && { endpoint: settings.endpoint }),
  };
}

/** The gateway for one command run: {@link clientOptionsFor}, through `--role-arn` when given. */
export function createGateway(
  settings: AwsSettings,
  env: Record<string, string | undefined>,
): Gateway {
  const clients = createClientFactory({
    ...clientOptionsFor(settings, env),
    ...(settings.roleArn !== undefined && {
      roleArn: settings.roleArn,
      roleRegion: settings.region,
      roleSessionName: "aurora-snapshot-tool-cli",
    }),
  });
  return new AwsGateway({ clients, homeRegion: settings.region });
}
