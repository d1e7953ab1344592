/**
 * The demo: two weeks of the tool's default schedules, run by the real engine against the
 * in-memory RDS (no AWS account needed). A source account with four clusters in us-east-1 shares
 * its snapshots with a destination account, which keeps copies in us-west-2 re-encrypted with its
 * own key. Prints what happened each simulated day, the final inventory per place, the recovery
 * status of every cluster in every place, and a check of the safety rules.
 *
 *   pnpm demo                 # 14 days
 *   pnpm demo -- --days 30    # longer
 *   pnpm demo -- --moto       # against moto_server through the CLI (--endpoint-url URL: one already running)
 */
import {
  TAG_COPIED_BY,
  TAG_CREATED_BY,
  TAG_INTERMEDIATE,
  destinationPolicyFromObject,
  destinationStatus,
  sourcePolicyFromObject,
  sourceStatus,
  type RunReport,
  type StatusReport,
} from "@aurora-snapshot-tool/core";
import {
  InMemoryRds,
  simulateFleet,
  simulatedGateway,
  type FleetDay,
} from "@aurora-snapshot-tool/core/testing";

const SOURCE = "111111111111";
const DEST = "222222222222";
const HOME = "us-east-1";
const DR = "us-west-2";

export interface DemoOptions {
  readonly days: number;
  readonly log: (line: string) => void;
}

export interface DemoResult {
  readonly days: FleetDay[];
  readonly violations: string[];
}

export async function runDemo({ days, log }: DemoOptions): Promise<DemoResult> {
  const sim = new InMemoryRds({ now: new Date("2026-11-01T00:00:00Z") });
  const sourceKey = sim.addKey({
    account: SOURCE,
    region: HOME,
    alias: "alias/aurora-snapshots",
    usableBy: [DEST],
  });
  sim.addKey({ account: DEST, region: HOME, alias: "alias/snapshot-staging" });
  sim.addKey({ account: DEST, region: DR, alias: "alias/snapshot-dr" });
  sim.addCluster({
    account: SOURCE,
    region: HOME,
    id: "orders",
    engine: "aurora-postgresql",
    encrypted: true,
    kmsKeyId: sourceKey,
  });
  sim.addCluster({
    account: SOURCE,
    region: HOME,
    id: "payments",
    engine: "aurora-mysql",
    encrypted: true,
    kmsKeyId: sourceKey,
  });
  sim.addCluster({ account: SOURCE, region: HOME, id: "analytics", engine: "aurora-postgresql" });
  sim.addCluster({ account: SOURCE, region: HOME, id: "graph", engine: "neptune" });
  // Snapshots the tool must never touch: one kept by hand, one automated.
  sim.addSnapshot({
    account: SOURCE,
    region: HOME,
    id: "orders-before-migration",
    clusterId: "orders",
    createTime: new Date("2026-06-01T00:00:00Z"),
  });
  sim.addSnapshot({
    account: SOURCE,
    region: HOME,
    id: "rds:orders-2026-10-31-03-00",
    clusterId: "orders",
    type: "automated",
  });
  const untouchable = sim.snapshots().map((s) => `${s.account}/${s.region}/${s.id}`);

  const violations: string[] = [];
  const checkIntermediates = (report: RunReport): void => {
    // Safety rule 4, checked against the live state right after each copy run.
    for (const o of report.done) {
      if (o.decision.action !== "delete") continue;
      const onward = sim.snapshot({ account: DEST, region: DR, id: o.decision.snapshot });
      if (onward?.status !== "available")
        violations.push(
          `intermediate ${o.decision.snapshot} deleted before its copy was available`,
        );
    }
  };

  const retention = 7;
  const sourcePolicy = sourcePolicyFromObject({
    destinationAccount: DEST,
    retentionDays: retention,
  });
  const destinationPolicy = destinationPolicyFromObject({
    destinationRegions: [DR],
    retentionDays: retention,
    kmsKeySource: "alias/snapshot-staging",
    kmsKeyDestination: { [DR]: "alias/snapshot-dr" },
  });
  const result = await simulateFleet({
    sim,
    days,
    source: { account: SOURCE, region: HOME, policy: sourcePolicy },
    destination: { account: DEST, region: HOME, policy: destinationPolicy },
    onReport: (report) => {
      if (report.step === "copy") checkIntermediates(report);
    },
  });

  log(
    `Simulated ${days} days of the default schedules (take 01:00 UTC, share every 10 min, prune hourly,`,
  );
  log(
    `copy every 30 min, prune-dest hourly). Source ${SOURCE} in ${HOME}; destination ${DEST}, copies in ${DR}.\n`,
  );
  log("day         taken  shared  copied  staged-removed  pruned  pruned-dest  pending  failed");
  for (const d of result) {
    const localCopies = d.copied.filter((c) => c.endsWith(`@${HOME}`)).length;
    log(
      `${d.day}  ${pad(d.taken.length, 5)}  ${pad(d.shared.length, 6)}  ${pad(d.copied.length - localCopies, 6)}  ` +
        `${pad(d.intermediateRemoved.length, 14)}  ${pad(d.pruned.length, 6)}  ${pad(d.prunedDest.length, 11)}  ` +
        `${pad(d.pending, 7)}  ${pad(d.failed, 6)}`,
    );
  }

  log("\nFinal inventory (manual snapshots) per place:");
  for (const [account, region] of [
    [SOURCE, HOME],
    [DEST, HOME],
    [DEST, DR],
  ] as const) {
    const manual = sim.snapshots({ account, region }).filter((s) => s.type === "manual");
    log(`  ${account} ${region}: ${manual.length} snapshot(s)`);
    const byCluster = new Map<string, string[]>();
    for (const s of manual)
      byCluster.set(s.clusterId, [...(byCluster.get(s.clusterId) ?? []), s.id]);
    for (const [cluster, ids] of [...byCluster].sort()) {
      ids.sort();
      log(
        `    ${cluster.padEnd(10)} ${String(ids.length).padStart(2)}  ${ids[0]} .. ${ids[ids.length - 1]}`,
      );
    }
  }

  // What `status` says at the end: every Aurora cluster within its RPO in every place.
  const statuses: StatusReport[] = [
    await sourceStatus({
      gateway: simulatedGateway(sim, SOURCE),
      policy: sourcePolicy,
      region: HOME,
      now: sim.now(),
    }),
    await destinationStatus({
      gateway: simulatedGateway(sim, DEST),
      policy: destinationPolicy,
      region: HOME,
      now: sim.now(),
    }),
  ];
  log("\nRecovery status (aurora-snapshot-tool status) at the end:");
  for (const report of statuses) {
    for (const p of report.places) {
      const where = p.place === "shared" ? `shared with ${p.account}` : `${p.place} ${p.region}`;
      const age = p.newest === null ? "none" : `${(p.newest.ageMinutes / 60).toFixed(1)}h old`;
      log(
        `  ${p.cluster.padEnd(10)} ${where.padEnd(26)} ${p.state.padEnd(11)} newest ${age}, RPO ${p.rpoHours}h` +
          (p.reasons.length > 0 ? ` (${p.reasons.join(", ")})` : ""),
      );
      if (days >= 2 && p.state !== "protected") {
        violations.push(`${p.cluster} is ${p.state} in ${where}: ${p.reasons.join(", ")}`);
      }
    }
  }

  // Safety rules 1-3, checked against the final state.
  const now = sim.snapshots().map((s) => `${s.account}/${s.region}/${s.id}`);
  for (const id of untouchable)
    if (!now.includes(id)) violations.push(`${id} (not the tool's) was deleted`);
  for (const s of sim.snapshots()) {
    for (const a of s.sharedWith) if (a !== DEST) violations.push(`${s.id} shared with ${a}`);
    if (s.clusterId === "graph") violations.push(`a neptune snapshot was taken: ${s.id}`);
    if (
      s.account === DEST &&
      s.region === HOME &&
      s.tags[TAG_INTERMEDIATE] &&
      s.status === "available"
    ) {
      const onward = sim.snapshot({ account: DEST, region: DR, id: s.id });
      if (onward?.status === "available") violations.push(`intermediate ${s.id} left behind`);
    }
  }
  for (const cluster of ["orders", "payments", "analytics"]) {
    const kept = sim
      .snapshots({ account: SOURCE, region: HOME })
      .filter((s) => s.clusterId === cluster && s.tags[TAG_CREATED_BY]);
    const copies = sim
      .snapshots({ account: DEST, region: DR })
      .filter((s) => s.clusterId === cluster && s.tags[TAG_COPIED_BY]);
    if (days >= retention + 1 && kept.length !== retention)
      violations.push(`${cluster}: ${kept.length} source snapshots, expected ${retention}`);
    if (days >= retention + 1 && copies.length !== retention)
      violations.push(`${cluster}: ${copies.length} copies in ${DR}, expected ${retention}`);
  }

  log("\nSafety check:");
  log("  1. only the tool's own snapshots deleted; hand-made, automated and neptune left alone");
  log(
    "  2. nothing younger than retention deleted; retention-many kept per cluster in every place",
  );
  log("  3. shared only with the configured account");
  log("  4. intermediate copies deleted only after their onward copy is available");
  log("  5. at the end, every Aurora cluster is protected (within its RPO) in every place");
  log(
    violations.length === 0
      ? "  all rules held"
      : violations.map((v) => `  VIOLATION: ${v}`).join("\n"),
  );
  return { days: result, violations };
}

function pad(n: number, width: number): string {
  return String(n).padStart(width);
}

const invokedDirectly = process.argv[1]?.endsWith("demo.ts");
const endpointArg = process.argv.indexOf("--endpoint-url");
if (invokedDirectly && (endpointArg > 0 || process.argv.includes("--moto"))) {
  // The same scenario against moto_server, through the CLI (see demo-moto.ts).
  const { runMotoDemo } = await import("./demo-moto.js");
  const endpoint = endpointArg > 0 ? process.argv[endpointArg + 1] : undefined;
  const problems = await runMotoDemo({ ...(endpoint && { endpoint }), log: (l) => console.log(l) });
  process.exit(problems.length === 0 ? 0 : 1);
} else if (invokedDirectly) {
  const i = process.argv.indexOf("--days");
  const days = i > 0 ? Number(process.argv[i + 1]) : 14;
  if (!Number.isInteger(days) || days < 1) {
    console.error(`--days: expected a whole number of days >= 1, got ${process.argv[i + 1]}`);
    process.exit(2);
  }
  const { violations } = await runDemo({ days, log: (l) => console.log(l) });
  process.exit(violations.length === 0 ? 0 : 1);
}
