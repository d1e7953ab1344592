import { createStepHandler } from "../runtime/index.js";

/** Entry of take_snapshots_aurora.zip (source account): a snapshot of every cluster that is due. */
export const handler = createStepHandler("take");
