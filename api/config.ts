import type { LoginLimits } from "./auth/limiter.js";
import { z } from "zod";
import { X264_PRESETS, MAX_HEIGHT, MAX_RENDITIONS, type TenancyPolicy, type X264Preset } from "../crds/index.js";
import { bool, fragments as f, int, loadConfig, setting, urlOf, type ConfigOf, type Loaded } from "../lib/config/index.js";

const seconds = (min: number, max: number, def: number) => int(min, max).default(def);

/** Every setting of the API: the shared fragments plus its own, read from the environment once at start-up. */
export const apiSettings = {
  ...f.logging,
  ...f.lifecycle,
  ...f.http,
  ...f.internalHttp,
  API_TRUST_PROXY: setting(bool().default(false), "Honour X-Forwarded-For/-Proto from a TLS-terminating proxy (Koa's app.proxy)"),
  API_INSECURE_HTTP: setting(
    bool().default(false),
    "Local development only: serve sessions over plain HTTP (cookies without Secure, no HSTS); otherwise a request that did not arrive over TLS gets 403",
  ),
  API_SESSION_KEYS: setting(
    z
      .string()
      .transform((s) => s.split(",").map((k) => k.trim()).filter(Boolean))
      .pipe(z.array(z.string().min(32, "each session key needs at least 32 characters")).min(1, "at least one key")),
    "Comma-separated cookie signing keys, newest first (older keys keep verifying during a rotation)",
    { secret: true },
  ),
  API_SESSION_ABSOLUTE_SECONDS: setting(
    seconds(60, 30 * 24 * 3600, 12 * 3600),
    "A session ends this long after its sign-in, however active (OWASP ASVS 3.3.2, level 2: 12 hours)",
    { aliases: ["API_SESSION_MAX_AGE_SECONDS"] },
  ),
  API_SESSION_IDLE_SECONDS: setting(seconds(60, 30 * 24 * 3600, 30 * 60), "A session ends after this long without a request (OWASP ASVS 3.3.2, level 2: 30 minutes)"),
  API_SSE_HEARTBEAT_SECONDS: setting(
    seconds(1, 300, 15),
    "Interval of the keep-alive comments of progress streams; each also checks the credential, so a stream ends within one after its session or token does",
  ),
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
  ...f.tenancy,
  ...f.uploadLimits,
  UPLOAD_URL_TTL_SECONDS: setting(seconds(60, 7 * 24 * 3600, 900), "Lifetime of presigned upload URLs"),
  DOWNLOAD_URL_TTL_SECONDS: setting(seconds(60, 7 * 24 * 3600, 3600), "Lifetime of presigned download URLs (MP4s, poster, manifest)"),
  PLAYBACK_URL_TTL_SECONDS: setting(
    seconds(60, 7 * 24 * 3600, 4 * 3600),
    "Lifetime of playback links (the API's playlists and the presigned segment URLs in them): longer than the longest viewing",
  ),
  LOGIN_MAX_FAILURES_PER_SOURCE: setting(
    int(1, 1000).default(5),
    "Failed sign-ins of one account from one address per LOGIN_WINDOW_SECONDS; then that address waits (the owner signing in from elsewhere does not)",
  ),
  LOGIN_MAX_ATTEMPTS_PER_IP: setting(int(1, 100_000).default(50), "Sign-in and sign-up attempts from one address per LOGIN_WINDOW_SECONDS"),
  LOGIN_WINDOW_SECONDS: setting(seconds(1, 86_400, 900), "The per-address sign-in limits' window (API tokens are not subject to them)"),
  LOGIN_MAX_FAILURES_PER_ACCOUNT: setting(
    int(1, 1_000_000).default(100),
    "The backstop: failed sign-ins of one account from every address per LOGIN_ACCOUNT_WINDOW_SECONDS (OWASP ASVS 2.2.1: at most 100 an hour)",
  ),
  LOGIN_ACCOUNT_WINDOW_SECONDS: setting(seconds(60, 7 * 86_400, 3600), "The backstop's window"),
  API_MAX_QUEUED_JOBS_PER_USER: setting(int(1, 100_000).default(20), "Jobs one user may have waiting or running at once; beyond it uploads and new jobs get 429"),
  API_MAX_PRIORITY: setting(int(-50, 50).default(0), "Highest spec.priority an API user may choose (kubectl's jobs may go to 50)"),
  API_MIN_CRF: setting(int(0, 51).default(18), "Lowest crf an API user may choose (0 is lossless: huge and slow)"),
  API_SLOWEST_X264_PRESET: setting(z.enum(X264_PRESETS).default("medium"), "Slowest x264 preset an API user may choose"),
  API_MAX_RENDITIONS: setting(int(1, MAX_RENDITIONS).default(6), "Most explicit renditions an API job may ask for"),
  API_MAX_RENDITION_HEIGHT: setting(int(144, MAX_HEIGHT).default(2160), "Tallest rendition an API job may ask for (a preset's rungs included)"),
  API_MAX_ATTEMPTS: setting(int(1, 10).default(3), "Most spec.maxAttempts an API user may choose"),
  API_MAX_DEADLINE_SECONDS: setting(int(60, 604_800).default(86_400), "Longest spec.activeDeadlineSeconds an API user may choose"),
};
type ApiEnv = ConfigOf<typeof apiSettings>;

export interface ApiConfig {
  host: string;
  port: number;
  /** The internal server's port (probes, /metrics), on the same host. */
  internalPort: number;
  trustProxy: boolean;
  /** Cookies are Secure and HSTS is sent, and a request not over TLS is refused; off only with API_INSECURE_HTTP. */
  secure: boolean;
  sessionKeys: string[];
  session: { absoluteMs: number; idleMs: number; heartbeatMs: number };
  mongo: { url: string; db: string };
  redis: { url: string; prefix: string };
  kube: { kubeconfigPath?: string | undefined; namespace: string; watchIdleTimeoutMs: number };
  /** Where clients reach the API (playback links); undefined: from each request. No trailing slash. */
  publicUrl: string | undefined;
  tokens: { maxRequests: number; windowSeconds: number };
  playback: { ttlSeconds: number };
  s3: { region: string; endpoint?: string | undefined; forcePathStyle: boolean; uploadsBucket: string; outputsBucket: string };
  /** Where jobs may read and write (crds/tenancy.ts). */
  tenancy: TenancyPolicy;
  uploads: { prefix: string; maxBytes: number; urlTtlSeconds: number; downloadTtlSeconds: number };
  login: LoginLimits;
  /** What an API user may choose for a job, and how many may wait at once. */
  jobLimits: JobLimits;
  /** argon2id cost; production keeps the library defaults (64 MiB, t=3), tests may lower them. */
  argon2: { memoryCost: number; timeCost: number };
  logLevel: string;
  shutdownTimeoutMs: number;
  /** Request body limit for JSON bodies. */
  bodyLimitBytes: number;
}

export interface JobLimits {
  maxQueuedPerUser: number;
  maxPriority: number;
  minCrf: number;
  slowestPreset: X264Preset;
  maxRenditions: number;
  maxHeight: number;
  maxAttempts: number;
  maxDeadlineSeconds: number;
}

/** Validates the environment once at start-up; a bad value fails with every problem listed, never later. */
export function loadApiConfig(env: Record<string, string | undefined> = process.env): Loaded<ApiConfig> {
  // One port for both servers would fail at listen with EADDRINUSE; say which setting instead (0 is any free port).
  const samePort = (c: ApiEnv) =>
    c.HTTP_PORT !== undefined && c.HTTP_PORT !== 0 && c.HTTP_PORT === c.INTERNAL_HTTP_PORT
      ? [{ variable: "INTERNAL_HTTP_PORT", message: "must differ from HTTP_PORT: the internal server (probes, /metrics) needs a port of its own" }]
      : [];
  const { config: e, warnings } = loadConfig("api", apiSettings, env, { refine: (c) => [...f.tenancyProblems(c), ...samePort(c)] });
  return { config: toApiConfig(e), warnings };
}

function toApiConfig(e: ApiEnv): ApiConfig {
  return {
    host: e.HTTP_HOST,
    port: e.HTTP_PORT,
    internalPort: e.INTERNAL_HTTP_PORT,
    trustProxy: e.API_TRUST_PROXY,
    secure: !e.API_INSECURE_HTTP,
    sessionKeys: e.API_SESSION_KEYS,
    session: { absoluteMs: e.API_SESSION_ABSOLUTE_SECONDS * 1000, idleMs: e.API_SESSION_IDLE_SECONDS * 1000, heartbeatMs: e.API_SSE_HEARTBEAT_SECONDS * 1000 },
    mongo: { url: e.MONGODB_URL, db: e.MONGODB_DATABASE },
    redis: { url: e.REDIS_URL, prefix: e.API_REDIS_PREFIX },
    kube: { kubeconfigPath: e.KUBECONFIG, namespace: e.JOBS_NAMESPACE, watchIdleTimeoutMs: e.WATCH_IDLE_TIMEOUT_MS },
    publicUrl: e.API_PUBLIC_URL?.replace(/\/+$/, ""),
    tokens: { maxRequests: e.API_TOKEN_MAX_REQUESTS, windowSeconds: e.API_TOKEN_WINDOW_SECONDS },
    playback: { ttlSeconds: e.PLAYBACK_URL_TTL_SECONDS },
    s3: { region: e.AWS_REGION, endpoint: e.S3_ENDPOINT, forcePathStyle: e.S3_FORCE_PATH_STYLE, uploadsBucket: e.UPLOADS_BUCKET, outputsBucket: e.OUTPUTS_BUCKET },
    tenancy: f.tenancyPolicyOf(e),
    uploads: { prefix: e.UPLOADS_PREFIX, maxBytes: e.UPLOAD_MAX_BYTES, urlTtlSeconds: e.UPLOAD_URL_TTL_SECONDS, downloadTtlSeconds: e.DOWNLOAD_URL_TTL_SECONDS },
    login: {
      maxFailuresPerSource: e.LOGIN_MAX_FAILURES_PER_SOURCE,
      maxAttemptsPerIp: e.LOGIN_MAX_ATTEMPTS_PER_IP,
      windowSeconds: e.LOGIN_WINDOW_SECONDS,
      maxFailuresPerAccount: e.LOGIN_MAX_FAILURES_PER_ACCOUNT,
      accountWindowSeconds: e.LOGIN_ACCOUNT_WINDOW_SECONDS,
    },
    jobLimits: {
      maxQueuedPerUser: e.API_MAX_QUEUED_JOBS_PER_USER,
      maxPriority: e.API_MAX_PRIORITY,
      minCrf: e.API_MIN_CRF,
      slowestPreset: e.API_SLOWEST_X264_PRESET,
      maxRenditions: e.API_MAX_RENDITIONS,
      maxHeight: e.API_MAX_RENDITION_HEIGHT,
      maxAttempts: e.API_MAX_ATTEMPTS,
      maxDeadlineSeconds: e.API_MAX_DEADLINE_SECONDS,
    },
    argon2: { memoryCost: 65536, timeCost: 3 },
    logLevel: e.LOG_LEVEL,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    bodyLimitBytes: 64 * 1024,
  };
}
