import { z } from "zod";
import { bool, fragments as f, int, loadConfig, setting, urlOf, type ConfigOf, type Loaded } from "../lib/config/index.js";

const seconds = (min: number, max: number, def: number) => int(min, max).default(def);

/** Every setting of the API: the shared fragments plus its own, read from the environment once at start-up. */
export const apiSettings = {
  ...f.logging,
  ...f.lifecycle,
  ...f.http,
  API_TRUST_PROXY: setting(bool().default(false), "Honour X-Forwarded-For/-Proto from a TLS-terminating proxy (Koa's app.proxy)"),
  API_COOKIE_SECURE: setting(bool().optional(), "Mark cookies Secure; unset: on when API_TRUST_PROXY is (behind TLS)"),
  API_SESSION_KEYS: setting(
    z
      .string()
      .transform((s) => s.split(",").map((k) => k.trim()).filter(Boolean))
      .pipe(z.array(z.string().min(32, "each session key needs at least 32 characters")).min(1, "at least one key")),
    "Comma-separated cookie signing keys, newest first (older keys keep verifying during a rotation)",
    { secret: true },
  ),
  API_SESSION_MAX_AGE_SECONDS: setting(seconds(60, 365 * 24 * 3600, 7 * 24 * 3600), "Session cookie lifetime"),
  API_PUBLIC_URL: setting(
    urlOf("http", "https").optional(),
    "Base URL clients reach the API at, for the playback links it hands out; unset: the request's scheme and host (X-Forwarded-* with API_TRUST_PROXY)",
  ),
  API_TOKEN_MAX_REQUESTS: setting(int(1, 1_000_000).default(600), "Requests one API token may make per API_TOKEN_WINDOW_SECONDS (then 429 with Retry-After)"),
  API_TOKEN_WINDOW_SECONDS: setting(seconds(1, 3600, 60), "The API-token request limit's window"),
  ...f.mongo,
  ...f.redis,
  API_REDIS_PREFIX: setting(z.string().default("tj:api:"), "Prefix of the API's own Redis keys (sessions, limits)"),
  ...f.kube,
  ...f.watch,
  ...f.s3,
  ...f.uploads,
  ...f.outputs,
  ...f.uploadLimits,
  UPLOAD_URL_TTL_SECONDS: setting(seconds(60, 7 * 24 * 3600, 900), "Lifetime of presigned upload URLs"),
  DOWNLOAD_URL_TTL_SECONDS: setting(seconds(60, 7 * 24 * 3600, 3600), "Lifetime of presigned download URLs (MP4s, poster, manifest)"),
  PLAYBACK_URL_TTL_SECONDS: setting(
    seconds(60, 7 * 24 * 3600, 4 * 3600),
    "Lifetime of playback links (the API's playlists and the presigned segment URLs in them): longer than the longest viewing",
  ),
  LOGIN_MAX_FAILURES_PER_ACCOUNT: setting(int(1, 1000).default(5), "Failed sign-ins of one account per window before it is locked"),
  LOGIN_MAX_ATTEMPTS_PER_IP: setting(int(1, 100_000).default(50), "Sign-in attempts from one address per window"),
  LOGIN_WINDOW_SECONDS: setting(seconds(1, 86_400, 900), "The sign-in limits' window (API tokens are not subject to them)"),
};
type ApiEnv = ConfigOf<typeof apiSettings>;

export interface ApiConfig {
  host: string;
  port: number;
  trustProxy: boolean;
  cookieSecure: boolean;
  sessionKeys: string[];
  sessionMaxAgeMs: number;
  mongo: { url: string; db: string };
  redis: { url: string; prefix: string };
  kube: { kubeconfigPath?: string | undefined; namespace: string; watchIdleTimeoutMs: number };
  /** Where clients reach the API (playback links); undefined: from each request. No trailing slash. */
  publicUrl: string | undefined;
  tokens: { maxRequests: number; windowSeconds: number };
  playback: { ttlSeconds: number };
  s3: { region: string; endpoint?: string | undefined; forcePathStyle: boolean; uploadsBucket: string; outputsBucket: string };
  uploads: { prefix: string; maxBytes: number; urlTtlSeconds: number; downloadTtlSeconds: number };
  login: { maxFailuresPerAccount: number; maxAttemptsPerIp: number; windowSeconds: number };
  /** argon2id cost; production keeps the library defaults (64 MiB, t=3), tests may lower them. */
  argon2: { memoryCost: number; timeCost: number };
  logLevel: string;
  shutdownTimeoutMs: number;
  /** Request body limit for JSON bodies. */
  bodyLimitBytes: number;
}

/** Validates the environment once at start-up; a bad value fails with every problem listed, never later. */
export function loadApiConfig(env: Record<string, string | undefined> = process.env): Loaded<ApiConfig> {
  const { config: e, warnings } = loadConfig("api", apiSettings, env);
  return { config: toApiConfig(e), warnings };
}

function toApiConfig(e: ApiEnv): ApiConfig {
  return {
    host: e.HTTP_HOST,
    port: e.HTTP_PORT,
    trustProxy: e.API_TRUST_PROXY,
    cookieSecure: e.API_COOKIE_SECURE ?? e.API_TRUST_PROXY,
    sessionKeys: e.API_SESSION_KEYS,
    sessionMaxAgeMs: e.API_SESSION_MAX_AGE_SECONDS * 1000,
    mongo: { url: e.MONGODB_URL, db: e.MONGODB_DATABASE },
    redis: { url: e.REDIS_URL, prefix: e.API_REDIS_PREFIX },
    kube: { kubeconfigPath: e.KUBECONFIG, namespace: e.JOBS_NAMESPACE, watchIdleTimeoutMs: e.WATCH_IDLE_TIMEOUT_MS },
    publicUrl: e.API_PUBLIC_URL?.replace(/\/+$/, ""),
    tokens: { maxRequests: e.API_TOKEN_MAX_REQUESTS, windowSeconds: e.API_TOKEN_WINDOW_SECONDS },
    playback: { ttlSeconds: e.PLAYBACK_URL_TTL_SECONDS },
    s3: { region: e.AWS_REGION, endpoint: e.S3_ENDPOINT, forcePathStyle: e.S3_FORCE_PATH_STYLE, uploadsBucket: e.UPLOADS_BUCKET, outputsBucket: e.OUTPUTS_BUCKET },
    uploads: { prefix: e.UPLOADS_PREFIX, maxBytes: e.UPLOAD_MAX_BYTES, urlTtlSeconds: e.UPLOAD_URL_TTL_SECONDS, downloadTtlSeconds: e.DOWNLOAD_URL_TTL_SECONDS },
    login: { maxFailuresPerAccount: e.LOGIN_MAX_FAILURES_PER_ACCOUNT, maxAttemptsPerIp: e.LOGIN_MAX_ATTEMPTS_PER_IP, windowSeconds: e.LOGIN_WINDOW_SECONDS },
    argon2: { memoryCost: 65536, timeCost: 3 },
    logLevel: e.LOG_LEVEL,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    bodyLimitBytes: 64 * 1024,
  };
}
