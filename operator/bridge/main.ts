import { createLogger } from "../../lib/log.js";
import { startBridgeApp } from "./app.js";
import { loadBridgeConfig } from "./config.js";

/** Entry point: `tsx operator/bridge/main.ts`. SIGTERM/SIGINT stop it gracefully; a second signal exits now. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadBridgeConfig();
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(2);
  }
  const log = createLogger("bridge", { level: config.LOG_LEVEL });
  const app = await startBridgeApp(config, log);
  log.info({ health: `${app.http.url}/healthz`, consumer: config.BRIDGE_CONSUMER }, "bridge running");
  let signals = 0;
  const onSignal = (signal: string): void => {
    signals++;
    if (signals > 1) process.exit(1);
    log.info({ signal }, "stopping gracefully");
    app.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ error: err instanceof Error ? err.message : String(err) }, "stop reported problems");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => onSignal("SIGTERM"));
  process.on("SIGINT", () => onSignal("SIGINT"));
}

main().catch((err: unknown) => {
  console.error(`bridge failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
