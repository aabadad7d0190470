import { createLogger } from "../lib/log.js";
import { loadApiConfig } from "./config.js";
import { startApi } from "./server.js";

/** The API process: config from the environment, then serve until SIGTERM/SIGINT, then drain and exit. */
async function main(): Promise<void> {
  const config = loadApiConfig();
  const log = createLogger("api", { level: config.logLevel });
  const api = await startApi(config, { log });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "shutting down");
    api.close().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
