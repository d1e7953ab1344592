import { AwsGateway } from "../aws/aws-gateway.js";
import { createClientFactory } from "../aws/client-factory.js";
import type { Gateway } from "../execute/gateway.js";
import type { InMemoryRds } from "./in-memory-rds.js";
import type { SimVerifyChecks } from "./sim-verify-checks.js";

/**
 * `simulatedGateway` with the verification checks (EnableHttpEndpoint, the Data API, Lambda
 * Invoke) answered by `checks`: the production AwsGateway over real SDK clients throughout.
 */
export function simulatedVerifyGateway(
  sim: InMemoryRds,
  account: string,
  checks: SimVerifyChecks,
): Gateway {
  return new AwsGateway({
    clients: createClientFactory({
      credentials: { accessKeyId: "simulated", secretAccessKey: "simulated" },
      plugins: (region) => [checks.plugin(account, region), sim.plugin(account, region)],
      retryStrategy: sim.retryStrategy(),
    }),
  });
}
