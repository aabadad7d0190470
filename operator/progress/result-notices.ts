import type { Redis } from "ioredis";
import type { Logger } from "../../lib/log.js";
import { parseResultNotice, RESULTS_CHANNEL } from "../../lib/task-contract/index.js";

/**
 * Hears tasks announce their results (RESULTS_CHANNEL), so that a finished attempt frees its slot within
 * milliseconds instead of on the next poll. An accelerator only: the poll of Starting/Running jobs covers a
 * notice lost while Redis was unreachable, so a Redis outage never blocks the operator's start.
 */
export class ResultNotices {
  private subscriber: Redis | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly onNotice: (uid: string, attempt: number) => void,
    private readonly log: Logger,
  ) {}

  start(): void {
    if (this.subscriber) return;
    // A connection of its own (a subscribed connection can send nothing else); it subscribes on every (re)connect.
    const sub = this.redis.duplicate({ lazyConnect: true, autoResubscribe: false, maxRetriesPerRequest: null });
    this.subscriber = sub;
    sub.on("ready", () => {
      sub.subscribe(RESULTS_CHANNEL).catch((err: unknown) => this.log.warn({ err: (err as Error).message }, "result notices: subscribe failed"));
    });
    sub.on("error", (err: Error) => this.log.debug({ err: err.message }, "result notices: connection error"));
    sub.on("message", (channel: string, message: string) => {
      if (channel !== RESULTS_CHANNEL) return;
      const notice = parseResultNotice(message);
      if (notice) this.onNotice(notice.uid, notice.attempt);
      else this.log.warn("malformed result notice ignored");
    });
    sub.connect().catch((err: unknown) => this.log.warn({ err: (err as Error).message }, "result notices: not connected yet; polling covers results meanwhile"));
  }

  stop(): void {
    this.subscriber?.disconnect();
    this.subscriber = undefined;
  }
}
