/**
 * The only place in the transcoder that starts a process: every ffmpeg and ffprobe run goes through here
 * (test/transcoder/media-invoke.unit.test.ts fails if another module imports child_process).
 */
import { spawn } from "node:child_process";
import { unhardenedReason } from "./input.js";

/**
 * The child's whole environment. ffmpeg and ffprobe need nothing but PATH from it for what we run (no HOME, no
 * locale: they print numbers in the C locale whatever LANG says), and the task's own env holds what a
 * compromised decoder must not read: the Redis URL, the AWS credentials (AWS_* locally, the
 * AWS_CONTAINER_CREDENTIALS_* endpoint on ECS).
 */
function childEnv(): Record<string, string> {
  return { PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin" };
}

export interface InvokeOptions {
  /** Working directory (ffmpeg writes its relative output paths there). */
  cwd?: string | undefined;
  /** SIGKILL past this; the run then ends with stoppedBy "timeout". */
  timeoutMs?: number | undefined;
  /** SIGKILL on abort; stoppedBy "aborted". */
  signal?: AbortSignal | undefined;
  /** Streams stdout (ffmpeg -progress); without it stdout is collected (ffprobe's JSON) up to MAX_STDOUT. */
  onStdout?: ((chunk: string) => void) | undefined;
  /** Called with each stderr chunk (the last STDERR_KEEP bytes are kept for the result either way). */
  onStderr?: ((chunk: string) => void) | undefined;
}

export interface ToolRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  /** The last STDERR_KEEP bytes. */
  stderr: string;
  /** Set when we killed it: "timeout", "aborted", or the reason given to kill(). */
  stoppedBy: string | undefined;
}

export interface ToolProcess {
  /** SIGKILLs the process; the run ends with stoppedBy = reason (the first reason given wins). */
  kill(reason: string): void;
  done: Promise<ToolRun>;
}

const STDERR_KEEP = 64 * 1024;
const MAX_STDOUT = 16 * 1024 * 1024;

/**
 * Starts ffmpeg or ffprobe with an argv that opens its one input the hardened way (media/input.ts), or throws
 * before starting anything. `done` rejects only when the binary could not be started.
 */
export function startTool(bin: string, args: readonly string[], opts: InvokeOptions = {}): ToolProcess {
  const unhardened = unhardenedReason(args);
  if (unhardened !== undefined) throw new Error(`refusing to run ${bin}: ${unhardened}`);
  const child = spawn(bin, args, { cwd: opts.cwd, env: childEnv(), stdio: ["ignore", "pipe", "pipe"] });
  let stoppedBy: string | undefined;
  // SIGKILL, not SIGTERM: on SIGTERM ffmpeg finalises every output (faststart rewrites whole files), which is
  // wasted work for outputs a stopped run throws away, and can outlast the launcher's grace period.
  const kill = (reason: string): void => {
    stoppedBy ??= reason;
    child.kill("SIGKILL");
  };
  const onAbort = (): void => kill("aborted");
  const timer = opts.timeoutMs === undefined ? undefined : setTimeout(() => kill("timeout"), opts.timeoutMs);
  if (opts.signal?.aborted) kill("aborted");
  else opts.signal?.addEventListener("abort", onAbort, { once: true });

  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    if (opts.onStdout) return opts.onStdout(chunk);
    stdout += chunk;
    if (stdout.length > MAX_STDOUT) kill("stdout too large");
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_KEEP);
    opts.onStderr?.(chunk);
  });
  const done = new Promise<ToolRun>((resolve, reject) => {
    const cleanup = (): void => {
      if (timer) clearTimeout(timer);
      opts.signal?.removeEventListener("abort", onAbort);
    };
    child.on("error", (err) => {
      cleanup();
      reject(new Error(`${bin} could not start: ${err.message}`, { cause: err }));
    });
    child.on("close", (code, signal) => {
      cleanup();
      resolve({ code, signal, stdout, stderr, stoppedBy });
    });
  });
  return { kill, done };
}

/** startTool, awaited. */
export function runTool(bin: string, args: readonly string[], opts: InvokeOptions = {}): Promise<ToolRun> {
  return startTool(bin, args, opts).done;
}
