/** The health and metrics server every long-running process that is not an HTTP API serves. */
export { startHealthServer, type HealthServer, type HealthOptions, type Probe } from "./health-server.js";
