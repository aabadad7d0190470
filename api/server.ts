import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { S3Client } from "@aws-sdk/client-s3";
import { Redis } from "ioredis";
import { OWNER_LABEL } from "../crds/index.js";
import { startHealthServer } from "../lib/http/index.js";
import { createTranscodeJobInformer, loadKubeConfig, poolKubeConnections } from "../lib/kube/index.js";
import { createLogger, type Logger } from "../lib/log.js";
import { MongoConnection, MongoJobStore } from "../lib/store/index.js";
import { MULTIPART_LIFETIME_HOURS } from "../lib/uploads/index.js";
import { createApp, type ApiApp } from "./app.js";
import { RedisLoginLimiter, RedisRequestLimiter } from "./auth/limiter.js";
import { argon2idHasher } from "./auth/passwords.js";
import { redisSessionStore } from "./auth/session-store.js";
import { MongoTokenStore } from "./auth/tokens.js";
import { MongoUserStore } from "./auth/users.js";
import type { ApiConfig } from "./config.js";
import type { ApiDeps } from "./deps.js";
import { checkReadiness } from "./health/readiness.js";
import { createMetrics } from "./http/metrics.js";
import { CachedJobsCluster } from "./jobs/cache.js";
import { KubeJobsCluster, type KubeJob } from "./jobs/cluster.js";
import { storeHistory } from "./jobs/history.js";
import { RedisProgressFeed } from "./jobs/progress.js";
import { PlaybackTokens } from "./playback/token.js";
import { RedisMultipartPlans } from "./uploads/plans.js";
import { sweepIncompleteUploads } from "./uploads/sweeper.js";
import { S3UploadStorage } from "./uploads/storage.js";

export interface StartOptions {
  log?: Logger;
  /** Static credentials for S3 (tests, MinIO); production uses the default AWS chain (task/pod role). */
  s3Credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Collect Node process metrics (off in tests that build several apps). */
  defaultMetrics?: boolean;
}

export interface RunningApi {
  url: string;
  /** The internal server: /healthz, /readyz, /metrics (never on the public url). */
  internalUrl: string;
  server: Server;
  api: ApiApp;
  deps: ApiDeps;
  /** Stops accepting, drains in-flight requests, then closes every client; reports every failure. */
  close(): Promise<void>;
}

/**
 * Redis clients fail fast when the server is away (no offline queue, one retry per command): a request
 * then gets a 503 at once instead of hanging; reconnects continue in the background.
 */
function redisClient(url: string, log: Logger, role: string): Redis {
  const r = new Redis(url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000 });
  // Without a listener ioredis prints every reconnect failure to stderr; readiness reports the outage instead.
  r.on("error", (err: Error) => log.warn({ role, err: err.message }, "redis connection error"));
  return r;
}

/** Builds every real client from the config, then listens. Start-up fails if a dependency is not reachable. */
export async function startApi(config: ApiConfig, options: StartOptions = {}): Promise<RunningApi> {
  const log = options.log ?? createLogger("api", { level: config.logLevel });
  const cleanups: { name: string; run: () => Promise<unknown> }[] = [];
  try {
    const redis = redisClient(config.redis.url, log, "commands");
    cleanups.push({ name: "redis", run: () => redis.quit() });
    const subscriber = redisClient(config.redis.url, log, "subscriber");
    cleanups.push({ name: "redis-subscriber", run: () => subscriber.quit() });
    await Promise.all([redis.connect(), subscriber.connect()]);

    // A client that stops recovering is replaced (lib/store MongoConnection); the stores act through the current one.
    const mongo = new MongoConnection(config.mongo.url, log, { client: { serverSelectionTimeoutMS: 3000 } });
    cleanups.push({ name: "mongo", run: () => mongo.close() });
    await mongo.connect();
    const db = mongo.liveDb(config.mongo.db);
    const users = new MongoUserStore(db);
    await users.ensureIndexes();
    const tokens = new MongoTokenStore(db);
    await tokens.ensureIndexes();
    const records = new MongoJobStore(db);
    await records.ensureIndexes();

    const metrics = createMetrics({ defaultMetrics: options.defaultMetrics ?? true });
    const kc = loadKubeConfig(config.kube.kubeconfigPath);
    const pool = poolKubeConnections(kc);
    cleanups.push({ name: "kube", run: () => pool.close() });
    // Reads from a watch of the namespace's jobs that have an owner (every job the API can show); resync is
    // pointless here: nothing acts on the cache's events but the indexes.
    const informer = createTranscodeJobInformer<KubeJob>({
      kubeConfig: kc,
      namespace: config.kube.namespace,
      labelSelector: OWNER_LABEL,
      idleTimeoutMs: config.kube.watchIdleTimeoutMs,
      resyncPeriodMs: 0,
      name: "api-transcodejobs",
      registry: metrics.registry,
      logger: log,
    });
    const jobs = new CachedJobsCluster(new KubeJobsCluster(kc, config.kube.namespace), informer, (source) => metrics.jobReads.inc({ source }));
    cleanups.push({ name: "job-cache", run: () => jobs.stop() });
    await jobs.start();

    const s3 = new S3Client({
      region: config.s3.region,
      forcePathStyle: config.s3.forcePathStyle,
      ...(config.s3.endpoint ? { endpoint: config.s3.endpoint } : {}),
      ...(options.s3Credentials ? { credentials: options.s3Credentials } : {}),
    });
    cleanups.push({ name: "s3", run: () => Promise.resolve(s3.destroy()) });
    const storage = new S3UploadStorage(s3, config.s3.uploadsBucket);
    const multipartPlans = new RedisMultipartPlans(redis, config.redis.prefix);
    // Abandoned multipart uploads: swept soon after start and hourly (each replica sweeps; aborts are idempotent).
    const sweep = () =>
      void sweepIncompleteUploads(storage, multipartPlans, { prefix: config.uploads.prefix, maxAgeMs: MULTIPART_LIFETIME_HOURS * 3_600_000 }, log).catch(
        (err: unknown) => log.warn({ err: (err as Error).message }, "sweeping incomplete uploads failed; next try in an hour"),
      );
    const sweeps = [setTimeout(sweep, 60_000), setInterval(sweep, 3_600_000)];
    sweeps.forEach((t) => t.unref());
    cleanups.push({ name: "upload-sweeper", run: () => Promise.resolve(sweeps.forEach((t) => clearTimeout(t))) });

    const progress = new RedisProgressFeed(redis, subscriber);
    const deps: ApiDeps = {
      config,
      log,
      metrics,
      users,
      passwords: argon2idHasher(config.argon2),
      limiter: new RedisLoginLimiter(redis, config.redis.prefix, config.login),
      tokens,
      tokenLimiter: new RedisRequestLimiter(redis, config.redis.prefix, config.tokens),
      playback: new PlaybackTokens(config.sessionKeys, config.kube.namespace, config.playback.ttlSeconds),
      sessionStore: redisSessionStore(redis, config.redis.prefix, config.session),
      storage,
      multipartPlans,
      jobs,
      history: storeHistory(records, config.kube.namespace),
      progress,
      readiness: [
        { name: "redis", check: async () => void (await redis.ping()) },
        { name: "mongo", check: async () => void (await db.command({ ping: 1 })) },
        { name: "kube", check: () => jobs.ping() },
        { name: "s3", check: async () => void (await storage.head("readyz-probe")) },
      ],
    };
    // Started first: a port it cannot bind fails start-up before the public port takes a request.
    const internal = await startHealthServer({
      host: config.host,
      port: config.internalPort,
      live: () => ({ ok: true }),
      ready: () => checkReadiness(deps.readiness, log),
      registry: metrics.registry,
      log,
    });
    cleanups.push({ name: "internal-http", run: () => internal.close() });
    const api = createApp(deps);
    const server = api.app.listen(config.port, config.host);
    await new Promise<void>((resolve, reject) => {
      server.once("listening", resolve);
      server.once("error", reject);
    });
    // Idle keep-alive sockets would hold close() open for their whole timeout.
    server.keepAliveTimeout = 5000;
    const addr = server.address() as AddressInfo;
    const url = `http://${addr.address}:${addr.port}`;
    log.info({ url, internalUrl: internal.url }, "api listening");

    let closing: Promise<void> | undefined;
    const close = () =>
      (closing ??= (async () => {
        const errors: string[] = [];
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        // SSE streams never finish on their own: ending the feed ends them. Keep-alive sockets that go idle
        // as in-flight requests finish are closed as they do; after a grace period whatever is left is cut.
        await progress.close();
        const reap = setInterval(() => server.closeIdleConnections(), 50);
        const force = setTimeout(() => server.closeAllConnections(), 5000);
        await closed;
        clearInterval(reap);
        clearTimeout(force);
        for (const c of cleanups.reverse()) {
          await c.run().catch((err: unknown) => errors.push(`${c.name}: ${err instanceof Error ? err.message : String(err)}`));
        }
        if (errors.length) log.warn({ errors }, "api closed with errors");
        else log.info("api closed");
      })());
    return { url, internalUrl: internal.url, server, api, deps, close };
  } catch (err) {
    for (const c of cleanups.reverse()) await c.run().catch(() => undefined);
    throw err;
  }
}
