import { randomUUID } from "node:crypto";
import type { Logger } from "../../lib/log.js";
import { TerminalError, TransientError } from "../../lib/errors/index.js";
import { FencedError } from "../../lib/store/index.js";
import { keyOf, OwnWrites, splitKey } from "../../lib/kube/index.js";
import { runWorkers, type WorkQueue } from "../kube/index.js";
import { isActive, type SlotHolder, type Clock, type JobCluster, type JobLister, type JobObject, type ProgressReader, type TaskRef, type TaskState } from "../ports/index.js";
import {
  AdmissionQueue,
  FIFO_POLICY,
  observationPlan,
  orphanedHolders,
  ownerClass,
  ownerKey,
  ownerLimit,
  reconcile,
  retryAt,
  toMillis,
  UsageLedger,
  type AdmissionPolicy,
  type Decision,
  type Observed,
  type ReconcileOptions,
} from "../reconcile/index.js";
import { execute, type ExecutorDeps } from "./executor.js";
import type { OperatorMetrics } from "./metrics.js";
import { rememberWrites } from "./own-writes.js";

export interface ControllerDeps extends Omit<ExecutorDeps, "now" | "cluster"> {
  queue: WorkQueue;
  cluster: JobCluster;
  lister: JobLister;
  progress: ProgressReader;
  clock: Clock;
  log: Logger;
  metrics?: OperatorMetrics | undefined;
  options: ReconcileOptions & { workers: number };
  /** The one namespace watched, if any: slots of jobs elsewhere belong to another operator's sweep. */
  namespace?: string | undefined;
  /** The admission policy (fifo without limits when absent), the fair share's half-life, owners in the running gauge. */
  admission?: AdmissionSettings | undefined;
  /** Called when a slot claim was fenced off: another operator leads now. */
  onFenced?: (err: FencedError) => void;
}

export interface AdmissionSettings {
  policy: AdmissionPolicy;
  halfLifeMs: number;
  topOwners: number;
}

/**
 * The runner: pulls keys from the workqueue, observes the world through the ports, asks the pure reconcile
 * what to do, does it, and books the key back into the queue. One reconcile id per pass in every log line.
 */
export class Controller {
  private workers: Promise<void> | undefined;
  private stopped = false;
  /** Indexes derived from the informer's events: the admission order and uid -> key. */
  private readonly admission: AdmissionQueue;
  private readonly keysByUid = new Map<string, string>();
  /** Our writes update the admission index at once: the watch may deliver them late (or, while cut, much later). */
  private readonly ownWrites = new OwnWrites<JobObject>({
    onWrite: (job) => this.admission.update(job),
    cached: (key) => this.deps.lister.get(key),
  });
  /** The apiserver port, remembering what our writes return (see OwnWrites). */
  private readonly cluster: JobCluster;
  /** Slot holders as last read; wake-ups use them to skip jobs that already hold a slot. */
  private holders: ReadonlySet<string> = new Set();
  /** For the executor's check of a claim against its owner's limit. */
  private readonly limits: Pick<ExecutorDeps, "ownerOf" | "ownerLimit">;
  /** Slot-table reads started and the newest one applied (see slotsRead). */
  private slotReads = 0;
  private lastSlotRead = 0;
  /** Each job's owner (uid -> owner key), so that a slot holder's usage is charged to its owner. */
  private readonly ownersByUid = new Map<string, string>();
  /** Owners' usage: the slot table (read each pass) plus decayed history (seeded from MongoDB at start). */
  readonly usage: UsageLedger;

  constructor(private readonly deps: ControllerDeps) {
    const policy = deps.admission?.policy ?? FIFO_POLICY;
    this.admission = new AdmissionQueue(deps.options, policy);
    this.usage = new UsageLedger(deps.admission?.halfLifeMs ?? 0);
    this.cluster = rememberWrites(this.ownWrites, deps.cluster);
    this.limits = {
      ownerOf: (uid) => this.ownersByUid.get(uid),
      ownerLimit: (job) => {
        const limit = ownerLimit(policy, job.metadata?.namespace ?? "");
        return limit === undefined ? undefined : { owner: ownerKey(job), limit };
      },
    };
  }

  /** Queue a key now (informer events, wake-ups). */
  enqueue(key: string): void {
    this.deps.queue.add(key);
  }

  /**
   * An informer add or update: keep the indexes current and look at the job, unless the event only echoes our
   * own write (a resync, where `old` is `job`, is always looked at).
   */
  jobChanged(job: JobObject, old?: JobObject): void {
    const uid = job.metadata?.uid;
    if (uid) {
      this.keysByUid.set(uid, keyOf(job));
      this.ownersByUid.set(uid, ownerKey(job));
    }
    this.admission.update(job);
    const echo = this.ownWrites.delivered(job);
    if (echo && old !== undefined && old !== job) {
      this.deps.metrics?.echoesSkipped.inc();
      return;
    }
    this.enqueue(keyOf(job));
  }

  /** An informer delete (the finalizer is gone, so the cleanup already ran). */
  jobDeleted(job: JobObject): void {
    const uid = job.metadata?.uid;
    if (uid) {
      this.keysByUid.delete(uid);
      this.ownersByUid.delete(uid);
      this.admission.delete(uid);
    }
    this.ownWrites.forget(keyOf(job));
    this.enqueue(keyOf(job));
    // Gone: if it still holds a slot, its finalizer never ran (deleted in the instant before it landed, or
    // removed by hand). Its task is stopped now and the slot freed once it is STOPPED, not after the sweep's grace.
    if (uid) this.sweepGone(uid);
  }

  /** Sweeps one vanished job's slot every stopPollMs until it is free (its task stopped first). */
  private sweepGone(uid: string, tries = 0): void {
    const d = this.deps;
    void this.sweepOrphans(0, uid)
      .then(async () => (await d.slots.holders()).some((h) => h.holder === uid))
      .catch((err: unknown) => (d.log.warn({ uid, err: (err as Error).message }, "sweep of a deleted job's slot failed; trying again"), true))
      .then((held) => {
        if (held && !this.stopped && tries < 3600) d.clock.setTimeout(() => this.sweepGone(uid, tries + 1), d.options.stopPollMs);
      });
  }

  /** A task announced its result: look at its job now instead of on the next poll. */
  resultAnnounced(uid: string): void {
    const key = this.keysByUid.get(uid);
    if (key) this.enqueue(key);
  }

  /**
   * After a slot was released, and at start: the jobs at the head of the admission queue look again (not the whole
   * queue), ahead of any backlog in the workqueue. The slot table is read first: a release changes its owner's
   * usage, hence the order and who is held by a limit. At start-up the first list queues every job in list order;
   * under fair the heads can be anywhere in it, and 2 of 5 slots stayed free for minutes behind 10,000 keys.
   */
  wakeHeads(): void {
    const wake = () => this.urgeHeads(this.deps.slots.capacity, this.holders, this.deps.clock.now());
    const seq = ++this.slotReads;
    void this.deps.slots.holders().then(
      (holders) => (this.slotsRead(holders, this.deps.clock.now(), seq), wake()),
      () => wake(),
    );
  }

  /** Start-up: past slot time per owner, as the job records in MongoDB show it (see UsageLedger). */
  seedUsage(intervals: Iterable<{ owner: string; from: number; to: number }>): void {
    this.usage.seed(intervals);
  }

  /** The owners holding the most slots, for the metrics' top N. */
  topOwners(): [string, number][] {
    return this.usage.runningOwners().slice(0, this.deps.admission?.topOwners ?? 0);
  }

  /**
   * A slot table as read (`seq` numbers the reads in the order they started): holders, slots per owner in that
   * table, and a new usage snapshot for the admission order when the table changed. Reads that finish out of order
   * do not move the ledger back (a release would be seen twice).
   */
  private slotsRead(holders: readonly SlotHolder[], now: number, seq: number): { held: Set<string>; running: (owner: string) => number } {
    const held = new Set(holders.map((h) => h.holder));
    const counts = new Map<string, number>();
    for (const h of holders) {
      const owner = this.ownersByUid.get(h.holder);
      if (owner !== undefined) counts.set(owner, (counts.get(owner) ?? 0) + 1);
    }
    if (seq > this.lastSlotRead) {
      this.lastSlotRead = seq;
      this.holders = held;
      if (this.usage.observeSlots(holders, now, (uid) => this.ownersByUid.get(uid))) {
        this.admission.setUsage(this.usage.view(now));
        // Under fair a claim moves its owner back, so the jobs now at the head may have had their look already:
        // while slots are free, they look again now rather than at their next safety requeue.
        const free = this.deps.slots.capacity - holders.length;
        if (free > 0 && this.deps.admission?.policy.kind === "fair") this.urgeHeads(free, held, now);
      }
    }
    return { held, running: (owner) => counts.get(owner) ?? 0 };
  }

  /** The first `n` admissible jobs look again, ahead of any backlog in the workqueue. */
  private urgeHeads(n: number, holders: ReadonlySet<string>, now: number): void {
    for (const key of this.admission.heads(n, holders, now)) this.deps.queue.addUrgent(key);
  }

  /**
   * Frees the slots of jobs that no longer exist (see orphanedHolders), after stopping any task still running for
   * them, found through the MongoDB record's taskRefs and the launcher's (uid, attempt) lookup. A slot whose task
   * is still stopping is freed by a later sweep. Returns the number of slots freed.
   */
  async sweepOrphans(graceMs: number, only?: string): Promise<number> {
    const d = this.deps;
    const holders = (await d.slots.holders()).filter((h) => only === undefined || h.holder === only);
    const orphans = orphanedHolders(holders, (uid) => this.keysByUid.has(uid), d.clock.now(), graceMs);
    let freed = 0;
    for (const h of orphans) {
      const log = d.log.child({ uid: h.holder, slot: h.slot });
      const record = await d.store.get(h.holder);
      if (record && d.namespace !== undefined && record.namespace !== d.namespace) continue;
      const ids = new Set((record?.taskRefs ?? []).filter((r) => r.launcher === d.launcher.kind).map((r) => r.id));
      const attempts = record?.attempts ?? 0;
      for (const ref of await this.findLaunched(h.holder, [attempts + 1, attempts])) ids.add(ref.id);
      const active = (await d.launcher.describe([...ids])).filter(isActive);
      if (active.length) {
        for (const t of active) await d.launcher.stop(t.id, "its TranscodeJob no longer exists");
        log.warn({ tasks: active.map((t) => t.id) }, "orphaned slot: stopping its task first");
        continue;
      }
      if ((await d.slots.release(h.holder)) > 0) {
        freed++;
        log.warn({ job: record ? `${record.namespace}/${record.name}` : undefined }, "freed a slot held by a TranscodeJob that no longer exists");
      }
    }
    if (freed) this.wakeHeads();
    return freed;
  }

  /** Tasks launched for these attempts of a job, found by (uid, attempt) whatever the status recorded; in order. */
  private async findLaunched(uid: string, attempts: readonly number[]): Promise<TaskRef[]> {
    const find = this.deps.launcher.find?.bind(this.deps.launcher);
    if (!find) return [];
    const found = await Promise.all(attempts.filter((a) => a >= 1).map((a) => find(uid, a)));
    return found.filter((r): r is TaskRef => r !== undefined);
  }

  start(): void {
    if (this.workers) throw new Error("controller already started");
    // handle() books every outcome itself; runWorkers only hands out keys and calls done().
    this.workers = runWorkers(this.deps.queue, this.deps.options.workers, (key) => this.handle(key));
  }

  /** Stops handing out keys and waits for reconciles in flight to finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.deps.queue.shutDown();
    await this.workers;
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

  /** The job as fresh as our own last write: from the cache, from that write, or (rarely) from the apiserver. */
  private async read(namespace: string, name: string): Promise<JobObject | undefined> {
    const key = `${namespace}/${name}`;
    const picked = this.ownWrites.pick(key, this.deps.lister.get(key));
    if (picked) return picked.object;
    const job = await this.deps.cluster.get(namespace, name);
    if (!job) this.ownWrites.forget(key);
    return job;
  }

  /** Observe -> decide -> act for one key. Exposed for tests that drive a single pass. */
  async reconcileKey(key: string, log: Logger = this.deps.log): Promise<Decision | undefined> {
    const { namespace, name } = splitKey(key);
    const job = await this.read(namespace ?? "", name);
    if (!job) return undefined; // gone: the finalizer already did the cleanup
    const observed = await this.observe(job);
    const decision = await this.decideAndAct(observed, log);
    if (!decision.rejected) return decision.decision;
    // The launcher refused this attempt for good: the decision what that means is reconcile's, like any other.
    return (await this.decideAndAct({ ...(await this.observe(job)), launchRejected: decision.rejected }, log)).decision;
  }

  private async decideAndAct(observed: Observed, log: Logger): Promise<{ decision: Decision; rejected?: { message: string } }> {
    const decision = reconcile(observed, this.deps.options);
    if (decision.actions.length) log.debug({ actions: decision.actions.map((a) => a.type) }, "reconcile decided");
    const outcome = await execute(observed.job, decision, { ...this.deps, ...this.limits, cluster: this.cluster, now: () => this.deps.clock.now() }, log);
    if (outcome.claimed) this.admitted(observed);
    if (outcome.released) this.wakeHeads();
    return outcome.launchRejected ? { decision, rejected: outcome.launchRejected } : { decision };
  }

  /** Metrics of an admission: how long the job waited, by owner class. */
  private admitted(o: Observed): void {
    const m = this.deps.metrics;
    if (!m) return;
    const owner_class = ownerClass(ownerKey(o.job));
    // Waiting since its creation, or, for a retry, since its backoff ended.
    const since = (o.job.status?.attempts ?? 0) > 0 ? retryAt(o.job, this.deps.options) : toMillis(o.job.metadata?.creationTimestamp);
    m.admitted.inc({ owner_class });
    if (since !== undefined) m.admissionWait.observe({ owner_class }, Math.max(0, o.now - since) / 1000);
  }

  /** Everything the decision looks at, read through the ports as observationPlan() says. */
  private async observe(job: JobObject): Promise<Observed> {
    const d = this.deps;
    const uid = job.metadata?.uid ?? "";
    const now = d.clock.now();
    // A job without a status phase was never written by us: its record, if a crashed pass left one, holds the
    // same initial phase, so the decision's idempotent ensureRecord insert stands in for a lookup. That lookup
    // would miss, and on FerretDB 1.x a miss scans the whole collection (~100 ms at 10,000 records).
    const seq = ++this.slotReads;
    const [record, holders] = await Promise.all([job.status?.phase === undefined ? undefined : d.store.get(uid), d.slots.holders()]);
    d.metrics?.slotsInUse.set(holders.length);
    if (uid) this.ownersByUid.set(uid, ownerKey(job));
    const { held, running } = this.slotsRead(holders, now, seq);
    // What we read may be newer than what the informer has delivered so far.
    this.admission.update(job);
    const holdsSlot = held.has(uid);
    const place = this.admission.place(uid, held, now, running);
    const plan = observationPlan(job, holdsSlot, d.options.finalizer);
    const ref = job.status?.taskRef;
    let task: TaskState | undefined;
    if (ref && plan.task) task = ref.launcher === d.launcher.kind ? (await d.launcher.describe([ref.id]))[0] : { id: ref.id, state: "Missing" };
    const [found] = await this.findLaunched(uid, plan.untrackedAttempts);
    const untracked = found ? (await d.launcher.describe([found.id]))[0] : undefined;
    // The result is read even while the task still runs: it is the task's last act, so it ends the attempt.
    const [progress, result] = await Promise.all([
      ref && plan.progress && isActive(task) ? d.progress.progress(uid) : undefined,
      ref && plan.result ? d.progress.result(uid, ref.attempt) : undefined,
    ]);
    return {
      job,
      now,
      recordPhase: record?.phase,
      holdsSlot,
      freeSlots: Math.max(0, d.slots.capacity - holders.length),
      slotTable: holders,
      rank: place && "rank" in place ? place.rank : undefined,
      ownerLimit: place && "ownerLimit" in place ? place.ownerLimit : undefined,
      task,
      untracked,
      progress,
      result,
    };
  }
}
