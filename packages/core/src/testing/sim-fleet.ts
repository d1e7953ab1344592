import {
  assumeRoleCredentials,
  createClientFactory,
  type ClientFactory,
} from "../aws/client-factory.js";
import { accountOfArn } from "../orchestration/account-guard.js";
import type { StepTarget } from "../orchestration/target.js";
import type { InMemoryRds } from "./in-memory-rds.js";

/**
 * Clients for a fleet's targets over the in-memory RDS, as a central account `caller` would make
 * them: a target with a role is reached through STS AssumeRole (the in-memory STS, which refuses
 * a role that does not exist or does not trust the caller, see `addRole`), and its clients then
 * act in the role's account; a target without one is acted on with the caller's own credentials,
 * in the caller's account, whatever account the target names. So a wrong role, a missing one or
 * a missing trust fails as it would on AWS, through the real SDK and the real credential provider.
 */
export function simFleetClients(
  sim: InMemoryRds,
  caller: string,
): (target: StepTarget) => ClientFactory {
  const own = { accessKeyId: "simulated", secretAccessKey: "simulated" };
  return (target) => {
    if (target.roleArn === undefined) {
      return createClientFactory({
        credentials: own,
        plugins: (region) => [sim.plugin(caller, region)],
        retryStrategy: sim.retryStrategy(),
      });
    }
    const actsIn = accountOfArn(target.roleArn) ?? caller;
    return createClientFactory({
      credentials: assumeRoleCredentials(target.roleArn, {
        region: target.region,
        credentials: own,
        plugins: [sim.plugin(caller, target.region)],
        maxAttempts: 1,
        ...(target.externalId !== undefined && { externalId: target.externalId }),
      }),
      plugins: (region) => [sim.plugin(actsIn, region)],
      retryStrategy: sim.retryStrategy(),
    });
  };
}
