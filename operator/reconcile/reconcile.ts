import { jobDuration, tenancyViolation } from "../../crds/index.js";
import { EXIT_BAD_INPUT, EXIT_RETRYABLE, normaliseOutputPrefix, type TaskOutputs } from "../../lib/task-contract/index.js";
import { FINAL_PHASES, isActive, type ConditionType, type Condition, type JobEvent, type JobPhase, type JobStatus, type TaskState } from "../ports/index.js";
import { RETRY_REASON, retryAt, toMillis } from "./admission.js";
import { setCondition } from "./conditions.js";
import type { Action, Decision, Observed, ReconcileOptions } from "./types.js";

/** The status being decided plus what must happen around writing it. */
class Draft {
  status: JobStatus;
  readonly before: Action[] = [];
  readonly after: Action[] = [];
  readonly events: JobEvent[] = [];
  requeueAfterMs: number | undefined;
  launched = false;

  constructor(
    private readonly o: Observed,
    readonly nowIso: string,
  ) {
    this.status = structuredClone(o.job.status ?? {});
  }

  get phase(): JobPhase {
    return this.status.phase ?? "Pending";
  }

  cond(type: ConditionType, status: Condition["status"], reason: string, message: string): void {
    this.status.conditions = setCondition(this.status.conditions, { type, status, reason, message }, this.o.job.metadata?.generation, this.nowIso);
  }

  /** Moves to `phase`, emitting one Event per real transition. */
  to(phase: JobPhase, event: JobEvent): void {
    if (this.phase !== phase) this.events.push(event);
    this.status.phase = phase;
  }

  requeue(ms: number): void {
    this.requeueAfterMs = this.requeueAfterMs === undefined ? ms : Math.min(this.requeueAfterMs, ms);
  }
}

/** Reason of the Admitted condition of a job held back by its owner's running limit. */
export const OWNER_LIMIT_REASON = "OwnerLimit";

/** metav1.Condition reasons are CamelCase; a task-supplied reason that is not would make the status write fail. */
const REASON = /^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/;
function safeReason(reason: string | undefined, fallback: string): string {
  return reason !== undefined && reason.length <= 1024 && REASON.test(reason) ? reason : fallback;
}

function isFinal(phase: JobPhase): boolean {
  return FINAL_PHASES.includes(phase);
}

function taskActive(o: Observed): boolean {
  return isActive(o.task);
}

function untrackedActive(o: Observed): boolean {
  return isActive(o.untracked);
}

/**
 * Every task of this job that is not known to be stopped: status.taskRef's, and one the status never recorded.
 * While any is alive the job keeps its slot, whatever its phase: the cap counts tasks, not phases.
 */
function aliveTasks(o: Observed): TaskState[] {
  const alive: TaskState[] = [];
  if (o.job.status?.taskRef && taskActive(o)) alive.push(o.task!);
  if (untrackedActive(o) && o.untracked!.id !== o.task?.id) alive.push(o.untracked!);
  return alive;
}

/**
 * Asks each alive task to stop (once: a task already stopping is only watched) and looks again soon, so that
 * the slot is freed moments after the task is STOPPED. Returns whether any was alive.
 */
function stopAlive(d: Draft, alive: readonly TaskState[], reason: string, opts: ReconcileOptions, into: "before" | "after" = "before"): boolean {
  for (const t of alive) if (!t.stopping) d[into].push({ type: "stopTask", id: t.id, reason });
  if (alive.length) d.requeue(opts.stopPollMs);
  return alive.length > 0;
}

/** The job's deadline across all its attempts, counted from its first launch. */
function deadlineSeconds(o: Observed, opts: ReconcileOptions): number {
  return o.job.spec.activeDeadlineSeconds ?? opts.defaultActiveDeadlineSeconds;
}

function deadlineExceeded(o: Observed, opts: ReconcileOptions): boolean {
  const started = toMillis(o.job.status?.startedAt);
  return started !== undefined && o.now > started + deadlineSeconds(o, opts) * 1000;
}

function failDeadline(o: Observed, opts: ReconcileOptions, d: Draft): void {
  finish(d, "Failed", "DeadlineExceeded", `activeDeadlineSeconds (${deadlineSeconds(o, opts)}) exceeded`);
}

/**
 * The stall watchdog, for a task that is alive but no longer working: one that never reaches RUNNING within
 * startTimeoutMs of its launch (a Fargate task stuck in PROVISIONING or pulling), or a running one whose progress
 * (the task re-sends it at least every 30 s as a heartbeat) has been silent for stallTimeoutMs. Either ends the
 * attempt as a retryable failure. A transcode that runs but runs too long is the task's own wall-clock budget.
 */
function watchdog(o: Observed, opts: ReconcileOptions, attempt: number): { reason: string; message: string } | undefined {
  const conds = o.job.status?.conditions;
  if (o.task?.state === "Pending") {
    const launched = toMillis(conds?.find((c) => c.type === "Admitted" && c.status === "True")?.lastTransitionTime);
    if (launched !== undefined && o.now - launched > opts.startTimeoutMs) {
      return { reason: "StartTimeout", message: `the task of attempt ${attempt} did not start within ${Math.round(opts.startTimeoutMs / 1000)} s` };
    }
    return undefined;
  }
  const running = toMillis(conds?.find((c) => c.type === "Running" && c.status === "True")?.lastTransitionTime);
  const reported = o.progress?.attempt === attempt ? toMillis(o.progress.updatedAt) : undefined;
  const lastSign = Math.max(running ?? -Infinity, reported ?? -Infinity);
  if (Number.isFinite(lastSign) && o.now - lastSign > opts.stallTimeoutMs) {
    return { reason: "Stalled", message: `the task of attempt ${attempt} reported no progress for ${Math.round((o.now - lastSign) / 1000)} s` };
  }
  return undefined;
}

function finish(d: Draft, phase: "Succeeded" | "Failed" | "Cancelled", reason: string, message: string): void {
  d.to(phase, { type: phase === "Succeeded" ? "Normal" : "Warning", reason: phase === "Succeeded" ? "Succeeded" : reason, message });
  d.status.completedAt = d.nowIso;
  // kubectl's DURATION column (-o wide): first start to the end. A job that never started has none.
  const duration = jobDuration(d.status.startedAt, d.nowIso, new Date(d.nowIso));
  if (duration !== undefined) d.status.duration = duration;
  delete d.status.queuePosition;
  if (phase === "Succeeded") {
    delete d.status.reason;
    delete d.status.message;
  } else {
    d.status.reason = reason;
    d.status.message = message;
  }
  d.cond("Complete", phase === "Succeeded" ? "True" : "False", phase === "Succeeded" ? "Succeeded" : reason, message);
  d.cond("Failed", phase === "Failed" ? "True" : "False", phase === "Failed" ? reason : phase, message);
  if (d.status.conditions?.some((c) => c.type === "Running")) d.cond("Running", "False", phase, message);
}

function launch(o: Observed, opts: ReconcileOptions, d: Draft, attempt: number): void {
  if (!o.holdsSlot) d.before.push({ type: "claimSlot", hint: { seen: o.slotTable ?? [], nth: o.rank } });
  d.before.push({ type: "launch", attempt });
  d.launched = true;
  d.to("Starting", { type: "Normal", reason: "Launched", message: `attempt ${attempt} launched` });
  d.status.attempts = attempt;
  d.status.startedAt ??= d.nowIso;
  delete d.status.queuePosition;
  delete d.status.reason;
  delete d.status.message;
  d.cond("Admitted", "True", "SlotClaimed", `admitted for attempt ${attempt}`);
  d.cond("Running", "False", "TaskStarting", `attempt ${attempt} is starting`);
  d.requeue(opts.pollMs);
}

function queued(o: Observed, opts: ReconcileOptions, d: Draft): void {
  const attempts = d.status.attempts ?? 0;
  // The previous attempt's task (still exiting after a retryable failure) or a launch the status never recorded
  // (a crash between RunTask and the status write) may be alive: the slot is given back only once each stopped.
  const alive = aliveTasks(o);
  if (deadlineExceeded(o, opts)) {
    failDeadline(o, opts, d);
    if (!stopAlive(d, alive, "activeDeadlineSeconds exceeded", opts, "after") && o.holdsSlot) d.after.push({ type: "releaseSlot" });
    return;
  }
  if (o.job.spec.suspend === true) {
    delete d.status.queuePosition;
    d.cond("Admitted", "False", "Suspended", "spec.suspend is true");
    if (!stopAlive(d, alive, "job is suspended", opts) && o.holdsSlot) d.after.push({ type: "releaseSlot" });
    return;
  }
  const previous = d.status.taskRef;
  if (previous && taskActive(o)) {
    // A retried attempt's task still exiting: no new attempt beside it.
    delete d.status.queuePosition;
    stopAlive(d, [o.task!], `attempt ${previous.attempt} is over`, opts);
    return;
  }
  const at = retryAt(o.job, opts);
  if (at !== undefined && at > o.now && !untrackedActive(o)) {
    delete d.status.queuePosition;
    d.cond("Admitted", "False", "BackoffRetry", `attempt ${attempts + 1} waits for its backoff`);
    if (o.holdsSlot) d.after.push({ type: "releaseSlot" });
    d.requeue(at - o.now);
    return;
  }
  // Holding a slot here means an admission whose status write was lost: launching again adopts its task.
  if (o.holdsSlot || (o.rank !== undefined && o.rank < o.freeSlots)) {
    launch(o, opts, d, attempts + 1);
    return;
  }
  if (o.ownerLimit !== undefined) {
    // Its owner holds as many slots as it may: it takes no place until one of them is released (which wakes the
    // heads of the queue) or on the safety requeue.
    delete d.status.queuePosition;
    d.cond("Admitted", "False", OWNER_LIMIT_REASON, `owner at its limit of ${o.ownerLimit} running job${o.ownerLimit === 1 ? "" : "s"}`);
    d.requeue(opts.queuedPollMs);
    return;
  }
  if (o.rank === undefined) {
    // The informer cache has not seen this job's latest state yet: look again soon.
    d.requeue(opts.pollMs);
    return;
  }
  d.status.queuePosition = o.rank + 1;
  d.cond("Admitted", "False", "Queued", `waiting for a free slot (position ${o.rank + 1})`);
  d.requeue(queuedRefreshMs(o.rank, opts));
}

/**
 * How soon a Queued job looks again (its position, the safety net for a missed wake-up). Slot releases wake the
 * head of the queue directly; positions further back change slowly relative to their size, so they are refreshed
 * less often: every queuedPollMs for the first 100 places, twice that for the next 100, and so on. With 10,000
 * queued jobs that is ~50 reconciles a second instead of 1,000.
 */
export function queuedRefreshMs(rank: number, opts: Pick<ReconcileOptions, "queuedPollMs">): number {
  return opts.queuedPollMs * (1 + Math.floor(rank / 100));
}

/**
 * An output key of a result that is not under the job's output prefix (or has a ".." segment): the result is not
 * to be believed, whoever wrote it (Redis lets the task's credential write any job's result key).
 */
function strayOutput(outputs: TaskOutputs | undefined, prefix: string): string | undefined {
  const under = normaliseOutputPrefix(prefix);
  const keys = [outputs?.masterPlaylist, outputs?.manifest, outputs?.poster, ...(outputs?.renditions ?? []).flatMap((r) => [r.playlist, r.mp4])];
  return keys.find((k) => k !== undefined && (!k.startsWith(under) || k.split("/").includes("..")));
}

/**
 * The attempt is over: its task stopped, or it wrote its result (its last act) and is exiting. The outcome is
 * written at once; the slot is freed only once the task is STOPPED, after a prompt StopTask (an ECS task takes
 * seconds to tens of seconds from its exit to STOPPED, and holds its resources until then).
 */
function stopped(o: Observed, opts: ReconcileOptions, d: Draft, attempt: number, failure?: { reason: string; message: string }): void {
  // A failure the operator found (a stall, a task that never started) ends the attempt as a retryable one.
  const r = failure ? { ok: false, exitCode: EXIT_RETRYABLE, ...failure } : o.result;
  const stopReason = failure ? failure.message : `attempt ${attempt} wrote its result`;
  if (!stopAlive(d, aliveTasks(o), stopReason, opts, "after")) d.after.push({ type: "releaseSlot" });
  const stray = r?.ok ? strayOutput(r.outputs, o.job.spec.output.prefix) : undefined;
  if (stray !== undefined) {
    finish(d, "Failed", "InvalidResult", `attempt ${attempt} reported an output outside spec.output.prefix: ${JSON.stringify(stray)}`);
    return;
  }
  if (r?.ok) {
    d.status.outputs = r.outputs ?? { renditions: [] };
    d.status.progress = { percent: 100, stage: "done" };
    finish(d, "Succeeded", "Succeeded", `attempt ${attempt} succeeded`);
    return;
  }
  if (deadlineExceeded(o, opts)) {
    failDeadline(o, opts, d);
    return;
  }
  const code = r?.exitCode ?? o.task?.exitCode;
  const why = r
    ? `${r.reason ?? "TaskFailed"}${r.message ? `: ${r.message}` : ""} (exit code ${r.exitCode})`
    : `task ended without a result${o.task?.stopReason ? ` (${o.task.stopReason})` : ""}`;
  if (code === EXIT_BAD_INPUT) {
    finish(d, "Failed", safeReason(r?.reason, "BadInput"), why);
    return;
  }
  const max = o.job.spec.maxAttempts ?? opts.defaultMaxAttempts;
  if (attempt >= max) {
    finish(d, "Failed", "BackoffLimitExceeded", `attempt ${attempt} of ${max} failed: ${why}`);
    return;
  }
  d.to("Queued", { type: "Warning", reason: "AttemptFailed", message: `attempt ${attempt} of ${max} failed, will retry: ${why}` });
  d.status.reason = safeReason(r?.reason, "TaskFailed");
  d.status.message = why;
  d.cond("Running", "False", RETRY_REASON, `attempt ${attempt} failed: ${why}`);
  d.cond("Admitted", "False", "BackoffRetry", `attempt ${attempt + 1} waits for its backoff`);
  const at = retryAt({ ...o.job, status: d.status }, opts);
  d.requeue(at === undefined ? opts.pollMs : Math.max(0, at - o.now));
}

function active(o: Observed, opts: ReconcileOptions, d: Draft): void {
  const ref = d.status.taskRef;
  if (!ref) {
    // Launched but the taskRef never reached the status: the launcher finds the same task again (idempotent).
    if (o.holdsSlot) launch(o, opts, d, Math.max(1, d.status.attempts ?? 1));
    else {
      d.to("Queued", { type: "Warning", reason: "Requeued", message: "no task and no slot: back to the queue" });
      queued(o, opts, d);
    }
    return;
  }
  // The result is the task's last act: the attempt is over even if the task has not exited yet.
  if (!taskActive(o) || o.result !== undefined) {
    stopped(o, opts, d, ref.attempt);
    return;
  }
  if (deadlineExceeded(o, opts)) {
    stopAlive(d, [o.task!], "activeDeadlineSeconds exceeded", opts);
    return;
  }
  if (o.job.spec.suspend === true) {
    // Suspended while its task runs: the task is stopped and the job waits, Queued and suspended, holding its slot
    // until the task is STOPPED (queued() gives it back then).
    d.to("Queued", { type: "Normal", reason: "Suspended", message: `attempt ${ref.attempt} stopped: spec.suspend is true` });
    d.cond("Running", "False", "Suspended", `attempt ${ref.attempt} was stopped: spec.suspend is true`);
    queued(o, opts, d);
    return;
  }
  const stall = watchdog(o, opts, ref.attempt);
  if (stall) {
    stopped(o, opts, d, ref.attempt, stall);
    return;
  }
  if (o.task?.state === "Running") {
    d.to("Running", { type: "Normal", reason: "Running", message: `attempt ${ref.attempt} is running` });
    d.cond("Running", "True", "TaskRunning", `attempt ${ref.attempt} is running`);
  }
  const p = o.progress;
  if (p && p.attempt === ref.attempt) d.status.progress = { percent: Math.round(p.percent), stage: p.stage };
  d.requeue(opts.pollMs);
}

function deleting(o: Observed, opts: ReconcileOptions): Decision {
  const job = o.job;
  if (!(job.metadata?.finalizers ?? []).includes(opts.finalizer)) return { actions: [] };
  const d = new Draft(o, new Date(o.now).toISOString());
  if (stopAlive(d, aliveTasks(o), "TranscodeJob deleted", opts)) return { actions: d.before, requeueAfterMs: d.requeueAfterMs };
  if (!isFinal(d.phase)) finish(d, "Cancelled", "Deleted", "the TranscodeJob was deleted");
  const actions = assemble(o, d);
  if (o.holdsSlot && !actions.some((a) => a.type === "releaseSlot")) actions.push({ type: "releaseSlot" });
  actions.push({ type: "markDeleted" }, { type: "removeFinalizer" });
  return { actions };
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
}
function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === "object") {
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, x]) => [k, sortKeys(x)]));
  }
  return v;
}

/** Orders the actions: side effects that the status reports come first, releases only after the status is written. */
function assemble(o: Observed, d: Draft): Action[] {
  const actions: Action[] = [];
  // A new record starts Queued when the job enters the queue now; an admission is recorded after its launch.
  let recorded = o.recordPhase;
  if (recorded === undefined) {
    const initial: JobPhase = d.phase === "Queued" || d.phase === "Starting" ? "Queued" : "Pending";
    actions.push({ type: "ensureRecord", phase: initial });
    recorded = initial;
  }
  actions.push(...d.before);
  if (d.launched) actions.push({ type: "recordTaskRef" });
  const gen = o.job.metadata?.generation;
  if (gen !== undefined) d.status.observedGeneration = gen;
  if (d.launched) actions.push({ type: "patchStatus", status: d.status, withLaunchedTaskRef: true });
  else if (!sameJson(d.status, o.job.status ?? {})) actions.push({ type: "patchStatus", status: d.status });
  for (const event of d.events) actions.push({ type: "event", event });
  if (recorded !== d.phase) {
    actions.push({
      type: "recordPhase",
      phase: d.phase,
      reason: d.status.reason,
      message: d.status.message,
      attempts: d.status.attempts ?? 0,
      outputs: d.status.outputs,
    });
  }
  actions.push(...d.after);
  return actions;
}

/**
 * The whole decision for one TranscodeJob: a pure function of what was observed. Level-triggered: it never
 * relies on having seen an earlier event, only on the current CR, slot table, task state and Redis result.
 */
export function reconcile(o: Observed, opts: ReconcileOptions): Decision {
  if (o.job.metadata?.deletionTimestamp) return deleting(o, opts);
  const d = new Draft(o, new Date(o.now).toISOString());
  const hasFinalizer = (o.job.metadata?.finalizers ?? []).includes(opts.finalizer);
  const phase = d.phase;

  if (o.launchRejected && !isFinal(phase)) {
    // Refused for good: no task runs for this attempt, so the slot claimed for it goes back now.
    finish(d, "Failed", "LaunchFailed", o.launchRejected.message);
    if (o.holdsSlot) d.after.push({ type: "releaseSlot" });
  } else if ((phase === "Pending" || phase === "Queued") && opts.tenancy && tenancyViolation(o.job, opts.tenancy) !== undefined) {
    // Never launched: the task's role could read, overwrite or delete another tenant's objects.
    finish(d, "Failed", "TenancyViolation", `the job breaks the tenancy rule: ${tenancyViolation(o.job, opts.tenancy)}`);
    if (o.holdsSlot) d.after.push({ type: "releaseSlot" });
  } else if (isFinal(phase)) {
    if (!stopAlive(d, aliveTasks(o), `job is ${phase}`, opts) && o.holdsSlot) d.after.push({ type: "releaseSlot" });
  } else if (phase === "Pending" || phase === "Queued") {
    if (phase === "Pending") {
      d.to("Queued", { type: "Normal", reason: "Queued", message: "waiting for a transcoding slot" });
      d.status.attempts ??= 0;
      d.cond("Admitted", "False", "Queued", "waiting for a slot");
    }
    queued(o, opts, d);
  } else {
    active(o, opts, d);
  }

  const actions = assemble(o, d);
  if (!hasFinalizer) actions.unshift({ type: "addFinalizer" });
  return { actions, requeueAfterMs: d.requeueAfterMs };
}
