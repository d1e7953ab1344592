import { createStepHandler } from "../runtime/index.js";

/** Entry of delete_old_snapshots_aurora.zip (source account): deletes the tool's expired snapshots. */
export const handler = createStepHandler("prune");
