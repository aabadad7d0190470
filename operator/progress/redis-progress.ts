import type { Redis } from "ioredis";
import { TransientError } from "../../lib/errors/index.js";
import { parseProgress, parseTaskResult, progressKey, resultKey, type Progress, type TaskResult } from "../../lib/task-contract/index.js";
import type { ProgressReader } from "../ports/index.js";

function transient(what: string, err: unknown): TransientError {
  return new TransientError(`${what}: ${err instanceof Error ? err.message : String(err)}`, undefined, { cause: err });
}

/** Reads what tasks report (the task contract, lib/task-contract). A malformed value reads as absent; Redis being down is transient. */
export class RedisProgressReader implements ProgressReader {
  constructor(
    private readonly redis: Redis,
    /** Prepended to every key (tests isolate themselves with it; production uses ""). */
    private readonly prefix = "",
  ) {}

  async progress(uid: string): Promise<Progress | undefined> {
    try {
      const hash = await this.redis.hgetall(this.prefix + progressKey(uid));
      return Object.keys(hash).length ? parseProgress(hash) : undefined;
    } catch (err) {
      throw transient("reading task progress", err);
    }
  }

  async result(uid: string, attempt: number): Promise<TaskResult | undefined> {
    try {
      return parseTaskResult(await this.redis.get(this.prefix + resultKey(uid, attempt)));
    } catch (err) {
      throw transient("reading task result", err);
    }
  }
}
