import type { TenancyPolicy } from "../../crds/index.js";
import type { Progress, TaskResult } from "../../lib/task-contract/index.js";
import type { ClaimHint, JobEvent, JobObject, JobPhase, JobStatus, SlotHolder, TaskState } from "../ports/index.js";

/** Tunables of the decision; durations in milliseconds. */
export interface ReconcileOptions {
  finalizer: string;
  /** How often a Starting/Running job is looked at again (task state, progress). */
  pollMs: number;
  /**
   * How often a task asked to stop is looked at until it is STOPPED: its slot is freed only then, so this
   * follow-up sets how fast a finished attempt's slot is refilled.
   */
  stopPollMs: number;
  /** Safety requeue for a Queued job; slot releases also wake queued jobs directly. */
  queuedPollMs: number;
  /** First retry delay; doubles per failed attempt up to backoffMaxMs. */
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** Used when the spec does not say (the CRD defaults it to 3). */
  defaultMaxAttempts: number;
  /** A job's deadline across all its attempts when its spec sets no activeDeadlineSeconds. */
  defaultActiveDeadlineSeconds: number;
  /** A launched task that is not RUNNING after this long is stopped and its attempt retried. */
  startTimeoutMs: number;
  /** A running task whose progress (heartbeat included) is silent this long is stopped and its attempt retried. */
  stallTimeoutMs: number;
  /**
   * The tenancy rule (crds/tenancy.ts), checked again before a job is queued or launched: a job that breaks it (made
   * before the admission policy was bound, or with the policy unbound) fails with TenancyViolation, never launched.
   * The operator's main always sets it; unset only in tests of other decisions.
   */
  tenancy?: TenancyPolicy | undefined;
}

export const DEFAULT_RECONCILE_OPTIONS: Omit<ReconcileOptions, "finalizer"> = {
  pollMs: 2_000,
  stopPollMs: 500,
  queuedPollMs: 10_000,
  backoffBaseMs: 10_000,
  backoffMaxMs: 5 * 60_000,
  defaultMaxAttempts: 3,
  defaultActiveDeadlineSeconds: 24 * 3600,
  startTimeoutMs: 10 * 60_000,
  stallTimeoutMs: 5 * 60_000,
};

/** Everything the decision looks at, gathered by the controller from the ports. */
export interface Observed {
  job: JobObject;
  now: number;
  /** The MongoDB record's phase; undefined when there is no record yet. */
  recordPhase: string | undefined;
  /** Whether this job holds an admission slot. */
  holdsSlot: boolean;
  /** Free slots right now (capacity minus holders). */
  freeSlots: number;
  /** The slot table as read for this pass; a claim starts from it (see Slots.claim). */
  slotTable?: readonly SlotHolder[] | undefined;
  /** 0-based rank among jobs eligible for admission (see admissionPlaces); undefined when not eligible. */
  rank: number | undefined;
  /** Set when the job waits only because its owner holds this many slots, its limit (rank is undefined then). */
  ownerLimit?: number | undefined;
  /** State of status.taskRef's task; undefined when there is no taskRef. */
  task: TaskState | undefined;
  /**
   * A task found by (uid, attempt) while the status has no taskRef but the job holds a slot: a launch whose
   * status write was lost. Only looked up when it matters (deletion, final phases).
   */
  untracked?: TaskState | undefined;
  /** Latest progress report (any attempt). */
  progress: Progress | undefined;
  /** Result of status.taskRef's attempt, if written (read even while the task runs: writing it is the task's last act). */
  result: TaskResult | undefined;
  /** This pass's launch was refused for good by the launcher (a bad request, a rejected task definition). */
  launchRejected?: { message: string } | undefined;
}

export interface RecordPhaseAction {
  type: "recordPhase";
  phase: JobPhase;
  reason?: string | undefined;
  message?: string | undefined;
  attempts: number;
  outputs?: Record<string, unknown> | undefined;
}

export type Action =
  | { type: "addFinalizer" }
  | { type: "removeFinalizer" }
  /** Create the MongoDB record (if missing) already in `phase`: one insert instead of an insert and an update. */
  | { type: "ensureRecord"; phase: JobPhase }
  | RecordPhaseAction
  | { type: "markDeleted" }
  /** Claim a slot, starting from the table this pass read; when none is free the rest of the decision is dropped. */
  | { type: "claimSlot"; hint: ClaimHint }
  | { type: "releaseSlot" }
  | { type: "launch"; attempt: number }
  /** Append the preceding launch's task to the MongoDB record's taskRefs. */
  | { type: "recordTaskRef" }
  | { type: "stopTask"; id: string; reason: string }
  /** Merge-patch of .status; `withLaunchedTaskRef` fills taskRef from the preceding launch. */
  | { type: "patchStatus"; status: JobStatus; withLaunchedTaskRef?: boolean }
  | { type: "event"; event: JobEvent };

export interface Decision {
  actions: Action[];
  /** Look again after this long (level-triggered safety net and polling). */
  requeueAfterMs?: number | undefined;
}
