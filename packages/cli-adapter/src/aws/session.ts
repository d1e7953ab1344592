import { AwsGateway, createClientFactory, type Gateway } from "@aurora-snapshot-tool/core";

import type { AwsSettings } from "../config/resolve.js";
import { requestLogPlugin } from "./request-log.js";

/**
 * The gateway for one command run. Credentials come from the SDK's default chain; `--profile` is
 * applied by setting AWS_PROFILE before the first client exists, which makes the chain read that
 * profile (and skip static keys in the environment) exactly as the AWS CLI does.
 */
export function createGateway(
  settings: AwsSettings,
  env: Record<string, string | undefined>,
): Gateway {
  if (settings.profile !== undefined) env["AWS_PROFILE"] = settings.profile;
  const log = settings.requestLog;
  const clients = createClientFactory({
    ...(log !== undefined && { plugins: (region: string) => [requestLogPlugin(region, log)] }),
    ...(settings.endpoint !== undefined && { endpoint: settings.endpoint }),
    ...(settings.roleArn !== undefined && {
      roleArn: settings.roleArn,
      roleRegion: settings.region,
      roleSessionName: "aurora-snapshot-tool-cli",
    }),
  });
  return new AwsGateway({ clients, homeRegion: settings.region });
}
