/**
 * An adapter of one's own, in a page: the tool's steps as a long-running job (a container on ECS or
 * Kubernetes, a CI runner, a VM) on its own timer instead of EventBridge and Lambda. Everything it
 * needs from the tool is core's orchestration port, `runStep`: a step, a target, a policy, clients,
 * a clock, a deadline and an abort signal in; the run report out.
 *
 *   JOB_STEPS="take:1440,share:10,prune:60" PATTERN=ALL_CLUSTERS DEST_ACCOUNT=222222222222 \
 *     AWS_REGION=eu-west-1 npx tsx examples/scheduled-job.ts
 *
 * The policy comes from the same env vars the Lambda functions read (PATTERN, RETENTION_DAYS, ...).
 * SIGTERM (a container stop) aborts: no new action starts, the run in progress reports what it
 * left. `JOB_ROUNDS=1` runs each step once and exits 3 when any left work, for a CI schedule.
 */
import { pathToFileURL } from "node:url";

import {
  STEPS,
  bindStepFrom,
  isComplete,
  runStep,
  summarize,
  type ClientFactory,
  type Step,
  type StepTarget,
} from "@aurora-snapshot-tool/core";

export interface JobOptions {
  /** The Lambda functions' env vars, plus AWS_REGION, ROLE_ARN (optional) and JOB_STEPS. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Clients for the target (default: the SDK's credential chain, assuming ROLE_ARN). */
  readonly clients?: (target: StepTarget) => ClientFactory;
  readonly clock?: () => number;
  /** Waits between ticks; resolves early when the signal aborts. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly signal?: AbortSignal;
  /** Stop after this many ticks of a minute (default: until aborted). */
  readonly rounds?: number;
  /** One JSON line per run (default: stdout). */
  readonly log?: (line: string) => void;
}

/** `take:1440,share:10` → every how many minutes each step runs. */
export function parseJobSteps(text: string): { step: Step; everyMinutes: number }[] {
  return text.split(",").map((part) => {
    const [step, minutes] = part.trim().split(":");
    const everyMinutes = Number(minutes);
    if (
      !(STEPS as readonly string[]).includes(step ?? "") ||
      !Number.isInteger(everyMinutes) ||
      everyMinutes < 1
    ) {
      throw new Error(
        `JOB_STEPS: "${part}" is not STEP:MINUTES with STEP one of ${STEPS.join(", ")}`,
      );
    }
    return { step: step as Step, everyMinutes };
  });
}

const MINUTE = 60_000;
const sleepFor = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
  });

/** Runs the job; resolves to whether every run it made completed. */
export async function runJob(options: JobOptions): Promise<boolean> {
  const { env, signal } = options;
  const clock = options.clock ?? Date.now;
  const log = options.log ?? ((line: string) => console.log(line));
  const schedule = parseJobSteps(env["JOB_STEPS"] ?? "take:1440,share:10,prune:60");
  // Policies are read once, before any AWS call: a bad setting stops the job at start.
  const policies = new Map(schedule.map(({ step }) => [step, bindStepFrom(step, { env }).policy]));
  const roleArn = env["ROLE_ARN"];
  const target: StepTarget = {
    region: env["AWS_REGION"] ?? "us-east-1",
    ...(roleArn && { roleArn }),
  };
  let allComplete = true;
  for (let tick = 0; options.rounds === undefined || tick < options.rounds; tick += 1) {
    if (signal?.aborted) break;
    for (const { step, everyMinutes } of schedule) {
      if (tick % everyMinutes !== 0 || signal?.aborted) continue;
      const report = await runStep({
        step,
        target,
        policy: policies.get(step)!,
        ...(options.clients && { clients: options.clients }),
        clock,
        deadline: clock() + 10 * MINUTE,
        ...(signal && { signal }),
      });
      allComplete &&= isComplete(report);
      log(JSON.stringify({ at: new Date(clock()).toISOString(), step, ...summarize(report) }));
    }
    await (options.sleep ?? sleepFor)(MINUTE, signal);
  }
  return allComplete;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const controller = new AbortController();
  process.once("SIGTERM", () => controller.abort());
  process.once("SIGINT", () => controller.abort());
  const rounds =
    process.env["JOB_ROUNDS"] === undefined ? undefined : Number(process.env["JOB_ROUNDS"]);
  const ok = await runJob({
    env: process.env,
    signal: controller.signal,
    ...(rounds !== undefined && { rounds }),
  });
  process.exitCode = ok ? 0 : 3;
}
