import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, mkdirSync, openSync } from "node:fs";
import { join } from "node:path";
import { decodeTaskEnv } from "../../../lib/task-contract/index.js";
import type { Logger } from "../../../lib/log.js";
import type { LaunchRequest, TaskLauncher, TaskState } from "../../ports/launcher.js";
import type { TaskRef } from "../../ports/job.js";
import { isRunning, processStart, TaskRecords, type TaskRecord } from "./task-records.js";

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
  /**
   * Where each task's (pid, start time) is recorded, so that the next operator adopts the tasks of one that
   * crashed. Without it a crashed operator's tasks run on unobserved.
   */
  stateDir?: string | undefined;
}

interface LocalTask {
  id: string;
  pid: number | undefined;
  /** Our own child; undefined for a task adopted from the records of an operator that crashed. */
  child: ChildProcess | undefined;
  record: TaskRecord | undefined;
  state: "Running" | "Stopped";
  exitCode: number | undefined;
  stopReason: string | undefined;
  exited: Promise<void>;
}

/**
 * Runs the transcoder as a child process with the same env contract the ECS task gets, in its own process group
 * so stopping it also stops its ffmpeg. With a state directory, each task's (pid, start time) is recorded there
 * and its output goes to a file of its own, so a task outlives a crashed operator and the next one adopts it:
 * finds it again (find, describe), stops it, and keeps the cap. The exit code of an adopted task is unknowable;
 * its result in Redis says how it ended.
 */
export class LocalLauncher implements TaskLauncher {
  readonly kind = "local" as const satisfies TaskRef["launcher"];
  private readonly tasks = new Map<string, LocalTask>();
  private readonly records: TaskRecords | undefined;
  private closed = false;

  constructor(private readonly opts: LocalLauncherOptions) {
    if (opts.stateDir) {
      this.records = new TaskRecords(opts.stateDir);
      for (const r of this.records.load()) this.adopt(r);
    }
  }

  static taskId(uid: string, attempt: number): string {
    return `local-${uid}-${attempt}`;
  }

  /** A task an earlier operator started: followed by polling its pid, since it is not our child. */
  private adopt(r: TaskRecord): void {
    const running = isRunning(r);
    const task: LocalTask = { id: r.id, pid: r.pid, child: undefined, record: r, state: running ? "Running" : "Stopped", exitCode: undefined, stopReason: undefined, exited: Promise.resolve() };
    if (running) {
      task.exited = new Promise<void>((resolve) => {
        const poll = setInterval(() => {
          if (isRunning(r)) return;
          clearInterval(poll);
          task.state = "Stopped";
          task.stopReason ??= "exited while its operator was away";
          resolve();
        }, 200);
        poll.unref();
      });
      this.opts.log?.info({ id: r.id, pid: r.pid }, "adopted a local task started by an earlier operator");
    } else {
      task.stopReason = "exited while its operator was away";
    }
    this.tasks.set(r.id, task);
  }

  /** Idempotent per (uid, attempt): the second call returns the first call's task. */
  async launch(request: LaunchRequest): Promise<TaskRef> {
    await request.fence?.();
    return this.launchNow(request);
  }

  find(uid: string, attempt: number): Promise<TaskRef | undefined> {
    const id = LocalLauncher.taskId(uid, attempt);
    return Promise.resolve(this.tasks.has(id) ? { launcher: "local", id, attempt } : undefined);
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
    const out = this.output(id);
    let child: ChildProcess;
    try {
      child = spawn(cmd, args, { env: this.childEnv(request.env), detached: true, stdio: ["ignore", out, out] });
    } finally {
      if (typeof out === "number") closeSync(out);
    }
    let resolveExit!: () => void;
    const task: LocalTask = {
      id,
      pid: child.pid,
      child,
      record: undefined,
      state: "Running",
      exitCode: undefined,
      stopReason: undefined,
      exited: new Promise<void>((r) => (resolveExit = r)),
    };
    const started = child.pid === undefined ? undefined : processStart(child.pid);
    if (this.records && child.pid !== undefined && started !== undefined) {
      task.record = { id, pid: child.pid, started };
      this.records.save(task.record);
    }
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
        if (t.state === "Running" && t.record && !t.child && !isRunning(t.record)) {
          t.state = "Stopped";
          t.stopReason ??= "exited while its operator was away";
        }
        if (t.state === "Stopped" && t.record) {
          // Known stopped now: its record has done its job.
          this.records?.remove(id);
          t.record = undefined;
        }
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
   * the grace period or once the task has exited; resolves once it has exited.
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
    // Whatever the task left in its process group (an ffmpeg it did not stop) goes with it.
    if (t.pid !== undefined) {
      try {
        process.kill(-t.pid, "SIGKILL");
      } catch {
        // The group is already gone.
      }
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
    if (t.pid === undefined) return;
    if (t.state === "Stopped" && !group) return;
    // An adopted pid is signalled only while it is still the process we recorded (pids are reused).
    if (t.record && !t.child && !isRunning(t.record)) return;
    try {
      process.kill(group ? -t.pid : t.pid, sig);
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

  /**
   * Where a task's stdout and stderr go. A log file is opened here and handed to the child as its descriptor (no
   * pipe through this process), so a task outlives a crashed operator without writing into a closed pipe.
   */
  private output(id: string): number | "inherit" | "ignore" {
    const o = this.opts.output ?? "inherit";
    if (o === "inherit" || o === "ignore") return o;
    mkdirSync(o.dir, { recursive: true });
    return openSync(join(o.dir, `${id}.log`), "a");
  }
}
