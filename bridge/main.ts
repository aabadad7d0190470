/** The bridge entrypoint (see lib/process for the lifecycle, exit codes and signals). */
import { runMain } from "../lib/process/index.js";
import { startBridgeApp } from "./app.js";
import { loadBridgeConfig } from "./config.js";

await runMain({
  name: "bridge",
  load: loadBridgeConfig,
  logLevel: (c) => c.LOG_LEVEL,
  shutdownTimeoutMs: (c) => c.SHUTDOWN_TIMEOUT_MS,
  start: async (config, log) => {
    const app = await startBridgeApp(config, log);
    log.info({ health: `${app.http.url}/healthz`, consumer: app.consumer }, "bridge running");
    return app;
  },
});
