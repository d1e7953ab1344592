import { createFleetStepHandler } from "../runtime/fleet-handlers.js";

/** Entry of fleet_step_aurora.zip (fleet.yaml, central account). */
export const handler = createFleetStepHandler();
