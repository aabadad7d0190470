/**
 * The embedded control plane: the same entrypoints that run in production (operator with the local launcher,
 * bridge, upload webhook receiver standing in for the Lambda, REST API), each a child process configured only
 * through its environment, on top of a started stack of real services. Used by `npm start` and test/e2e.
 */
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { CoreV1Api, KubeConfig, type ApiException } from "@kubernetes/client-node";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { applyCrd } from "../lib/kube/index.js";
import { transcoderCommand } from "../images/transcoder/index.js";
import { configureUploadNotifications } from "../lambda/local/index.js";
import { freePort, registerExitCleanup, type ServiceProcess } from "./process.js";
import { StartContext, httpOk } from "./services/context.js";
import type { StackEnv } from "./types.js";

export interface ControlPlaneOptions {
  env: StackEnv;
  /** Where the processes write their logs and scratch files. */
  runDir: string;
  logDir: string;
  /** The port MinIO's webhook target "TJ" posts to (fixed before MinIO starts). */
  receiverPort: number;
  namespace?: string;
  uploadsBucket?: string;
  outputsBucket?: string;
  /** MongoDB database shared by the operator and the API. */
  database?: string;
  maxConcurrentTasks?: number;
  logLevel?: string;
  /** More settings of the API process (lib/config names), e.g. PLAYBACK_URL_TTL_SECONDS. */
  apiEnv?: Record<string, string>;
}

export interface ControlPlane {
  apiUrl: string;
  /** The API's internal server: /healthz, /readyz, /metrics. */
  apiInternalUrl: string;
  database: string;
  namespace: string;
  uploadsBucket: string;
  outputsBucket: string;
  operatorUrl: string;
  bridgeUrl: string;
  processes: ServiceProcess[];
  stop(): Promise<void>;
}

const root = new URL("../", import.meta.url).pathname;

export async function startControlPlane(options: ControlPlaneOptions): Promise<ControlPlane> {
  const { env } = options;
  const namespace = options.namespace ?? "transcode";
  const uploadsBucket = options.uploadsBucket ?? "uploads";
  const outputsBucket = options.outputsBucket ?? "outputs";
  const database = options.database ?? "transcoder";
  await prepareCluster(env, namespace);
  await prepareBuckets(env, uploadsBucket);

  const ctx = new StartContext(options.runDir, options.logDir);
  const unregister = registerExitCleanup(() => ctx.processes.forEach((p) => p.killNow()));
  // One configuration for every process (lib/config): each reads the names it needs. Redis is the exception:
  // each process gets its own user's URL (lib/redis-acl), and the tasks theirs through the operator.
  const redis = env.redis.clients;
  const shared = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: "production",
    LOG_LEVEL: options.logLevel ?? "info",
    HTTP_HOST: "127.0.0.1",
    KUBECONFIG: env.kube.kubeconfigPath,
    JOBS_NAMESPACE: namespace,
    MONGODB_URL: env.mongo.url,
    MONGODB_DATABASE: database,
    AWS_REGION: env.s3.region,
    AWS_ACCESS_KEY_ID: env.s3.accessKeyId,
    AWS_SECRET_ACCESS_KEY: env.s3.secretAccessKey,
    S3_ENDPOINT: env.s3.endpoint,
    S3_FORCE_PATH_STYLE: "true",
    UPLOADS_BUCKET: uploadsBucket,
    OUTPUTS_BUCKET: outputsBucket,
  };
  const [operatorPort, bridgePort, apiPort, apiInternalPort] = [await freePort(), await freePort(), await freePort(), await freePort()];

  const start = async (service: string, entry: string, childEnv: Record<string, string | undefined>, health: string) => {
    const proc = ctx.spawn({
      service,
      command: process.execPath,
      args: ["--import", "tsx", entry],
      cwd: root,
      env: { ...shared, ...childEnv },
    });
    // Generous: four tsx processes compile and connect at once on a 2-core machine.
    await proc.waitReady(() => httpOk(health), 180_000);
    return proc;
  };

  try {
    await Promise.all([
      start("upload-webhook", "lambda/local/main.ts", { REDIS_URL: redis.lambda, HTTP_PORT: String(options.receiverPort) }, `http://127.0.0.1:${options.receiverPort}/healthz`),
      start("bridge", "bridge/main.ts", { REDIS_URL: redis.bridge, HTTP_PORT: String(bridgePort) }, `http://127.0.0.1:${bridgePort}/readyz`),
      start(
        "operator",
        "operator/main.ts",
        {
          LEASE_NAMESPACE: namespace,
          REDIS_URL: redis.operator,
          TASK_REDIS_URL: redis.task,
          LAUNCHER: "local",
          LOCAL_TASK_COMMAND: JSON.stringify(transcoderCommand()),
          LOCAL_TASK_STATE_DIR: join(options.runDir, "local-tasks"),
          MAX_CONCURRENT_TASKS: String(options.maxConcurrentTasks ?? 5),
          HTTP_PORT: String(operatorPort),
          POLL_MS: "500",
          QUEUED_POLL_MS: "2000",
        },
        `http://127.0.0.1:${operatorPort}/readyz`,
      ),
      start(
        "api",
        "api/main.ts",
        {
          REDIS_URL: redis.api,
          HTTP_PORT: String(apiPort),
          INTERNAL_HTTP_PORT: String(apiInternalPort),
          API_SESSION_KEYS: randomBytes(32).toString("hex"),
          API_INSECURE_HTTP: "true",
          ...options.apiEnv,
        },
        `http://127.0.0.1:${apiInternalPort}/readyz`,
      ),
    ]);
  } catch (err) {
    await Promise.allSettled(ctx.processes.map((p) => p.stop()));
    unregister();
    throw err;
  }
  // The outputs bucket is created by whoever first writes it; create it here so presigned GETs work at once.
  await ensureBucket(s3Client(env), outputsBucket);

  let stopped = false;
  return {
    apiUrl: `http://127.0.0.1:${apiPort}`,
    apiInternalUrl: `http://127.0.0.1:${apiInternalPort}`,
    operatorUrl: `http://127.0.0.1:${operatorPort}`,
    bridgeUrl: `http://127.0.0.1:${bridgePort}`,
    namespace,
    database,
    uploadsBucket,
    outputsBucket,
    processes: ctx.processes,
    async stop() {
      if (stopped) return;
      stopped = true;
      // The API and the ingest path first, then the operator (it stops its tasks' followers cleanly).
      const [webhook, bridge, operator, api] = ctx.processes;
      await Promise.allSettled([api?.stop(), webhook?.stop(), bridge?.stop()]);
      await operator?.stop(30_000);
      unregister();
    },
  };
}

export function s3Client(env: StackEnv): S3Client {
  return new S3Client({
    endpoint: env.s3.endpoint,
    region: env.s3.region,
    forcePathStyle: true,
    credentials: { accessKeyId: env.s3.accessKeyId, secretAccessKey: env.s3.secretAccessKey },
  });
}

async function prepareCluster(env: StackEnv, namespace: string): Promise<void> {
  const kc = new KubeConfig();
  kc.loadFromFile(env.kube.kubeconfigPath);
  await applyCrd(kc);
  try {
    await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
  } catch (err) {
    if ((err as ApiException<unknown>).code !== 409) throw err;
  }
}

async function prepareBuckets(env: StackEnv, uploadsBucket: string): Promise<void> {
  const s3 = s3Client(env);
  try {
    await ensureBucket(s3, uploadsBucket);
    // MinIO posts ObjectCreated events under uploads/ to its webhook target "TJ" (set when MinIO started).
    await configureUploadNotifications(s3, uploadsBucket, { prefix: "uploads/" });
  } finally {
    s3.destroy();
  }
}

async function ensureBucket(s3: S3Client, bucket: string): Promise<void> {
  try {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  } catch (err) {
    const name = (err as { name?: string }).name;
    if (name !== "BucketAlreadyOwnedByYou" && name !== "BucketAlreadyExists") throw err;
  }
}
