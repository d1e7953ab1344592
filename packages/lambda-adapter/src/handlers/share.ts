import { createStepHandler } from "../runtime/index.js";

/** Entry of share_snapshots_aurora.zip (source account): shares new snapshots with DEST_ACCOUNT. */
export const handler = createStepHandler("share");
