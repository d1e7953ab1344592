import { runCopy } from "@aurora-snapshot-tool/core";
import { copyFollowUp, destinationStepHandler } from "../runtime/index.js";

/**
 * Entry of copy_snapshots_dest_aurora.zip and, built with CROSS_ACCOUNT_COPY defaulting to FALSE,
 * of copy_snapshots_no_x_account_aurora.zip (destination account).
 */
export const handler = destinationStepHandler("copy", (input) =>
  runCopy({ ...input, ...copyFollowUp(process.env, input.execute?.deadline) }),
);
