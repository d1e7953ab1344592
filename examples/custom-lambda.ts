/**
 * Your own Lambda that takes snapshots with a policy written in code instead of environment
 * variables: only clusters tagged `backup=daily`, every 12 hours, never the `scratch-*` ones,
 * and a prefix on every snapshot name. Deploy it with your bundler of choice (esbuild, tsup);
 * give it a timeout: the engine starts no new work in its last 20 s (lambdaDeadline), as the
 * bundled functions do.
 */
import {
  AwsGateway,
  assertComplete,
  createClientFactory,
  lambdaDeadline,
  runTake,
  sourcePolicyFromObject,
  summarize,
  type RemainingTime,
} from "@aurora-snapshot-tool/core";

// Validated once, at cold start: a bad value fails the deployment's first invocation loudly,
// naming the field, before any AWS call.
const policy = sourcePolicyFromObject({
  clusterPattern: "^(?!scratch-)",
  includeTags: "backup=daily",
  intervalHours: 12,
  retentionDays: 14,
  minKeep: 2,
  snapshotNamePrefix: "nightly",
});

const gateway = new AwsGateway({ clients: createClientFactory() });

export async function handler(_event: unknown, context: RemainingTime) {
  const report = await runTake({
    gateway,
    policy,
    region: process.env.AWS_REGION ?? "us-east-1",
    deadline: lambdaDeadline(context),
  });
  console.log(JSON.stringify({ step: report.step, ...summarize(report) }));
  // Throws SnapshotToolException when anything is pending, so a Step Functions retry picks it up.
  assertComplete(report);
  return summarize(report);
}
