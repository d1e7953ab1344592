import { createFleetReportHandler } from "../runtime/fleet-handlers.js";

/** Entry of fleet_report_aurora.zip (fleet.yaml, central account). */
export const handler = createFleetReportHandler();
