export { planTake } from "./plan-take.js";
export type { PlanTakeInput, TakeStepDecision } from "./plan-take.js";
export { planShare } from "./plan-share.js";
export type { PlanShareInput, ShareStepDecision } from "./plan-share.js";
export { planPrune, planPruneDest } from "./plan-prune.js";
export type { PlanPruneDestInput, PlanPruneInput, PruneStepDecision } from "./plan-prune.js";
export { copyKeyFor, copyRegionsOf, planCopy } from "./plan-copy.js";
export type { CopyStepDecision, PlanCopyInput } from "./plan-copy.js";
export { snapshotTime } from "./snapshot-time.js";
