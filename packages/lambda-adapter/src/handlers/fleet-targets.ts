import { createFleetTargetsHandler } from "../runtime/fleet-handlers.js";

/** Entry of fleet_targets_aurora.zip (fleet.yaml, central account). */
export const handler = createFleetTargetsHandler();
