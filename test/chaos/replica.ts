import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, mkdirSync, type WriteStream } from "node:fs";
import { join } from "node:path";
import { registerExitCleanup } from "../../stack/process.js";

/**
 * One operator process (operator/main.ts, as production runs it) that a chaos test can kill -9, pause, resume
 * and restart. Its output goes to a log file; the lines a test waits for are kept in memory too.
 */
export class Replica {
  private child: ChildProcess | undefined;
  private out: WriteStream | undefined;
  private exited: Promise<number | null> = Promise.resolve(null);
  private unregister: (() => void) | undefined;
  /** Lease identity and health port of the current incarnation, from its "health server listening" line. */
  identity: string | undefined;
  port: number | undefined;
  /** Every log line of every incarnation, in order. */
  readonly lines: string[] = [];
  incarnations = 0;
  paused = false;

  constructor(
    readonly name: string,
    private readonly env: Record<string, string>,
    private readonly logDir: string,
  ) {}

  get pid(): number | undefined {
    return this.child?.exitCode === null ? this.child.pid : undefined;
  }

  get alive(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  start(): void {
    if (this.alive) throw new Error(`${this.name} is already running`);
    this.incarnations++;
    this.identity = undefined;
    this.port = undefined;
    this.paused = false;
    mkdirSync(this.logDir, { recursive: true });
    this.out = createWriteStream(join(this.logDir, `${this.name}.log`), { flags: "a" });
    const child = spawn(process.execPath, ["--import", "tsx", "operator/main.ts"], {
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...this.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child = child;
    this.exited = new Promise((resolve) => child.once("exit", (code) => resolve(code)));
    const pid = child.pid;
    this.unregister?.();
    this.unregister = registerExitCleanup(() => pid && process.kill(pid, "SIGKILL"));
    let partial = "";
    const take = (d: Buffer) => {
      this.out?.write(d);
      const text = partial + d.toString();
      const parts = text.split("\n");
      partial = parts.pop() ?? "";
      for (const line of parts) this.line(line);
    };
    child.stdout.on("data", take);
    child.stderr.on("data", take);
  }

  /** When each log line with this message was written (pino's "time"), across incarnations. */
  events(msg: string): number[] {
    const needle = `"msg":${JSON.stringify(msg)}`;
    return this.lines.filter((l) => l.includes(needle)).flatMap((l) => {
      const t = /"time":(\d+)/.exec(l);
      return t ? [Number(t[1])] : [];
    });
  }

  private line(line: string): void {
    this.lines.push(line);
    const listening = /"port":(\d+),"identity":"([^"]+)"[^\n]*health server listening/.exec(line);
    if (listening) {
      this.port = Number(listening[1]);
      this.identity = listening[2];
    }
  }

  /** Sends a signal to the process (SIGKILL: a crash; SIGSTOP/SIGCONT: a pause the process does not notice). */
  signal(sig: NodeJS.Signals): void {
    if (!this.alive) return;
    this.child!.kill(sig);
    if (sig === "SIGSTOP") this.paused = true;
    if (sig === "SIGCONT") this.paused = false;
  }

  async kill(): Promise<void> {
    if (!this.alive) return;
    if (this.paused) this.signal("SIGCONT");
    this.signal("SIGKILL");
    await this.exited;
    this.out?.end();
  }

  /** SIGTERM, and SIGKILL after `graceMs`. Resolves with the exit code. */
  async stop(graceMs = 30_000): Promise<number | null> {
    if (!this.alive) return this.child?.exitCode ?? null;
    if (this.paused) this.signal("SIGCONT");
    this.signal("SIGTERM");
    const timer = setTimeout(() => this.signal("SIGKILL"), graceMs);
    const code = await this.exited;
    clearTimeout(timer);
    this.out?.end();
    this.unregister?.();
    return code;
  }

  async restart(): Promise<void> {
    await this.kill();
    this.start();
  }
}
