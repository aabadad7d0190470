import type { Redis } from "ioredis";
import { RESULT_TTL_SECONDS, RESULTS_CHANNEL, resultKey, type ResultNotice } from "./redis-keys.js";
import type { TaskResult } from "./result.js";

/**
 * Stores an attempt's result and announces it, in one MULTI so a subscriber never hears of a result it cannot
 * read yet. The task calls this once, as its last act; the operator's tests and benchmarks play a task's exit
 * through the same function.
 */
export async function writeResult(redis: Redis, uid: string, attempt: number, result: TaskResult): Promise<void> {
  const notice: ResultNotice = { uid, attempt };
  const replies = await redis
    .multi()
    .set(resultKey(uid, attempt), JSON.stringify(result), "EX", RESULT_TTL_SECONDS)
    .publish(RESULTS_CHANNEL, JSON.stringify(notice))
    .exec();
  const failed = replies?.find(([err]) => err);
  if (!replies || failed) throw failed?.[0] ?? new Error("the Redis transaction was discarded");
}
