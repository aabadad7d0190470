import { ConfigError, EXIT_CONFIG, type Loaded } from "../config/index.js";
import { createLogger, type Logger } from "../log.js";

/** Exit codes of every long-running process (documented in docs/configuration.md). */
export const EXIT = {
  /** Stopped gracefully after SIGTERM/SIGINT. */
  ok: 0,
  /** Could not start (a dependency unreachable, a bad kubeconfig), or the graceful stop failed or timed out. */
  failed: 1,
  /** The configuration was refused; stderr names every bad variable. */
  config: EXIT_CONFIG,
  /** A second signal during the graceful stop: exit at once (128 + SIGTERM). */
  forced: 143,
} as const;

export interface Running {
  /** Graceful stop: finish work in hand, release what is held (leases, connections). */
  stop(): Promise<void>;
}

export interface MainSpec<C> {
  /** The process's name: the logger's name and the prefix of start-up errors. */
  name: string;
  load: (env: Record<string, string | undefined>) => Loaded<C>;
  logLevel: (config: C) => string;
  shutdownTimeoutMs: (config: C) => number;
  start: (config: C, log: Logger) => Promise<Running>;
}

/**
 * The one lifecycle of every long-running entrypoint: configuration loaded and validated once, the logger, the
 * start, then SIGTERM/SIGINT start a graceful stop bounded by the shutdown timeout; a second signal exits at
 * once. Never a stack trace on stderr: a refused configuration lists its variables, a failed start is one line.
 */
export async function runMain<C>(spec: MainSpec<C>): Promise<never> {
  let loaded: Loaded<C>;
  try {
    loaded = spec.load(process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(err.message);
    return process.exit(EXIT.config);
  }
  const { config, warnings } = loaded;
  const log = createLogger(spec.name, { level: spec.logLevel(config) });
  for (const w of warnings) log.warn(w);
  let running: Running;
  try {
    running = await spec.start(config, log);
  } catch (err) {
    log.error({ err: message(err) }, "failed to start");
    console.error(`${spec.name} failed to start: ${message(err)}`);
    return process.exit(EXIT.failed);
  }
  return new Promise<never>(() => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) {
        log.warn({ signal }, "second signal: exiting now");
        process.exit(EXIT.forced);
      }
      stopping = true;
      log.info({ signal }, "shutting down");
      const timer = setTimeout(() => {
        log.error({ timeoutMs: spec.shutdownTimeoutMs(config) }, "graceful shutdown timed out");
        process.exit(EXIT.failed);
      }, spec.shutdownTimeoutMs(config));
      timer.unref();
      running.stop().then(
        () => process.exit(EXIT.ok),
        (err: unknown) => {
          log.error({ err: message(err) }, "shutdown had failures");
          process.exit(EXIT.failed);
        },
      );
    };
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);
  });
}

function message(err: unknown): string {
  if (err instanceof AggregateError) return `${err.message}: ${err.errors.map(message).join("; ")}`;
  return err instanceof Error ? err.message.split("\n")[0]! : String(err);
}
