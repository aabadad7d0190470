import { Redis } from "ioredis";
import {
  progressChannel,
  progressKey,
  PROGRESS_HEARTBEAT_MS,
  RESULT_TTL_SECONDS,
  writeResult,
  type Progress,
  type TaskResult,
} from "../../../../lib/task-contract/index.js";
import type { Logger } from "../../../../lib/log.js";
import { ProgressThrottle, type ProgressUpdate } from "./throttle.js";

/** The task's port to the operator: progress (best effort) and the final result (must land). */
export interface Reporter {
  progress(update: ProgressUpdate): void;
  result(result: TaskResult): Promise<void>;
  close(): Promise<void>;
}

export interface RedisReporterOptions {
  url: string;
  uid: string;
  attempt: number;
  log: Logger;
  intervalMs?: number;
  /** How often the latest progress is re-sent when nothing moved (default: the contract's heartbeat). */
  heartbeatMs?: number;
  now?: () => number;
}

/**
 * Writes progress to the hash + channel of the contract, throttled, in order (one write chain), and the result
 * with a 7-day expiry. A Redis outage never fails the transcode: progress is dropped with a warning, and the
 * result is retried a few times; the exit code still tells the operator the outcome.
 */
export class RedisReporter implements Reporter {
  private readonly redis: Redis;
  private readonly throttle: ProgressThrottle;
  private chain: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;
  private warned = false;
  /** The newest update not yet sent; a Redis that is slow or down makes updates coalesce instead of queue. */
  private next: Progress | undefined;
  /** The last update written, re-sent by the heartbeat. */
  private last: ProgressUpdate | undefined;
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(private readonly opts: RedisReporterOptions) {
    this.redis = new Redis(opts.url, {
      lazyConnect: true,
      maxRetriesPerRequest: 2,
      connectTimeout: 2000,
      // A Redis that is down must not hold the task at the end: every command gives up after this.
      commandTimeout: 2000,
      enableOfflineQueue: true,
      retryStrategy: (times) => Math.min(times * 200, 2000),
    });
    this.redis.on("error", () => undefined); // reported per command below
    this.throttle = new ProgressThrottle(opts.intervalMs ?? 1000);
    this.now = opts.now ?? Date.now;
  }

  progress(update: ProgressUpdate): void {
    const now = this.now();
    const out = this.throttle.offer(update, now);
    if (out) this.write(out);
    else this.schedule();
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const p = this.throttle.takePending(this.now());
      if (p) this.write(p);
    }, this.throttle.msUntilNext(this.now()));
    this.timer.unref();
  }

  private write(update: ProgressUpdate): void {
    this.last = update;
    this.heartbeat ??= setInterval(() => this.last && this.write(this.last), this.opts.heartbeatMs ?? PROGRESS_HEARTBEAT_MS).unref();
    const value: Progress = {
      attempt: this.opts.attempt,
      percent: update.percent,
      stage: update.stage,
      updatedAt: new Date().toISOString(),
    };
    const queued = this.next !== undefined;
    this.next = value;
    if (queued) return;
    this.chain = this.chain.then(() => {
      const v = this.next;
      this.next = undefined;
      return v ? this.send(v) : undefined;
    });
  }

  private async send(value: Progress): Promise<void> {
    const key = progressKey(this.opts.uid);
    try {
      await this.redis
        .multi()
        .hset(key, {
          attempt: String(value.attempt),
          percent: String(value.percent),
          stage: value.stage,
          updatedAt: value.updatedAt,
        })
        .expire(key, RESULT_TTL_SECONDS)
        .publish(progressChannel(this.opts.uid), JSON.stringify(value))
        .exec();
    } catch (err) {
      if (!this.warned) this.opts.log.warn({ err }, "progress could not be written to Redis; continuing");
      this.warned = true;
    }
  }

  async result(result: TaskResult): Promise<void> {
    clearInterval(this.heartbeat);
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const pending = this.throttle.takePending(this.now());
    if (pending) this.write(pending);
    await this.chain;
    let lastErr: unknown;
    for (let i = 0; i < 3; i++) {
      try {
        await writeResult(this.redis, this.opts.uid, this.opts.attempt, result);
        return;
      } catch (err) {
        lastErr = err;
        await new Promise((r) => setTimeout(r, 300 * (i + 1)));
      }
    }
    this.opts.log.error({ err: lastErr }, "the result could not be written to Redis");
  }

  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    if (this.timer) clearTimeout(this.timer);
    await this.chain;
    this.redis.disconnect();
  }
}
