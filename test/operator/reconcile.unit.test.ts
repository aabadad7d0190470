import assert from "node:assert/strict";
import fc from "fast-check";
import {
  AdmissionQueue,
  admissionOrder,
  admissionPlaces,
  FIFO_POLICY,
  ownerClass,
  ownerKey,
  UsageLedger,
  usageIntervals,
  type AdmissionPolicy,
  type UsageView,
  DEFAULT_RECONCILE_OPTIONS,
  observationPlan,
  reconcile,
  retryDelayMs,
  setCondition,
  type Action,
  type Observed,
  type ObservationPlan,
  type ReconcileOptions,
} from "../../operator/reconcile/index.js";
import type { JobObject, JobStatus, TaskState } from "../../operator/ports/index.js";

const FIN = "media.transcoder.dev/cleanup";
const opts: ReconcileOptions = { ...DEFAULT_RECONCILE_OPTIONS, finalizer: FIN, pollMs: 1000, queuedPollMs: 5000, backoffBaseMs: 10_000, backoffMaxMs: 60_000 };
const NOW = Date.parse("2026-01-01T12:00:00Z");
const iso = (ms: number) => new Date(ms).toISOString();

function job(status?: JobStatus, over: Partial<JobObject["spec"]> = {}, meta: Partial<NonNullable<JobObject["metadata"]>> = {}): JobObject {
  return {
    metadata: { name: "j", namespace: "ns", uid: "u1", generation: 1, creationTimestamp: iso(NOW - 60_000), finalizers: [FIN], ...meta },
    spec: { source: { bucket: "in", key: "a.mp4" }, output: { bucket: "out", prefix: "o/" }, maxAttempts: 3, ...over },
    // Statuses in the table were written by an earlier reconcile of this generation.
    ...(status ? { status: { observedGeneration: 1, ...status } } : {}),
  };
}
function obs(j: JobObject, over: Partial<Observed> = {}): Observed {
  return { job: j, now: NOW, recordPhase: j.status?.phase ?? "Pending", holdsSlot: false, freeSlots: 5, rank: 0, task: undefined, progress: undefined, result: undefined, ...over };
}
const ref = (attempt = 1) => ({ launcher: "ecs" as const, id: "task-1", attempt });
const running = (attempt = 1, extra: Partial<JobStatus> = {}): JobStatus => ({
  phase: "Running",
  attempts: attempt,
  taskRef: ref(attempt),
  startedAt: iso(NOW - 30_000),
  conditions: [{ type: "Running", status: "True", reason: "TaskRunning", message: `attempt ${attempt} is running`, lastTransitionTime: iso(NOW - 20_000), observedGeneration: 1 }],
  ...extra,
});
/** Queued after a retryable failure `agoMs` ago (the backoff after attempt 1 is 10 s). */
const retrying = (agoMs: number, extra: Partial<JobStatus> = {}): JobStatus => ({
  phase: "Queued",
  attempts: 1,
  conditions: [
    { type: "Running", status: "False", reason: "RetryableFailure", message: "attempt 1 failed", lastTransitionTime: iso(NOW - agoMs), observedGeneration: 1 },
    { type: "Admitted", status: "False", reason: "BackoffRetry", message: "attempt 2 waits for its backoff", lastTransitionTime: iso(NOW - agoMs), observedGeneration: 1 },
  ],
  ...extra,
});
const task = (state: TaskState["state"], exitCode?: number): TaskState => ({ id: "task-1", state, ...(exitCode !== undefined ? { exitCode } : {}) });
const types = (as: Action[]) => as.map((a) => a.type);
function patched(as: Action[]): JobStatus {
  const p = as.find((a) => a.type === "patchStatus");
  assert.ok(p && p.type === "patchStatus", "expected a status patch");
  return p.status;
}
function events(as: Action[]): string[] {
  return as.flatMap((a) => (a.type === "event" ? [a.event.reason] : []));
}
function cond(s: JobStatus, type: string) {
  return s.conditions?.find((c) => c.type === type);
}

interface Row {
  name: string;
  o: Observed;
  actions: string[];
  phase?: string;
  requeue?: number | undefined;
  events?: string[];
  check?: (s: JobStatus | undefined, as: Action[]) => void;
}

const rows: Row[] = [
  {
    name: "new job without finalizer: finalizer, record, Pending -> Queued -> Starting when a slot is free",
    o: obs(job(undefined, {}, { finalizers: [] }), { recordPhase: undefined }),
    actions: ["addFinalizer", "ensureRecord", "claimSlot", "launch", "recordTaskRef", "patchStatus", "event", "event", "recordPhase"],
    phase: "Starting",
    requeue: 1000,
    events: ["Queued", "Launched"],
    check: (s, as) => {
      assert.equal(s?.attempts, 1);
      assert.equal(s?.startedAt, iso(NOW));
      assert.equal(cond(s, "Admitted")?.status, "True");
      const l = as.find((a) => a.type === "launch");
      assert.deepEqual(l, { type: "launch", attempt: 1 });
      const p = as.find((a) => a.type === "patchStatus");
      assert.ok(p?.type === "patchStatus" && p.withLaunchedTaskRef);
    },
  },
  {
    name: "Pending with no free slot: Queued with its queue position",
    o: obs(job(), { freeSlots: 0, rank: 7 }),
    actions: ["patchStatus", "event", "recordPhase"],
    phase: "Queued",
    requeue: 5000,
    events: ["Queued"],
    check: (s) => {
      assert.equal(s?.queuePosition, 8);
      assert.equal(cond(s, "Admitted")?.reason, "Queued");
    },
  },
  {
    name: "Queued behind others with free slots: only ranks below the free count claim",
    o: obs(job({ phase: "Queued", attempts: 0 }), { freeSlots: 2, rank: 2 }),
    actions: ["patchStatus"],
    phase: "Queued",
    requeue: 5000,
    check: (s) => assert.equal(s?.queuePosition, 3),
  },
  {
    name: "Queued and not yet in the cache's order: look again soon, write nothing",
    o: obs(job({ phase: "Queued", attempts: 0 }), { rank: undefined }),
    actions: [],
    requeue: 1000,
  },
  {
    name: "Queued and suspended: no claim, Admitted=False Suspended, no requeue",
    o: obs(job({ phase: "Queued", attempts: 0, queuePosition: 2 }, { suspend: true }), { rank: undefined }),
    actions: ["patchStatus"],
    phase: "Queued",
    requeue: undefined,
    check: (s) => {
      assert.equal(s?.queuePosition, undefined);
      assert.equal(cond(s!, "Admitted")?.reason, "Suspended");
    },
  },
  {
    name: "Queued, suspended while holding a slot: the slot goes back",
    o: obs(job({ phase: "Queued", attempts: 0 }, { suspend: true }), { holdsSlot: true, rank: undefined }),
    actions: ["patchStatus", "releaseSlot"],
  },
  {
    name: "suspended while holding a slot with an untracked running task: stop it first, keep the slot",
    o: obs(job({ phase: "Queued", attempts: 0 }, { suspend: true }), { holdsSlot: true, rank: undefined, untracked: { id: "lost-task", state: "Running" } }),
    actions: ["stopTask", "patchStatus"],
    requeue: 500,
  },
  {
    name: "Queued already holding a slot (crash after claim): launch without a second claim",
    o: obs(job({ phase: "Queued", attempts: 0 }), { holdsSlot: true, freeSlots: 0, rank: undefined }),
    actions: ["launch", "recordTaskRef", "patchStatus", "event", "recordPhase"],
    phase: "Starting",
  },
  {
    name: "Queued in retry backoff: waits the remaining delay",
    o: obs(
      job({
        phase: "Queued",
        attempts: 1,
        conditions: [{ type: "Running", status: "False", reason: "RetryableFailure", message: "", lastTransitionTime: iso(NOW - 4000) }],
      }),
      { rank: undefined },
    ),
    actions: ["patchStatus"],
    requeue: 6000,
    check: (s) => assert.equal(cond(s!, "Admitted")?.reason, "BackoffRetry"),
  },
  {
    name: "Queued after backoff with a free slot: attempt 2 launches",
    o: obs(
      job({
        phase: "Queued",
        attempts: 1,
        startedAt: iso(NOW - 50_000),
        conditions: [{ type: "Running", status: "False", reason: "RetryableFailure", message: "", lastTransitionTime: iso(NOW - 11_000) }],
      }),
    ),
    actions: ["claimSlot", "launch", "recordTaskRef", "patchStatus", "event", "recordPhase"],
    phase: "Starting",
    check: (s, as) => {
      assert.equal(s?.attempts, 2);
      assert.equal(s?.startedAt, iso(NOW - 50_000), "startedAt keeps the first launch");
      assert.deepEqual(as.find((a) => a.type === "launch"), { type: "launch", attempt: 2 });
    },
  },
  {
    name: "Queued past activeDeadlineSeconds: Failed DeadlineExceeded",
    o: obs(job({ phase: "Queued", attempts: 1, startedAt: iso(NOW - 120_000) }, { activeDeadlineSeconds: 60 })),
    actions: ["patchStatus", "event", "recordPhase"],
    phase: "Failed",
    events: ["DeadlineExceeded"],
    check: (s) => assert.equal(s?.reason, "DeadlineExceeded"),
  },
  {
    name: "Starting, task still pending: stays, polls, writes nothing",
    o: obs(job({ phase: "Starting", attempts: 1, taskRef: ref(), observedGeneration: 1 }), { holdsSlot: true, task: task("Pending") }),
    actions: [],
    requeue: 1000,
  },
  {
    name: "Starting -> Running when the task runs",
    o: obs(job({ phase: "Starting", attempts: 1, taskRef: ref() }), { holdsSlot: true, task: task("Running") }),
    actions: ["patchStatus", "event", "recordPhase"],
    phase: "Running",
    events: ["Running"],
    check: (s) => assert.equal(cond(s!, "Running")?.status, "True"),
  },
  {
    name: "Running with progress of this attempt: progress copied",
    o: obs(job(running()), { holdsSlot: true, task: task("Running"), progress: { attempt: 1, percent: 41.6, stage: "transcoding", updatedAt: iso(NOW) } }),
    actions: ["patchStatus"],
    check: (s) => assert.deepEqual(s?.progress, { percent: 42, stage: "transcoding" }),
  },
  {
    name: "Running with progress of an older attempt: ignored",
    o: obs(job(running(2, { observedGeneration: 1 })), { holdsSlot: true, task: task("Running"), progress: { attempt: 1, percent: 90, stage: "uploading", updatedAt: iso(NOW) } }),
    actions: [],
  },
  {
    name: "Running -> Succeeded when the task stopped with an ok result; slot released after the status",
    o: obs(job(running()), {
      holdsSlot: true,
      task: task("Stopped"),
      result: { ok: true, exitCode: 0, outputs: { masterPlaylist: "o/master.m3u8", renditions: [] } },
    }),
    actions: ["patchStatus", "event", "recordPhase", "releaseSlot"],
    phase: "Succeeded",
    events: ["Succeeded"],
    check: (s, as) => {
      assert.equal(s?.outputs?.masterPlaylist, "o/master.m3u8");
      assert.equal(s?.completedAt, iso(NOW));
      assert.equal(s?.duration, "30s", "startedAt (30 s ago) to completedAt: kubectl's DURATION column");
      assert.equal(cond(s, "Complete")?.status, "True");
      assert.equal(cond(s, "Running")?.status, "False");
      const r = as.find((a) => a.type === "recordPhase");
      assert.ok(r?.type === "recordPhase" && r.outputs);
    },
  },
  {
    // Redis lets any task's credential write any job's result key: an ok result must name outputs of this job only.
    name: "Running -> Failed InvalidResult, not retried, on an ok result with an output outside spec.output.prefix (attempt 1 of 3)",
    o: obs(job(running(1)), {
      holdsSlot: true,
      task: task("Stopped"),
      result: {
        ok: true,
        exitCode: 0,
        outputs: {
          masterPlaylist: "o/master.m3u8",
          renditions: [{ name: "720p", width: 1280, height: 720, videoBitrateKbps: 3000, bandwidth: 3_500_000, codecs: "avc1.64001f", sizeBytes: 1, mp4: "o/../other/720p.mp4" }],
        },
      },
    }),
    actions: ["patchStatus", "event", "recordPhase", "releaseSlot"],
    phase: "Failed",
    events: ["InvalidResult"],
    check: (s) => {
      assert.equal(s?.reason, "InvalidResult");
      assert.match(s?.message ?? "", /outside spec\.output\.prefix: "o\/\.\.\/other\/720p\.mp4"/);
      assert.equal(s?.outputs, undefined, "nothing of the result is copied into the status");
      assert.equal(cond(s, "Failed")?.status, "True");
    },
  },
  {
    name: "the same for an output under another prefix (the poster of another job)",
    o: obs(job(running(1)), { holdsSlot: true, task: task("Stopped"), result: { ok: true, exitCode: 0, outputs: { poster: "other/poster.jpg", renditions: [] } } }),
    actions: ["patchStatus", "event", "recordPhase", "releaseSlot"],
    phase: "Failed",
    check: (s) => assert.equal(s?.reason, "InvalidResult"),
  },
  {
    name: "Running -> Failed at once on a permanent exit code (65)",
    o: obs(job(running()), { holdsSlot: true, task: task("Stopped"), result: { ok: false, exitCode: 65, reason: "CorruptInput", message: "not a video" } }),
    actions: ["patchStatus", "event", "recordPhase", "releaseSlot"],
    phase: "Failed",
    check: (s) => {
      assert.equal(s?.reason, "CorruptInput");
      assert.equal(cond(s, "Failed")?.status, "True");
      assert.equal(s?.duration, "30s");
    },
  },
  {
    name: "Running -> Queued (retry) on a retryable exit code below maxAttempts",
    o: obs(job(running(1)), { holdsSlot: true, task: task("Stopped"), result: { ok: false, exitCode: 75, reason: "S3Unavailable" } }),
    actions: ["patchStatus", "event", "recordPhase", "releaseSlot"],
    phase: "Queued",
    requeue: 10_000,
    events: ["AttemptFailed"],
    check: (s) => {
      assert.equal(cond(s!, "Running")?.reason, "RetryableFailure");
      assert.equal(cond(s!, "Running")?.lastTransitionTime, iso(NOW));
      assert.equal(s?.attempts, 1);
    },
  },
  {
    name: "a task reason that is not CamelCase is replaced (the apiserver would reject the status)",
    o: obs(job(running()), { holdsSlot: true, task: task("Stopped"), result: { ok: false, exitCode: 65, reason: "not camel case!" } }),
    actions: ["patchStatus", "event", "recordPhase", "releaseSlot"],
    phase: "Failed",
    check: (s) => assert.equal(s?.reason, "BadInput"),
  },
  {
    name: "Running -> Failed BackoffLimitExceeded on the last attempt",
    o: obs(job(running(3)), { holdsSlot: true, task: task("Stopped"), result: { ok: false, exitCode: 75 } }),
    actions: ["patchStatus", "event", "recordPhase", "releaseSlot"],
    phase: "Failed",
    check: (s) => assert.equal(s?.reason, "BackoffLimitExceeded"),
  },
  {
    name: "Running, task stopped without a result: retryable",
    o: obs(job(running(1)), { holdsSlot: true, task: { id: "task-1", state: "Stopped", stopReason: "Essential container exited" } }),
    actions: ["patchStatus", "event", "recordPhase", "releaseSlot"],
    phase: "Queued",
    check: (s) => assert.match(s?.message ?? "", /without a result.*Essential container exited/),
  },
  {
    name: "Running, task exit code 65 from the launcher without a result: permanent",
    o: obs(job(running(1)), { holdsSlot: true, task: task("Stopped", 65) }),
    actions: ["patchStatus", "event", "recordPhase", "releaseSlot"],
    phase: "Failed",
    check: (s) => assert.equal(s?.reason, "BadInput"),
  },
  {
    name: "Running, task vanished (Missing) with an ok result: Succeeded",
    o: obs(job(running()), { holdsSlot: true, task: task("Missing"), result: { ok: true, exitCode: 0 } }),
    actions: ["patchStatus", "event", "recordPhase", "releaseSlot"],
    phase: "Succeeded",
  },
  {
    name: "Running past activeDeadlineSeconds: stop the task, keep the slot until it stopped",
    o: obs(job(running(1), { activeDeadlineSeconds: 10 }), { holdsSlot: true, task: task("Running") }),
    actions: ["stopTask"],
    requeue: 500,
  },
  {
    name: "stopped after the deadline: Failed DeadlineExceeded, not retried",
    o: obs(job(running(1), { activeDeadlineSeconds: 10 }), { holdsSlot: true, task: task("Stopped") }),
    actions: ["patchStatus", "event", "recordPhase", "releaseSlot"],
    phase: "Failed",
    check: (s) => assert.equal(s?.reason, "DeadlineExceeded"),
  },
  {
    name: "Starting without taskRef while holding the slot: launch the same attempt again (idempotent)",
    o: obs(job({ phase: "Starting", attempts: 2 }), { holdsSlot: true }),
    actions: ["launch", "recordTaskRef", "patchStatus"],
    check: (_s, as) => assert.deepEqual(as.find((a) => a.type === "launch"), { type: "launch", attempt: 2 }),
  },
  {
    name: "Starting without taskRef and without a slot: back to Queued",
    o: obs(job({ phase: "Starting", attempts: 1 }), { freeSlots: 0, rank: 0 }),
    actions: ["patchStatus", "event", "recordPhase"],
    phase: "Queued",
  },
  {
    name: "Succeeded and still holding a slot: release it",
    o: obs(job({ phase: "Succeeded", attempts: 1, taskRef: ref() }), { holdsSlot: true, task: task("Stopped") }),
    actions: ["releaseSlot"],
  },
  {
    name: "Succeeded, nothing held: no actions, no requeue",
    o: obs(job({ phase: "Succeeded", attempts: 1, taskRef: ref() }), { task: task("Stopped") }),
    actions: [],
    requeue: undefined,
  },
  {
    name: "Failed with a task still running: stop it",
    o: obs(job({ phase: "Failed", attempts: 1, taskRef: ref() }), { holdsSlot: true, task: task("Running") }),
    actions: ["stopTask"],
    requeue: 500,
  },
  {
    name: "MongoDB record behind the status: the phase is recorded",
    o: obs(job({ phase: "Succeeded", attempts: 1 }), { recordPhase: "Running" }),
    actions: ["recordPhase"],
  },
  {
    name: "deleting a Running job: stop the task first, nothing else",
    o: obs(job(running(), {}, { deletionTimestamp: iso(NOW) }), { holdsSlot: true, task: task("Running") }),
    actions: ["stopTask"],
    requeue: 500,
  },
  {
    name: "deleting once the task stopped: Cancelled, record kept, slot released, finalizer last",
    o: obs(job(running(), {}, { deletionTimestamp: iso(NOW) }), { holdsSlot: true, task: task("Stopped") }),
    actions: ["patchStatus", "event", "recordPhase", "releaseSlot", "markDeleted", "removeFinalizer"],
    phase: "Cancelled",
    events: ["Deleted"],
  },
  {
    name: "deleting a Queued job that never launched",
    o: obs(job({ phase: "Queued", attempts: 0 }, {}, { deletionTimestamp: iso(NOW) })),
    actions: ["patchStatus", "event", "recordPhase", "markDeleted", "removeFinalizer"],
    phase: "Cancelled",
  },
  {
    name: "deleting a Succeeded job: keep its status, mark the record deleted",
    o: obs(job({ phase: "Succeeded", attempts: 1 }, {}, { deletionTimestamp: iso(NOW) })),
    actions: ["markDeleted", "removeFinalizer"],
  },
  {
    name: "deleting with a slot and a task the status never recorded: stop that task before freeing the slot",
    o: obs(job({ phase: "Queued", attempts: 0 }, {}, { deletionTimestamp: iso(NOW) }), { holdsSlot: true, untracked: { id: "lost-task", state: "Running" } }),
    actions: ["stopTask"],
    requeue: 500,
    check: (_s, as) => assert.deepEqual(as[0], { type: "stopTask", id: "lost-task", reason: "TranscodeJob deleted" }),
  },
  {
    name: "deleting with a slot whose untracked task has stopped: release and cancel",
    o: obs(job({ phase: "Queued", attempts: 0 }, {}, { deletionTimestamp: iso(NOW) }), { holdsSlot: true, untracked: { id: "lost-task", state: "Stopped" } }),
    actions: ["patchStatus", "event", "recordPhase", "releaseSlot", "markDeleted", "removeFinalizer"],
    phase: "Cancelled",
  },
  {
    name: "Failed with a slot and an untracked running task: stop it, keep the slot",
    o: obs(job({ phase: "Failed", attempts: 1 }), { holdsSlot: true, untracked: { id: "lost-task", state: "Running" } }),
    actions: ["stopTask"],
    requeue: 500,
  },
  {
    name: "Running, result written but the task not exited yet: Succeeded at once, StopTask, the slot kept until STOPPED",
    o: obs(job(running()), { holdsSlot: true, task: task("Running"), result: { ok: true, exitCode: 0, outputs: { renditions: [] } } }),
    actions: ["patchStatus", "event", "recordPhase", "stopTask"],
    phase: "Succeeded",
    requeue: 500,
  },
  {
    name: "Running, retryable result written, task not exited: Queued for the retry, StopTask, the slot kept",
    o: obs(job(running(1)), { holdsSlot: true, task: task("Running"), result: { ok: false, exitCode: 75, reason: "S3Unavailable" } }),
    actions: ["patchStatus", "event", "recordPhase", "stopTask"],
    phase: "Queued",
    requeue: 500,
  },
  {
    name: "Succeeded, its task asked to stop and still exiting: watched, not asked again, slot kept",
    o: obs(job(running(1, { phase: "Succeeded", completedAt: iso(NOW - 5_000) })), { holdsSlot: true, task: { ...task("Running"), stopping: true } }),
    actions: [],
    requeue: 500,
  },
  {
    name: "Succeeded, its task still running and never asked to stop: stopped, slot kept",
    o: obs(job(running(1, { phase: "Succeeded", completedAt: iso(NOW - 60_000) })), { holdsSlot: true, task: task("Running") }),
    actions: ["stopTask"],
    requeue: 500,
  },
  {
    name: "Queued for a retry while the previous attempt's task is still stopping: no new attempt, slot kept",
    o: obs(job(retrying(60_000, { taskRef: ref(1) })), { holdsSlot: true, task: { ...task("Running"), stopping: true }, freeSlots: 5, rank: 0 }),
    actions: [],
    requeue: 500,
  },
  {
    name: "Queued for a retry, not holding a slot, previous task still running (never asked to stop): stopped, no launch",
    o: obs(job(retrying(60_000, { taskRef: ref(1) })), { task: task("Running"), freeSlots: 5, rank: 0 }),
    actions: ["stopTask"],
    requeue: 500,
  },
  {
    name: "Queued in backoff holding a slot whose previous task has stopped: the slot goes back",
    o: obs(job(retrying(1_000, { taskRef: ref(1) })), { holdsSlot: true, task: task("Stopped"), freeSlots: 4, rank: undefined }),
    actions: ["releaseSlot"],
    requeue: 9_000,
  },
  {
    name: "Queued past its deadline with an untracked task alive: Failed, that task stopped, the slot kept",
    o: obs(job({ phase: "Queued", attempts: 1, startedAt: iso(NOW - 120_000) }, { activeDeadlineSeconds: 60 }), { holdsSlot: true, untracked: { id: "lost-task", state: "Running" } }),
    actions: ["patchStatus", "event", "recordPhase", "stopTask"],
    phase: "Failed",
    requeue: 500,
  },
  {
    name: "a launch refused for good: Failed LaunchFailed with Complete=False and Failed=True, the slot claimed for it freed",
    o: obs(job({ phase: "Queued", attempts: 0, queuePosition: 1 }), { holdsSlot: true, launchRejected: { message: "RunTask: ClusterNotFoundException: cluster not found" } }),
    actions: ["patchStatus", "event", "recordPhase", "releaseSlot"],
    phase: "Failed",
    events: ["LaunchFailed"],
    check: (s) => {
      assert.equal(s?.reason, "LaunchFailed");
      assert.match(s?.message ?? "", /ClusterNotFoundException/);
      assert.equal(cond(s, "Complete")?.status, "False");
      assert.equal(cond(s, "Failed")?.status, "True");
      assert.equal(cond(s, "Failed")?.reason, "LaunchFailed");
      assert.equal(s?.queuePosition, undefined);
      assert.equal(s?.duration, undefined, "it never started: no duration");
    },
  },
  {
    name: "a claim starts from the slot table this pass read, at its place in the queue",
    o: obs(job({ phase: "Queued", attempts: 0 }), { rank: 2, freeSlots: 3, slotTable: [{ slot: 0, holder: "other", epoch: 1, claimedAt: new Date(NOW) }] }),
    actions: ["claimSlot", "launch", "recordTaskRef", "patchStatus", "event", "recordPhase"],
    check: (_s, as) => assert.deepEqual(as[0], { type: "claimSlot", hint: { seen: [{ slot: 0, holder: "other", epoch: 1, claimedAt: new Date(NOW) }], nth: 2 } }),
  },
  {
    name: "a job whose spec sets no deadline fails at the configured default one, its task stopped first",
    o: obs(job(running(1, { startedAt: iso(NOW - opts.defaultActiveDeadlineSeconds * 1000 - 1) })), { holdsSlot: true, task: task("Running") }),
    actions: ["stopTask"],
    requeue: 500,
  },
  {
    name: "suspended while Running: the task is stopped, the job goes back to Queued (suspended), the slot kept until STOPPED",
    o: obs(job(running(1), { suspend: true }), { holdsSlot: true, task: task("Running") }),
    actions: ["stopTask", "patchStatus", "event", "recordPhase"],
    phase: "Queued",
    requeue: 500,
    events: ["Suspended"],
    check: (s, as) => {
      assert.equal(cond(s!, "Admitted")?.reason, "Suspended");
      assert.equal(cond(s!, "Running")?.status, "False");
      assert.deepEqual(as[0], { type: "stopTask", id: "task-1", reason: "job is suspended" });
    },
  },
  {
    name: "suspended, its stopped task gone: the slot goes back; resumed later it launches the next attempt without backoff",
    o: obs(job({ ...running(1), phase: "Queued" }, { suspend: true }), { holdsSlot: true, task: task("Stopped") }),
    actions: ["patchStatus", "releaseSlot"],
  },
  {
    name: "Running, no progress (not even the heartbeat) for longer than the stall timeout: stopped, retried as Stalled",
    o: obs(job(running(1, { conditions: [{ type: "Running", status: "True", reason: "TaskRunning", message: "", lastTransitionTime: iso(NOW - 900_000), observedGeneration: 1 }] })), {
      holdsSlot: true,
      task: task("Running"),
      progress: { attempt: 1, percent: 40, stage: "transcoding", updatedAt: iso(NOW - opts.stallTimeoutMs - 1000) },
    }),
    actions: ["patchStatus", "event", "recordPhase", "stopTask"],
    phase: "Queued",
    events: ["AttemptFailed"],
    check: (s) => {
      assert.equal(s?.reason, "Stalled");
      assert.match(s?.message ?? "", /reported no progress for 301 s/);
      assert.equal(cond(s, "Running")?.reason, "RetryableFailure");
    },
  },
  {
    name: "Running with a fresh heartbeat long after the task started: not stalled",
    o: obs(job(running(1, { conditions: [{ type: "Running", status: "True", reason: "TaskRunning", message: "", lastTransitionTime: iso(NOW - 900_000), observedGeneration: 1 }] })), {
      holdsSlot: true,
      task: task("Running"),
      progress: { attempt: 1, percent: 40, stage: "transcoding", updatedAt: iso(NOW - 20_000) },
    }),
    actions: ["patchStatus"],
    requeue: 1000,
    check: (s) => assert.equal(s?.progress?.percent, 40),
  },
  {
    name: "Starting, the task still PENDING past the start timeout: stopped, retried as StartTimeout",
    o: obs(
      job({
        phase: "Starting",
        attempts: 1,
        taskRef: ref(1),
        startedAt: iso(NOW - opts.startTimeoutMs - 5000),
        conditions: [{ type: "Admitted", status: "True", reason: "SlotClaimed", message: "", lastTransitionTime: iso(NOW - opts.startTimeoutMs - 5000), observedGeneration: 1 }],
      }),
      { holdsSlot: true, task: task("Pending") },
    ),
    actions: ["patchStatus", "event", "recordPhase", "stopTask"],
    phase: "Queued",
    check: (s) => assert.equal(s?.reason, "StartTimeout"),
  },
  {
    name: "Queued far back: refreshed less often than the head",
    o: obs(job({ phase: "Queued", attempts: 0, queuePosition: 240 }), { rank: 250, freeSlots: 0 }),
    actions: ["patchStatus"],
    requeue: 15_000,
    check: (s) => assert.equal(s?.queuePosition, 251),
  },
  {
    name: "deleting without our finalizer: nothing to do",
    o: obs(job(running(), {}, { deletionTimestamp: iso(NOW), finalizers: [] }), { task: task("Running") }),
    actions: [],
  },
];

describe("reconcile (pure decision)", () => {
  for (const row of rows) {
    it(row.name, () => {
      const d = reconcile(row.o, opts);
      assert.deepEqual(types(d.actions), row.actions);
      const p = d.actions.find((a) => a.type === "patchStatus");
      const s = p?.type === "patchStatus" ? p.status : undefined;
      if (row.phase) assert.equal(patched(d.actions).phase, row.phase);
      if ("requeue" in row) assert.equal(d.requeueAfterMs, row.requeue);
      if (row.events) assert.deepEqual(events(d.actions), row.events);
      row.check?.(s, d.actions);
    });
  }

  it("is pure: the observed job is not mutated", () => {
    const j = job(running());
    const before = structuredClone(j);
    reconcile(obs(j, { task: task("Stopped"), result: { ok: true, exitCode: 0 } }), opts);
    assert.deepEqual(j, before);
  });

  it("every status it writes carries observedGeneration", () => {
    const d = reconcile(obs(job(undefined, {}, { generation: 4 })), opts);
    assert.equal(patched(d.actions).observedGeneration, 4);
    assert.ok(patched(d.actions).conditions?.every((c) => c.observedGeneration === 4));
  });
});

describe("reconcile: the tenancy rule before launch", () => {
  const policy = { uploadsBuckets: ["in"], uploadsPrefix: "up/", outputsBucket: "out", outputsPrefix: "o/", namespacePrefix: "ns-jobs/" };
  const withPolicy: ReconcileOptions = { ...opts, tenancy: policy };
  const owned = (over: Partial<JobObject["spec"]> = {}, labels: Record<string, string> = { "media.transcoder.dev/owner": "al" }) =>
    job(undefined, { source: { bucket: "in", key: "up/al/u1/a.mp4" }, output: { bucket: "out", prefix: "o/al/j/" }, owner: "al", ...over }, { labels });
  const table: { name: string; j: JobObject; status?: JobStatus; violation?: RegExp }[] = [
    { name: "a job that keeps it is launched", j: owned() },
    { name: "a kubectl job within its namespace's prefix is launched", j: job(undefined, { source: { bucket: "in", key: "ns-jobs/ns/a.mp4" }, output: { bucket: "out", prefix: "ns-jobs/ns/j/" } }) },
    { name: "another owner's source", j: owned({ source: { bucket: "in", key: "up/bob/u1/a.mp4" } }), violation: /spec\.source\.key: must lie under up\/al\// },
    { name: "a source bucket not allowed", j: owned({ source: { bucket: "elsewhere", key: "up/al/u1/a.mp4" } }), violation: /spec\.source\.bucket/ },
    { name: "an output outside its own prefix", j: owned({ output: { bucket: "out", prefix: "o/bob/j/" } }), violation: /spec\.output\.prefix/ },
    { name: "an output in another bucket", j: owned({ output: { bucket: "in", prefix: "o/al/j/" } }), violation: /spec\.output\.bucket/ },
    { name: "a label that is not spec.owner", j: owned({}, { "media.transcoder.dev/owner": "bob" }), violation: /metadata\.labels/ },
    { name: "a Queued job holding a slot gives it back", j: owned({ source: { bucket: "in", key: "up/bob/u1/a.mp4" } }), status: { phase: "Queued", attempts: 0 }, violation: /spec\.source\.key/ },
  ];
  for (const row of table) {
    it(`${row.violation ? "fails, never launching," : ""} ${row.name}`.trim(), () => {
      const j = row.status ? { ...row.j, status: { observedGeneration: 1, ...row.status } } : row.j;
      const d = reconcile(obs(j, { holdsSlot: row.status !== undefined }), withPolicy);
      if (!row.violation) {
        assert.ok(types(d.actions).includes("launch"), types(d.actions).join(","));
        return;
      }
      assert.ok(!types(d.actions).includes("launch") && !types(d.actions).includes("claimSlot"), types(d.actions).join(","));
      const s = patched(d.actions);
      assert.equal(s.phase, "Failed");
      assert.equal(s.reason, "TenancyViolation");
      assert.match(s.message ?? "", row.violation);
      assert.deepEqual(events(d.actions), ["TenancyViolation"]);
      assert.equal(types(d.actions).includes("releaseSlot"), row.status !== undefined);
    });
  }
  it("a job already running is not judged again (its spec is immutable; it was judged before its launch)", () => {
    const j = { ...job(running()), spec: owned({ source: { bucket: "in", key: "up/bob/u1/a.mp4" } }).spec };
    const d = reconcile(obs(j, { holdsSlot: true, task: task("Running") }), withPolicy);
    assert.ok(!events(d.actions).includes("TenancyViolation"));
  });
});

describe("admissionOrder", () => {
  const mk = (uid: string, priority: number, ageS: number, status?: JobStatus, extra: Partial<JobObject["spec"]> = {}, meta: Partial<NonNullable<JobObject["metadata"]>> = {}) =>
    job(status, { priority, ...extra }, { uid, name: uid, creationTimestamp: iso(NOW - ageS * 1000), ...meta });
  const table: { name: string; jobs: JobObject[]; holders?: string[]; order: string[] }[] = [
    { name: "priority first", jobs: [mk("a", 0, 50), mk("b", 10, 10), mk("c", -5, 100)], order: ["b", "a", "c"] },
    { name: "then creation time (FIFO)", jobs: [mk("a", 0, 10), mk("b", 0, 30), mk("c", 0, 20)], order: ["b", "c", "a"] },
    { name: "then name when created in the same instant", jobs: [mk("b", 0, 10), mk("a", 0, 10)], order: ["a", "b"] },
    {
      name: "only Pending/Queued, not suspended, not deleting, not holding a slot",
      jobs: [
        mk("run", 0, 90, { phase: "Running" }),
        mk("done", 0, 80, { phase: "Succeeded" }),
        mk("susp", 0, 70, { phase: "Queued" }, { suspend: true }),
        mk("del", 0, 60, { phase: "Queued" }, {}, { deletionTimestamp: iso(NOW) }),
        mk("held", 0, 50, { phase: "Queued" }),
        mk("q", 0, 40, { phase: "Queued" }),
        mk("new", 0, 30),
      ],
      holders: ["held"],
      order: ["q", "new"],
    },
    {
      name: "a job in retry backoff gives way until its delay passed",
      jobs: [
        mk("wait", 0, 90, { phase: "Queued", attempts: 1, conditions: [{ type: "Running", status: "False", reason: "RetryableFailure", message: "", lastTransitionTime: iso(NOW - 1000) }] }),
        mk("ready", 0, 80, { phase: "Queued", attempts: 1, conditions: [{ type: "Running", status: "False", reason: "RetryableFailure", message: "", lastTransitionTime: iso(NOW - 20_000) }] }),
        mk("x", 0, 10),
      ],
      order: ["ready", "x"],
    },
  ];
  for (const t of table) {
    it(t.name, () => assert.deepEqual(admissionOrder(t.jobs, new Set(t.holders ?? []), NOW, opts), t.order));
  }
});

interface ArbJob {
  uid: string;
  priority: number;
  ageS: number;
  phase: "Pending" | "Queued" | "Starting" | "Running" | "Succeeded";
  suspend: boolean;
  deleting: boolean;
  failedAgoS: number | null;
}

describe("AdmissionQueue (the indexed admission order)", () => {
  const phases = ["Pending", "Queued", "Starting", "Running", "Succeeded"] as const;
  const arbJob: fc.Arbitrary<ArbJob> = fc.record({
    uid: fc.constantFrom(...Array.from({ length: 12 }, (_, i) => `j${i}`)),
    priority: fc.integer({ min: -2, max: 2 }),
    ageS: fc.integer({ min: 0, max: 5 }),
    phase: fc.constantFrom(...phases),
    suspend: fc.boolean(),
    deleting: fc.boolean(),
    /** seconds since a retryable failure, or none */
    failedAgoS: fc.option(fc.integer({ min: 0, max: 40 })),
  });
  const toJob = (a: ArbJob): JobObject =>
    job(
      {
        phase: a.phase,
        ...(a.failedAgoS === null
          ? { attempts: 0 }
          : { attempts: 1, conditions: [{ type: "Running", status: "False", reason: "RetryableFailure", message: "", lastTransitionTime: iso(NOW - a.failedAgoS * 1000) }] }),
      },
      { priority: a.priority, suspend: a.suspend },
      { uid: a.uid, name: a.uid, creationTimestamp: iso(NOW - a.ageS * 1000), ...(a.deleting ? { deletionTimestamp: iso(NOW) } : {}) },
    );

  it("after any sequence of updates and deletes, rank() and heads() agree with admissionOrder() over the same jobs", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(arbJob.map((j) => ({ op: "update" as const, j })), fc.constantFrom(...Array.from({ length: 12 }, (_, i) => ({ op: "delete" as const, uid: `j${i}` })))), { maxLength: 60 }),
        fc.subarray(Array.from({ length: 12 }, (_, i) => `j${i}`), { maxLength: 5 }),
        fc.integer({ min: 0, max: 10 }),
        (ops, holderList, n) => {
          const q = new AdmissionQueue(opts);
          const current = new Map<string, JobObject>();
          for (const o of ops) {
            if (o.op === "update") {
              const j = toJob(o.j);
              current.set(o.j.uid, j);
              q.update(j);
            } else {
              current.delete(o.uid);
              q.delete(o.uid);
            }
          }
          const holders = new Set(holderList);
          const order = admissionOrder([...current.values()], holders, NOW, opts);
          for (const uid of current.keys()) {
            const i = order.indexOf(uid);
            assert.equal(q.rank(uid, holders, NOW), i < 0 ? undefined : i, `rank of ${uid}`);
          }
          assert.deepEqual(q.heads(n, holders, NOW), order.slice(0, n).map((uid) => `ns/${uid}`));
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe("retryDelayMs", () => {
  const table: [number, number][] = [
    [0, 0],
    [1, 10_000],
    [2, 20_000],
    [3, 40_000],
    [4, 60_000],
    [50, 60_000],
  ];
  for (const [failed, ms] of table) it(`after ${failed} failed attempts waits ${ms} ms`, () => assert.equal(retryDelayMs(failed, 10_000, 60_000), ms));
});

describe("setCondition", () => {
  it("keeps lastTransitionTime while the status does not change, moves it when it flips", () => {
    const a = setCondition(undefined, { type: "Admitted", status: "False", reason: "Queued", message: "p1" }, 1, "t1");
    const b = setCondition(a, { type: "Admitted", status: "False", reason: "Queued", message: "p2" }, 2, "t2");
    assert.equal(b[0]?.lastTransitionTime, "t1");
    assert.equal(b[0]?.message, "p2");
    assert.equal(b[0]?.observedGeneration, 2);
    const c = setCondition(b, { type: "Admitted", status: "True", reason: "SlotClaimed", message: "" }, 2, "t3");
    assert.equal(c[0]?.lastTransitionTime, "t3");
    assert.equal(c.length, 1);
  });
});

describe("the cap, decision by decision (property)", () => {
  const states = ["Pending", "Running", "Stopped", "Missing"] as const;
  const arbTask = fc.option(fc.record({ state: fc.constantFrom(...states), stopping: fc.boolean() }), { nil: undefined });
  const arb = fc.record({
    phase: fc.constantFrom<JobStatus["phase"] | undefined>(undefined, "Pending", "Queued", "Starting", "Running", "Succeeded", "Failed", "Cancelled"),
    attempts: fc.integer({ min: 0, max: 3 }),
    withRef: fc.boolean(),
    failedAgoMs: fc.option(fc.integer({ min: 0, max: 120_000 }), { nil: undefined }),
    holdsSlot: fc.boolean(),
    task: arbTask,
    untracked: arbTask,
    result: fc.option(fc.constantFrom({ ok: true, exitCode: 0 }, { ok: false, exitCode: 75 }, { ok: false, exitCode: 65 }), { nil: undefined }),
    suspend: fc.boolean(),
    deleting: fc.boolean(),
    deadline: fc.boolean(),
    freeSlots: fc.integer({ min: 0, max: 5 }),
  });
  type ArbCase = typeof arb extends fc.Arbitrary<infer T> ? T : never;
  const observed = (a: ArbCase): Observed => {
    const withRef = a.withRef && a.phase !== undefined;
    const attempts = withRef ? Math.max(1, a.attempts) : a.attempts;
    const status: JobStatus | undefined =
      a.phase === undefined
        ? undefined
        : {
            phase: a.phase,
            attempts,
            startedAt: iso(NOW - 100_000),
            ...(withRef ? { taskRef: ref(attempts) } : {}),
            ...(a.failedAgoMs !== undefined
              ? { conditions: [{ type: "Running", status: "False", reason: "RetryableFailure", message: "", lastTransitionTime: iso(NOW - a.failedAgoMs), observedGeneration: 1 }] }
              : {}),
          };
    const j = job(status, { suspend: a.suspend, ...(a.deadline ? { activeDeadlineSeconds: 60 } : {}) }, a.deleting ? { deletionTimestamp: iso(NOW) } : {});
    return obs(j, {
      holdsSlot: a.holdsSlot,
      freeSlots: a.freeSlots,
      rank: 0,
      task: withRef && a.task ? { id: "task-1", ...a.task } : undefined,
      untracked: a.untracked ? { id: "lost-task", ...a.untracked } : undefined,
      result: withRef ? a.result : undefined,
    });
  };
  const alive = (t: TaskState | undefined) => t?.state === "Pending" || t?.state === "Running";

  it("never frees a slot while a task of the job is observed alive, and never launches beside an alive task of an earlier attempt", () => {
    fc.assert(
      fc.property(arb, (a) => {
        const o = observed(a);
        const d = reconcile(o, opts);
        const kinds = types(d.actions);
        if (alive(o.task) || alive(o.untracked)) assert.ok(!kinds.includes("releaseSlot"), `released with a task alive: ${kinds.join(",")}`);
        const launch = d.actions.find((x) => x.type === "launch");
        if (launch && launch.type === "launch" && alive(o.task)) assert.ok(o.job.status?.taskRef?.attempt === launch.attempt, "a new attempt beside the previous one");
        // An alive task that was never asked to stop is asked now, unless it is the running attempt itself.
        const settled = o.job.metadata?.deletionTimestamp !== undefined || ["Succeeded", "Failed", "Cancelled"].includes(patchedPhase(d) ?? o.job.status?.phase ?? "");
        if (settled && alive(o.task) && !o.task?.stopping) assert.ok(kinds.includes("stopTask"), `final job's task not stopped: ${kinds.join(",")}`);
        if (kinds.includes("stopTask")) assert.ok(d.requeueAfterMs !== undefined && d.requeueAfterMs <= opts.stopPollMs, "a stopping task is followed up promptly");
      }),
      { numRuns: 3000 },
    );
  });
  function patchedPhase(d: ReturnType<typeof reconcile>): string | undefined {
    const p = d.actions.find((x) => x.type === "patchStatus");
    return p?.type === "patchStatus" ? p.status.phase : undefined;
  }
});

describe("observationPlan (what a reconcile reads)", () => {
  const plan = (status: JobStatus | undefined, holdsSlot: boolean, meta: Partial<NonNullable<JobObject["metadata"]>> = {}) => observationPlan(job(status, {}, meta), holdsSlot, FIN);
  const table: { name: string; got: ObservationPlan; want: ObservationPlan }[] = [
    { name: "a new job: nothing beyond the job and the slots", got: plan(undefined, false), want: { task: false, untrackedAttempts: [], progress: false, result: false } },
    { name: "Queued, never launched: nothing", got: plan({ phase: "Queued", attempts: 0 }, false), want: { task: false, untrackedAttempts: [], progress: false, result: false } },
    {
      name: "Queued holding a slot (a lost status write): the launch it may have made",
      got: plan({ phase: "Queued", attempts: 0 }, true),
      want: { task: false, untrackedAttempts: [1], progress: false, result: false },
    },
    {
      name: "Queued for a retry holding a slot: the previous task and a later untracked launch",
      got: plan({ phase: "Queued", attempts: 1, taskRef: ref(1) }, true),
      want: { task: true, untrackedAttempts: [2], progress: false, result: false },
    },
    { name: "Running: task, progress and result", got: plan(running(2), true), want: { task: true, untrackedAttempts: [], progress: true, result: true } },
    { name: "Starting without taskRef, holding a slot: both attempts that may have launched", got: plan({ phase: "Starting", attempts: 2 }, true), want: { task: false, untrackedAttempts: [3, 2], progress: false, result: false } },
    { name: "Succeeded without a slot: its task is known stopped", got: plan({ phase: "Succeeded", attempts: 1, taskRef: ref(1) }, false), want: { task: false, untrackedAttempts: [], progress: false, result: false } },
    { name: "Succeeded still holding a slot: the task it waits for", got: plan({ phase: "Succeeded", attempts: 1, taskRef: ref(1) }, true), want: { task: true, untrackedAttempts: [2], progress: false, result: false } },
    {
      name: "deleting a Running job: its task, no progress",
      got: plan(running(1), true, { deletionTimestamp: iso(NOW) }),
      want: { task: true, untrackedAttempts: [], progress: false, result: false },
    },
    {
      name: "deleting without our finalizer: nothing",
      got: plan(running(1), true, { deletionTimestamp: iso(NOW), finalizers: [] }),
      want: { task: false, untrackedAttempts: [], progress: false, result: false },
    },
  ];
  for (const t of table) it(t.name, () => assert.deepEqual(t.got, t.want));
});

describe("fair admission (admissionPlaces, the reference order)", () => {
  const at = (s: number) => iso(NOW - s * 1000);
  /** A Queued job of `owner` (undefined: kubectl-made) created `ageS` seconds ago. */
  const queuedJob = (uid: string, owner: string | undefined, ageS: number, ns = "ns", priority = 0) =>
    job({ phase: "Queued", attempts: 0 }, { priority, ...(owner ? { owner } : {}) }, { uid, name: uid, namespace: ns, creationTimestamp: at(ageS) });
  const view = (running: Record<string, number>, history: Record<string, number> = {}): UsageView => ({
    running: (o) => running[o] ?? 0,
    score: (o) => (running[o] ?? 0) + (history[o] ?? 0),
  });
  const fair: AdmissionPolicy = { kind: "fair" };

  it("ownerKey: a user within its namespace; a job without an owner counts as its namespace", () => {
    const table: [string | undefined, string, string][] = [
      ["alice", "ns", "user:ns/alice"],
      ["alice", "other", "user:other/alice"],
      [undefined, "ns", "namespace:ns"],
      ["", "ns", "namespace:ns"],
    ];
    for (const [owner, ns, key] of table) assert.equal(ownerKey(queuedJob("x", owner, 0, ns)), key, `${owner} in ${ns}`);
    assert.equal(ownerClass("user:ns/alice"), "api");
    assert.equal(ownerClass("namespace:ns"), "kubectl");
  });

  // A queued 20 jobs first and holds all 5 slots; B queued 2 later.
  const a20 = Array.from({ length: 20 }, (_, i) => queuedJob(`a${String(i).padStart(2, "0")}`, "alice", 100 - i));
  const b2 = [queuedJob("b0", "bob", 10), queuedJob("b1", "bob", 9)];
  const table: { name: string; policy: AdmissionPolicy; usage: UsageView; jobs: JobObject[]; head: string[]; held?: Record<string, number> }[] = [
    { name: "fifo: B waits behind all of A's", policy: FIFO_POLICY, usage: view({ "user:ns/alice": 5 }), jobs: [...a20, ...b2], head: ["a00", "a01"] },
    { name: "fair: B (no usage) before A (5 running)", policy: fair, usage: view({ "user:ns/alice": 5 }), jobs: [...a20, ...b2], head: ["b0", "b1", "a00"] },
    { name: "fair: equal usage, the longest waiting owner first", policy: fair, usage: view({}), jobs: [...b2, queuedJob("c0", "carol", 50)], head: ["c0", "b0", "b1"] },
    { name: "fair: decayed history counts", policy: fair, usage: view({}, { "user:ns/carol": 0.4 }), jobs: [...b2, queuedJob("c0", "carol", 50)], head: ["b0", "b1", "c0"] },
    { name: "fair: priority still comes first", policy: fair, usage: view({ "user:ns/alice": 5 }), jobs: [queuedJob("a-hi", "alice", 1, "ns", 10), ...b2], head: ["a-hi", "b0"] },
    { name: "fair: kubectl jobs of one namespace are one owner", policy: fair, usage: view({ "namespace:ns": 2 }), jobs: [queuedJob("k0", undefined, 30), queuedJob("k1", undefined, 29), queuedJob("d0", "dan", 1)], head: ["d0", "k0", "k1"] },
    {
      name: "limit 2: an owner holding 1 has one more admissible, the rest held",
      policy: { kind: "fair", maxRunningPerOwner: 2 },
      usage: view({ "user:ns/alice": 1 }),
      jobs: [...a20.slice(0, 3), ...b2],
      head: ["b0", "b1", "a00"],
      held: { a01: 2, a02: 2 },
    },
    {
      name: "a namespace's override wins over the default",
      policy: { kind: "fifo", maxRunningPerOwner: 5, maxRunningByNamespace: { ns: 1 } },
      usage: view({ "user:ns/alice": 1 }),
      jobs: [...a20.slice(0, 2), queuedJob("e0", "erin", 1, "ns2")],
      head: ["e0"],
      held: { a00: 1, a01: 1 },
    },
  ];
  for (const t of table) {
    it(t.name, () => {
      const { order, held } = admissionPlaces(t.jobs, new Set(), NOW, opts, t.policy, t.usage);
      assert.deepEqual(order.slice(0, t.head.length), t.head);
      assert.deepEqual(Object.fromEntries(held), t.held ?? {});
      // The index agrees.
      const q = new AdmissionQueue(opts, t.policy);
      q.setUsage(t.usage);
      for (const j of t.jobs) q.update(j);
      assert.deepEqual(q.heads(t.head.length, new Set(), NOW), t.head.map((u) => `${t.jobs.find((j) => j.metadata?.uid === u)?.metadata?.namespace}/${u}`));
      for (const [uid, limit] of Object.entries(t.held ?? {})) assert.deepEqual(q.place(uid, new Set(), NOW), { ownerLimit: limit });
    });
  }

  it("reconcile: a job held by its owner's limit says so, takes no position, and launches nothing", () => {
    const j = job({ phase: "Queued", attempts: 0, queuePosition: 3 });
    const d = reconcile(obs(j, { rank: undefined, ownerLimit: 2 }), opts);
    assert.ok(!types(d.actions).includes("launch"));
    const s = patched(d.actions);
    assert.equal(s.queuePosition, undefined);
    const admitted = s.conditions?.find((c) => c.type === "Admitted");
    assert.equal(admitted?.reason, "OwnerLimit");
    assert.equal(admitted?.message, "owner at its limit of 2 running jobs");
    assert.equal(d.requeueAfterMs, opts.queuedPollMs);
  });

  it("reconcile: a waiting job's position and message", () => {
    const d = reconcile(obs(job({ phase: "Queued", attempts: 0 }), { rank: 2, freeSlots: 0 }), opts);
    const s = patched(d.actions);
    assert.equal(s.queuePosition, 3);
    assert.equal(s.conditions?.find((c) => c.type === "Admitted")?.message, "waiting for a free slot (position 3)");
  });
});

describe("UsageLedger (decayed slot time)", () => {
  const H = 3600_000;
  const holder = (uid: string, claimedAt: number, slot = 0) => ({ slot, holder: uid, epoch: 1, claimedAt: new Date(claimedAt) });

  const table: { name: string; from: number; to: number; now: number; score: number }[] = [
    { name: "one half-life held, seen at its end: 1 - 1/2", from: 0, to: H, now: H, score: 0.5 },
    { name: "the same one half-life later: halved", from: 0, to: H, now: 2 * H, score: 0.25 },
    { name: "held for ages: about one slot", from: 0, to: 40 * H, now: 40 * H, score: 1 },
    { name: "nothing held", from: 0, to: 0, now: H, score: 0 },
  ];
  for (const t of table) {
    it(t.name, () => {
      const l = new UsageLedger(H);
      l.charge("o", t.from, t.to);
      assert.ok(Math.abs(l.history("o", t.now) - t.score) < 1e-9, `${l.history("o", t.now)} vs ${t.score}`);
    });
  }

  it("a half-life of 0 keeps no history: only slots held now count", () => {
    const l = new UsageLedger(0);
    l.charge("o", 0, H);
    assert.equal(l.history("o", H), 0);
  });

  it("observeSlots: running per owner from the table; a holder gone is charged from its claim to now", () => {
    const l = new UsageLedger(H);
    const owners: Record<string, string> = { u1: "A", u2: "A", u3: "B" };
    assert.equal(l.observeSlots([holder("u1", 0), holder("u2", 0, 1), holder("u3", 0, 2)], 0, (u) => owners[u]), true);
    assert.equal(l.runningOf("A"), 2);
    assert.equal(l.view(0).score("A"), 2);
    assert.equal(l.observeSlots([holder("u1", 0), holder("u2", 0, 1), holder("u3", 0, 2)], H / 2, (u) => owners[u]), false, "unchanged table");
    assert.equal(l.observeSlots([holder("u1", 0), holder("u3", 0, 2)], H, (u) => owners[u]), true);
    assert.equal(l.runningOf("A"), 1);
    assert.ok(Math.abs(l.view(H).score("A") - 1.5) < 1e-9, "one slot now plus half a slot of history");
    assert.deepEqual(l.runningOwners(), [["A", 1], ["B", 1]]);
  });

  it("usageIntervals: closed Starting/Running stretches of a record's history; an open one is the slot table's", () => {
    const h = (phase: string, s: number) => ({ phase, at: new Date(s * 1000) });
    assert.deepEqual(usageIntervals([h("Pending", 0), h("Queued", 1), h("Starting", 10), h("Running", 12), h("Queued", 20), h("Starting", 30), h("Succeeded", 40)]), [
      { from: 10_000, to: 20_000 },
      { from: 30_000, to: 40_000 },
    ]);
    assert.deepEqual(usageIntervals([h("Queued", 1), h("Starting", 10), h("Running", 12)]), []);
  });
});

describe("AdmissionQueue under fair and with limits (the index against admissionPlaces)", () => {
  const owners = [undefined, "a", "b", "c"] as const;
  const arb = fc.record({
    uid: fc.constantFrom(...Array.from({ length: 14 }, (_, i) => `j${i}`)),
    priority: fc.integer({ min: 0, max: 1 }),
    ageS: fc.integer({ min: 0, max: 5 }),
    phase: fc.constantFrom("Pending", "Queued", "Queued", "Running"),
    suspend: fc.boolean(),
    owner: fc.constantFrom(...owners),
    ns: fc.constantFrom("ns", "ns2"),
    failedAgoS: fc.option(fc.integer({ min: 0, max: 40 })),
  });
  const ownerKeys = ["namespace:ns", "namespace:ns2", ...["a", "b", "c"].flatMap((o) => [`user:ns/${o}`, `user:ns2/${o}`])];
  it("after any sequence of updates, usage snapshots and deletes, place() and heads() agree with admissionPlaces()", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(arb.map((j) => ({ op: "update" as const, j })), fc.constantFrom(...Array.from({ length: 14 }, (_, i) => ({ op: "delete" as const, uid: `j${i}` }))), fc.constant({ op: "usage" as const })), { maxLength: 60 }),
        fc.constantFrom<AdmissionPolicy["kind"]>("fair", "fifo"),
        fc.option(fc.integer({ min: 0, max: 3 })),
        fc.option(fc.integer({ min: 1, max: 3 })),
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: ownerKeys.length, maxLength: ownerKeys.length }),
        fc.array(fc.integer({ min: 0, max: 4 }), { minLength: ownerKeys.length, maxLength: ownerKeys.length }),
        fc.subarray(Array.from({ length: 14 }, (_, i) => `j${i}`), { maxLength: 4 }),
        fc.integer({ min: 0, max: 12 }),
        (ops, kind, perOwner, ns2Limit, running, history, holderList, n) => {
          const policy: AdmissionPolicy = { kind, ...(perOwner !== null ? { maxRunningPerOwner: perOwner } : {}), ...(ns2Limit !== null ? { maxRunningByNamespace: { ns2: ns2Limit } } : {}) };
          const usage: UsageView = {
            running: (o) => running[ownerKeys.indexOf(o)] ?? 0,
            // Halves: ties between owners are common, so the tie-breaks are exercised.
            score: (o) => (running[ownerKeys.indexOf(o)] ?? 0) + (history[ownerKeys.indexOf(o)] ?? 0) / 2,
          };
          const q = new AdmissionQueue(opts, policy);
          const current = new Map<string, JobObject>();
          for (const o of ops) {
            if (o.op === "update") {
              const a = o.j;
              const j = job(
                a.failedAgoS === null
                  ? { phase: a.phase, attempts: 0 }
                  : { phase: a.phase, attempts: 1, conditions: [{ type: "Running", status: "False", reason: "RetryableFailure", message: "", lastTransitionTime: iso(NOW - a.failedAgoS * 1000) }] },
                { priority: a.priority, suspend: a.suspend, ...(a.owner ? { owner: a.owner } : {}) },
                { uid: a.uid, name: a.uid, namespace: a.ns, creationTimestamp: iso(NOW - a.ageS * 1000) },
              );
              current.set(a.uid, j);
              q.update(j);
            } else if (o.op === "delete") {
              current.delete(o.uid);
              q.delete(o.uid);
            } else q.setUsage(usage);
          }
          q.setUsage(usage);
          const holders = new Set(holderList);
          const { order, held } = admissionPlaces([...current.values()], holders, NOW, opts, policy, usage);
          for (const uid of current.keys()) {
            const i = order.indexOf(uid);
            const want = held.has(uid) ? { ownerLimit: held.get(uid) } : i < 0 ? undefined : { rank: i };
            assert.deepEqual(q.place(uid, holders, NOW), want, `place of ${uid}`);
          }
          assert.deepEqual(q.heads(n, holders, NOW), order.slice(0, n).map((uid) => `${current.get(uid)?.metadata?.namespace}/${uid}`));
        },
      ),
      { numRuns: 1000 },
    );
  });
});
