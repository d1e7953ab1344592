/**
 * Plans (never executes) the source steps for a fleet and prints every decision with its reason:
 * a quick way to answer "what would the tool do to my clusters, and why?".
 *
 *   AWS_REGION=eu-west-1 PATTERN=prod pnpm --filter @aurora-snapshot-tool/examples exec tsx plan-fleet.ts
 *
 * It reads the same environment variables as the Lambda functions (PATTERN, INTERVAL,
 * RETENTION_DAYS, DEST_ACCOUNT, ...) and uses the SDK's default credentials. With
 * `--simulate` it plans against a small in-memory fleet instead, with no AWS account.
 */
import {
  AwsGateway,
  REASONS,
  createClientFactory,
  planPruneStep,
  planShareStep,
  planTakeStep,
  sourcePolicyFromEnv,
  type Decision,
  type Gateway,
  type SourcePolicy,
} from "@aurora-snapshot-tool/core";
import { InMemoryRds, simulatedGateway } from "@aurora-snapshot-tool/core/testing";

export async function planFleet(gateway: Gateway, policy: SourcePolicy, region: string, now: Date) {
  const input = { gateway, policy, region, now };
  const plans = [await planTakeStep(input), await planPruneStep(input)];
  if (policy.destinationAccounts.length > 0) plans.push(await planShareStep(input));
  return plans.flatMap((p) => p.decisions);
}

export function formatDecision(d: Decision): string {
  const what = d.action === "skip" ? "skip" : d.action.toUpperCase();
  return `${d.step.padEnd(6)} ${what.padEnd(6)} ${d.cluster.padEnd(20)} ${(d.snapshot ?? "").padEnd(40)} ${d.reason}: ${REASONS[d.reason]}`;
}

function simulatedFleet(): { gateway: Gateway; region: string; now: Date } {
  const sim = new InMemoryRds({ now: new Date("2026-11-25T01:00:00Z") });
  const account = "111111111111";
  const region = "us-east-1";
  sim.addCluster({ account, region, id: "prod-orders", engine: "aurora-postgresql" });
  sim.addCluster({ account, region, id: "prod-search", engine: "neptune" });
  sim.addCluster({
    account,
    region,
    id: "staging-orders",
    engine: "aurora-mysql",
    status: "stopped",
  });
  return { gateway: simulatedGateway(sim, account), region, now: sim.now() };
}

if (process.argv[1]?.endsWith("plan-fleet.ts")) {
  const simulate = process.argv.includes("--simulate");
  const policy = sourcePolicyFromEnv(process.env);
  const target = simulate
    ? simulatedFleet()
    : {
        gateway: new AwsGateway({ clients: createClientFactory() }),
        region: process.env.AWS_REGION ?? "us-east-1",
        now: new Date(),
      };
  const decisions = await planFleet(target.gateway, policy, target.region, target.now);
  for (const d of decisions) console.log(formatDecision(d));
}
