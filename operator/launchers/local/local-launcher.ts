import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, mkdirSync } from "node:fs";
import { join } from "node:path";
import { decodeTaskEnv } from "../../../lib/task-contract/index.js";
import type { Logger } from "../../../lib/log.js";
import type { LaunchRequest, TaskLauncher, TaskState } from "../../ports/launcher.js";
import type { TaskRef } from "../../ports/job.js";

/**
 * Variables copied from the operator's own env into the child besides the contract env: what the container
 * image and the ECS task role would otherwise provide (PATH to ffmpeg, HOME for ~/.aws, AWS credentials).
 */
export const INHERITED_ENV = [
  "PATH",
  "HOME",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_PROFILE",
  "AWS_SHARED_CREDENTIALS_FILE",
  "AWS_CONFIG_FILE",
] as const;

export interface LocalLauncherOptions {
  /** argv of the task (the transcoder's entrypoint; the operator's LOCAL_TASK_COMMAND). */
  command: string[];
  /** Explicit credentials for the child (e.g. the embedded MinIO's); otherwise the AWS_* env is inherited. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } | undefined;
  /** Where each task's stdout/stderr go: a directory (one <id>.log per task), or "inherit" / "ignore". */
  output?: { dir: string } | "inherit" | "ignore";
  /** SIGTERM first; SIGKILL after this many ms if the task has not exited. */
  stopGraceMs?: number;
  log?: Logger;
  /** Parent env to inherit from (tests); default process.env. */
  parentEnv?: NodeJS.ProcessEnv;
}

interface LocalTask {
  id: string;
  child: ChildProcess;
  state: "Running" | "Stopped";
  exitCode: number | undefined;
  stopReason: string | undefined;
  exited: Promise<void>;
}

/**
 * Runs the transcoder as a child process with the same env contract the ECS task gets, in its own process group
 * so stopping it also stops its ffmpeg. State lives in this process: after an operator restart earlier tasks
 * are Missing and the operator retries them; a task orphaned by a crashed operator runs on unobserved (its
 * outputs are overwritten by the retry, whose manifest is written last).
 */
export class LocalLauncher implements TaskLauncher {
  readonly kind = "local" as const satisfies TaskRef["launcher"];
  private readonly tasks = new Map<string, LocalTask>();
  private closed = false;

  constructor(private readonly opts: LocalLauncherOptions) {}

  static taskId(uid: string, attempt: number): string {
    return `local-${uid}-${attempt}`;
  }

  /** Idempotent per (uid, attempt): the second call returns the first call's task. */
  launch(request: LaunchRequest): Promise<TaskRef> {
    try {
      return Promise.resolve(this.launchNow(request));
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  private launchNow(request: LaunchRequest): TaskRef {
    if (this.closed) throw new Error("LocalLauncher is closed");
    const id = LocalLauncher.taskId(request.uid, request.attempt);
    const ref: TaskRef = { launcher: "local", id, attempt: request.attempt };
    if (this.tasks.has(id)) return ref;
    // Refuse an env the task would reject anyway (throws TerminalError): no process for a job that cannot run.
    decodeTaskEnv(request.env);
    const [cmd, ...args] = this.opts.command;
    if (cmd === undefined) throw new Error("LocalLauncher: empty command");
    const child = spawn(cmd, args, {
      env: this.childEnv(request.env),
      detached: true,
      stdio: ["ignore", ...this.stdio(id)],
    });
    this.pipeOutput(id, child);
    let resolveExit!: () => void;
    const task: LocalTask = {
      id,
      child,
      state: "Running",
      exitCode: undefined,
      stopReason: undefined,
      exited: new Promise<void>((r) => (resolveExit = r)),
    };
    child.on("error", (err) => {
      task.state = "Stopped";
      task.stopReason ??= `could not start: ${err.message}`;
      resolveExit();
    });
    child.on("exit", (code, signal) => {
      task.state = "Stopped";
      task.exitCode = code ?? undefined;
      task.stopReason ??= signal ? `killed by ${signal}` : "exited";
      this.opts.log?.info({ id, exitCode: code, signal }, "local task exited");
      resolveExit();
    });
    this.tasks.set(id, task);
    this.opts.log?.info({ id, pid: child.pid }, "local task started");
    return ref;
  }

  describe(ids: string[]): Promise<TaskState[]> {
    return Promise.resolve(
      ids.map((id): TaskState => {
        const t = this.tasks.get(id);
        if (!t) return { id, state: "Missing" };
        const s: TaskState = { id, state: t.state };
        if (t.state === "Running" && t.stopReason !== undefined) s.stopping = true;
        if (t.exitCode !== undefined) s.exitCode = t.exitCode;
        if (t.stopReason !== undefined && t.state === "Stopped") s.stopReason = t.stopReason;
        return s;
      }),
    );
  }

  /**
   * SIGTERM to the task (which stops its own children and reports), SIGKILL to its whole process group after
   * the grace period; resolves once it has exited.
   */
  async stop(id: string, reason: string): Promise<void> {
    const t = this.tasks.get(id);
    if (!t || t.state === "Stopped") return;
    t.stopReason = reason;
    this.signal(t, "SIGTERM", false);
    const timer = setTimeout(() => this.signal(t, "SIGKILL", true), this.opts.stopGraceMs ?? 10_000);
    try {
      await t.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Resolves with the task's final state (for the embedded mode's shutdown and for tests). */
  async waitForExit(id: string): Promise<TaskState> {
    await this.tasks.get(id)?.exited;
    const [state] = await this.describe([id]);
    return state!;
  }

  /** Stops every running task; later launches are refused. */
  async close(reason = "launcher closed"): Promise<void> {
    this.closed = true;
    await Promise.all([...this.tasks.keys()].map((id) => this.stop(id, reason)));
  }

  private signal(t: LocalTask, sig: NodeJS.Signals, group: boolean): void {
    if (t.child.pid === undefined) return;
    if (t.state === "Stopped" && !group) return;
    try {
      process.kill(group ? -t.child.pid : t.child.pid, sig);
    } catch {
      // The group is already gone.
    }
  }

  private childEnv(contract: Record<string, string>): Record<string, string> {
    const parent = this.opts.parentEnv ?? process.env;
    const env: Record<string, string> = {};
    for (const name of INHERITED_ENV) {
      const v = parent[name];
      if (v !== undefined) env[name] = v;
    }
    const c = this.opts.credentials;
    if (c) {
      for (const n of INHERITED_ENV.filter((n) => n.startsWith("AWS_"))) delete env[n];
      env.AWS_ACCESS_KEY_ID = c.accessKeyId;
      env.AWS_SECRET_ACCESS_KEY = c.secretAccessKey;
      if (c.sessionToken) env.AWS_SESSION_TOKEN = c.sessionToken;
    }
    return { ...env, ...contract };
  }

  private stdio(_id: string): ["pipe" | "inherit" | "ignore", "pipe" | "inherit" | "ignore"] {
    const o = this.opts.output ?? "inherit";
    if (o === "inherit" || o === "ignore") return [o, o];
    return ["pipe", "pipe"];
  }

  private pipeOutput(id: string, child: ChildProcess): void {
    const o = this.opts.output;
    if (o === undefined || typeof o === "string") return;
    mkdirSync(o.dir, { recursive: true });
    const file = createWriteStream(join(o.dir, `${id}.log`), { flags: "a" });
    child.stdout?.pipe(file, { end: false });
    child.stderr?.pipe(file, { end: false });
    child.on("close", () => file.end());
  }
}
