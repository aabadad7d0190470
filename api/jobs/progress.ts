import type { Redis } from "ioredis";
import { parseProgress, progressChannel, progressKey, type Progress } from "../../lib/task-contract/index.js";

export type ProgressListener = (p: Progress) => void;

export interface ProgressFeed {
  current(uid: string): Promise<Progress | undefined>;
  /**
   * Resolves once the subscription is active; call the returned function to stop listening. `onClose` runs
   * if the feed itself shuts down first (graceful shutdown ends open streams instead of waiting on them).
   */
  subscribe(uid: string, listener: ProgressListener, onClose?: () => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/**
 * The task contract's progress in Redis: the hash for the latest value, the pub/sub channel for live updates. One
 * subscriber connection serves every open stream of this process; a channel is subscribed while at least
 * one listener wants it.
 */
export class RedisProgressFeed implements ProgressFeed {
  private readonly listeners = new Map<string, Set<ProgressListener>>();
  private readonly closers = new Set<() => void>();
  constructor(
    private readonly redis: Redis,
    private readonly subscriber: Redis,
  ) {
    subscriber.on("message", (channel: string, message: string) => {
      const set = this.listeners.get(channel);
      if (!set) return;
      const p = parseProgress(message);
      if (!p) return;
      for (const l of set) l(p);
    });
  }

  async current(uid: string): Promise<Progress | undefined> {
    return parseProgress(await this.redis.hgetall(progressKey(uid)));
  }

  async subscribe(uid: string, listener: ProgressListener, onClose?: () => void): Promise<() => Promise<void>> {
    const channel = progressChannel(uid);
    let set = this.listeners.get(channel);
    if (!set) {
      set = new Set();
      this.listeners.set(channel, set);
    }
    set.add(listener);
    if (set.size === 1) await this.subscriber.subscribe(channel);
    if (onClose) this.closers.add(onClose);
    return async () => {
      if (onClose) this.closers.delete(onClose);
      const s = this.listeners.get(channel);
      if (!s?.delete(listener)) return;
      if (s.size === 0) {
        this.listeners.delete(channel);
        await this.subscriber.unsubscribe(channel).catch(() => undefined);
      }
    };
  }

  get openChannels(): number {
    return this.listeners.size;
  }

  async close(): Promise<void> {
    for (const c of [...this.closers]) c();
    this.closers.clear();
    this.listeners.clear();
    // The connections belong to whoever built the feed; here only the subscriptions end.
    await this.subscriber.unsubscribe().catch(() => undefined);
  }
}
