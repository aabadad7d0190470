/** The health and metrics server of every long-running process (the API's internal port among them). */
export { startHealthServer, type HealthServer, type HealthOptions, type Probe } from "./health-server.js";
