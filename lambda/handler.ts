import { Redis } from "ioredis";
import { createLogger } from "../lib/log.js";
import { RedisUploadStream } from "../lib/uploads/index.js";
import { loadLambdaConfig, servedBuckets } from "./config.js";
import { createUploadHandler, type BatchResponse, type DirectResponse } from "./core.js";

// Module scope survives between invocations of a warm Lambda container: one Redis connection, reused.
let cached: ((event: unknown) => Promise<BatchResponse | DirectResponse>) | undefined;

function init(): (event: unknown) => Promise<BatchResponse | DirectResponse> {
  const { config, warnings } = loadLambdaConfig();
  const log = createLogger("upload-lambda", { level: config.LOG_LEVEL });
  for (const w of warnings) log.warn(w);
  const redis = new Redis(config.REDIS_URL, {
    // Fail a command within seconds when Redis is unreachable, so the event is retried rather than the
    // function timing out with records half-done.
    maxRetriesPerRequest: 2,
    connectTimeout: 3000,
    enableAutoPipelining: true,
  });
  redis.on("error", (err: Error) => log.warn({ error: err.message }, "redis connection error"));
  const stream = new RedisUploadStream(redis, { stream: config.UPLOADS_STREAM, dedupeTtlSeconds: config.DEDUPE_TTL_SECONDS });
  return createUploadHandler({ stream, log, prefix: config.UPLOADS_PREFIX, buckets: servedBuckets(config), maxBytes: config.UPLOAD_MAX_BYTES });
}

/** The AWS Lambda entry point ("index.handler" in the bundle). */
export async function handler(event: unknown): Promise<BatchResponse | DirectResponse> {
  cached ??= init();
  return cached(event);
}
