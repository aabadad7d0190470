import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, fstatSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

const exitCleanups = new Set<() => void>();

/**
 * Registers a synchronous cleanup to run if the process exits or is interrupted before the normal, async
 * stop. Returns the function that unregisters it.
 */
export function registerExitCleanup(cleanup: () => void): () => void {
  exitCleanups.add(cleanup);
  return () => exitCleanups.delete(cleanup);
}

/** Runs every registered cleanup once (SIGKILL of live services, removal of scratch dirs). */
export function runExitCleanups(): void {
  for (const cleanup of exitCleanups) {
    try {
      cleanup();
    } catch {
      // best effort: this runs while the process is going away
    }
  }
  exitCleanups.clear();
}

let handlersInstalled = false;

/**
 * Makes Ctrl-C, SIGTERM and a plain exit stop every service started by this process, including those of a
 * start still in progress. Safe to call more than once.
 */
export function installExitHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.once("exit", runExitCleanups);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(signal, () => {
      runExitCleanups();
      process.exit(128 + (signal === "SIGINT" ? 2 : signal === "SIGTERM" ? 15 : 1));
    });
  }
}

/** A service failed to install, start or become ready. The message names the service, the command and the log. */
export class ServiceError extends Error {
  override readonly name = "ServiceError";
}

/** A port that was free a moment ago on 127.0.0.1 (the OS picks it). Callers retry a start that loses the race. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

export interface ServiceProcessOptions {
  service: string;
  command: string;
  args: string[];
  logDir: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/**
 * One child process of a service. Output goes straight to a log file (no pipes to drain); the pid is
 * recorded in the run's pid file so a later run can reap it if this process is killed with SIGKILL.
 */
export class ServiceProcess {
  readonly logFile: string;
  private child!: ChildProcess;
  private exitCode: number | null = null;
  private exited = false;
  private exitPromise!: Promise<void>;
  /** Where the log file ended when the current child started: its own output begins there. */
  private logStart = 0;
  /** The arguments of the next start; a service that picked its own port is pinned to it for restarts. */
  private args: string[];
  /** The readiness probe of the last waitReady, so that a restart waits for the same thing. */
  private readiness: { probe: () => Promise<boolean>; timeoutMs: number } | undefined;

  constructor(
    readonly options: ServiceProcessOptions,
    private readonly pidFile: string,
  ) {
    this.logFile = join(options.logDir, `${options.service}.log`);
    this.args = options.args;
    this.spawnChild();
  }

  private spawnChild(): void {
    const options = this.options;
    this.exited = false;
    this.exitCode = null;
    mkdirSync(options.logDir, { recursive: true });
    const fd = openSync(this.logFile, "a");
    this.logStart = fstatSync(fd).size;
    try {
      this.child = spawn(options.command, this.args, {
        cwd: options.cwd,
        env: options.env ?? process.env,
        stdio: ["ignore", fd, fd],
      });
    } finally {
      closeSync(fd);
    }
    const child = this.child;
    this.exitPromise = new Promise((resolve) => {
      child.once("exit", (code, signal) => {
        this.exited = true;
        this.exitCode = code ?? (signal ? 128 : null);
        resolve();
      });
      child.once("error", (err) => {
        this.exited = true;
        writeFileSync(this.logFile, `\nspawn error: ${err.message}\n`, { flag: "a" });
        resolve();
      });
    });
    if (child.pid) writeFileSync(this.pidFile, `${child.pid}\n`, { flag: "a" });
  }

  /**
   * Stops the service (SIGKILL: a crash, unless `graceful`), keeps it down for `downMs`, then starts the same
   * command on the same ports and data and waits until it is ready again. For tests of servers that restart.
   */
  async restart(o: { downMs?: number; graceful?: boolean } = {}): Promise<void> {
    if (o.graceful) await this.stop();
    else if (!this.exited) {
      this.child.kill("SIGKILL");
      await this.exitPromise;
    }
    await sleep(o.downMs ?? 0);
    this.spawnChild();
    if (this.readiness) await this.waitReady(this.readiness.probe, this.readiness.timeoutMs);
  }

  /**
   * Restarts run with these arguments instead: FerretDB binds port 0 and prints the port it got, and a restart
   * on another port would strand every client that holds the first URL.
   */
  pinArgs(args: string[]): void {
    this.args = args;
  }

  /** What the current child has written so far (not the earlier runs' lines in the same log file). */
  output(): string {
    try {
      return readFileSync(this.logFile).subarray(this.logStart).toString("utf8");
    } catch {
      return "";
    }
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return !this.exited;
  }

  describe(): string {
    return `${this.options.command} ${this.args.join(" ")}`;
  }

  logTail(lines = 20): string {
    try {
      return readFileSync(this.logFile, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
    } catch {
      return "";
    }
  }

  failure(what: string): ServiceError {
    return new ServiceError(
      `${this.options.service}: ${what}\n  command: ${this.describe()}\n  log: ${this.logFile}\n${indent(this.logTail())}`,
    );
  }

  /** Polls `probe` until it returns true; fails fast if the process exits, and after `timeoutMs`. */
  async waitReady(probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
    this.readiness = { probe, timeoutMs };
    const deadline = Date.now() + timeoutMs;
    for (let delay = 50; ; delay = Math.min(delay * 2, 500)) {
      if (this.exited) throw this.failure(`exited with code ${this.exitCode} before it was ready`);
      if (await probe().catch(() => false)) return;
      if (Date.now() > deadline) throw this.failure(`not ready after ${timeoutMs} ms`);
      await sleep(delay);
    }
  }

  /** SIGTERM, then SIGKILL after `graceMs`. Idempotent. */
  async stop(graceMs = 5000): Promise<void> {
    if (this.exited) return;
    this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), graceMs);
    await this.exitPromise;
    clearTimeout(timer);
  }

  /** Synchronous last resort for process 'exit' handlers. */
  killNow(): void {
    if (!this.exited) this.child.kill("SIGKILL");
  }
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((l) => `    | ${l}`)
    .join("\n");
}

/**
 * Kills the services of earlier runs whose owner died without cleaning up (SIGKILL, a crashed runner),
 * and removes their scratch directories. A run is stale when the pid that owns it is gone.
 */
export function reapStaleRuns(runsRoot: string): void {
  let entries: string[];
  try {
    entries = readdirSync(runsRoot);
  } catch {
    return;
  }
  for (const name of entries) {
    const dir = join(runsRoot, name);
    const owner = Number(/^run-(\d+)-/.exec(name)?.[1]);
    if (!owner || isAlive(owner)) continue;
    try {
      for (const pid of readFileSync(join(dir, "pids"), "utf8").split("\n").map(Number).filter(Boolean)) {
        if (isAlive(pid)) process.kill(pid, "SIGKILL");
      }
    } catch {
      // no pid file: nothing was started
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Keeps the newest `keep` log directories under `root`, and every one whose run is still going (its name ends with
 * the pid of its owner): parallel runs, a CI clone beside a developer's suites, must not delete a live run's logs
 * (a restarted service opens its log again, and failed with ENOENT).
 */
export function pruneLogDirs(root: string, keep: number): void {
  let dirs: string[];
  try {
    dirs = readdirSync(root).filter((d) => d.startsWith("run-"));
  } catch {
    return;
  }
  dirs
    .map((d) => ({ d, t: statSync(join(root, d)).mtimeMs }))
    .sort((a, b) => b.t - a.t)
    .slice(keep)
    .filter(({ d }) => !isAlive(Number(/-(\d+)$/.exec(d)?.[1])))
    .forEach(({ d }) => rmSync(join(root, d), { recursive: true, force: true }));
}
