import { SimulatedServiceError } from "./sim-errors.js";
import type { SimPlace } from "./sim-types.js";

/** An IAM role the in-memory STS lets callers assume, with the parts of a trust policy it checks. */
export interface SimRoleInit {
  readonly account: string;
  readonly name: string;
  /** Accounts whose principals the trust policy admits (`Principal: {AWS: account}`). */
  readonly trustedAccounts: readonly string[];
  /** The trust policy's `sts:ExternalId` condition, when it has one. */
  readonly externalId?: string;
}

const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/(?:[\w+=,.@/-]*\/)?([\w+=,.@-]{1,64})$/;

/**
 * STS AssumeRole as IAM decides it: the role must exist in the account its ARN names, its trust
 * policy must admit the caller's account, and an external id it asks for must be given exactly.
 * Anything else is AccessDenied, with STS's wording. The credentials handed out act in the role's
 * account (the access key id carries it, `ASIASIM` + account); `simFleetClients` routes the
 * clients that use them to the role's account, as AWS does.
 */
export class SimRoles {
  private readonly roles = new Map<string, SimRoleInit>();

  add(init: SimRoleInit): string {
    const arn = `arn:aws:iam::${init.account}:role/${init.name}`;
    this.roles.set(`${init.account}/${init.name}`, init);
    return arn;
  }

  assume(caller: SimPlace, input: Readonly<Record<string, unknown>>, now: Date): object {
    const roleArn = String(input["RoleArn"] ?? "");
    const session = String(input["RoleSessionName"] ?? "");
    const m = ROLE_ARN.exec(roleArn);
    const denied = (): never => {
      throw new SimulatedServiceError(
        "AccessDenied",
        `User: arn:aws:sts::${caller.account}:assumed-role/caller/${session} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
      );
    };
    if (m === null) {
      throw new SimulatedServiceError("ValidationError", `${roleArn} is not a valid role ARN`);
    }
    const role = this.roles.get(`${m[1]}/${m[2]}`);
    if (role === undefined || !role.trustedAccounts.includes(caller.account)) return denied();
    if (role.externalId !== undefined && input["ExternalId"] !== role.externalId) return denied();
    return {
      Credentials: {
        AccessKeyId: `ASIASIM${role.account}`,
        SecretAccessKey: "in-memory-secret",
        SessionToken: `in-memory-session-${role.account}-${session}`,
        // The SDK's credential cache judges expiry by the process's clock, not the simulated one.
        Expiration: new Date(Math.max(now.getTime(), Date.now()) + 3_600_000),
      },
      AssumedRoleUser: {
        Arn: `arn:aws:sts::${role.account}:assumed-role/${role.name}/${session}`,
        AssumedRoleId: `AROASIM:${session}`,
      },
    };
  }
}
