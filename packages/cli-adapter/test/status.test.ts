import { TAG_CREATED_BY, TAG_SHARE_AND_COPY, TOOL_NAME } from "@aurora-snapshot-tool/core";
import { InMemoryRds, simulatedGateway } from "@aurora-snapshot-tool/core/testing";
import { describe, expect, it } from "vitest";

import { runInProcess } from "./support/run-in-process.js";

const A = "111111111111";
const REGION = "us-east-1";
const NOW = new Date("2026-06-10T12:00:00Z");
const HOUR = 3_600_000;
const TAGS = { [TAG_CREATED_BY]: TOOL_NAME, [TAG_SHARE_AND_COPY]: "YES" };

function stamp(hours: number): string {
  return new Date(NOW.getTime() - hours * HOUR).toISOString().slice(0, 16).replace(/[T:]/g, "-");
}

/** orders: 2 hours old (protected); billing: 30 hours old, a new one creating (at risk); ledger: 40 hours old, stopped (unprotected). */
function world(): InMemoryRds {
  const sim = new InMemoryRds({ now: NOW });
  const at = { account: A, region: REGION };
  const snap = (cluster: string, hours: number, status = "available") =>
    sim.addSnapshot({
      ...at,
      id: `${cluster}-${stamp(hours)}`,
      clusterId: cluster,
      status,
      createTime: new Date(NOW.getTime() - hours * HOUR),
      ...(status !== "available" && { readyAt: new Date(NOW.getTime() + HOUR) }),
      tags: TAGS,
    });
  sim.addCluster({ ...at, id: "orders" });
  snap("orders", 2);
  sim.addCluster({ ...at, id: "billing" });
  snap("billing", 30);
  snap("billing", 0, "creating");
  sim.addCluster({ ...at, id: "ledger", status: "stopped" });
  snap("ledger", 40);
  return sim;
}

describe("status", () => {
  it("--json reports the three states with reasons and exits 3 when any place is not protected", async () => {
    const sim = world();
    const run = await runInProcess(["status", "--json"], {
      gateway: simulatedGateway(sim, A),
      now: NOW,
    });
    expect(run.code).toBe(3);
    const doc = JSON.parse(run.stdout) as {
      command: string;
      side: string;
      places: { cluster: string; state: string; reasons: string[]; newest: unknown }[];
      summary: Record<string, unknown>;
    };
    expect(doc.command).toBe("status");
    expect(doc.side).toBe("source");
    expect(doc.places.map((p) => [p.cluster, p.state, p.reasons])).toEqual([
      ["billing", "at-risk", ["stale", "snapshot-in-progress"]],
      ["ledger", "unprotected", ["stale", "cluster-unavailable"]],
      ["orders", "protected", []],
    ]);
    expect(doc.summary).toEqual({ protected: 1, atRisk: 1, unprotected: 1, maxAgeMinutes: 2400 });
  });

  it("shows the same in the table, with a summary line and a legend of the reasons", async () => {
    const run = await runInProcess(["status"], { gateway: simulatedGateway(world(), A), now: NOW });
    expect(run.code).toBe(3);
    const lines = run.stdout.split("\n");
    expect(lines[0]).toMatch(
      /^CLUSTER\s+PLACE\s+STATE\s+NEWEST\s+AGE\s+RPO\s+KEPT\s+IN FLIGHT\s+REASONS$/,
    );
    expect(lines.find((l) => l.startsWith("billing"))).toMatch(
      /source us-east-1\s+at-risk\s+billing-2026-06-09-06-00\s+30\.0h\s+26h\s+1\s+1\s+stale, snapshot-in-progress/,
    );
    expect(lines.find((l) => l.startsWith("ledger"))).toMatch(
      /unprotected .*40\.0h .*stale, cluster-unavailable/,
    );
    expect(lines.find((l) => l.startsWith("orders"))).toMatch(
      /protected .*2\.0h\s+26h\s+1\s+0\s+-$/,
    );
    expect(run.stdout).toContain(
      "source account 111111111111: 1 protected, 1 at risk, 1 unprotected; oldest recovery point 40.0h",
    );
    expect(run.stdout).toMatch(
      /Reasons:\n(.*\n)*\s+cluster-unavailable\s+the cluster is not available/,
    );
  });

  it("exits 0 when every place is protected, and --rpo-hours changes the verdict", async () => {
    const gateway = simulatedGateway(world(), A);
    const ok = await runInProcess(["status", "--pattern", "^orders$", "--json"], {
      gateway,
      now: NOW,
    });
    expect(ok.code).toBe(0);
    const strict = await runInProcess(["status", "--pattern", "^orders$", "--rpo-hours", "1"], {
      gateway,
      now: NOW,
    });
    expect(strict.code).toBe(3);
    expect(strict.stdout).toMatch(/orders .*unprotected .*1h/);
  });

  it("refuses a bad --rpo-hours before any AWS call, naming the flag (exit 2)", async () => {
    const sim = world();
    const run = await runInProcess(["status", "--rpo-hours", "0"], {
      gateway: simulatedGateway(sim, A),
      now: NOW,
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--rpo-hours/);
    expect(sim.calls).toEqual([]);
  });
});
