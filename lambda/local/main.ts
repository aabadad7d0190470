import { Redis } from "ioredis";
import { Registry, collectDefaultMetrics } from "prom-client";
import { z } from "zod";
import { createLogger } from "../../lib/log.js";
import { DEFAULT_UPLOADS_PREFIX, DEFAULT_UPLOADS_STREAM, RedisUploadStream, promIngestMetrics } from "../../lib/uploads/index.js";
import { startWebhookReceiver } from "./receiver.js";

/** Entry point of the local-mode receiver: `tsx lambda/local/main.ts`. Settings come from the environment, once. */
const configSchema = z.object({
  REDIS_URL: z.string().regex(/^rediss?:\/\//, "must be a redis:// or rediss:// URL"),
  UPLOADS_STREAM: z.string().min(1).default(DEFAULT_UPLOADS_STREAM),
  UPLOADS_PREFIX: z.string().min(1).endsWith("/").default(DEFAULT_UPLOADS_PREFIX),
  WEBHOOK_HOST: z.string().default("127.0.0.1"),
  WEBHOOK_PORT: z.coerce.number().int().min(0).max(65535).default(0),
  WEBHOOK_AUTH_TOKEN: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});

async function main(): Promise<void> {
  const parsed = configSchema.safeParse(process.env);
  if (!parsed.success) {
    console.error(`invalid configuration: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
    process.exit(2);
  }
  const config = parsed.data;
  const log = createLogger("upload-webhook", { level: config.LOG_LEVEL });
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 2 });
  redis.on("error", (err: Error) => log.warn({ error: err.message }, "redis connection error"));
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const receiver = await startWebhookReceiver({
    stream: new RedisUploadStream(redis, { stream: config.UPLOADS_STREAM }),
    log,
    metrics: promIngestMetrics(registry),
    registry,
    prefix: config.UPLOADS_PREFIX,
    host: config.WEBHOOK_HOST,
    port: config.WEBHOOK_PORT,
    ...(config.WEBHOOK_AUTH_TOKEN ? { authToken: config.WEBHOOK_AUTH_TOKEN } : {}),
  });
  const stop = (signal: string): void => {
    log.info({ signal }, "stopping");
    void receiver
      .close()
      .then(() => redis.quit())
      .then(() => process.exit(0), () => process.exit(1));
  };
  process.once("SIGTERM", () => stop("SIGTERM"));
  process.once("SIGINT", () => stop("SIGINT"));
}

await main();
