import type { KubeConfig } from "@kubernetes/client-node";
import type { Redis } from "ioredis";
import type { Db } from "mongodb";
import type { Registry } from "prom-client";
import { FINALIZER, OWNER_LABEL, type TranscodeJob } from "../../crds/index.js";
import { systemClock } from "../../lib/clock.js";
import type { Logger } from "../../lib/log.js";
import { MongoJobStore, MongoSlots, type FencedError } from "../../lib/store/index.js";
import { Controller, operatorMetrics, taskEnvFor, type AdmissionSettings, type TaskEnvSettings } from "../controller/index.js";
import { createTranscodeJobInformer, type Informer, type InformerOptions } from "../../lib/kube/index.js";
import { createTranscodeJobCluster, createWorkQueue } from "../kube/index.js";
import type { TaskLauncher } from "../ports/index.js";
import { RedisProgressReader, ResultNotices } from "../progress/index.js";
import { ownerKeyOf, usageIntervals, type ReconcileOptions } from "../reconcile/index.js";

export interface OperatorOptions {
  kubeConfig: KubeConfig;
  /** Watch one namespace; all when absent. */
  namespace?: string | undefined;
  db: Db;
  redis: Redis;
  launcher: TaskLauncher;
  /** Cluster-wide cap on concurrent tasks. */
  capacity: number;
  workers: number;
  /** Admission policy and fair share; fair with a 1 h half-life and no owner limits when absent. */
  admission?: AdmissionSettings | undefined;
  reconcile: Omit<ReconcileOptions, "finalizer">;
  taskEnv: TaskEnvSettings;
  /** The leader's lease epoch (fencing token); undefined while not leading. */
  epoch: () => number | undefined;
  registry: Registry;
  log: Logger;
  informer?: Partial<Pick<InformerOptions, "resyncPeriodMs" | "idleTimeoutMs" | "staleAfterMs" | "watchTimeoutSeconds">>;
  /** Collection names, so test suites can share one database. */
  collections?: { jobs?: string; slots?: string; fencing?: string };
  onFenced?: (err: FencedError) => void;
  /** Pod name for Events. */
  instance?: string;
  /** How often slots of vanished jobs are looked for, and how old a claim must be to count (30 s / 60 s). */
  orphanSweep?: { everyMs: number; graceMs: number };
}

/** The operator's runtime: informer -> workqueue -> controller, over the real adapters. */
export class Operator {
  readonly informer: Informer<TranscodeJob>;
  readonly controller: Controller;
  readonly store: MongoJobStore;
  readonly slots: MongoSlots;
  private readonly notices: ResultNotices;
  private sweeper: NodeJS.Timeout | undefined;
  private state: "new" | "started" | "stopped" = "new";

  private readonly admission: AdmissionSettings;

  constructor(private readonly o: OperatorOptions) {
    this.admission = o.admission ?? { policy: { kind: "fair" }, halfLifeMs: 3600_000, topOwners: 10 };
    this.store = new MongoJobStore(o.db, o.collections?.jobs);
    this.slots = new MongoSlots(o.db, o.capacity, { slots: o.collections?.slots, fencing: o.collections?.fencing });
    this.informer = createTranscodeJobInformer({
      kubeConfig: o.kubeConfig,
      ...(o.namespace ? { namespace: o.namespace } : {}),
      registry: o.registry,
      logger: o.log.child({ component: "informer" }),
      ...o.informer,
    });
    const cluster = createTranscodeJobCluster(o.kubeConfig, { component: "transcode-operator", ...(o.instance ? { instance: o.instance } : {}) });
    const queue = createWorkQueue({ name: "transcodejobs", registry: o.registry });
    const informer = this.informer;
    this.controller = new Controller({
      queue,
      cluster,
      lister: { get: (key) => informer.get(key) },
      store: this.store,
      slots: this.slots,
      launcher: o.launcher,
      progress: new RedisProgressReader(o.redis),
      clock: systemClock,
      log: o.log,
      admission: this.admission,
      metrics: operatorMetrics(o.registry, {
        topOwners: () => this.controller.topOwners(),
        phases: () => {
          const m = new Map<string, number>();
          for (const j of informer.list()) m.set(j.status?.phase ?? "Pending", (m.get(j.status?.phase ?? "Pending") ?? 0) + 1);
          return m;
        },
      }),
      options: { ...o.reconcile, finalizer: FINALIZER, workers: o.workers },
      epoch: o.epoch,
      taskEnv: (job, attempt) => taskEnvFor(job, attempt, o.taskEnv),
      ownerLabel: OWNER_LABEL,
      ...(o.onFenced ? { onFenced: o.onFenced } : {}),
      namespace: o.namespace,
    });
    const changed = (j: TranscodeJob, old?: TranscodeJob) => this.controller.jobChanged(j, old);
    this.informer.on("add", changed);
    this.informer.on("update", changed);
    this.informer.on("delete", (j) => this.controller.jobDeleted(j));
    this.notices = new ResultNotices(o.redis, (uid) => this.controller.resultAnnounced(uid), o.log.child({ component: "result-notices" }));
  }

  /** Indexes, slot table, first list, then the workers. Starting twice is an error. */
  async start(): Promise<void> {
    if (this.state !== "new") throw new Error(`operator cannot start: it is ${this.state}`);
    this.state = "started";
    await this.store.ensureIndexes();
    await this.slots.init();
    await this.seedUsage();
    // Enter the new epoch before the first reconcile: an older leader's next claim or launch is fenced off now.
    const epoch = this.o.epoch();
    if (epoch !== undefined) await this.slots.enter(epoch);
    this.notices.start();
    await this.informer.start();
    this.controller.start();
    this.controller.wakeHeads();
    const sweep = this.o.orphanSweep ?? { everyMs: 30_000, graceMs: 60_000 };
    let sweeping = false;
    this.sweeper = setInterval(() => {
      if (sweeping) return;
      sweeping = true;
      this.controller
        .sweepOrphans(sweep.graceMs)
        .catch((err: unknown) => this.o.log.warn({ err: (err as Error).message }, "orphaned slot sweep failed; next time"))
        .finally(() => (sweeping = false));
    }, sweep.everyMs);
    this.sweeper.unref();
    this.o.log.info({ capacity: this.o.capacity, workers: this.o.workers, namespace: this.o.namespace ?? "*" }, "operator started");
  }

  /**
   * The fair share's memory across failover: each owner's slot time over the last ten half-lives (beyond that it
   * weighs under 0.1%), re-derived from the job records' phase histories in MongoDB, which every leader writes.
   * The slots held now come from the slot table on every reconcile.
   */
  private async seedUsage(): Promise<void> {
    const h = this.admission.halfLifeMs;
    if (this.admission.policy.kind !== "fair" || h === 0) return;
    const records = await this.store.changedSince(new Date(Date.now() - 10 * h));
    this.controller.seedUsage(records.flatMap((r) => usageIntervals(r.phaseHistory).map((i) => ({ owner: ownerKeyOf(r.namespace, r.owner), ...i }))));
    this.o.log.info({ records: records.length }, "fair share: owners' recent usage read from the job records");
  }

  /** Ready when the watch is alive (the informer's watchdog turns this false on a stale watch). */
  ready(): boolean {
    return this.state === "started" && this.informer.healthy();
  }

  /** Stops the workers (in-flight reconciles finish) and the watch. Idempotent. */
  async stop(): Promise<void> {
    if (this.state === "stopped") return;
    const wasStarted = this.state === "started";
    this.state = "stopped";
    if (!wasStarted) return;
    clearInterval(this.sweeper);
    const errors: unknown[] = [];
    await this.controller.stop().catch((e: unknown) => errors.push(e));
    await this.informer.stop().catch((e: unknown) => errors.push(e));
    this.notices.stop();
    if (errors.length) throw new AggregateError(errors, "operator stop had failures");
  }
}
