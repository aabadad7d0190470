/**
 * Starts the real API (startApi) against this run's real services, each suite with names of its own: a
 * Kubernetes namespace, two MinIO buckets, a MongoDB database and a Redis key prefix.
 */
import { randomBytes } from "node:crypto";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import * as k8s from "@kubernetes/client-node";
import { Redis } from "ioredis";
import { loadApiConfig, startApi, type ApiConfig, type RunningApi } from "../../api/index.js";
import { GROUP, PLURAL, VERSION } from "../../crds/index.js";
import { applyCrd } from "../../lib/kube/index.js";
import { waitFor } from "../support/wait.js";
import { createLogger } from "../../lib/log.js";
import { testEnv, type TestEnv } from "../env/index.js";
import { suiteRedisUser } from "../support/redis-users.js";

export interface Harness {
  api: RunningApi;
  config: ApiConfig;
  namespace: string;
  s3: S3Client;
  redis: Redis;
  kc: k8s.KubeConfig;
  objects: k8s.CustomObjectsApi;
  client(): ApiClient;
  close(): Promise<void>;
}

let crdApplied: Promise<unknown> | undefined;

/** The CRD owner's installer (keeps CEL rules and defaults intact), once per process. */
function ensureCrd(kc: k8s.KubeConfig): Promise<unknown> {
  return (crdApplied ??= applyCrd(kc));
}

export async function startHarness(overrides: (c: ApiConfig) => void = () => {}, env: TestEnv = testEnv()): Promise<Harness> {
  const id = randomBytes(4).toString("hex");
  const namespace = `api-test-${id}`;
  const prefix = `tj:api-test-${id}:`;
  // The API's own rights (lib/redis-acl) on this suite's prefix; `redis` below is the admin, for the tests' checks.
  const redisUser = await suiteRedisUser("api", { apiPrefix: prefix });
  const { config } = loadApiConfig({
    HTTP_HOST: "127.0.0.1",
    HTTP_PORT: "0",
    INTERNAL_HTTP_PORT: "0",
    API_SESSION_KEYS: randomBytes(24).toString("hex"),
    MONGODB_URL: env.mongo.url,
    MONGODB_DATABASE: `api_test_${id}`,
    REDIS_URL: redisUser.url,
    API_REDIS_PREFIX: prefix,
    KUBECONFIG: env.kube.kubeconfigPath,
    JOBS_NAMESPACE: namespace,
    AWS_REGION: env.s3.region,
    S3_ENDPOINT: env.s3.endpoint,
    S3_FORCE_PATH_STYLE: "true",
    UPLOADS_BUCKET: `api-up-${id}`,
    OUTPUTS_BUCKET: `api-out-${id}`,
    UPLOAD_MAX_BYTES: String(64 * 1024),
    LOG_LEVEL: "silent",
    // The suites speak plain HTTP to the API (proxy.test.ts turns Secure back on).
    API_INSECURE_HTTP: "true",
  });
  // Cheap hashes: the suites log in often; production keeps argon2's defaults.
  config.argon2 = { memoryCost: 8192, timeCost: 2 };
  overrides(config);

  const kc = new k8s.KubeConfig();
  kc.loadFromFile(env.kube.kubeconfigPath);
  await ensureCrd(kc);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  const objects = kc.makeApiClient(k8s.CustomObjectsApi);
  // Right after a CRD is (re)applied the apiserver answers 429 "storage is (re)initializing" for a moment.
  await waitFor(
    async () => {
      await objects.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL, limit: 1 });
      return true;
    },
    30_000,
    "TranscodeJobs served",
  );

  const credentials = { accessKeyId: env.s3.accessKeyId, secretAccessKey: env.s3.secretAccessKey };
  const s3 = new S3Client({ region: env.s3.region, endpoint: env.s3.endpoint, forcePathStyle: true, credentials });
  await s3.send(new CreateBucketCommand({ Bucket: config.s3.uploadsBucket }));
  await s3.send(new CreateBucketCommand({ Bucket: config.s3.outputsBucket }));

  const log = createLogger("api-test", { level: process.env.API_TEST_LOG ?? "silent" });
  const api = await startApi(config, { log, s3Credentials: credentials, defaultMetrics: false });
  const redis = new Redis(env.redis.url);
  return {
    api,
    config,
    namespace,
    s3,
    redis,
    kc,
    objects,
    client: () => new ApiClient(api.url),
    close: async () => {
      await api.close();
      redis.disconnect();
      await redisUser.remove();
      s3.destroy();
      await core.deleteNamespace({ name: namespace }).catch(() => undefined);
    },
  };
}

export interface Reply {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
  text: string;
}

/** A fetch-based client with a cookie jar and the CSRF token from login, like a browser app would hold. */
export class ApiClient {
  cookies = new Map<string, string>();
  csrf: string | undefined;
  constructor(readonly base: string) {}

  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  async call(
    method: string,
    path: string,
    options: { json?: unknown; raw?: string; headers?: Record<string, string>; csrf?: boolean } = {},
  ): Promise<Reply> {
    const headers: Record<string, string> = { ...options.headers };
    if (this.cookies.size) headers.cookie = this.cookieHeader();
    if (this.csrf && options.csrf !== false && method !== "GET") headers["x-csrf-token"] = this.csrf;
    let body: string | undefined;
    if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers["content-type"] ??= "application/json";
    } else if (options.raw !== undefined) {
      body = options.raw;
    }
    const res = await fetch(this.base + path, { method, headers, body, redirect: "manual" });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const eq = pair!.indexOf("=");
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      if (value === "" || /expires=Thu, 01 Jan 1970/i.test(c)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const text = await res.text();
    let parsed: Record<string, unknown>;
    try {
      parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      parsed = {};
    }
    return { status: res.status, headers: res.headers, body: parsed, text };
  }

  async signupAndLogin(email = `u${randomBytes(6).toString("hex")}@example.com`, password = "correct horse battery"): Promise<{ id: string; email: string }> {
    const s = await this.call("POST", "/auth/signup", { json: { email, password } });
    if (s.status !== 201) throw new Error(`signup: ${s.status} ${s.text}`);
    await this.login(email, password);
    return { id: String(s.body.id), email };
  }

  async login(email: string, password: string): Promise<Reply> {
    const r = await this.call("POST", "/auth/login", { json: { email, password } });
    if (r.status === 200) this.csrf = String(r.body.csrfToken);
    return r;
  }
}

/** Uploads `bytes` through a presigned POST form, as a browser would; returns S3's status and body. */
export async function postForm(
  post: { url: string; fields: Record<string, string> },
  bytes: Uint8Array,
  tamper: (fields: Record<string, string>) => void = () => {},
): Promise<{ status: number; text: string }> {
  const fields = { ...post.fields };
  tamper(fields);
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append("file", new Blob([bytes], { type: fields["Content-Type"] ?? "application/octet-stream" }), "video.mp4");
  const res = await fetch(post.url, { method: "POST", body: form });
  return { status: res.status, text: await res.text() };
}

/** Every error the API sends must look like this: problem+json, a request id, no internals. */
export function assertProblem(r: Reply, status: number, field?: string): void {
  const ctx = `${r.status} ${r.text}`;
  if (r.status !== status) throw new Error(`expected ${status}, got ${ctx}`);
  if (!r.headers.get("content-type")?.startsWith("application/problem+json")) throw new Error(`not problem+json: ${ctx}`);
  if (r.body.status !== status || typeof r.body.title !== "string") throw new Error(`bad problem body: ${ctx}`);
  if (r.body.requestId !== r.headers.get("x-request-id")) throw new Error(`request id mismatch: ${ctx}`);
  if (/\n\s+at |node_modules|\.ts:\d+/.test(r.text)) throw new Error(`internals leaked: ${ctx}`);
  if (field !== undefined && r.body.field !== field) throw new Error(`expected field ${field}: ${ctx}`);
}
