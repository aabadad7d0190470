/**
 * The real operator entrypoint (operator/main.ts) as a child process, configured only through its environment,
 * as production runs it. By default it is bundled with esbuild and run by plain node (what a production image
 * runs); `--runner tsx` runs the TypeScript through tsx instead (adds the loader's memory).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, readFileSync, type WriteStream } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { buildOperator, OPERATOR_ENV, OPERATOR_NODE_FLAGS } from "../../operator/build.js";

const root = new URL("../../", import.meta.url).pathname;

export interface LaunchSeen {
  /** pino `time` of the operator's "task launched" line: right after RunTask (or the re-adoption) returned. */
  at: number;
  /** pino `time` of the "launching task" line before it: the launcher called (ListTasks, then RunTask). */
  calledAt: number;
  task: string;
  attempt: number;
}

let bundled: string | undefined;

/** The operator as `npm run build:operator` ships it (one bundle), built once per bench run. */
async function bundle(): Promise<string> {
  // Inside node_modules/ so the few optional externals resolve from the repository's node_modules.
  bundled ??= (await buildOperator(join(root, "node_modules", ".cache", "bench-operator"))).operator;
  return bundled;
}

export class OperatorProcess {
  private readonly child: ChildProcess;
  private readonly exited: Promise<number | null>;
  private readonly launches = new Map<string, LaunchSeen[]>();
  /** Log time of each job's most recent "slot claimed", to split the admission path into its two halves. */
  private readonly claims = new Map<string, number>();
  /** Log time of each job's most recent "launching task". */
  private readonly calls = new Map<string, number>();
  private stopping = false;
  private readonly waiters = new Set<() => void>();
  private readonly tail: string[] = [];
  private readonly logFile: WriteStream;
  /** Counts of warn/error lines, printed with the figures: errors during a bench run matter. */
  readonly problems = new Map<string, number>();

  private constructor(
    entry: string[],
    env: Record<string, string>,
    readonly port: number,
    readonly logPath: string,
  ) {
    this.logFile = createWriteStream(logPath);
    this.child = spawn(process.execPath, entry, { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
    this.exited = new Promise((r) => this.child.once("exit", (code) => r(code)));
    const onLine = (line: string) => this.onLine(line);
    if (this.child.stdout) createInterface({ input: this.child.stdout }).on("line", onLine);
    if (this.child.stderr) createInterface({ input: this.child.stderr }).on("line", onLine);
  }

  /** Starts the operator; its whole log is kept in `logPath` for after-the-fact reading. */
  static async start(
    env: Record<string, string>,
    port: number,
    o: { runner: "bundle" | "tsx"; logPath: string; cpuProfDir?: string | undefined },
  ): Promise<OperatorProcess> {
    const prof = o.cpuProfDir ? ["--cpu-prof", "--cpu-prof-dir", o.cpuProfDir] : [];
    const entry = [...prof, ...(o.runner === "tsx" ? ["--import", "tsx", join(root, "operator", "main.ts")] : [...OPERATOR_NODE_FLAGS, await bundle()])];
    const logPath = o.logPath;
    const runEnv = o.runner === "bundle" ? OPERATOR_ENV : {};
    const p = new OperatorProcess(entry, { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", NODE_ENV: "production", ...runEnv, ...env }, port, logPath);
    await p.waitReady(60_000);
    return p;
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  private onLine(line: string): void {
    this.logFile.write(`${line}\n`);
    this.tail.push(line);
    if (this.tail.length > 30) this.tail.shift();
    let rec: { level?: number; time?: number; msg?: string; job?: string; task?: string; attempt?: number };
    try {
      rec = JSON.parse(line) as typeof rec;
    } catch {
      return;
    }
    if (rec.msg === "slot claimed" && rec.job && rec.time !== undefined) this.claims.set(rec.job, rec.time);
    if (rec.msg === "launching task" && rec.job && rec.time !== undefined) this.calls.set(rec.job, rec.time);
    // Warnings of a graceful stop ("stopped leading" on SIGTERM) are not problems of the run.
    if ((rec.level ?? 0) >= 40 && !this.stopping) this.problems.set(rec.msg ?? "?", (this.problems.get(rec.msg ?? "?") ?? 0) + 1);
    if (rec.msg === "task launched" && rec.job && rec.time !== undefined) {
      const list = this.launches.get(rec.job) ?? [];
      list.push({ at: rec.time, calledAt: this.calls.get(rec.job) ?? rec.time, task: rec.task ?? "", attempt: rec.attempt ?? 0 });
      this.launches.set(rec.job, list);
      for (const w of [...this.waiters]) w();
    }
  }

  /** The first "task launched" of `key` (namespace/name) at or after `since` (epoch ms). */
  launchOf(key: string, since = 0): LaunchSeen | undefined {
    return this.launches.get(key)?.find((l) => l.at >= since);
  }

  claimOf(key: string): number | undefined {
    return this.claims.get(key);
  }

  /** Every job key with a launch at or after `since`. */
  launchedSince(since: number): { key: string; launch: LaunchSeen }[] {
    const out: { key: string; launch: LaunchSeen }[] = [];
    for (const [key, list] of this.launches) for (const l of list) if (l.at >= since) out.push({ key, launch: l });
    return out.sort((a, b) => a.launch.at - b.launch.at);
  }

  /** Resolves when `pick` finds something in the launch log; rejects after `timeoutMs`. */
  async waitLaunch<T>(pick: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    const found = pick();
    if (found !== undefined) return found;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n  operator log tail:\n${this.tail.slice(-8).join("\n")}`));
      }, timeoutMs);
      const check = () => {
        const v = pick();
        if (v === undefined) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(v);
      };
      this.waiters.add(check);
    });
  }

  private async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let exitCode: number | null | undefined;
    void this.exited.then((c) => (exitCode = c));
    for (;;) {
      if (exitCode !== undefined) throw new Error(`operator exited with ${exitCode} before it was ready:\n${this.tail.join("\n")}`);
      const ok = await fetch(`http://127.0.0.1:${this.port}/readyz`).then((r) => r.ok && this.tail.some((l) => l.includes('"operator started"')), () => false);
      if (ok) return;
      if (Date.now() > deadline) throw new Error(`operator not ready after ${timeoutMs} ms:\n${this.tail.join("\n")}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** VmRSS of the operator process in MiB (from /proc; the same figure `ps` shows). */
  rssMiB(): number {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${this.pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : Number.NaN;
  }

  /** CPU seconds (user + system) the operator process has used so far, from /proc/<pid>/stat. */
  cpuSeconds(): number {
    const stat = readFileSync(`/proc/${this.pid}/stat`, "utf8");
    // Fields after the ")" that ends the command name; utime and stime are fields 14 and 15 (clock ticks, 100/s on Linux).
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(f[11]) + Number(f[12])) / 100;
  }

  /** Sum of every sample of `name` in /metrics (all label sets). */
  async metric(name: string, labels?: string): Promise<number> {
    const text = await (await fetch(`http://127.0.0.1:${this.port}/metrics`)).text();
    let sum = 0;
    for (const line of text.split("\n")) {
      if (!line.startsWith(name)) continue;
      const rest = line.slice(name.length);
      if (rest[0] !== " " && rest[0] !== "{") continue;
      if (labels && !rest.includes(labels)) continue;
      sum += Number(line.slice(line.lastIndexOf(" ") + 1));
    }
    return sum;
  }

  /** SIGTERM (graceful: in-flight reconciles finish, the lease is released), SIGKILL after `graceMs`. */
  async stop(graceMs = 30_000): Promise<number | null> {
    if (this.child.exitCode !== null) return this.child.exitCode;
    this.stopping = true;
    this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), graceMs);
    const code = await this.exited;
    clearTimeout(timer);
    this.logFile.end();
    return code;
  }

  killNow(): void {
    if (this.child.exitCode === null) this.child.kill("SIGKILL");
  }
}
