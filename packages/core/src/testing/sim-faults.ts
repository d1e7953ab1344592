import { parseArn } from "../model/snapshot.js";
import { SimulatedServiceError } from "./sim-errors.js";
import { operationName } from "./sim-names.js";
import type { FailOnOptions, ThrottleOptions } from "./sim-types.js";

/** mulberry32: a tiny seeded PRNG, so an injected throttling pattern repeats exactly. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Input fields that name the resource a call acts on, for `failOn({ target })`. */
const TARGET_FIELDS = [
  "RoleArn",
  "DBClusterSnapshotIdentifier",
  "SourceDBClusterSnapshotIdentifier",
  "TargetDBClusterSnapshotIdentifier",
  "DBClusterIdentifier",
  "DBInstanceIdentifier",
  "SnapshotIdentifier",
  "ResourceName",
  "KeyId",
] as const;

function namesTarget(input: Readonly<Record<string, unknown>>, target: string): boolean {
  const wanted = target.toLowerCase();
  return TARGET_FIELDS.some((field) => {
    const value = input[field];
    if (typeof value !== "string") return false;
    const lower = value.toLowerCase();
    return lower === wanted || parseArn(lower)?.resource === wanted;
  });
}

interface FailRule {
  readonly operation: string;
  readonly target?: string;
  readonly account?: string;
  readonly error: string;
  readonly message: string;
  remaining: number;
}

interface ThrottleRule {
  readonly fraction: number;
  readonly operations?: ReadonlySet<string>;
  readonly random: () => number;
}

/** Injected faults: explicit `failOn` rules first, then random (seeded) throttling. */
export class FaultInjector {
  private rules: FailRule[] = [];
  private throttling: ThrottleRule | undefined;

  throttle(options: ThrottleOptions): void {
    if (!(options.fraction >= 0 && options.fraction <= 1)) {
      throw new RangeError(`throttle fraction must be between 0 and 1, got ${options.fraction}`);
    }
    this.throttling = {
      fraction: options.fraction,
      random: seededRandom(options.seed ?? 1),
      ...(options.operations && {
        operations: new Set(options.operations.map(operationName)),
      }),
    };
  }

  failOn(options: FailOnOptions): void {
    this.rules.push({
      operation: operationName(options.operation),
      error: options.error,
      message: options.message ?? `injected ${options.error}`,
      remaining: options.times ?? Number.POSITIVE_INFINITY,
      ...(options.target !== undefined && { target: options.target }),
      ...(options.account !== undefined && { account: options.account }),
    });
  }

  clear(): void {
    this.rules = [];
    this.throttling = undefined;
  }

  /** The error to answer this call with, if a fault applies (spending one use of a `failOn` rule). */
  check(
    operation: string,
    input: Readonly<Record<string, unknown>>,
    account?: string,
  ): SimulatedServiceError | undefined {
    const rule = this.rules.find(
      (r) =>
        r.remaining > 0 &&
        r.operation === operation &&
        (r.account === undefined || r.account === account) &&
        (r.target === undefined || namesTarget(input, r.target)),
    );
    if (rule) {
      rule.remaining -= 1;
      return new SimulatedServiceError(rule.error, rule.message);
    }
    const throttling = this.throttling;
    if (throttling && (!throttling.operations || throttling.operations.has(operation))) {
      // Draw only for calls the rule covers, so unrelated calls do not shift the pattern.
      if (throttling.random() < throttling.fraction) {
        return new SimulatedServiceError("Throttling", "Rate exceeded");
      }
    }
    return undefined;
  }
}
