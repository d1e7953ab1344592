import { createStatusHandler } from "../runtime/index.js";

/**
 * Entry of status_aurora.zip (TOOL_SIDE defaulting to source) and status_dest_aurora.zip
 * (destination): the recovery status of every selected cluster in every place, as metrics, logs
 * and the returned report.
 */
export const handler = createStatusHandler();
