import { createStepHandler } from "../runtime/index.js";

/**
 * Entry of delete_old_snapshots_dest_aurora.zip and, built with CROSS_ACCOUNT_COPY defaulting to
 * FALSE, of delete_old_snapshots_no_x_account_aurora.zip: deletes the tool's expired copies.
 */
export const handler = createStepHandler("prune-dest");
