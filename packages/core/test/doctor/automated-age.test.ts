import { describe, expect, it } from "vitest";
import { automatedAgeCheck } from "../../src/doctor/doctor-checks.js";
import { sourceDoctor } from "../../src/doctor/index.js";
import { sourcePolicyFromObject } from "../../src/policy/index.js";
import type { SourcePolicyInput } from "../../src/policy/index.js";
import { InMemoryRds, simulatedGateway } from "../../src/testing/index.js";

/*
 * doctor's automated-age check: with SNAPSHOT_SOURCE=automated a backup's data can be
 * AUTOMATED_MAX_AGE_HOURS + INTERVAL old just before the next one, which must fit the RPO.
 */

const name = (key: string): string => `<${key}>`;

function check(input: SourcePolicyInput) {
  return automatedAgeCheck(sourcePolicyFromObject({ snapshotSource: "automated", ...input }), name);
}

describe("automatedAgeCheck", () => {
  it("says nothing at the default SNAPSHOT_SOURCE=create", () => {
    expect(automatedAgeCheck(sourcePolicyFromObject({}), name)).toBeUndefined();
    expect(
      automatedAgeCheck(sourcePolicyFromObject({ automatedMaxAgeHours: 48 }), name),
    ).toBeUndefined();
  });

  it("warns with the defaults (age limit = interval, RPO = interval + 2) and suggests RPO − INTERVAL", () => {
    const c = check({});
    expect(c).toMatchObject({ id: "automated-age", status: "warn" });
    expect(c?.detail).toContain("48 h");
    expect(c?.detail).toContain("26 h");
    expect(c?.fix).toContain("<automatedMaxAgeHours>");
    expect(c?.fix).toContain("set <automatedMaxAgeHours> to 2 ");
  });

  it("passes when AUTOMATED_MAX_AGE_HOURS + INTERVAL fits the RPO, and warns one hour past it", () => {
    expect(check({ automatedMaxAgeHours: 2 })?.status).toBe("pass");
    expect(check({ automatedMaxAgeHours: 3 })?.status).toBe("warn");
    expect(check({ rpoHours: 36, automatedMaxAgeHours: 12 })?.status).toBe("pass");
    const over = check({ rpoHours: 36, automatedMaxAgeHours: 13 });
    expect(over?.status).toBe("warn");
    expect(over?.fix).toContain("set <automatedMaxAgeHours> to 12 ");
  });

  it("reads the limit as the interval when it is not set, with a given RPO", () => {
    expect(check({ intervalHours: 12, rpoHours: 24 })?.status).toBe("pass");
    expect(check({ intervalHours: 12, rpoHours: 23 })?.status).toBe("warn");
  });
});

describe("sourceDoctor runs automated-age only with SNAPSHOT_SOURCE=automated", () => {
  async function ids(policy: SourcePolicyInput) {
    const sim = new InMemoryRds({ now: new Date("2026-06-15T12:00:00Z") });
    sim.addCluster({ account: "111111111111", region: "us-east-1", id: "orders" });
    const checks = await sourceDoctor({
      gateway: simulatedGateway(sim, "111111111111"),
      region: "us-east-1",
      now: sim.now(),
      policy: sourcePolicyFromObject(policy),
      name,
    });
    return checks.filter((c) => c.id === "automated-age").map((c) => c.status);
  }

  it("warns at the defaults of automated, and is absent at create", async () => {
    expect(await ids({ snapshotSource: "automated" })).toEqual(["warn"]);
    expect(await ids({})).toEqual([]);
  });
});
