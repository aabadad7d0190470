import { keyOf, revisionOf, withoutManagedFields, type KubeObject, type ObjectKey } from "./objects.js";

export interface OwnWritesOptions<T extends KubeObject> {
  /** Sees every object a write returned that the cache has not caught up with yet (keep derived indexes current with it). */
  onWrite?: (obj: T) => void;
  /** Reads the informer cache. */
  cached?: (key: ObjectKey) => T | undefined;
  /**
   * The resourceVersion the watch has delivered everything up to (the informer's `resourceVersion`). With it, a
   * write whose object is not in the cache is served until the watch has passed the write's revision (after that,
   * an object missing from the cache was deleted since). Without it such a write is "cannot tell": ask the apiserver.
   */
  watermark?: () => string | undefined;
}

interface Write<T> {
  obj: T;
  /** A delete of ours: the object is gone as of this revision. */
  deleted: boolean;
}

/**
 * Lets a process read objects from its informer cache, yet never see a state older than its own last write
 * (client-go's MutationCache does the same). Writes return the object they produced (a delete, the object at its
 * deletion revision); until the watch delivers that resourceVersion or a newer one, the write is the freshest we
 * know. The operator reads its jobs through it before every reconcile; the API reads the jobs it created or
 * cancelled back at once.
 */
export class OwnWrites<T extends KubeObject> {
  private readonly latest = new Map<ObjectKey, Write<T>>();
  /** Revisions our writes produced that the watch has not delivered yet, per key, oldest first. */
  private readonly undelivered = new Map<ObjectKey, bigint[]>();

  constructor(private readonly options: OwnWritesOptions<T> = {}) {}

  /** Remembers an object a write returned. */
  record(obj: T | undefined): void {
    if (!this.remember(obj, false)) return;
    const r = revisionOf(obj);
    const key = keyOf(obj!);
    if (r !== undefined) this.undelivered.set(key, [...(this.undelivered.get(key) ?? []), r]);
    this.options.onWrite?.(obj!);
  }

  /**
   * Remembers that a delete of ours removed `obj`: what the DELETE returned, the object at its deletion revision or
   * (a Status, as the apiserver answers for custom resources deleted at once) only its name and uid. Until the watch
   * delivers the deletion, that object reads as gone.
   */
  recordDeleted(obj: T | undefined): void {
    if (revisionOf(obj) === undefined) {
      // Without a revision the uid tells the deleted object from a later one of the same name.
      const cached = obj?.metadata?.name ? this.options.cached?.(keyOf(obj)) : undefined;
      if (!obj?.metadata?.uid || cached?.metadata?.uid !== obj.metadata.uid) return; // the watch already delivered it
      this.latest.set(keyOf(obj), { obj, deleted: true });
      return;
    }
    this.remember(obj, true);
  }

  private remember(obj: T | undefined, deleted: boolean): boolean {
    if (!obj?.metadata?.name) return false;
    const key = keyOf(obj);
    const r = revisionOf(obj);
    const c = revisionOf(this.options.cached?.(key));
    // The watch often delivers a write before its response arrives: then there is nothing to remember.
    if (r !== undefined && c !== undefined && c >= r) return false;
    this.latest.set(key, { obj: withoutManagedFields(obj), deleted });
    return true;
  }

  forget(key: ObjectKey): void {
    this.latest.delete(key);
    this.undelivered.delete(key);
  }

  /**
   * The watch delivered `obj` (added, modified, or `deleted`): our writes it supersedes are forgotten (the cache is as
   * fresh as they are now). True when it is exactly one of our writes: the reconcile that wrote it already decided
   * on that state (and booked its own requeue), so this echo is not news.
   */
  delivered(obj: T, deleted = false): boolean {
    const key = keyOf(obj);
    const write = this.latest.get(key);
    if (deleted && write?.deleted && revisionOf(write.obj) === undefined && write.obj.metadata?.uid === obj.metadata?.uid) this.latest.delete(key);
    const r = revisionOf(obj);
    if (r === undefined) return false;
    const own = revisionOf(write?.obj);
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
   * The freshest of the cached object and our own last write of `key` (`object` undefined: it does not exist).
   * `undefined` means "cannot tell": the caller asks the apiserver.
   */
  pick(key: ObjectKey, cached: T | undefined): { object: T | undefined } | undefined {
    const own = this.latest.get(key);
    if (!own) return { object: cached };
    const a = revisionOf(own.obj);
    if (own.deleted && a === undefined) {
      // A delete known by uid: the cached object is the one we deleted (the watch lags), or a newer one.
      if (!cached || cached.metadata?.uid === own.obj.metadata?.uid) return { object: undefined };
      this.latest.delete(key);
      return { object: cached };
    }
    const b = revisionOf(cached);
    if (a === undefined || (cached && b === undefined)) return undefined;
    if (cached && b! >= a) {
      this.latest.delete(key); // the watch has caught up with our write
      return { object: cached };
    }
    if (cached) return { object: own.deleted ? undefined : own.obj };
    // Not in the cache (yet, or any more).
    if (!this.options.watermark) return own.deleted ? { object: undefined } : undefined;
    const w = revisionOf({ metadata: { resourceVersion: this.options.watermark() } });
    if (w !== undefined && w >= a) {
      // The watch has passed our write and the object is not cached: it was deleted since (or by our delete).
      this.forget(key);
      return { object: undefined };
    }
    return { object: own.deleted ? undefined : own.obj };
  }

  /** Objects our writes created or changed that the cache has not caught up with (deletes excluded). */
  pending(): T[] {
    const out: T[] = [];
    for (const w of this.latest.values()) if (!w.deleted) out.push(w.obj);
    return out;
  }
}
