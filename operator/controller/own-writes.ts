import { keyOf, withoutManagedFields } from "../kube/index.js";
import type { JobCluster, JobObject } from "../ports/index.js";

/** resourceVersions are etcd revisions in every apiserver we know; anything else is not compared. */
function revision(job: JobObject | undefined): bigint | undefined {
  const rv = job?.metadata?.resourceVersion;
  return rv !== undefined && /^[0-9]{1,19}$/.test(rv) ? BigInt(rv) : undefined;
}

/**
 * Lets a reconcile read its job from the informer cache, yet never see a state older than this operator's own
 * last write (client-go's MutationCache does the same). Our writes return the object they produced; until the
 * watch delivers that resourceVersion or a newer one, the returned object is the freshest we know. A GET is only
 * needed when the two cannot be ordered.
 */
export class OwnWrites {
  private readonly latest = new Map<string, JobObject>();
  /** Revisions our writes produced that the watch has not delivered yet, per key, oldest first. */
  private readonly undelivered = new Map<string, bigint[]>();

  /**
   * `onWrite` sees every object a write returned that the cache has not caught up with yet (the controller keeps
   * its indexes current with it); `cached` reads the informer cache.
   */
  constructor(
    private readonly onWrite: (job: JobObject) => void = () => undefined,
    private readonly cached: (key: string) => JobObject | undefined = () => undefined,
  ) {}

  /** Remembers an object a write returned. */
  record(job: JobObject | undefined): void {
    if (!job?.metadata?.name) return;
    const key = keyOf(job);
    const r = revision(job);
    const c = revision(this.cached(key));
    // The watch often delivers a write before its response arrives: then there is nothing to remember.
    if (r !== undefined && c !== undefined && c >= r) return;
    this.latest.set(key, withoutManagedFields(job));
    if (r !== undefined) this.undelivered.set(key, [...(this.undelivered.get(key) ?? []), r]);
    this.onWrite(job);
  }

  forget(key: string): void {
    this.latest.delete(key);
    this.undelivered.delete(key);
  }

  /**
   * The watch delivered `job`: our writes it supersedes are forgotten (the cache is as fresh as they are now).
   * True when it is exactly one of our writes: the reconcile that wrote it already decided on that state (and
   * booked its own requeue), so this echo is not news.
   */
  delivered(job: JobObject): boolean {
    const key = keyOf(job);
    const r = revision(job);
    if (r === undefined) return false;
    const own = revision(this.latest.get(key));
    if (own !== undefined && r >= own) this.latest.delete(key);
    const pending = this.undelivered.get(key);
    if (!pending) return false;
    // The watch delivers a key's revisions in order: ours up to this one will not come any more.
    const later = pending.filter((x) => x > r);
    if (later.length) this.undelivered.set(key, later);
    else this.undelivered.delete(key);
    return pending.includes(r);
  }

  /**
   * The freshest of the cached object and our own last write of `key`. `undefined` means "cannot tell": the
   * caller asks the apiserver.
   */
  pick(key: string, cached: JobObject | undefined): { job: JobObject | undefined } | undefined {
    const own = this.latest.get(key);
    if (!own) return { job: cached };
    const a = revision(own);
    const b = revision(cached);
    if (a === undefined || (cached && b === undefined)) return undefined;
    if (cached && b! >= a) {
      this.latest.delete(key); // the watch has caught up with our write
      return { job: cached };
    }
    // Not in the cache (yet, or any more): only our write says it exists. Ask, rather than resurrect a deleted job.
    if (!cached) return undefined;
    return { job: own };
  }

  /** The same cluster, remembering what its writes return. */
  wrap<T extends JobObject>(cluster: JobCluster<T>): JobCluster<T> {
    const remember = async (p: Promise<T | undefined>): Promise<T | undefined> => {
      const out = await p;
      this.record(out);
      return out;
    };
    return {
      get: (ns, name) => cluster.get(ns, name),
      patchStatus: (ns, name, status) => remember(cluster.patchStatus(ns, name, status)),
      addFinalizer: (ns, name, f) => remember(cluster.addFinalizer(ns, name, f)),
      removeFinalizer: (ns, name, f) => remember(cluster.removeFinalizer(ns, name, f)),
      emitEvent: (job, event) => cluster.emitEvent(job, event),
    };
  }
}
