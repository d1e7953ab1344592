/**
 * What a verification costs at most, from list prices. The figures are approximate us-east-1
 * on-demand prices for Aurora Standard (Aurora MySQL / PostgreSQL), as the Amazon Aurora pricing
 * page showed them in 2026 (https://aws.amazon.com/rds/aurora/pricing/); other regions, Aurora
 * I/O-Optimized (about 30 % more compute) and later price changes differ. They are there to size
 * a schedule, not to bill anyone: check the pricing page for your region.
 */

/** Serverless v2: USD per ACU-hour (Aurora Standard, us-east-1). */
export const SERVERLESS_V2_USD_PER_ACU_HOUR = 0.12;
/** The capacity a verification instance runs at: Serverless v2's minimum of 0.5 ACU. */
export const VERIFY_SERVERLESS_ACU = 0.5;
/** Aurora Standard storage: USD per GiB-month, prorated by the hour (730 hours a month). */
export const AURORA_STORAGE_USD_PER_GIB_MONTH = 0.1;
const HOURS_PER_MONTH = 730;

/** On-demand USD per hour of some provisioned classes (Aurora Standard, us-east-1, approximate). */
export const PROVISIONED_USD_PER_HOUR: Readonly<Record<string, number>> = Object.freeze({
  "db.t3.medium": 0.082,
  "db.t4g.medium": 0.073,
  "db.t4g.large": 0.146,
  "db.r5.large": 0.29,
  "db.r6g.large": 0.26,
  "db.r6i.large": 0.29,
  "db.r7g.large": 0.276,
});

/** USD per hour of one verification instance; 0 with no instance; undefined when not in the table. */
export function instanceHourlyUsd(instanceClass: string | undefined): number | undefined {
  if (instanceClass === undefined) return 0;
  if (instanceClass === "db.serverless") {
    return SERVERLESS_V2_USD_PER_ACU_HOUR * VERIFY_SERVERLESS_ACU;
  }
  return PROVISIONED_USD_PER_HOUR[instanceClass];
}

export interface VerifyCostEstimate {
  readonly verifications: number;
  /** Each verification is bounded by VERIFY_MAX_MINUTES: the estimate assumes it runs that long. */
  readonly hoursEach: number;
  readonly instanceClass?: string;
  /** USD per hour of the instance; undefined when the class is not in the price table. */
  readonly instanceUsdPerHour?: number;
  /** Upper bound of the instance's cost over the run; undefined when the price is unknown. */
  readonly instanceUsd?: number;
  /**
   * The restored cluster's storage, per GiB of the snapshot's size, over the run: Aurora bills a
   * restored cluster's volume like any other (per GiB-month, prorated), so it is not free.
   */
  readonly storageUsdPerGib: number;
  /** Where the figures come from and what they leave out. */
  readonly basis: string;
}

/**
 * The most a run of `verifications` can cost in compute, each running for `maxMinutes`, plus the
 * storage term per GiB. I/O requests (Aurora Standard) and the Data API's or the check function's
 * own requests are left out: a check of one `SELECT 1` makes a handful of them.
 */
export function estimateVerifyCost(input: {
  readonly verifications: number;
  readonly maxMinutes: number;
  readonly instanceClass?: string;
}): VerifyCostEstimate {
  const hoursEach = input.maxMinutes / 60;
  const hourly = instanceHourlyUsd(input.instanceClass);
  const hours = hoursEach * input.verifications;
  return {
    verifications: input.verifications,
    hoursEach,
    ...(input.instanceClass !== undefined && { instanceClass: input.instanceClass }),
    ...(hourly !== undefined && { instanceUsdPerHour: hourly, instanceUsd: hourly * hours }),
    storageUsdPerGib: (AURORA_STORAGE_USD_PER_GIB_MONTH * hours) / HOURS_PER_MONTH,
    basis:
      "approximate us-east-1 on-demand Aurora Standard prices (https://aws.amazon.com/rds/aurora/pricing/): " +
      `Serverless v2 ${SERVERLESS_V2_USD_PER_ACU_HOUR} USD per ACU-hour at ${VERIFY_SERVERLESS_ACU} ACU, ` +
      `storage ${AURORA_STORAGE_USD_PER_GIB_MONTH} USD per GiB-month; each verification at its maximum duration; I/O left out`,
  };
}
