/** The operator's health and metrics endpoints. */
export { createHealthServer, listen, type HealthSources } from "./health-server.js";
