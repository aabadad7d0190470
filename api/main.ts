/** The API entrypoint (see lib/process for the lifecycle, exit codes and signals). */
import { runMain } from "../lib/process/index.js";
import { loadApiConfig } from "./config.js";
import { startApi } from "./server.js";

await runMain({
  name: "api",
  load: loadApiConfig,
  logLevel: (c) => c.logLevel,
  shutdownTimeoutMs: (c) => c.shutdownTimeoutMs,
  start: async (config, log) => {
    const api = await startApi(config, { log });
    return { stop: () => api.close() };
  },
});
