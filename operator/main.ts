/**
 * The operator entrypoint: configuration validated once, then the process runs until SIGTERM/SIGINT, when it
 * stops gracefully (in-flight reconciles finish, the lease is released) within SHUTDOWN_TIMEOUT_MS.
 */
import { createLogger } from "../lib/log.js";
import { runOperator } from "./app/index.js";
import { ConfigError, loadOperatorConfig, type OperatorConfig } from "./config/index.js";

async function main(): Promise<void> {
  let cfg: OperatorConfig;
  try {
    cfg = loadOperatorConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger("transcode-operator", { level: cfg.LOG_LEVEL });
  const running = await runOperator(cfg, log);
  const shutdown = (signal: string) => {
    log.info({ signal }, "shutting down");
    const timer = setTimeout(() => {
      log.error("graceful shutdown timed out");
      process.exit(1);
    }, cfg.SHUTDOWN_TIMEOUT_MS);
    timer.unref();
    running.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err: (err as Error).message }, "shutdown had failures");
        process.exit(1);
      },
    );
  };
  process.once("SIGTERM", () => shutdown("SIGTERM"));
  process.once("SIGINT", () => shutdown("SIGINT"));
}

main().catch((err: unknown) => {
  // Start-up failures (unreachable MongoDB, bad kubeconfig): one line, no stack trace.
  console.error(`transcode-operator failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
