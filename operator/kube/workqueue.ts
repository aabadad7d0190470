import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import { systemClock, type Clock, type TimerHandle } from "../../lib/clock.js";
import { DEFAULT_BACKOFF, DEFAULT_BUCKET, TokenBucket, itemBackoffMs, type BackoffOptions, type TokenBucketOptions } from "./rate-limit.js";
import type { ObjectKey } from "../../lib/kube/index.js";
import type { WorkQueue } from "./types.js";

export interface WorkQueueOptions {
  /** Metric label; default "transcodejobs". */
  name?: string;
  clock?: Clock;
  /** Per-item backoff for addRateLimited; default 5 ms .. 1000 s. */
  backoff?: BackoffOptions;
  /** Global token bucket for addRateLimited; default 10 qps, burst 100. */
  bucket?: TokenBucketOptions;
  /** Where the queue's metrics are registered; none when absent. */
  registry?: Registry;
}

interface Metrics {
  depth: Gauge;
  adds: Counter;
  retries: Counter;
  latency: Histogram;
  workDuration: Histogram;
}

function createMetrics(registry: Registry, name: string): Metrics {
  const registers = [registry];
  const get = <M>(metric: string, make: () => M): M => (registry.getSingleMetric(metric) as M | undefined) ?? make();
  const labelNames = ["name"] as const;
  const buckets = [0.001, 0.01, 0.1, 0.5, 1, 5, 10, 60, 300];
  const m = {
    depth: get("workqueue_depth", () => new Gauge({ name: "workqueue_depth", help: "Keys waiting in the workqueue", labelNames, registers })),
    adds: get("workqueue_adds_total", () => new Counter({ name: "workqueue_adds_total", help: "Keys added to the workqueue", labelNames, registers })),
    retries: get("workqueue_retries_total", () => new Counter({ name: "workqueue_retries_total", help: "Rate-limited re-adds", labelNames, registers })),
    latency: get(
      "workqueue_queue_duration_seconds",
      () => new Histogram({ name: "workqueue_queue_duration_seconds", help: "Time a key waits in the queue before a worker takes it", labelNames, buckets, registers }),
    ),
    workDuration: get(
      "workqueue_work_duration_seconds",
      () => new Histogram({ name: "workqueue_work_duration_seconds", help: "Time from get() to done()", labelNames, buckets, registers }),
    ),
  };
  m.depth.set({ name }, 0);
  return m;
}

/**
 * client-go's rate-limiting delaying workqueue, level-triggered: the queue holds keys, not events.
 * `dirty` = keys that need processing; `processing` = keys handed out; a key in both is re-queued on done().
 */
/** FIFO with O(1) shift: Array#shift is O(n) on large arrays, which made 200k queued keys take minutes. */
class Fifo<T> {
  private items: T[] = [];
  private head = 0;
  get length(): number {
    return this.items.length - this.head;
  }
  push(item: T): void {
    this.items.push(item);
  }
  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head++];
    // Compact once the consumed prefix dominates, keeping memory bounded at amortised O(1).
    if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
}

export class KeyWorkQueue implements WorkQueue {
  private readonly clock: Clock;
  private readonly name: string;
  private readonly backoff: BackoffOptions;
  private readonly bucket: TokenBucket;
  private readonly metrics: Metrics | undefined;
  private readonly queue = new Fifo<ObjectKey>();
  /**
   * Keys added with addUrgent, handed out before `queue`. A key can sit in both lanes: whichever hands it out first
   * wins, and its other entry is skipped as stale (it is no longer dirty, or it is being processed).
   */
  private readonly urgent = new Fifo<ObjectKey>();
  private readonly urgentDirty = new Set<ObjectKey>();
  /** Entries in the two lanes that will be skipped (the other entry of a key in both). */
  private stale = 0;
  private readonly dirty = new Set<ObjectKey>();
  private readonly processingSet = new Set<ObjectKey>();
  private readonly waiting = new Map<ObjectKey, { at: number; timer: TimerHandle }>();
  private readonly failures = new Map<ObjectKey, number>();
  private readonly addedAt = new Map<ObjectKey, number>();
  private readonly startedAt = new Map<ObjectKey, number>();
  private readonly getters: ((key: ObjectKey | undefined) => void)[] = [];
  private stopped = false;

  constructor(options: WorkQueueOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.name = options.name ?? "transcodejobs";
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.bucket = new TokenBucket(options.bucket ?? DEFAULT_BUCKET, this.clock.now());
    this.metrics = options.registry ? createMetrics(options.registry, this.name) : undefined;
  }

  get shuttingDown(): boolean {
    return this.stopped;
  }
  get length(): number {
    return this.queue.length + this.urgent.length - this.stale;
  }
  get processing(): number {
    return this.processingSet.size;
  }

  add(key: ObjectKey): void {
    if (this.stopped) return;
    this.metrics?.adds.inc({ name: this.name });
    if (this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processingSet.has(key)) return;
    this.enqueue(key);
  }

  addUrgent(key: ObjectKey): void {
    if (this.stopped) return;
    this.metrics?.adds.inc({ name: this.name });
    const queuedUrgently = this.urgentDirty.has(key);
    const queued = this.dirty.has(key) && !this.processingSet.has(key);
    this.dirty.add(key);
    this.urgentDirty.add(key);
    if (this.processingSet.has(key) || queuedUrgently) return;
    if (queued) this.stale++; // its entry in the other lane
    this.enqueue(key, this.urgent);
  }

  addAfter(key: ObjectKey, ms: number): void {
    if (this.stopped) return;
    if (!(ms > 0)) {
      this.add(key);
      return;
    }
    const at = this.clock.now() + ms;
    const existing = this.waiting.get(key);
    if (existing && existing.at <= at) return;
    if (existing) this.clock.clearTimeout(existing.timer);
    const timer = this.clock.setTimeout(() => {
      this.waiting.delete(key);
      this.add(key);
    }, ms);
    this.waiting.set(key, { at, timer });
  }

  addRateLimited(key: ObjectKey): void {
    if (this.stopped) return;
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    this.metrics?.retries.inc({ name: this.name });
    const delay = Math.max(itemBackoffMs(n, this.backoff), this.bucket.take(this.clock.now()));
    this.addAfter(key, delay);
  }

  forget(key: ObjectKey): void {
    this.failures.delete(key);
  }

  numRequeues(key: ObjectKey): number {
    return this.failures.get(key) ?? 0;
  }

  get(): Promise<ObjectKey | undefined> {
    const key = this.takeNext();
    if (key !== undefined || this.stopped) return Promise.resolve(key);
    return new Promise((resolve) => this.getters.push(resolve));
  }

  done(key: ObjectKey): void {
    if (!this.processingSet.delete(key)) return;
    const started = this.startedAt.get(key);
    this.startedAt.delete(key);
    if (started !== undefined) this.metrics?.workDuration.observe({ name: this.name }, (this.clock.now() - started) / 1000);
    if (this.dirty.has(key) && !this.stopped) this.enqueue(key, this.urgentDirty.has(key) ? this.urgent : this.queue);
  }

  shutDown(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const w of this.waiting.values()) this.clock.clearTimeout(w.timer);
    this.waiting.clear();
    for (const resolve of this.getters.splice(0)) resolve(undefined);
  }

  private enqueue(key: ObjectKey, lane: Fifo<ObjectKey> = this.queue): void {
    if (!this.addedAt.has(key)) this.addedAt.set(key, this.clock.now());
    const getter = this.getters.shift();
    if (getter) {
      this.handOut(key);
      getter(key);
      return;
    }
    lane.push(key);
    this.metrics?.depth.set({ name: this.name }, this.length);
  }

  private takeNext(): ObjectKey | undefined {
    if (this.stopped) return undefined;
    for (;;) {
      const key = this.urgent.shift() ?? this.queue.shift();
      if (key === undefined) return undefined;
      // Stale: handed out from the other lane already (and maybe being processed again).
      if (!this.dirty.has(key) || this.processingSet.has(key)) {
        this.stale--;
        continue;
      }
      this.metrics?.depth.set({ name: this.name }, this.length);
      this.handOut(key);
      return key;
    }
  }

  private handOut(key: ObjectKey): void {
    this.dirty.delete(key);
    this.urgentDirty.delete(key);
    this.processingSet.add(key);
    const now = this.clock.now();
    const added = this.addedAt.get(key);
    this.addedAt.delete(key);
    if (added !== undefined) this.metrics?.latency.observe({ name: this.name }, (now - added) / 1000);
    this.startedAt.set(key, now);
  }
}

export function createWorkQueue(options: WorkQueueOptions = {}): WorkQueue {
  return new KeyWorkQueue(options);
}

/**
 * Runs `concurrency` workers until the queue shuts down. The handler owns error handling and the
 * forget/addRateLimited decision; done() is always called. A handler that throws is reported to onError.
 */
export async function runWorkers(
  queue: WorkQueue,
  concurrency: number,
  handler: (key: ObjectKey) => Promise<void>,
  onError: (key: ObjectKey, err: unknown) => void = () => undefined,
): Promise<void> {
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError("concurrency must be a positive integer");
  const worker = async (): Promise<void> => {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      try {
        await handler(key);
      } catch (err) {
        onError(key, err);
      } finally {
        queue.done(key);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}
