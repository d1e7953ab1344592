import { STSClient } from "@aws-sdk/client-sts";

/**
 * The region the SDK itself would use when none is given: AWS_REGION, then the `region` of the
 * profile (`profile`, else AWS_PROFILE, else `default`) in the shared config files, then the
 * instance metadata where that is enabled. Undefined when nothing resolves. This is the AWS CLI's
 * own order, so `--profile` alone works where the profile names a region.
 */
export async function sdkDefaultRegion(
  options: { profile?: string } = {},
): Promise<string | undefined> {
  const client = new STSClient(options.profile === undefined ? {} : { profile: options.profile });
  try {
    const region = await client.config.region();
    return typeof region === "string" && region !== "" ? region : undefined;
  } catch {
    // "Region is missing": the caller names every place a region can be given.
    return undefined;
  } finally {
    client.destroy();
  }
}
