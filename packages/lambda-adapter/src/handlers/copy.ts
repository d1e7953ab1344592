import { createStepHandler } from "../runtime/index.js";

/**
 * Entry of copy_snapshots_dest_aurora.zip and, built with CROSS_ACCOUNT_COPY defaulting to FALSE,
 * of copy_snapshots_no_x_account_aurora.zip (destination account). Started by a schedule it
 * follows the copies it starts every COPY_POLL_SECONDS until its deadline; started by the copy
 * state machine's loop (`{"copyLoop": {...}}`) it runs one round and returns the loop's verdict.
 */
export const handler = createStepHandler("copy");
