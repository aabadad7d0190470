import { CustomObjectsApi, Watch } from "@kubernetes/client-node";
import { pino } from "pino";
import type { Logger } from "../log.js";
import { jitteredBackoffMs } from "./backoff.js";
import { statusOf } from "./errors.js";
import { informerMetrics, type InformerMetrics } from "./informer-metrics.js";
import type { Informer, InformerEvent, InformerHandler, InformerOptions } from "./informer-types.js";
import { keyOf, withoutManagedFields, type KubeObject, type ObjectKey } from "./objects.js";

type Outcome = "closed" | "gone" | "error" | "idle" | "stopped";
interface WatchResult {
  outcome: Outcome;
  err?: unknown;
  /** The connection was established and either delivered something or lasted a while. */
  productive: boolean;
}

const LIST_PAGE = 500;

/** A normal server-side close after at least this long resets the reconnect backoff. */
const PRODUCTIVE_MS = 1000;

/**
 * A robust list+watch cache. One loop: list (on start and after 410 Gone), then watch from the list's
 * resourceVersion with bookmarks, forever; every disconnect reconnects from the last seen resourceVersion
 * (jittered backoff after failures); a watchdog aborts a watch that has gone quiet, because a Node watch can
 * stop delivering without ever closing.
 */
export class ListWatchInformer<T extends KubeObject> implements Informer<T> {
  private readonly opts: Required<Omit<InformerOptions, "namespace" | "labelSelector" | "registry" | "logger">> & InformerOptions;
  private readonly api: CustomObjectsApi;
  private readonly log: Logger;
  private readonly metrics: InformerMetrics | undefined;
  private readonly cache = new Map<ObjectKey, T>();
  private readonly handlers: Record<InformerEvent, Set<InformerHandler<T>>> = { add: new Set(), update: new Set(), delete: new Set() };
  private rv: string | undefined;
  private synced = false;
  private started = false;
  private stopped = false;
  private lastContact = 0;
  private loopDone: Promise<void> | undefined;
  private abortWatch: ((outcome: Outcome) => void) | undefined;
  private wake: (() => void) | undefined;
  private timers: NodeJS.Timeout[] = [];
  private firstSync: { promise: Promise<void>; resolve: () => void };

  constructor(options: InformerOptions) {
    const idle = options.idleTimeoutMs ?? 90_000;
    this.opts = {
      ...options,
      // `??` rather than spread defaults: an explicit `undefined` option must still get its default.
      resyncPeriodMs: options.resyncPeriodMs ?? 10 * 60_000,
      watchTimeoutSeconds: options.watchTimeoutSeconds ?? 300,
      backoffInitialMs: options.backoffInitialMs ?? 250,
      backoffMaxMs: options.backoffMaxMs ?? 30_000,
      name: options.name ?? options.plural,
      idleTimeoutMs: idle,
      staleAfterMs: options.staleAfterMs ?? 2 * idle,
      listPageSize: options.listPageSize ?? LIST_PAGE,
    };
    if (!(this.opts.watchTimeoutSeconds >= 1) || !(idle > 0)) throw new RangeError("informer needs watchTimeoutSeconds >= 1 and idleTimeoutMs > 0");
    this.api = options.kubeConfig.makeApiClient(CustomObjectsApi);
    this.log = (options.logger ?? pino({ enabled: false })).child({ informer: this.opts.name });
    this.metrics = options.registry ? informerMetrics(options.registry) : undefined;
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    this.firstSync = { promise, resolve };
  }

  get resourceVersion(): string | undefined {
    return this.rv;
  }

  on(event: InformerEvent, handler: InformerHandler<T>): void {
    this.handlers[event].add(handler);
  }
  off(event: InformerEvent, handler: InformerHandler<T>): void {
    this.handlers[event].delete(handler);
  }
  get(key: ObjectKey): T | undefined {
    return this.cache.get(key);
  }
  list(): T[] {
    return [...this.cache.values()];
  }
  hasSynced(): boolean {
    return this.synced;
  }
  healthy(): boolean {
    return this.synced && !this.stopped && Date.now() - this.lastContact <= this.opts.staleAfterMs;
  }

  async start(): Promise<void> {
    if (this.started) throw new Error(`informer ${this.opts.name} already started`);
    this.started = true;
    this.loopDone = this.loop();
    const every = Math.max(10, Math.min(5000, Math.floor(this.opts.idleTimeoutMs / 3)));
    this.timers.push(setInterval(() => this.watchdog(), every).unref());
    if (this.opts.resyncPeriodMs > 0) this.timers.push(setInterval(() => this.resync(), this.opts.resyncPeriodMs).unref());
    await this.firstSync.promise;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.abortWatch?.("stopped");
    this.wake?.();
    this.firstSync.resolve();
    await this.loopDone;
  }

  private async loop(): Promise<void> {
    let failures = 0;
    let needList = true;
    while (!this.stopped) {
      if (needList) {
        try {
          await this.relist();
          needList = false;
          failures = 0;
        } catch (err) {
          this.log.warn({ err: describe(err) }, "list failed; retrying");
          this.metrics?.restarts.inc({ name: this.opts.name, reason: "list_error" });
          await this.sleep(jitteredBackoffMs(failures++, this.opts.backoffInitialMs, this.opts.backoffMaxMs));
          continue;
        }
      }
      const result = await this.watchOnce();
      if (this.stopped) break;
      this.metrics?.restarts.inc({ name: this.opts.name, reason: result.outcome });
      if (result.outcome === "gone") {
        this.log.info({ resourceVersion: this.rv }, "watch expired (410 Gone); relisting");
        needList = true;
        continue;
      }
      if (result.productive) failures = 0;
      if (result.outcome === "closed" && result.productive) {
        this.log.debug({ resourceVersion: this.rv }, "watch closed by server; resuming");
        continue;
      }
      const delay = jitteredBackoffMs(failures++, this.opts.backoffInitialMs, this.opts.backoffMaxMs);
      this.log.warn({ outcome: result.outcome, err: describe(result.err), delayMs: delay }, "watch ended; reconnecting");
      await this.sleep(delay);
    }
  }

  private path(): string {
    const base = `/apis/${this.opts.group}/${this.opts.version}`;
    return this.opts.namespace ? `${base}/namespaces/${this.opts.namespace}/${this.opts.plural}` : `${base}/${this.opts.plural}`;
  }

  private async listPage(cont: string | undefined): Promise<{ items: T[]; metadata?: { resourceVersion?: string; continue?: string } }> {
    const common = {
      group: this.opts.group,
      version: this.opts.version,
      plural: this.opts.plural,
      labelSelector: this.opts.labelSelector,
      limit: this.opts.listPageSize,
      _continue: cont,
    };
    const res: unknown = this.opts.namespace
      ? await this.api.listNamespacedCustomObject({ ...common, namespace: this.opts.namespace })
      : await this.api.listClusterCustomObject(common);
    return res as { items: T[]; metadata?: { resourceVersion?: string; continue?: string } };
  }

  /** Full list, then reconcile the cache against it: add/update for what changed, delete for what vanished. */
  private async relist(): Promise<void> {
    const fresh = new Map<ObjectKey, T>();
    let cont: string | undefined;
    let rv: string | undefined;
    do {
      const page = await this.listPage(cont);
      for (const item of page.items) fresh.set(keyOf(item), withoutManagedFields(item));
      // Custom objects come back as raw JSON: the token is `continue`, not client-node's typed `_continue`.
      cont = page.metadata?.continue || undefined;
      rv = page.metadata?.resourceVersion;
    } while (cont && !this.stopped);
    if (this.stopped) return;
    this.metrics?.relists.inc({ name: this.opts.name });
    this.touch();
    for (const [key, old] of this.cache) {
      if (!fresh.has(key)) {
        this.cache.delete(key);
        this.emit("delete", old);
      }
    }
    for (const [key, obj] of fresh) {
      const old = this.cache.get(key);
      this.cache.set(key, obj);
      if (!old) this.emit("add", obj);
      else if (old.metadata?.resourceVersion !== obj.metadata?.resourceVersion) this.emit("update", obj, old);
    }
    this.rv = rv;
    if (!this.synced) {
      this.synced = true;
      this.firstSync.resolve();
    }
    this.log.debug({ count: fresh.size, resourceVersion: rv }, "listed");
  }

  private watchOnce(): Promise<WatchResult> {
    return new Promise<WatchResult>((resolve) => {
      const watch = new Watch(this.opts.kubeConfig);
      // client-node's own inactivity timer (30 s by default) would cut idle-but-healthy watches between bookmarks;
      // the field is private in its typings but read on every request (dist/watch.js, 2.0.1).
      (watch as unknown as { requestTimeoutMs: number }).requestTimeoutMs = this.opts.idleTimeoutMs;
      const t = this.opts.watchTimeoutSeconds;
      const query = {
        resourceVersion: this.rv,
        allowWatchBookmarks: true,
        timeoutSeconds: t + Math.floor(Math.random() * t),
        labelSelector: this.opts.labelSelector,
      };
      const startedAt = Date.now();
      let received = 0;
      let connected = false;
      let settled = false;
      let controller: AbortController | undefined;
      const finish = (outcome: Outcome, err?: unknown): void => {
        if (settled) return;
        settled = true;
        this.abortWatch = undefined;
        controller?.abort();
        resolve({ outcome, err, productive: connected && (received > 0 || Date.now() - startedAt >= PRODUCTIVE_MS) });
      };
      this.abortWatch = (outcome) => finish(outcome);
      const onEvent = (type: string, obj: unknown): void => {
        if (settled) return;
        received++;
        this.touch();
        this.metrics?.events.inc({ name: this.opts.name, type });
        try {
          if (type === "ERROR") {
            const code = (obj as { code?: unknown } | undefined)?.code;
            finish(code === 410 ? "gone" : "error", obj);
            return;
          }
          this.apply(type, obj as T);
        } catch (err) {
          // client-node swallows exceptions thrown from this callback; log them instead of losing them.
          this.log.error({ err: describe(err) }, "watch event handling failed");
        }
      };
      const onDone = (err: unknown): void => {
        if (!err) return finish("closed");
        const name = (err as { name?: unknown }).name;
        if (statusOf(err) === 410) return finish("gone", err);
        finish(name === "TimeoutError" ? "idle" : "error", err);
      };
      watch.watch(this.path(), query, onEvent, onDone).then(
        (c) => {
          controller = c;
          if (settled) return c.abort();
          connected = true;
          this.touch();
          this.log.debug({ resourceVersion: query.resourceVersion, timeoutSeconds: query.timeoutSeconds }, "watch connected");
        },
        (err: unknown) => finish("error", err),
      );
    });
  }

  private apply(type: string, received: T): void {
    const obj = withoutManagedFields(received);
    const rv = obj.metadata?.resourceVersion;
    if (type === "BOOKMARK") {
      if (rv) this.rv = rv;
      return;
    }
    const key = keyOf(obj);
    if (type === "ADDED" || type === "MODIFIED") {
      const old = this.cache.get(key);
      this.cache.set(key, obj);
      if (rv) this.rv = rv;
      if (old) this.emit("update", obj, old);
      else this.emit("add", obj);
    } else if (type === "DELETED") {
      const old = this.cache.get(key);
      this.cache.delete(key);
      if (rv) this.rv = rv;
      this.emit("delete", obj, old);
    }
  }

  private emit(event: InformerEvent, obj: T, old?: T): void {
    for (const h of this.handlers[event]) {
      try {
        h(obj, old);
      } catch (err) {
        this.log.error({ err: describe(err), event }, "informer handler threw");
      }
    }
  }

  private touch(): void {
    this.lastContact = Date.now();
    this.metrics?.lastContact.set({ name: this.opts.name }, this.lastContact / 1000);
  }

  private watchdog(): void {
    if (this.abortWatch && Date.now() - this.lastContact > this.opts.idleTimeoutMs) {
      this.log.warn({ idleMs: Date.now() - this.lastContact }, "watch idle beyond timeout; restarting");
      this.abortWatch("idle");
    }
  }

  private resync(): void {
    if (!this.synced || this.stopped) return;
    for (const obj of this.cache.values()) this.emit("update", obj, obj);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done(): void {
        clearTimeout(t);
        resolve();
      }
      this.wake = () => {
        this.wake = undefined;
        done();
      };
    });
  }
}

function describe(err: unknown): string | undefined {
  if (err === undefined || err === null) return undefined;
  if (err instanceof Error) return `${err.name}: ${err.message.split("\n")[0]}`;
  try {
    return JSON.stringify(err).slice(0, 300);
  } catch {
    return "unserialisable error";
  }
}

export function createInformer<T extends KubeObject>(options: InformerOptions): Informer<T> {
  return new ListWatchInformer<T>(options);
}
