/**
 * The local-mode upload webhook: MinIO's bucket notifications, fed to the Lambda's core (see lib/process for the
 * lifecycle, exit codes and signals).
 */
import { Redis } from "ioredis";
import { Registry, collectDefaultMetrics } from "prom-client";
import { runMain } from "../../lib/process/index.js";
import { RedisUploadStream, promIngestMetrics } from "../../lib/uploads/index.js";
import { loadWebhookConfig, servedBuckets } from "../config.js";
import { startWebhookReceiver } from "./receiver.js";

await runMain({
  name: "upload-webhook",
  load: loadWebhookConfig,
  logLevel: (c) => c.LOG_LEVEL,
  shutdownTimeoutMs: (c) => c.SHUTDOWN_TIMEOUT_MS,
  start: async (config, log) => {
    const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 2 });
    redis.on("error", (err: Error) => log.warn({ error: err.message }, "redis connection error"));
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    const receiver = await startWebhookReceiver({
      stream: new RedisUploadStream(redis, { stream: config.UPLOADS_STREAM, dedupeTtlSeconds: config.DEDUPE_TTL_SECONDS }),
      log,
      metrics: promIngestMetrics(registry),
      registry,
      prefix: config.UPLOADS_PREFIX,
      buckets: servedBuckets(config),
      maxBytes: config.UPLOAD_MAX_BYTES,
      host: config.HTTP_HOST,
      port: config.HTTP_PORT,
      ...(config.WEBHOOK_AUTH_TOKEN ? { authToken: config.WEBHOOK_AUTH_TOKEN } : {}),
    });
    log.info({ url: receiver.url }, "upload webhook listening");
    return {
      async stop() {
        await receiver.close();
        await redis.quit();
      },
    };
  },
});
