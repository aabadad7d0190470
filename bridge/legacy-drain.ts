import type { Redis } from "ioredis";
import type { Logger } from "../lib/log.js";
import { parseLegacyItem, type LegacyOptions, type UploadStream } from "../lib/uploads/index.js";
import type { BridgeMetrics } from "./metrics.js";

export interface LegacyDrainOptions extends LegacyOptions {
  redis: Redis;
  stream: UploadStream;
  deadLetterStream: string;
  log: Logger;
  metrics: BridgeMetrics;
  /** The original service's list ("VideoJobs"). Its items are moved to `${list}:processing` while in hand. */
  list: string;
  pollMs: number;
  /** How often items left in the processing list (by a process that crashed) are handled again. */
  recoverEveryMs: number;
}

/**
 * Drains the original service's Redis list into the upload stream without a window that loses an item:
 * LMOVE puts the item on a processing list before anything else happens, and it leaves that list only
 * after it is on the stream (or in the dead-letter stream). A crash in between leaves it on the processing
 * list, and recovery appends it again; the idempotent append turns that into a no-op when it got through.
 */
export class LegacyDrain {
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private nextRecoverAt = 0;
  readonly processingList: string;

  constructor(private readonly o: LegacyDrainOptions) {
    this.processingList = `${o.list}:processing`;
  }

  start(): void {
    if (this.running || this.loop) throw new Error("legacy drain already started");
    this.running = true;
    this.o.log.info({ list: this.o.list }, "draining the legacy list into the upload stream");
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  /** Moves every item currently on the list; returns how many were handled. Used by the loop and by tests. */
  async drainOnce(): Promise<number> {
    let handled = 0;
    if (Date.now() >= this.nextRecoverAt) {
      this.nextRecoverAt = Date.now() + this.o.recoverEveryMs;
      for (const item of await this.o.redis.lrange(this.processingList, 0, -1)) {
        await this.handle(item);
        handled++;
      }
    }
    for (;;) {
      // RIGHT -> LEFT: the original pushed with LPUSH and popped from the right, so this keeps its order.
      const item = await this.o.redis.lmove(this.o.list, this.processingList, "RIGHT", "LEFT");
      if (item === null) return handled;
      await this.handle(item);
      handled++;
    }
  }

  private async handle(item: string): Promise<void> {
    const parsed = parseLegacyItem(item, this.o);
    if (parsed.ok) {
      const { id, duplicate } = await this.o.stream.append(parsed.entry);
      this.o.metrics.legacy.inc({ result: duplicate ? "duplicate" : "appended" });
      this.o.log.info({ id, duplicate, key: parsed.entry.key }, "legacy item moved to the upload stream");
      await this.o.redis.lrem(this.processingList, 1, item);
      return;
    }
    this.o.metrics.legacy.inc({ result: "rejected" });
    this.o.log.warn({ error: parsed.error }, "legacy item cannot be migrated; moved to the dead-letter stream");
    await this.o.redis
      .multi()
      .xadd(this.o.deadLetterStream, "*", "reason", "legacy-malformed", "error", parsed.error, "legacy", item, "at", new Date().toISOString())
      .lrem(this.processingList, 1, item)
      .exec();
  }

  private async run(): Promise<void> {
    while (this.running) {
      let pause = this.o.pollMs;
      try {
        await this.drainOnce();
      } catch (err) {
        pause = Math.max(pause, 2000);
        this.o.log.warn({ error: err instanceof Error ? err.message : String(err) }, "legacy drain failed; retrying");
      }
      if (!this.running) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pause);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }
}
