import { hostname } from "node:os";
import { Redis } from "ioredis";
import { Registry, collectDefaultMetrics } from "prom-client";
import { fragments as f } from "../lib/config/index.js";
import { loadKubeConfig, poolKubeConnections } from "../lib/kube/index.js";
import { createLogger, type Logger } from "../lib/log.js";
import { RedisUploadStream } from "../lib/uploads/index.js";
import type { BridgeConfig } from "./config.js";
import { Bridge } from "./consumer.js";
import { startHealthServer, type HealthServer } from "../lib/http/index.js";
import { KubeJobCreator } from "./job-creator.js";
import { LegacyDrain } from "./legacy-drain.js";

export interface BridgeApp {
  bridge: Bridge;
  /** This replica's consumer name in the group. */
  consumer: string;
  drain: LegacyDrain | undefined;
  http: HealthServer;
  registry: Registry;
  /** Graceful: stop reading, finish the entries in hand, close the HTTP server and Redis. Idempotent. */
  stop(): Promise<void>;
}

/** Wires the bridge from its config: Redis connections, kube client, consumer, optional legacy drain, health. */
export async function startBridgeApp(config: BridgeConfig, log: Logger = createLogger("bridge", { level: config.LOG_LEVEL })): Promise<BridgeApp> {
  const kc = loadKubeConfig(config.KUBECONFIG);
  // One pooled connection per TLS setting instead of a new TLS handshake for every create.
  const kubePools = poolKubeConnections(kc);
  const redisOptions = { maxRetriesPerRequest: 3, connectTimeout: 5000 };
  // Named, so CLIENT LIST shows which replica holds which connection.
  const consumer = config.BRIDGE_CONSUMER ?? `${hostname()}-${process.pid}`;
  const redis = new Redis(config.REDIS_URL, { ...redisOptions, connectionName: `tj-bridge:${consumer}` });
  const blockingRedis = new Redis(config.REDIS_URL, { ...redisOptions, connectionName: `tj-bridge:${consumer}:blocking` });
  for (const r of [redis, blockingRedis]) r.on("error", (err: Error) => log.warn({ error: err.message }, "redis connection error"));
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const bridge = new Bridge({
    redis,
    blockingRedis,
    creator: new KubeJobCreator(kc),
    log,
    registry,
    stream: config.UPLOADS_STREAM,
    group: config.BRIDGE_GROUP,
    consumer,
    namespace: config.JOBS_NAMESPACE,
    policy: f.tenancyPolicyOf(config),
    maxSourceBytes: config.UPLOAD_MAX_BYTES,
    maxDeliveries: config.BRIDGE_MAX_DELIVERIES,
    claimIdleMs: config.BRIDGE_CLAIM_IDLE_MS,
    claimIntervalMs: config.BRIDGE_CLAIM_INTERVAL_MS,
    batchSize: config.BRIDGE_BATCH_SIZE,
    blockMs: config.BRIDGE_BLOCK_MS,
    retentionMs: config.BRIDGE_RETENTION_MS,
    housekeepingIntervalMs: config.BRIDGE_HOUSEKEEPING_INTERVAL_MS,
    consumerIdleMs: config.BRIDGE_CONSUMER_IDLE_MS,
  });
  const drain = config.LEGACY_DRAIN
    ? new LegacyDrain({
        redis,
        stream: new RedisUploadStream(redis, { stream: config.UPLOADS_STREAM }),
        deadLetterStream: bridge.keys.deadLetter,
        log: log.child({ component: "legacy-drain" }),
        metrics: bridge.metrics,
        list: config.LEGACY_LIST,
        pollMs: config.LEGACY_POLL_MS,
        recoverEveryMs: 60_000,
        owner: config.LEGACY_OWNER,
        bucket: config.LEGACY_BUCKET,
        prefix: config.UPLOADS_PREFIX,
      })
    : undefined;
  const probe = (which: "live" | "ready") => {
    const { live, ready, ...details } = bridge.health();
    return { ok: which === "live" ? live : ready, details };
  };
  const http = await startHealthServer({ host: config.HTTP_HOST, port: config.HTTP_PORT, registry, log, live: () => probe("live"), ready: () => probe("ready") });
  try {
    await bridge.start();
    drain?.start();
  } catch (err) {
    await http.close();
    redis.disconnect();
    blockingRedis.disconnect();
    throw err;
  }
  let stopping: Promise<void> | undefined;
  const stop = async (): Promise<void> => {
    const problems: string[] = [];
    const step = async (what: string, fn: () => Promise<unknown>): Promise<void> => {
      try {
        await fn();
      } catch (err) {
        problems.push(`${what}: ${err instanceof Error ? err.message : String(err)}`);
      }
    };
    await step("legacy drain", async () => drain?.stop());
    await step("bridge", () => bridge.stop());
    await step("http", () => http.close());
    await step("kube connections", () => kubePools.close());
    await step("redis", () => redis.quit());
    await step("redis (blocking)", () => blockingRedis.quit());
    if (problems.length > 0) throw new Error(`bridge stop: ${problems.join("; ")}`);
  };
  return { bridge, consumer, drain, http, registry, stop: () => (stopping ??= stop()) };
}
