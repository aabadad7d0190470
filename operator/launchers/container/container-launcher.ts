import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { TransientError } from "../../../lib/errors/index.js";
import { decodeTaskEnv } from "../../../lib/task-contract/index.js";
import type { Logger } from "../../../lib/log.js";
import type { LaunchRequest, TaskLauncher, TaskState } from "../../ports/launcher.js";
import type { TaskRef } from "../../ports/job.js";

const execFileP = promisify(execFile);

/** Label on every container this launcher starts: how describe() finds them all in one `podman ps`. */
const TASK_LABEL = "io.transcode-cp.task";

export interface ContainerLauncherOptions {
  /** The transcoder image (images/transcoder/Containerfile; `npm run build:images` prints its reference). */
  image: string;
  /** Explicit S3 credentials for the task (the embedded MinIO's); ECS gets them from the task role instead. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } | undefined;
  /** podman's --network: "host" reaches services on 127.0.0.1 (the embedded mode). Default "host". */
  network?: string;
  /** Size of the task's tmpfs scratch at /tmp (podman --tmpfs size=). Default "2g". */
  scratchSize?: string;
  /** SIGTERM first; SIGKILL after this many seconds (podman stop -t). Default 10. */
  stopGraceSeconds?: number;
  /** Stopped containers are removed this long after they exited (ECS keeps stopped tasks about an hour). */
  retainStoppedMs?: number;
  /** The podman binary and the environment it runs with (CONTAINERS_CONF in this sandbox). */
  podman?: string;
  podmanEnv?: NodeJS.ProcessEnv;
  log?: Logger;
  now?: () => number;
}

interface PsEntry {
  Names: string[];
  State: string;
  ExitCode: number;
  Exited: boolean;
  /** Unix seconds. */
  ExitedAt: number;
}

/**
 * Runs each attempt as a podman container of the transcoder image, with exactly the contract env (plus S3
 * credentials when given), as an ECS task runs it: read-only root filesystem, a tmpfs at /tmp as the only
 * scratch space, no capabilities, the image's unprivileged user.
 *
 * The container's name is the task id, derived from (uid, attempt): launch() is idempotent, also across operator
 * restarts and across two operators, because podman refuses a second container of one name. Task state lives in
 * podman, not in this process: a restarted operator describes and stops the containers an earlier one started.
 */
export class ContainerLauncher implements TaskLauncher {
  // TaskRef["launcher"] (and the CRD's status.taskRef.launcher) knows "ecs" and "local": a container on this
  // machine is the local kind.
  readonly kind = "local" as const satisfies TaskRef["launcher"];
  private readonly stopReasons = new Map<string, string>();

  constructor(private readonly opts: ContainerLauncherOptions) {}

  static taskId(uid: string, attempt: number): string {
    return `tj-${uid}-${attempt}`;
  }

  async launch(request: LaunchRequest): Promise<TaskRef> {
    const id = ContainerLauncher.taskId(request.uid, request.attempt);
    const ref: TaskRef = { launcher: this.kind, id, attempt: request.attempt };
    // Refuse an env the task would reject anyway (throws TerminalError): no container for a job that cannot run.
    decodeTaskEnv(request.env);
    const env = { ...request.env, ...this.credentialsEnv() };
    const args = [
      "run", "--detach", `--name=${id}`,
      `--label=${TASK_LABEL}=${request.uid}`,
      `--network=${this.opts.network ?? "host"}`,
      "--read-only", "--read-only-tmpfs=false",
      `--tmpfs=/tmp:rw,nosuid,nodev,size=${this.opts.scratchSize ?? "2g"},mode=1777`,
      "--cap-drop=ALL", "--security-opt=no-new-privileges",
      // By name only: the values reach podman through its environment, never its argv (a process list shows argv).
      ...Object.keys(env).flatMap((name) => ["--env", name]),
      this.opts.image,
    ];
    try {
      await this.podman(args, env);
    } catch (err) {
      // The name is taken: this (uid, attempt) was launched already (a retry, or another operator): adopt it.
      if (await this.exists(id)) return ref;
      throw new TransientError(`podman run of ${id} failed: ${(err as Error).message}`, undefined, { cause: err });
    }
    this.opts.log?.info({ id, image: this.opts.image }, "container task started");
    return ref;
  }

  async describe(ids: string[]): Promise<TaskState[]> {
    const byName = new Map<string, PsEntry>();
    for (const c of await this.list()) for (const n of c.Names) byName.set(n, c);
    const states = ids.map((id) => this.stateOf(id, byName.get(id)));
    await this.removeExpired([...byName.values()]);
    return states;
  }

  async find(uid: string, attempt: number): Promise<TaskRef | undefined> {
    const id = ContainerLauncher.taskId(uid, attempt);
    return (await this.exists(id)) ? { launcher: this.kind, id, attempt } : undefined;
  }

  /** SIGTERM to the container's PID 1 (the transcoder stops ffmpeg and reports Interrupted), SIGKILL after the grace. */
  async stop(id: string, reason: string): Promise<void> {
    if (!this.stopReasons.has(id)) this.stopReasons.set(id, reason);
    try {
      await this.podman(["stop", "--ignore", `--time=${this.opts.stopGraceSeconds ?? 10}`, id]);
    } catch (err) {
      throw new TransientError(`podman stop of ${id} failed: ${(err as Error).message}`, undefined, { cause: err });
    }
  }

  private stateOf(id: string, c: PsEntry | undefined): TaskState {
    if (!c) return { id, state: "Missing" };
    switch (c.State) {
      case "created":
      case "configured":
      case "initialized":
        return { id, state: "Pending" };
      case "exited":
      case "stopped":
        return { id, state: "Stopped", exitCode: c.ExitCode, stopReason: this.stopReasons.get(id) ?? "exited" };
      default: {
        // running, paused, stopping: the task still holds its slot.
        const s: TaskState = { id, state: "Running" };
        if (c.State === "stopping" || this.stopReasons.has(id)) s.stopping = true;
        return s;
      }
    }
  }

  private async removeExpired(containers: PsEntry[]): Promise<void> {
    const retain = this.opts.retainStoppedMs ?? 3_600_000;
    const now = (this.opts.now ?? Date.now)();
    const expired = containers.filter((c) => c.Exited && c.ExitedAt > 0 && now - c.ExitedAt * 1000 > retain).flatMap((c) => c.Names);
    if (!expired.length) return;
    await this.podman(["rm", "--force", "--ignore", ...expired]).catch((err: unknown) =>
      this.opts.log?.warn({ err: (err as Error).message }, "could not remove stopped task containers"),
    );
    for (const id of expired) this.stopReasons.delete(id);
  }

  private async list(): Promise<PsEntry[]> {
    try {
      return JSON.parse(await this.podman(["ps", "--all", `--filter=label=${TASK_LABEL}`, "--format=json"])) as PsEntry[];
    } catch (err) {
      throw new TransientError(`podman ps failed: ${(err as Error).message}`, undefined, { cause: err });
    }
  }

  private async exists(id: string): Promise<boolean> {
    return this.podman(["container", "exists", id]).then(
      () => true,
      () => false,
    );
  }

  private credentialsEnv(): Record<string, string> {
    const c = this.opts.credentials;
    if (!c) return {};
    return { AWS_ACCESS_KEY_ID: c.accessKeyId, AWS_SECRET_ACCESS_KEY: c.secretAccessKey, ...(c.sessionToken ? { AWS_SESSION_TOKEN: c.sessionToken } : {}) };
  }

  private async podman(args: string[], extraEnv: Record<string, string> = {}): Promise<string> {
    const { stdout } = await execFileP(this.opts.podman ?? "podman", args, {
      env: { ...(this.opts.podmanEnv ?? process.env), ...extraEnv },
      maxBuffer: 16 * 1024 * 1024,
    });
    return stdout;
  }
}
