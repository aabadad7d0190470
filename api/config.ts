import { z } from "zod";

/** Reads "true"/"false"/"1"/"0" the way operators write them in env files. */
const bool = z
  .enum(["true", "false", "1", "0", "yes", "no"])
  .transform((v) => v === "true" || v === "1" || v === "yes");

const envSchema = z.object({
  API_HOST: z.string().default("127.0.0.1"),
  API_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  /** Honour X-Forwarded-For/-Proto from a TLS-terminating proxy (sets Koa's app.proxy). */
  API_TRUST_PROXY: bool.default(false),
  /** Mark cookies Secure. Defaults to API_TRUST_PROXY: behind TLS the proxy tells Koa the request was https. */
  API_COOKIE_SECURE: bool.optional(),
  /** Comma-separated cookie signing keys, newest first (rotation keeps older keys verifying). */
  API_SESSION_KEYS: z
    .string()
    .transform((s) => s.split(",").map((k) => k.trim()).filter(Boolean))
    .pipe(z.array(z.string().min(32, "each session key needs at least 32 characters")).min(1)),
  API_SESSION_MAX_AGE_SECONDS: z.coerce.number().int().min(60).default(7 * 24 * 3600),
  MONGO_URL: z.string().min(1),
  MONGO_DB: z.string().default("transcoder"),
  REDIS_URL: z.string().min(1),
  API_REDIS_PREFIX: z.string().default("tj:api:"),
  /** Path to a kubeconfig; empty means in-cluster or ~/.kube/config (client-node's loadFromDefault). */
  KUBECONFIG: z.string().optional(),
  JOBS_NAMESPACE: z.string().default("default"),
  AWS_REGION: z.string().default("us-east-1"),
  S3_ENDPOINT: z.url().optional(),
  S3_FORCE_PATH_STYLE: bool.default(false),
  UPLOADS_BUCKET: z.string().min(3),
  OUTPUTS_BUCKET: z.string().min(3),
  UPLOAD_MAX_BYTES: z.coerce.number().int().positive().default(5 * 1024 ** 3),
  UPLOAD_URL_TTL_SECONDS: z.coerce.number().int().min(60).max(7 * 24 * 3600).default(900),
  DOWNLOAD_URL_TTL_SECONDS: z.coerce.number().int().min(60).max(7 * 24 * 3600).default(3600),
  LOGIN_MAX_FAILURES_PER_ACCOUNT: z.coerce.number().int().positive().default(5),
  LOGIN_MAX_ATTEMPTS_PER_IP: z.coerce.number().int().positive().default(50),
  LOGIN_WINDOW_SECONDS: z.coerce.number().int().positive().default(900),
  LOG_LEVEL: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info"),
});

export interface ApiConfig {
  host: string;
  port: number;
  trustProxy: boolean;
  cookieSecure: boolean;
  sessionKeys: string[];
  sessionMaxAgeMs: number;
  mongo: { url: string; db: string };
  redis: { url: string; prefix: string };
  kube: { kubeconfigPath?: string | undefined; namespace: string };
  s3: { region: string; endpoint?: string | undefined; forcePathStyle: boolean; uploadsBucket: string; outputsBucket: string };
  uploads: { maxBytes: number; urlTtlSeconds: number; downloadTtlSeconds: number };
  login: { maxFailuresPerAccount: number; maxAttemptsPerIp: number; windowSeconds: number };
  /** argon2id cost; production keeps the library defaults (64 MiB, t=3), tests may lower them. */
  argon2: { memoryCost: number; timeCost: number };
  logLevel: string;
  /** Request body limit for JSON bodies. */
  bodyLimitBytes: number;
}

/** Validates the environment once at start-up; a bad value fails with every problem listed, never later. */
export function loadApiConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    throw new Error(`invalid API configuration:\n  ${lines.join("\n  ")}`);
  }
  const e = parsed.data;
  return {
    host: e.API_HOST,
    port: e.API_PORT,
    trustProxy: e.API_TRUST_PROXY,
    cookieSecure: e.API_COOKIE_SECURE ?? e.API_TRUST_PROXY,
    sessionKeys: e.API_SESSION_KEYS,
    sessionMaxAgeMs: e.API_SESSION_MAX_AGE_SECONDS * 1000,
    mongo: { url: e.MONGO_URL, db: e.MONGO_DB },
    redis: { url: e.REDIS_URL, prefix: e.API_REDIS_PREFIX },
    kube: { kubeconfigPath: e.KUBECONFIG || undefined, namespace: e.JOBS_NAMESPACE },
    s3: {
      region: e.AWS_REGION,
      endpoint: e.S3_ENDPOINT,
      forcePathStyle: e.S3_FORCE_PATH_STYLE,
      uploadsBucket: e.UPLOADS_BUCKET,
      outputsBucket: e.OUTPUTS_BUCKET,
    },
    uploads: {
      maxBytes: e.UPLOAD_MAX_BYTES,
      urlTtlSeconds: e.UPLOAD_URL_TTL_SECONDS,
      downloadTtlSeconds: e.DOWNLOAD_URL_TTL_SECONDS,
    },
    login: {
      maxFailuresPerAccount: e.LOGIN_MAX_FAILURES_PER_ACCOUNT,
      maxAttemptsPerIp: e.LOGIN_MAX_ATTEMPTS_PER_IP,
      windowSeconds: e.LOGIN_WINDOW_SECONDS,
    },
    argon2: { memoryCost: 65536, timeCost: 3 },
    logLevel: e.LOG_LEVEL,
    bodyLimitBytes: 64 * 1024,
  };
}
