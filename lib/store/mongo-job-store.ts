import { MongoServerError, type Collection, type Db, type Filter } from "mongodb";
import type { JobQuery, JobRecord, JobStore, NewJobRecord, PhaseUpdate, StoredTaskRef } from "./types.js";

/** One document per TranscodeJob uid in `jobs`; it outlives the CR. Single-document updates only. */
export class MongoJobStore implements JobStore {
  private readonly jobs: Collection<JobRecord>;

  constructor(db: Db, collection = "jobs") {
    this.jobs = db.collection<JobRecord>(collection);
  }

  /** Indexes for the API's listings (by owner, by namespace/name, by phase); created at start-up, idempotent. */
  async ensureIndexes(): Promise<void> {
    await this.jobs.createIndex({ owner: 1, createdAt: -1 }, { name: "owner_createdAt" });
    await this.jobs.createIndex({ namespace: 1, name: 1 }, { name: "namespace_name" });
    await this.jobs.createIndex({ phase: 1, createdAt: -1 }, { name: "phase_createdAt" });
    await this.jobs.createIndex({ updatedAt: -1 }, { name: "updatedAt" });
  }

  /**
   * An insert, not an upsert: on FerretDB 1.x (SQLite) an update costs a scan of the collection (32 ms at 10,000
   * records against 1 ms for an insert), and every new job passes here.
   */
  async ensure(job: NewJobRecord): Promise<void> {
    const now = new Date();
    const phase = job.phase ?? "Pending";
    const history = [{ phase: "Pending", at: job.createdAt }, ...(phase !== "Pending" ? [{ phase, at: job.at ?? now }] : [])];
    try {
      await this.jobs.insertOne({
        _id: job.uid,
        uid: job.uid,
        namespace: job.namespace,
        name: job.name,
        owner: job.owner ?? null,
        spec: job.spec,
        phase,
        phaseHistory: history,
        attempts: 0,
        taskRefs: [],
        createdAt: job.createdAt,
        updatedAt: now,
      });
    } catch (err) {
      // It exists already (a retried pass, or a racing one).
      if (!(err instanceof MongoServerError && err.code === 11000)) throw err;
    }
  }

  async recordPhase(uid: string, u: PhaseUpdate): Promise<void> {
    const set: Partial<JobRecord> = { phase: u.phase, updatedAt: u.at };
    const unset: Record<string, ""> = {};
    if (u.attempts !== undefined) set.attempts = u.attempts;
    if (u.outputs !== undefined) set.outputs = u.outputs;
    if (u.reason !== undefined) set.reason = u.reason;
    else unset.reason = "";
    if (u.message !== undefined) set.message = u.message;
    else unset.message = "";
    const entry = { phase: u.phase, at: u.at, ...(u.reason !== undefined ? { reason: u.reason } : {}), ...(u.message !== undefined ? { message: u.message } : {}) };
    await this.jobs.updateOne(
      { _id: uid, phase: { $ne: u.phase } },
      { $set: set, $push: { phaseHistory: entry }, ...(Object.keys(unset).length ? { $unset: unset } : {}) },
    );
  }

  async addTaskRef(uid: string, ref: StoredTaskRef): Promise<void> {
    const doc = await this.jobs.findOne({ _id: uid });
    // The workqueue never hands one key to two workers, so read-then-append cannot race for one job.
    if (!doc || (doc.taskRefs ?? []).some((r) => r.id === ref.id)) return;
    await this.jobs.updateOne({ _id: uid }, { $push: { taskRefs: ref }, $set: { updatedAt: new Date() } });
  }

  async markDeleted(uid: string, at: Date): Promise<void> {
    await this.jobs.updateOne({ _id: uid, deletedAt: { $exists: false } }, { $set: { deletedAt: at, updatedAt: at } });
  }

  /**
   * Records changed at or after `since` (namespace, owner, phase history only): what the operator's fair share
   * re-derives each owner's recent slot time from when it starts leading.
   */
  async changedSince(since: Date): Promise<Pick<JobRecord, "namespace" | "owner" | "phaseHistory">[]> {
    return this.jobs.find({ updatedAt: { $gte: since } }, { projection: { _id: 0, namespace: 1, owner: 1, phaseHistory: 1 } }).toArray();
  }

  async get(uid: string): Promise<JobRecord | undefined> {
    return (await this.jobs.findOne({ _id: uid })) ?? undefined;
  }

  async list(query: JobQuery = {}): Promise<JobRecord[]> {
    const filter: Filter<JobRecord> = {};
    if (query.owner !== undefined) filter.owner = query.owner;
    if (query.namespace !== undefined) filter.namespace = query.namespace;
    if (query.name !== undefined) filter.name = query.name;
    if (query.phase !== undefined) filter.phase = query.phase;
    if (query.before !== undefined) filter.createdAt = { $lt: query.before };
    const limit = Math.min(Math.max(query.limit ?? 50, 1), 500);
    return this.jobs.find(filter).sort({ createdAt: -1, _id: -1 }).limit(limit).toArray();
  }
}
