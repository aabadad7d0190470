/** The operator entrypoint (see lib/process for the lifecycle, exit codes and signals). */
import { runMain } from "../lib/process/index.js";
import { runOperator } from "./app/index.js";
import { loadOperatorConfig } from "./config/index.js";

await runMain({
  name: "transcode-operator",
  load: loadOperatorConfig,
  logLevel: (c) => c.LOG_LEVEL,
  shutdownTimeoutMs: (c) => c.SHUTDOWN_TIMEOUT_MS,
  start: runOperator,
});
