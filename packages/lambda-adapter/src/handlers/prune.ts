import { runPrune } from "@aurora-snapshot-tool/core";
import { sourceStepHandler } from "../runtime/index.js";

/** Entry of delete_old_snapshots_aurora.zip (source account): deletes the tool's expired snapshots. */
export const handler = sourceStepHandler("prune", runPrune);
