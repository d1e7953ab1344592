import { sourcePolicyFromObject, destinationPolicyFromObject } from "../../src/index.js";
import { describe, expect, it } from "vitest";

import {
  clusterSelectionChecks,
  identifierCheck,
  keyCheck,
  missingKeyCheck,
  retentionCheck,
  rpoCheck,
  scheduleCheck,
  sharingChecks,
  sourceAccountsCheck,
} from "../../src/doctor/doctor-checks.js";
import { parseSchedule } from "../../src/doctor/schedule.js";
import type { Cluster } from "../../src/model/index.js";
import { planTake } from "../../src/plan/index.js";
import type { SourcePolicy } from "../../src/policy/index.js";
import { aCluster, aKey, aSnapshot } from "../../src/testing/index.js";

const NOW = new Date("2026-11-25T10:00:00Z");
const name = (key: string): string => `<${key}>`;

/** The checks over take's own plan for these clusters, as doctor makes them. */
function selectionChecks(clusters: Cluster[], policy: SourcePolicy, region: string) {
  const take = planTake({ clusters, snapshots: [], policy, now: NOW });
  return clusterSelectionChecks(clusters, take, policy, region, name);
}

describe("clusterSelectionChecks", () => {
  it("passes and lists the selected Aurora clusters, noting non-Aurora matches", () => {
    const clusters = [
      aCluster({ id: "prod-a" }),
      aCluster({ id: "prod-graph", engine: "neptune" }),
    ];
    const [check] = selectionChecks(
      clusters,
      sourcePolicyFromObject({ clusterPattern: "prod" }),
      "us-east-1",
    );
    expect(check).toMatchObject({ status: "pass" });
    expect(check?.detail).toContain("1 of 1 Aurora clusters selected: prod-a");
    expect(check?.detail).toContain("prod-graph (neptune)");
  });

  it("fails naming the pattern field when nothing is selected, and warns about near misses", () => {
    const checks = selectionChecks(
      [aCluster({ id: "prod-orders" })],
      sourcePolicyFromObject({ clusterPattern: "Prod" }),
      "us-east-1",
    );
    expect(checks.map((c) => [c.id, c.status])).toEqual([
      ["clusters", "fail"],
      ["near-misses", "warn"],
    ]);
    expect(checks[0]?.fix).toContain("<clusterPattern>");
    expect(checks[1]?.detail).toContain("prod-orders (matches if letter case is ignored");
  });

  it("fails when the region has no Aurora cluster at all", () => {
    const [check] = selectionChecks([], sourcePolicyFromObject({}), "eu-west-1");
    expect(check).toMatchObject({ status: "fail", detail: "no Aurora clusters in eu-west-1" });
  });

  it("names the clusters the tag selectors leave out, as take's plan does", () => {
    const clusters = [
      aCluster({ id: "prod-a", tags: { backup: "daily" } }),
      aCluster({ id: "prod-b" }),
    ];
    const [check] = selectionChecks(
      clusters,
      sourcePolicyFromObject({ includeTags: "backup=daily" }),
      "us-east-1",
    );
    expect(check?.detail).toContain("1 of 2 Aurora clusters selected: prod-a");
    expect(check?.detail).toContain("left out by the tag selectors: prod-b");
  });
});

describe("identifierCheck", () => {
  it("fails a cluster whose snapshot identifier would exceed 63 characters, and says how short the prefix must be", () => {
    const long = aCluster({ id: "a".repeat(30) });
    const policy = sourcePolicyFromObject({ snapshotNamePrefix: "p".repeat(20) });
    const check = identifierCheck([long], policy, NOW, name);
    expect(check).toMatchObject({
      status: "fail",
      fix: "shorten <snapshotNamePrefix> to at most 15 characters",
    });
  });

  it("with REENCRYPT_KMS_KEY, counts the 4 characters of the cmk- copy for an encrypted cluster", () => {
    // 63 - 17 (the stamp) - 1 = 45: a 45-character id fits, its cmk- copy does not.
    const cluster = aCluster({ id: "c".repeat(45), encrypted: true, kmsKeyId: "key-1" });
    const on = sourcePolicyFromObject({ reencryptKmsKey: "alias/share" });
    expect(identifierCheck([cluster], sourcePolicyFromObject({}), NOW, name)).toMatchObject({
      status: "pass",
    });
    const check = identifierCheck([cluster], on, NOW, name);
    expect(check).toMatchObject({ status: "fail" });
    expect(check.detail).toContain(`cmk-${"c".repeat(45)}`);
    expect(check.fix).toContain("<snapshotNamePrefix>");
    // With a prefix: how short it must be for the copy's name.
    const prefixed = aCluster({ id: "c".repeat(30), encrypted: true, kmsKeyId: "key-1" });
    const withPrefix = sourcePolicyFromObject({
      reencryptKmsKey: "alias/share",
      snapshotNamePrefix: "p".repeat(12),
    });
    expect(identifierCheck([prefixed], withPrefix, NOW, name)).toMatchObject({
      status: "fail",
      fix: "shorten <snapshotNamePrefix> to at most 11 characters (the cmk- copy adds 4)",
    });
    // An unencrypted cluster's snapshots are shared as they are.
    const plain = aCluster({ id: "c".repeat(45) });
    expect(identifierCheck([plain], on, NOW, name)).toMatchObject({ status: "pass" });
  });

  it("passes and reports the longest identifier", () => {
    const check = identifierCheck(
      [aCluster({ id: "prod-a" })],
      sourcePolicyFromObject({}),
      NOW,
      name,
    );
    expect(check).toMatchObject({ status: "pass" });
    expect(check.detail).toContain("longest 23 of 63");
  });
});

describe("sharingChecks", () => {
  const encrypted = aCluster({ id: "prod-a", encrypted: true, kmsKeyId: "key-1" });
  const policy = sourcePolicyFromObject({ destinationAccount: "222222222222" });

  it("fails clusters encrypted with the AWS-managed key while sharing is on", () => {
    const checks = sharingChecks(
      [encrypted],
      policy,
      "123456789012",
      new Map([["key-1", aKey({ manager: "AWS" })]]),
      name,
    );
    expect(checks).toEqual([expect.objectContaining({ id: "sharing-keys", status: "fail" })]);
    expect(checks[0]?.detail).toContain("prod-a");
  });

  it("fails the source template's placeholder account 000000000000", () => {
    const checks = sharingChecks(
      [],
      sourcePolicyFromObject({ destinationAccount: "000000000000" }),
      "123456789012",
      new Map(),
      name,
    );
    expect(checks[0]).toMatchObject({ id: "sharing-target", status: "fail" });
    expect(checks[0]?.fix).toContain("<destinationAccount>");
  });

  it("checks each destination account: the placeholder or this account among real ones", () => {
    const checks = sharingChecks(
      [],
      sourcePolicyFromObject({ destinationAccount: "222222222222,000000000000,123456789012" }),
      "123456789012",
      new Map(),
      name,
    );
    expect(checks.filter((c) => c.id === "sharing-target").map((c) => c.status)).toEqual([
      "fail",
      "warn",
    ]);
    expect(checks[0]?.detail).toContain("names 000000000000");
    expect(checks[1]?.fix).toContain("remove 123456789012");
    const fine = sharingChecks(
      [],
      sourcePolicyFromObject({ destinationAccount: "222222222222,333333333333" }),
      "123456789012",
      new Map(),
      name,
    );
    expect(fine.filter((c) => c.id === "sharing-target")).toEqual([]);
  });

  it("passes customer managed keys", () => {
    const checks = sharingChecks(
      [encrypted],
      policy,
      "123456789012",
      new Map([["key-1", aKey()]]),
      name,
    );
    expect(checks.map((c) => c.status)).toEqual(["pass"]);
  });

  it("warns when sharing with the account itself", () => {
    const checks = sharingChecks([], policy, "222222222222", new Map(), name);
    expect(checks.map((c) => [c.id, c.status])).toContainEqual(["sharing-target", "warn"]);
  });

  it("passes with sharing off, saying share would refuse to run", () => {
    const [check] = sharingChecks(
      [encrypted],
      sourcePolicyFromObject({}),
      "123456789012",
      new Map(),
      name,
    );
    expect(check).toMatchObject({ status: "pass", id: "sharing" });
  });
});

describe("retentionCheck", () => {
  it("fails a destination retention shorter than the source's", () => {
    const check = retentionCheck(14, 7, {
      source: "RETENTION_DAYS",
      destination: "destination.retentionDays",
    });
    expect(check).toMatchObject({ status: "fail" });
    expect(check.fix).toContain("raise destination.retentionDays to at least 14");
  });

  it("passes an equal or longer one", () => {
    expect(retentionCheck(7, 7, { source: "a", destination: "b" }).status).toBe("pass");
  });
});

describe("rpoCheck", () => {
  const rpo = (rpoHours: number | undefined, intervalHours = 24) =>
    rpoCheck(
      sourcePolicyFromObject({ intervalHours, ...(rpoHours !== undefined && { rpoHours }) }),
      name,
    );

  it("says nothing when RPO_HOURS is not set (the default is the interval + 2)", () => {
    expect(rpo(undefined)).toBeUndefined();
  });

  it("fails an RPO at or below the interval, naming both settings and the default", () => {
    const check = rpo(24, 24);
    expect(check).toMatchObject({ id: "rpo", status: "fail" });
    expect(check?.detail).toMatch(/rpoHours.* 24 h.*intervalHours/);
    expect(check?.fix).toContain("at least 26");
    expect(rpo(12, 24)?.status).toBe("fail");
  });

  it("warns below the interval + 2 and passes from there", () => {
    expect(rpo(25, 24)?.status).toBe("warn");
    expect(rpo(26, 24)?.status).toBe("pass");
    expect(rpo(8, 6)?.status).toBe("pass");
  });
});

describe("scheduleCheck", () => {
  it("fails a schedule that fires less often than the interval", () => {
    const check = scheduleCheck(parseSchedule("s", "cron(0 1 ? * MON *)"), 24, NOW, name);
    expect(check).toMatchObject({ status: "fail" });
    expect(check.detail).toContain("up to 168 h between runs");
  });

  it("warns when the interval makes take skip runs", () => {
    expect(scheduleCheck(parseSchedule("s", "rate(1 day)"), 25, NOW, name).status).toBe("warn");
  });

  it("passes an hourly schedule with a daily interval", () => {
    expect(scheduleCheck(parseSchedule("s", "cron(0 * * * ? *)"), 24, NOW, name).status).toBe(
      "pass",
    );
  });
});

describe("keyCheck", () => {
  const base = { field: "KMS_KEY_DEST_REGION", ref: "alias/copies", region: "eu-west-1" };

  it.each([
    ["not found", undefined, "was not found in eu-west-1"],
    ["in another region", aKey({ region: "us-east-1" }), "is in us-east-1"],
    ["disabled", aKey({ region: "eu-west-1", enabled: false }), "is not enabled"],
    ["not describable", { error: "AccessDenied" }, "could not describe"],
  ])("fails a key %s", (_name, info, text) => {
    const check = keyCheck({ ...base, info });
    expect(check.status).toBe("fail");
    expect(check.detail).toContain(text);
  });

  it("passes an enabled key in the region", () => {
    expect(keyCheck({ ...base, info: aKey({ region: "eu-west-1" }) }).status).toBe("pass");
  });
});

describe("missingKeyCheck", () => {
  it("warns about regions where encrypted snapshots would be skipped for want of a key", () => {
    const policy = destinationPolicyFromObject({ destinationRegions: "eu-west-1" });
    const check = missingKeyCheck(
      [aSnapshot({ name: "s", clusterId: "c", encrypted: true })],
      policy,
      "us-east-1",
      name,
    );
    expect(check?.status).toBe("warn");
    expect(check?.detail).toContain("eu-west-1 (<kmsKeyDestination>)");
    expect(check?.detail).toContain("us-east-1 (<kmsKeySource>)");
  });

  it("says nothing when no snapshot is encrypted", () => {
    const policy = destinationPolicyFromObject({ destinationRegions: "eu-west-1" });
    expect(
      missingKeyCheck([aSnapshot({ name: "s", clusterId: "c" })], policy, "us-east-1", name),
    ).toBeUndefined();
  });
});

describe("sourceAccountsCheck", () => {
  it("warns, naming the setting, when cross-account copy takes shares from any account", () => {
    const check = sourceAccountsCheck(
      destinationPolicyFromObject({ destinationRegions: ["us-west-2"] }),
      name,
    );
    expect(check).toMatchObject({ id: "source-accounts", status: "warn" });
    expect(check?.fix).toContain("<sourceAccounts>");
  });

  it("passes when the source accounts are set, and says nothing for same-account copies", () => {
    expect(
      sourceAccountsCheck(
        destinationPolicyFromObject({
          destinationRegions: ["us-west-2"],
          sourceAccounts: ["111111111111"],
        }),
        name,
      ),
    ).toMatchObject({ status: "pass", detail: expect.stringContaining("111111111111") });
    expect(
      sourceAccountsCheck(
        destinationPolicyFromObject({ destinationRegions: ["us-west-2"], crossAccount: false }),
        name,
      ),
    ).toBeUndefined();
  });
});
