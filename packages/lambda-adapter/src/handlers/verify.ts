import { createVerifyHandler } from "../runtime/index.js";

/**
 * Entry of verify_aurora.zip (TOOL_SIDE defaulting to source) and verify_dest_aurora.zip
 * (destination): one round of restore verification per invocation, driven by the verify state
 * machine (see createVerifyHandler).
 */
export const handler = createVerifyHandler();
