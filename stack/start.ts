import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ServiceError, pruneLogDirs, reapStaleRuns, registerExitCleanup } from "./process.js";
import { StartContext } from "./services/context.js";
import { startFerretDb } from "./services/ferretdb.js";
import { startKube } from "./services/kube.js";
import { startMinio, type MinioOptions } from "./services/minio.js";
import { startMoto } from "./services/moto.js";
import { startRedis, withComponentUsers } from "./services/redis.js";
import type { StackEnv } from "./types.js";
import { binaries, cacheDir } from "./versions.js";
import { externalServices } from "./external.js";

export interface StackOptions {
  minio?: MinioOptions;
  /** Keep data (and the run directory) after stop, for the embedded mode's inspection. Default false. */
  keepData?: boolean;
  /** Called once per service as it becomes ready, for progress output. */
  onReady?: (service: string, ms: number) => void;
}

export interface Stack {
  env: StackEnv;
  logDir: string;
  /** Scratch and data directory of this run (removed by stop unless keepData). */
  runDir: string;
  /** Pids of the service processes this stack started. */
  pids(): number[];
  /** Stops every process (SIGTERM, then SIGKILL) and removes the scratch dir. Idempotent; reports failures. */
  stop(): Promise<void>;
  /** Synchronous SIGKILL of everything, for process 'exit' handlers. */
  killNow(): void;
  /**
   * Crashes one service ("kube-apiserver", "redis", "ferretdb", ...) and starts it again on the same ports and
   * data, resolving once it is ready: for tests of what happens when a server restarts.
   */
  restart(service: string, o?: { downMs?: number; graceful?: boolean }): Promise<void>;
}

/** Every run's scratch dir (`run-<owner pid>-...`, reaped when its owner is gone) and log dir. */
export const runsRoot = join(tmpdir(), "transcode-cp-runs");
export const logsRoot = join(cacheDir, "logs");

/**
 * Starts every real service in parallel on free 127.0.0.1 ports and returns their endpoints. A service can be
 * replaced by one already running (see ./external.ts); a service that fails to start fails the whole start
 * with its command and log, and whatever did start is stopped again.
 */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  mkdirSync(runsRoot, { recursive: true });
  reapStaleRuns(runsRoot);
  pruneLogDirs(logsRoot, 5);
  const runDir = mkdtempSync(join(runsRoot, `run-${process.pid}-`));
  const logDir = join(logsRoot, `run-${new Date().toISOString().replace(/[:.]/g, "-")}-${process.pid}`);
  mkdirSync(logDir, { recursive: true });
  const ctx = new StartContext(runDir, logDir);
  const ext = externalServices();
  checkTools();

  const timed = async <T>(service: string, start: () => Promise<T>): Promise<T> => {
    const t0 = Date.now();
    const value = await start();
    options.onReady?.(service, Date.now() - t0);
    return value;
  };

  let stopped = false;
  const killNow = () => {
    for (const p of ctx.processes) p.killNow();
    if (!options.keepData) rmSync(runDir, { recursive: true, force: true });
  };
  const unregister = registerExitCleanup(killNow);
  const stack: Stack = {
    env: undefined as unknown as StackEnv,
    logDir,
    runDir,
    pids: () => ctx.processes.flatMap((p) => (p.pid && p.running ? [p.pid] : [])),
    async stop() {
      if (stopped) return;
      stopped = true;
      unregister();
      const results = await Promise.allSettled(ctx.processes.map((p) => p.stop()));
      if (!options.keepData) rmSync(runDir, { recursive: true, force: true });
      const failed = results.filter((r) => r.status === "rejected");
      if (failed.length) throw new Error(`${failed.length} service(s) failed to stop; logs in ${logDir}`);
    },
    killNow,
    async restart(service, o) {
      const p = ctx.processes.find((x) => x.options.service === service);
      if (!p) throw new Error(`no service ${service} in this stack (external services cannot be restarted)`);
      await p.restart(o);
    },
  };

  const started = await Promise.allSettled([
    ext.kube ? Promise.resolve(ext.kube) : timed("kube-apiserver", () => startKube(ctx)),
    ext.mongo ? Promise.resolve(ext.mongo) : timed("ferretdb", () => startFerretDb(ctx)),
    timed("redis", async () => withComponentUsers(ext.redis ?? (await startRedis(ctx)))),
    ext.s3 ? Promise.resolve(ext.s3) : timed("minio", () => startMinio(ctx, options.minio)),
    ext.ecs ? Promise.resolve(ext.ecs) : timed("moto", () => startMoto(ctx)),
  ]);
  const errors = started.filter((r): r is PromiseRejectedResult => r.status === "rejected").map((r) => r.reason as unknown);
  if (errors.length) {
    await stack.stop().catch(() => undefined);
    const text = errors.map((e) => (e instanceof Error ? e.message : String(e))).join("\n\n");
    throw new ServiceError(`the test environment could not start:\n\n${text}`);
  }
  const [kube, mongo, redis, s3, ecs] = started.map((r) => (r as PromiseFulfilledResult<unknown>).value) as [
    StackEnv["kube"],
    StackEnv["mongo"],
    StackEnv["redis"],
    StackEnv["s3"],
    StackEnv["ecs"],
  ];
  const scratch = join(runDir, "scratch");
  mkdirSync(scratch, { recursive: true });
  stack.env = {
    kube,
    mongo,
    redis,
    s3,
    ecs,
    tools: { ffmpeg: binaries.ffmpeg, ffprobe: binaries.ffprobe, helm: binaries.helm },
    tmpDir: scratch,
  };
  return stack;
}

function checkTools(): void {
  if (!existsSync(binaries.helm)) {
    throw new ServiceError(`helm: binary ${binaries.helm} is missing. Run \`npm run testenv:install\`.`);
  }
  for (const tool of ["ffmpeg", "ffprobe", "redis-server"]) {
    const found = (process.env.PATH ?? "").split(":").some((d) => existsSync(join(d, tool)));
    if (!found) throw new ServiceError(`${tool} is not on PATH. Run \`npm run testenv:install\` (it installs Debian's package).`);
  }
}
