import { describe, expect, it } from "vitest";

import { snapshotQuotaCheck } from "../../src/doctor/doctor-checks.js";

const name = (key: string) =>
  ({
    retentionDays: "RETENTION_DAYS",
    keepDaily: "KEEP_DAILY",
    keepWeekly: "KEEP_WEEKLY",
    keepMonthly: "KEEP_MONTHLY",
    keepYearly: "KEEP_YEARLY",
  })[key] ?? key;
const NONE = { keepDaily: 0, keepWeekly: 0, keepMonthly: 0, keepYearly: 0 };

describe("doctor's snapshot quota check", () => {
  it("says nothing while no calendar rule is in use", () => {
    expect(
      snapshotQuotaCheck(500, { retentionDays: 7, minKeep: 1, ...NONE }, 24, name),
    ).toBeUndefined();
  });

  it("passes when the bound fits RDS's default 100 per region: 3 clusters × (8 + 25)", () => {
    const check = snapshotQuotaCheck(
      3,
      { retentionDays: 7, minKeep: 1, keepDaily: 7, keepWeekly: 4, keepMonthly: 12, keepYearly: 2 },
      24,
      name,
    );
    expect(check).toMatchObject({ id: "snapshot-quota", status: "pass" });
    expect(check?.detail).toContain("3 cluster(s) × up to 33 snapshots each");
    expect(check?.detail).toContain("up to 99 manual snapshots per region");
  });

  it("warns past it, naming the settings to lower and the quota to raise", () => {
    // Hourly snapshots kept a day: 25 each, plus 12 monthlies, for 4 clusters = 148.
    const check = snapshotQuotaCheck(
      4,
      { retentionDays: 1, minKeep: 1, ...NONE, keepMonthly: 12 },
      1,
      name,
    );
    expect(check).toMatchObject({ id: "snapshot-quota", status: "warn" });
    expect(check?.detail).toContain("up to 148 manual snapshots per region");
    expect(check?.fix).toMatch(/Service Quotas.*KEEP_MONTHLY.*RETENTION_DAYS/);
  });

  it("counts MIN_KEEP when it is larger than the rest", () => {
    const check = snapshotQuotaCheck(
      2,
      { retentionDays: 1, minKeep: 60, ...NONE, keepYearly: 1 },
      24,
      name,
    );
    expect(check?.detail).toContain("up to 60 snapshots each");
    expect(check?.status).toBe("warn");
  });
});
