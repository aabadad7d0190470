import { FINAL_PHASES, type JobObject } from "../ports/index.js";

/** What the controller reads before a reconcile, beyond the job and the slot table. */
export interface ObservationPlan {
  /** Describe status.taskRef's task. */
  task: boolean;
  /**
   * Attempts whose launch the status may not record (a crash between RunTask and the status write), looked up
   * by (uid, attempt) while the job holds a slot outside Starting/Running: before a slot is freed, such a task
   * must be found and stopped. Newest first.
   */
  untrackedAttempts: number[];
  /** The task's progress report and its attempt's result (only while an attempt runs). */
  progress: boolean;
  result: boolean;
}

/**
 * The observation half of reconcile: which reads the decision needs for this job, so the controller reads
 * nothing the decision would not look at (and misses nothing it would). Pure, beside reconcile() and tested
 * with it.
 */
export function observationPlan(job: JobObject, holdsSlot: boolean, finalizer: string): ObservationPlan {
  const deleting = job.metadata?.deletionTimestamp !== undefined;
  if (deleting && !(job.metadata?.finalizers ?? []).includes(finalizer)) return { task: false, untrackedAttempts: [], progress: false, result: false };
  const phase = job.status?.phase ?? "Pending";
  const ref = job.status?.taskRef;
  const running = phase === "Starting" || phase === "Running";
  const final = FINAL_PHASES.includes(phase);
  const attempts = job.status?.attempts ?? 0;
  // A slot is released only when its task is known to be stopped; without a slot, a final job's task is.
  const task = ref !== undefined && (!final || holdsSlot || deleting);
  let untrackedAttempts: number[] = [];
  if (holdsSlot && !(running && ref)) {
    // With a taskRef the status recorded attempt `attempts`; only a later launch can be untracked.
    untrackedAttempts = (ref ? [attempts + 1] : [attempts + 1, attempts]).filter((a) => a >= 1);
  }
  const during = ref !== undefined && running && !deleting;
  return { task, untrackedAttempts, progress: during, result: during };
}
