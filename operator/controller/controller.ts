import { randomUUID } from "node:crypto";
import type { Logger } from "../../lib/log.js";
import { TerminalError, TransientError } from "../../lib/errors/index.js";
import { FencedError } from "../../lib/store/index.js";
import type { WorkQueue } from "../kube/index.js";
import type { Clock, JobCluster, JobLister, JobObject, ProgressReader, TaskState } from "../ports/index.js";
import { admissionOrder, isWaiting, reconcile, type Decision, type ReconcileOptions } from "../reconcile/index.js";
import { execute, type ExecutorDeps } from "./executor.js";
import type { OperatorMetrics } from "./metrics.js";

export interface ControllerDeps extends Omit<ExecutorDeps, "now" | "cluster"> {
  queue: WorkQueue;
  cluster: JobCluster;
  lister: JobLister;
  progress: ProgressReader;
  clock: Clock;
  log: Logger;
  metrics?: OperatorMetrics | undefined;
  options: ReconcileOptions & { workers: number };
  /** Called when a slot claim was fenced off: another operator leads now. */
  onFenced?: (err: FencedError) => void;
}

function keyOf(job: JobObject): string {
  return `${job.metadata?.namespace ?? ""}/${job.metadata?.name ?? ""}`;
}

/**
 * The runner: pulls keys from the workqueue, observes the world through the ports, asks the pure reconcile
 * what to do, does it, and books the key back into the queue. One reconcile id per pass in every log line.
 */
export class Controller {
  private workers: Promise<void>[] | undefined;
  private readonly enqueuedAt = new Map<string, number>();

  constructor(private readonly deps: ControllerDeps) {}

  /** Queue a key now (informer events, wake-ups). */
  enqueue(key: string): void {
    if (!this.enqueuedAt.has(key)) this.enqueuedAt.set(key, this.deps.clock.now());
    this.deps.queue.add(key);
  }

  enqueueJob(job: JobObject): void {
    this.enqueue(keyOf(job));
  }

  /** Queued jobs look again (after a slot was released). */
  wakeWaiting(): void {
    const none = new Set<string>();
    const now = this.deps.clock.now();
    for (const j of this.deps.lister.list()) if (isWaiting(j, none, now, this.deps.options)) this.enqueueJob(j);
  }

  start(): void {
    if (this.workers) throw new Error("controller already started");
    this.workers = Array.from({ length: this.deps.options.workers }, () => this.work());
  }

  /** Stops handing out keys and waits for reconciles in flight to finish. */
  async stop(): Promise<void> {
    this.deps.queue.shutDown();
    await Promise.all(this.workers ?? []);
  }

  private async work(): Promise<void> {
    for (;;) {
      const key = await this.deps.queue.get();
      if (key === undefined) return;
      const added = this.enqueuedAt.get(key);
      if (added !== undefined) {
        this.enqueuedAt.delete(key);
        this.deps.metrics?.queueLatency.observe((this.deps.clock.now() - added) / 1000);
      }
      try {
        await this.handle(key);
      } finally {
        this.deps.queue.done(key);
      }
    }
  }

  private async handle(key: string): Promise<void> {
    const { queue, metrics } = this.deps;
    const log = this.deps.log.child({ job: key, reconcileId: randomUUID().slice(0, 8) });
    const started = performance.now();
    let result = "success";
    try {
      const decision = await this.reconcileKey(key, log);
      queue.forget(key);
      if (decision?.requeueAfterMs !== undefined) queue.addAfter(key, decision.requeueAfterMs);
    } catch (err) {
      result = "error";
      const e = err as Error;
      metrics?.errors.inc({ kind: e.name ?? "Error" });
      if (err instanceof FencedError) {
        log.error({ err: e.message }, "fenced: another operator leads; stopping admission");
        this.deps.onFenced?.(err);
      } else if (err instanceof TerminalError) {
        result = "terminal";
        queue.forget(key);
        log.error({ err: e.message, reason: err.reason }, "reconcile failed for good; not retried until the job changes");
      } else if (err instanceof TransientError && err.retryAfterMs !== undefined) {
        log.warn({ err: e.message, retryAfterMs: err.retryAfterMs }, "reconcile failed; retrying");
        queue.addAfter(key, err.retryAfterMs);
      } else {
        log.warn({ err: e.message, requeues: queue.numRequeues(key) }, "reconcile failed; retrying with backoff");
        queue.addRateLimited(key);
      }
    } finally {
      const seconds = (performance.now() - started) / 1000;
      metrics?.reconciles.inc({ result });
      metrics?.duration.observe({ result }, seconds);
    }
  }

  /** Observe -> decide -> act for one key. Exposed for tests that drive a single pass. */
  async reconcileKey(key: string, log: Logger = this.deps.log): Promise<Decision | undefined> {
    const d = this.deps;
    const i = key.indexOf("/");
    const job = await d.cluster.get(key.slice(0, i), key.slice(i + 1));
    if (!job) return undefined; // gone: the finalizer already did the cleanup
    const uid = job.metadata?.uid ?? "";
    const now = d.clock.now();
    const [record, holders] = await Promise.all([d.store.get(uid), d.slots.holders()]);
    d.metrics?.slotsInUse.set(holders.length);
    const held = new Set(holders.map((h) => h.holder));
    // The fresh copy replaces the cached one: the cache may not have seen our last status write yet.
    const jobs = d.lister.list().filter((j) => j.metadata?.uid !== uid);
    jobs.push(job);
    const rankIdx = admissionOrder(jobs, held, now, d.options).indexOf(uid);

    const ref = job.status?.taskRef;
    let task: TaskState | undefined;
    if (ref) task = ref.launcher === d.launcher.kind ? (await d.launcher.describe([ref.id]))[0] : { id: ref.id, state: "Missing" };
    const active = task?.state === "Pending" || task?.state === "Running";
    // A slot without a taskRef, on a job that is going away or finished: was something launched anyway?
    let untracked: TaskState | undefined;
    const phase = job.status?.phase ?? "Pending";
    const leaving = job.metadata?.deletionTimestamp !== undefined || phase === "Succeeded" || phase === "Failed" || phase === "Cancelled";
    if (!ref && held.has(uid) && (leaving || job.spec?.suspend === true) && d.launcher.find) {
      const attempts = job.status?.attempts ?? 0;
      for (const attempt of [attempts + 1, attempts].filter((a) => a >= 1)) {
        const found = await d.launcher.find(uid, attempt);
        if (found) {
          untracked = (await d.launcher.describe([found.id]))[0];
          break;
        }
      }
    }
    const [progress, result] = await Promise.all([
      ref && active ? d.progress.progress(uid) : undefined,
      ref && !active ? d.progress.result(uid, ref.attempt) : undefined,
    ]);

    const decision = reconcile(
      {
        job,
        now,
        recordPhase: record?.phase,
        holdsSlot: held.has(uid),
        freeSlots: Math.max(0, d.slots.capacity - holders.length),
        rank: rankIdx < 0 ? undefined : rankIdx,
        task,
        untracked,
        progress,
        result,
      },
      d.options,
    );
    if (decision.actions.length) log.debug({ actions: decision.actions.map((a) => a.type) }, "reconcile decided");
    const outcome = await execute(job, decision, { ...d, now: () => d.clock.now() }, log);
    if (outcome.released) this.wakeWaiting();
    if (outcome.claimLost) return { actions: decision.actions, requeueAfterMs: d.options.pollMs };
    if (outcome.launchRejected) return { actions: decision.actions };
    return decision;
  }
}
