import type { JobObject } from "../ports/index.js";
import { retryAt, toMillis } from "./admission.js";
import type { ReconcileOptions } from "./types.js";

interface Entry {
  uid: string;
  key: string;
  priority: number;
  created: number;
  /** When a retry backoff ends; undefined when the job is not backing off. */
  retryAt: number | undefined;
}

/** The admission order: higher priority first, then earlier creation (FIFO), then namespace/name. */
function compare(a: Entry, b: Entry): number {
  return b.priority - a.priority || a.created - b.created || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

/** Could the job take a queue place at some point without changing: Pending/Queued, not suspended, not deleting. */
function isCandidate(job: JobObject): boolean {
  const phase = job.status?.phase ?? "Pending";
  return (phase === "Pending" || phase === "Queued") && job.spec.suspend !== true && !job.metadata?.deletionTimestamp;
}

/**
 * The admission order kept up to date from the informer's events, so that a reconcile finds its job's rank with a
 * binary search instead of sorting the whole queue (with 10,000 Queued jobs, sorting on every reconcile made
 * admission quadratic). Same order and same notion of "waiting" as admissionOrder(); a property test holds the
 * two equal. Slot holders and jobs in a retry backoff stay in the sorted array and are skipped when counting:
 * there are at most `capacity` holders and backoffs are rare.
 */
export class AdmissionQueue {
  private readonly sorted: Entry[] = [];
  private readonly byUid = new Map<string, Entry>();
  private readonly backingOff = new Map<string, Entry>();

  constructor(private readonly opts: Pick<ReconcileOptions, "backoffBaseMs" | "backoffMaxMs">) {}

  /** Candidates tracked (waiting, holding a slot or backing off). */
  get size(): number {
    return this.sorted.length;
  }

  /** Adds, moves or removes the job according to its current state. */
  update(job: JobObject): void {
    const uid = job.metadata?.uid;
    if (!uid) return;
    const old = this.byUid.get(uid);
    if (!isCandidate(job)) {
      if (old) this.remove(old);
      return;
    }
    const next: Entry = {
      uid,
      key: `${job.metadata?.namespace ?? ""}/${job.metadata?.name ?? ""}`,
      priority: job.spec.priority ?? 0,
      created: toMillis(job.metadata?.creationTimestamp) ?? 0,
      retryAt: retryAt(job, this.opts),
    };
    if (old && compare(old, next) === 0 && old.retryAt === next.retryAt) return;
    if (old) this.remove(old);
    this.sorted.splice(this.lowerBound(next), 0, next);
    this.byUid.set(uid, next);
    if (next.retryAt !== undefined) this.backingOff.set(uid, next);
  }

  delete(uid: string): void {
    const old = this.byUid.get(uid);
    if (old) this.remove(old);
  }

  /** 0-based place among the jobs waiting at `now`; undefined when the job is not waiting (holder, backoff, gone). */
  rank(uid: string, holders: ReadonlySet<string>, now: number): number | undefined {
    const e = this.byUid.get(uid);
    if (!e || !this.waiting(e, holders, now)) return undefined;
    let skipped = 0;
    for (const h of holders) {
      const x = this.byUid.get(h);
      if (x && compare(x, e) < 0) skipped++;
    }
    for (const x of this.backingOff.values()) {
      if (!holders.has(x.uid) && !this.waiting(x, holders, now) && compare(x, e) < 0) skipped++;
    }
    return this.lowerBound(e) - skipped;
  }

  /** The keys (namespace/name) of the first `n` jobs waiting at `now`, head first. */
  heads(n: number, holders: ReadonlySet<string>, now: number): string[] {
    const out: string[] = [];
    for (const e of this.sorted) {
      if (out.length >= n) break;
      if (this.waiting(e, holders, now)) out.push(e.key);
    }
    return out;
  }

  private waiting(e: Entry, holders: ReadonlySet<string>, now: number): boolean {
    return !holders.has(e.uid) && (e.retryAt === undefined || e.retryAt <= now);
  }

  private remove(e: Entry): void {
    this.sorted.splice(this.lowerBound(e), 1);
    this.byUid.delete(e.uid);
    this.backingOff.delete(e.uid);
  }

  /** Index of the first entry not before `e` (its own index when present: keys are unique). */
  private lowerBound(e: Entry): number {
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compare(this.sorted[mid]!, e) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
