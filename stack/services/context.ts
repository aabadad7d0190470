import { existsSync, mkdirSync } from "node:fs";
import { request } from "node:https";
import { join } from "node:path";
import { ServiceError, ServiceProcess, freePort, type ServiceProcessOptions } from "../process.js";

/** What every service starter gets: where to put data and logs, and how to register a process for cleanup. */
export class StartContext {
  readonly processes: ServiceProcess[] = [];
  constructor(
    readonly runDir: string,
    readonly logDir: string,
  ) {}

  dataDir(service: string): string {
    const dir = join(this.runDir, service);
    mkdirSync(dir, { recursive: true });
    return dir;
  }

  spawn(options: Omit<ServiceProcessOptions, "logDir">): ServiceProcess {
    const proc = new ServiceProcess({ ...options, logDir: this.logDir }, join(this.runDir, "pids"));
    this.processes.push(proc);
    return proc;
  }

  /**
   * Starts a service on freshly picked ports; if it dies before it is ready (another process took a port in
   * between), tries again with new ports, up to three times.
   */
  async withPorts<T>(count: number, attempt: (ports: number[]) => Promise<T>): Promise<T> {
    let last: unknown;
    for (let i = 0; i < 3; i++) {
      const ports: number[] = [];
      while (ports.length < count) {
        const p = await freePort();
        if (!ports.includes(p)) ports.push(p);
      }
      try {
        return await attempt(ports);
      } catch (err) {
        last = err;
        if (!(err instanceof ServiceError) || !/exited|in use/i.test(err.message)) throw err;
      }
    }
    throw last;
  }
}

export function requireBinary(service: string, path: string): void {
  if (path.includes("/") && !existsSync(path)) {
    throw new ServiceError(
      `${service}: binary ${path} is missing. Run \`npm run testenv:install\` (scripts/testenv/install.sh) to build it.`,
    );
  }
}

export async function httpOk(url: string, init?: RequestInit): Promise<boolean> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(2000) });
  await res.body?.cancel();
  return res.ok;
}

/** A 200 from an HTTPS endpoint whose certificate is self-signed and not yet known (a component's /healthz, /readyz). */
export function httpsOk(url: string, token?: string): Promise<boolean> {
  return new Promise((resolve) => {
    const headers = token ? { authorization: `Bearer ${token}` } : undefined;
    const req = request(url, { headers, rejectUnauthorized: false, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on("error", () => resolve(false));
    req.on("timeout", () => req.destroy());
    req.end();
  });
}
