import { MongoNetworkError, MongoServerSelectionError } from "mongodb";
import { TransientError } from "../../lib/errors/index.js";

const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "ENOTFOUND", "EAI_AGAIN"]);

// ioredis reports an unreachable server with plain Errors; these are its fixed texts.
const REDIS_DOWN = [/Stream isn't writeable/, /Connection is closed/, /Reached the max retries per request limit/];

/**
 * True when `err` (or something in its cause chain) says a backing service is unreachable rather than that
 * the request was wrong: the client should get a 503 and may retry.
 */
export function isUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    if (e instanceof TransientError || e instanceof MongoNetworkError || e instanceof MongoServerSelectionError) return true;
    const x = e as { code?: unknown; name?: unknown; message?: unknown; cause?: unknown };
    if (typeof x.code === "string" && NETWORK_CODES.has(x.code)) return true;
    if (x.name === "MaxRetriesPerRequestError") return true;
    if (typeof x.message === "string" && REDIS_DOWN.some((r) => r.test(x.message as string))) return true;
    e = x.cause;
  }
  return false;
}
