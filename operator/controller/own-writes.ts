import type { JobCluster, JobObject } from "../ports/index.js";

function keyOf(job: JobObject): string {
  return `${job.metadata?.namespace ?? ""}/${job.metadata?.name ?? ""}`;
}

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

  /** `onWrite` sees every object a write returned (the controller keeps its indexes current with it). */
  constructor(private readonly onWrite: (job: JobObject) => void = () => undefined) {}

  /** Remembers an object a write returned. */
  record(job: JobObject | undefined): void {
    if (!job?.metadata?.name) return;
    this.latest.set(keyOf(job), job);
    this.onWrite(job);
  }

  forget(key: string): void {
    this.latest.delete(key);
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
