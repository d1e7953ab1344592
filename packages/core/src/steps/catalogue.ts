import type { RunReport } from "../execute/report.js";
import type { Step } from "../model/index.js";
import { destinationPolicyFrom } from "../policy/destination-policy.js";
import { lookUpSetting, type SettingLayers } from "../policy/layers.js";
import { SOURCE_SETTINGS, type PolicySide } from "../policy/registry.js";
import { sourcePolicyFrom } from "../policy/source-policy.js";
import type { DestinationPolicy, SourcePolicy } from "../policy/types.js";
import type { StepContext } from "./context.js";
import {
  planCopyStep,
  planPruneDestStep,
  runCopy,
  runPruneDest,
  type CopyRunOptions,
} from "./destination-steps.js";
import {
  planPruneStep,
  planShareStep,
  planTakeStep,
  requireDestinationAccount,
  runPrune,
  runShare,
  runTake,
  type Plan,
} from "./source-steps.js";

/*
 * The step catalogue: for each step, the side whose policy it reads, what it does, and its planner
 * and runner. The Lambda adapter, the CLI and the fleet simulation all go through it, so a step is
 * wired once.
 */

type PolicyOf<S extends PolicySide> = S extends "source" ? SourcePolicy : DestinationPolicy;

/** What a step runs with besides its policy; `followUp` and `singleStepRefused` are read by copy only. */
export interface StepRunContext extends StepContext, CopyRunOptions {}

export interface StepEntry<S extends PolicySide = PolicySide> {
  readonly step: Step;
  readonly side: S;
  /** One line for --help and docs. */
  readonly summary: string;
  /** Lists and plans, changing nothing. */
  readonly plan: (input: StepRunContext & { readonly policy: PolicyOf<S> }) => Promise<Plan>;
  readonly run: (input: StepRunContext & { readonly policy: PolicyOf<S> }) => Promise<RunReport>;
}

export const STEP_CATALOGUE: {
  readonly take: StepEntry<"source">;
  readonly share: StepEntry<"source">;
  readonly prune: StepEntry<"source">;
  readonly copy: StepEntry<"destination">;
  readonly "prune-dest": StepEntry<"destination">;
} = Object.freeze({
  take: {
    step: "take",
    side: "source",
    summary:
      "snapshot every matching Aurora cluster whose newest tool snapshot is older than the interval",
    plan: planTakeStep,
    run: runTake,
  },
  share: {
    step: "share",
    side: "source",
    summary: "share the tool's available snapshots with the destination account",
    plan: planShareStep,
    run: runShare,
  },
  prune: {
    step: "prune",
    side: "source",
    summary: "delete the tool's snapshots older than the retention (keeps the newest MIN_KEEP)",
    plan: planPruneStep,
    run: runPrune,
  },
  copy: {
    step: "copy",
    side: "destination",
    summary:
      "copy shared (or, with CROSS_ACCOUNT_COPY=FALSE, own) snapshots into the destination regions",
    plan: planCopyStep,
    run: runCopy,
  },
  "prune-dest": {
    step: "prune-dest",
    side: "destination",
    summary: "delete the tool's copies older than the destination retention",
    plan: planPruneDestStep,
    run: runPruneDest,
  },
});

export const STEPS: readonly Step[] = Object.freeze(Object.keys(STEP_CATALOGUE) as Step[]);

/** A step with its policy read and checked: nothing left but to plan or run it. */
export interface BoundStep {
  readonly step: Step;
  readonly side: PolicySide;
  readonly policy: SourcePolicy | DestinationPolicy;
  /**
   * Settings that are valid but leave the step open to trouble, one sentence each: adapters show
   * them once per run (the Lambda at WARN, the CLI on stderr).
   */
  readonly warnings: readonly string[];
  /** The region the step lists in, given the region the tool runs in. */
  regionFor(region: string): string;
  plan(ctx: StepRunContext): Promise<Plan>;
  run(ctx: StepRunContext): Promise<RunReport>;
}

/** Binds a step to a policy already built (which must be of the step's side). */
export function bindStep(step: Step, policy: SourcePolicy | DestinationPolicy): BoundStep {
  const entry = STEP_CATALOGUE[step] as StepEntry<PolicySide>;
  const typed = policy as SourcePolicy & DestinationPolicy;
  return {
    step,
    side: entry.side,
    policy,
    warnings: warningsOf(entry.side, policy),
    regionFor: (region) => policy.regionOverride ?? region,
    plan: (ctx) => entry.plan({ ...ctx, policy: typed }),
    run: (ctx) => entry.run({ ...ctx, policy: typed }),
  };
}

function warningsOf(side: PolicySide, policy: SourcePolicy | DestinationPolicy): string[] {
  if (side !== "destination") return [];
  const p = policy as DestinationPolicy;
  if (!p.crossAccount || p.sourceAccounts.length > 0) return [];
  return [
    "SOURCE_ACCOUNTS is not set: snapshots shared by any account are copied, and a stranger's " +
      "share can take copy slots or a backup's name; set it to the source deployments' account ids",
  ];
}

/**
 * Reads the policy of a step's side from layered settings and checks what the step itself needs
 * (share needs a destination account), so a bad or missing value fails before any AWS call,
 * named the way the user gave it.
 */
export function bindStepFrom(step: Step, layers: SettingLayers): BoundStep {
  const side = STEP_CATALOGUE[step].side;
  const policy = side === "source" ? sourcePolicyFrom(layers) : destinationPolicyFrom(layers);
  if (step === "share") {
    const { origin } = lookUpSetting(layers, "source", SOURCE_SETTINGS.destinationAccount);
    requireDestinationAccount(policy as SourcePolicy, origin);
  }
  return bindStep(step, policy);
}
