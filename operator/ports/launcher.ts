import type { TaskRef } from "./job.js";

/** Everything a launcher needs to start one attempt; `env` is the task contract's env (lib/task-contract). */
export interface LaunchRequest {
  uid: string;
  namespace: string;
  name: string;
  attempt: number;
  env: Record<string, string>;
  /**
   * The leader's fence, to run as late as possible before a task starts: the ECS launcher runs it before each
   * RunTask the SDK sends (a throttled RunTask is retried seconds later, maybe past this leader's lease). Rejects to
   * withhold the launch.
   */
  fence?: () => Promise<void>;
}

/** What a task looks like from outside. `exitCode` is only trusted when present (emulators carry none). */
export interface TaskState {
  id: string;
  state: "Pending" | "Running" | "Stopped" | "Missing";
  exitCode?: number;
  stopReason?: string;
  /** Not stopped yet, but asked to stop (ECS desiredStatus STOPPED, or signalled): watched, not asked again. */
  stopping?: boolean;
}

/** Pending or Running: the task holds (or will hold) resources and its slot. */
export function isActive(t: TaskState | undefined): boolean {
  return t?.state === "Pending" || t?.state === "Running";
}

/**
 * Starts and follows transcoding tasks (ECS | local process). launch() is idempotent per (uid, attempt): a second
 * call for the same pair returns the task the first one started, never a new one.
 */
export interface TaskLauncher {
  readonly kind: TaskRef["launcher"];
  launch(request: LaunchRequest): Promise<TaskRef>;
  /** Batched where the backend allows; ids it cannot find come back as Missing. */
  describe(ids: string[]): Promise<TaskState[]>;
  /**
   * The task an earlier launch of (uid, attempt) started, if any. Optional: lets the operator find a task whose
   * taskRef never reached the status (a crash between launch and status write) before it frees the slot.
   */
  find?(uid: string, attempt: number): Promise<TaskRef | undefined>;
  /** Idempotent; stopping a stopped or missing task is fine. */
  stop(id: string, reason: string): Promise<void>;
}
