import { describe, expect, it } from "vitest";
import {
  checkIdentifier,
  formatSnapshotName,
  formatTimestamp,
  parseSnapshotTime,
  parseTimestamp,
  truncateToHour,
} from "../src/naming/index.js";

const at = new Date("2026-11-24T01:05:42Z");

describe("formatSnapshotName", () => {
  it("formats CLUSTER-YYYY-MM-DD-HH-MM in UTC without a prefix", () => {
    expect(formatSnapshotName("prod-orders", at)).toBe("prod-orders-2026-11-24-01-05");
  });

  it("treats an empty prefix and NONE as no prefix, as the original does", () => {
    expect(formatSnapshotName("db", at, "")).toBe("db-2026-11-24-01-05");
    expect(formatSnapshotName("db", at, "NONE")).toBe("db-2026-11-24-01-05");
    expect(formatSnapshotName("db", at, "none")).toBe("db-2026-11-24-01-05");
  });

  it("puts the prefix first and lowercases, as RDS stores identifiers", () => {
    expect(formatSnapshotName("DB", at, "Nightly")).toBe("nightly-db-2026-11-24-01-05");
  });

  it("does not depend on the process time zone", () => {
    const late = new Date("2026-12-31T23:59:00Z");
    expect(formatTimestamp(late)).toBe("2026-12-31-23-59");
  });
});

describe("parseSnapshotTime", () => {
  it("reads the time back with the cluster id known", () => {
    expect(parseSnapshotTime("prod-orders-2026-11-24-01-05", "prod-orders")).toEqual(
      new Date("2026-11-24T01:05:00Z"),
    );
  });

  it("reads a prefixed name and an ARN", () => {
    expect(
      parseSnapshotTime(
        "arn:aws:rds:eu-west-1:111122223333:cluster-snapshot:x-db-2026-01-02-03-04",
        "db",
      ),
    ).toEqual(new Date("2026-01-02T03:04:00Z"));
  });

  it("escapes the cluster id instead of treating it as a regex", () => {
    expect(parseSnapshotTime("dbx1-2026-01-02-03-04", "db.1")).toBeUndefined();
  });

  it("compares case-insensitively", () => {
    expect(parseSnapshotTime("prod-2026-01-02-03-04", "PROD")).toEqual(
      new Date("2026-01-02T03:04:00Z"),
    );
  });

  it("rejects impossible dates and names without a stamp", () => {
    expect(parseSnapshotTime("db-2026-02-30-03-04", "db")).toBeUndefined();
    expect(parseSnapshotTime("db-manual-backup", "db")).toBeUndefined();
    expect(parseTimestamp("2026-13-01-00-00")).toBeUndefined();
  });

  it("knows leap years", () => {
    expect(parseTimestamp("2028-02-29-00-00")).toEqual(new Date("2028-02-29T00:00:00Z"));
    expect(parseTimestamp("2000-02-29-00-00")).toEqual(new Date("2000-02-29T00:00:00Z"));
    expect(parseTimestamp("2026-02-29-00-00")).toBeUndefined();
    expect(parseTimestamp("2100-02-29-00-00")).toBeUndefined();
    expect(parseTimestamp("2026-04-31-00-00")).toBeUndefined();
    expect(parseTimestamp("2026-04-30-24-00")).toBeUndefined();
    expect(parseTimestamp("2026-04-30-23-60")).toBeUndefined();
    expect(parseTimestamp("2026-12-31-23-59")).toEqual(new Date("2026-12-31T23:59:00Z"));
  });

  it("round-trips with formatSnapshotName", () => {
    const name = formatSnapshotName("cluster-7", at, "p");
    expect(parseSnapshotTime(name, "cluster-7")).toEqual(new Date("2026-11-24T01:05:00Z"));
  });
});

describe("checkIdentifier", () => {
  it("accepts a 63-character identifier and rejects 64", () => {
    expect(checkIdentifier("a".repeat(63))).toBeUndefined();
    expect(checkIdentifier("a".repeat(64))).toBe("identifier-too-long");
  });

  it("rejects a leading digit, a double hyphen, a trailing hyphen and other characters", () => {
    expect(checkIdentifier("1db")).toBe("identifier-invalid");
    expect(checkIdentifier("db--x")).toBe("identifier-invalid");
    expect(checkIdentifier("db-")).toBe("identifier-invalid");
    expect(checkIdentifier("db_x")).toBe("identifier-invalid");
  });
});

describe("truncateToHour", () => {
  it("drops minutes, seconds and milliseconds in UTC", () => {
    expect(truncateToHour(new Date("2026-11-24T01:59:59.999Z"))).toEqual(
      new Date("2026-11-24T01:00:00Z"),
    );
  });
});
