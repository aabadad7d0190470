import { z } from "zod";
import { DEFAULT_TASK_LIMITS } from "../task-contract/limits.js";
import { policyProblems, type TenancyPolicy } from "../../crds/tenancy.js";
import { bool, csv, int, logLevel, namespace, text, urlOf } from "./parsers.js";
import { setting } from "./setting.js";

/**
 * The settings several processes share, one fragment per concern. A process's config module spreads the
 * fragments it needs and adds its own settings; the same concern therefore has the same name, type, default
 * and documentation in every process, and in the Helm chart's values.
 */

export const logging = {
  LOG_LEVEL: setting(logLevel().default("info"), "pino log level"),
};

export const lifecycle = {
  SHUTDOWN_TIMEOUT_MS: setting(int(1_000, 600_000).default(25_000), "Graceful stop budget after SIGTERM; a second signal exits at once"),
};

export const http = {
  HTTP_HOST: setting(text().default("0.0.0.0"), "Address the process's HTTP server (health, metrics, API) listens on, and the API's internal one", {
    aliases: ["API_HOST", "BRIDGE_HTTP_HOST", "WEBHOOK_HOST"],
  }),
  HTTP_PORT: setting(int(0, 65535).default(8080), "Port of that server (0: any free port, logged at start)", { aliases: ["API_PORT", "BRIDGE_HTTP_PORT", "WEBHOOK_PORT"] }),
};

/**
 * The second, internal port of a process whose HTTP_PORT is public (the API): probes and /metrics there never go
 * through the public Service or Ingress. On HTTP_HOST too: kubelet and Prometheus reach it on the pod's address.
 */
export const internalHttp = {
  INTERNAL_HTTP_PORT: setting(
    int(0, 65535).default(8081),
    "Port of the internal HTTP server (/healthz, /readyz, /metrics) of a process whose HTTP_PORT is public: never behind its Service or Ingress (0: any free port, logged at start)",
  ),
};

export const kube = {
  KUBECONFIG: setting(text().optional(), "Path to a kubeconfig; unset: the in-cluster service account, else ~/.kube/config"),
  JOBS_NAMESPACE: setting(namespace().default("default"), "Namespace of the TranscodeJobs this process creates or watches", {
    aliases: ["WATCH_NAMESPACE", "BRIDGE_NAMESPACE"],
  }),
};

export const watch = {
  WATCH_IDLE_TIMEOUT_MS: setting(
    int(1_000, 3_600_000).default(90_000),
    "A watch silent for this long is restarted; a watch cache with no word from the apiserver for twice this long is stale (the API then reads the apiserver)",
  ),
};

export const mongo = {
  MONGODB_URL: setting(urlOf("mongodb", "mongodb+srv"), "MongoDB (or DocumentDB) connection URL", { secret: true, aliases: ["MONGO_URL"] }),
  MONGODB_DATABASE: setting(text().default("transcoder"), "Database of users, job records and slots", { aliases: ["MONGO_DB"] }),
};

export const redis = {
  REDIS_URL: setting(urlOf("redis", "rediss"), "Redis connection URL (may carry the credential)", { secret: true }),
};

export const s3 = {
  AWS_REGION: setting(text().default("us-east-1"), "AWS region of S3 and ECS"),
  S3_ENDPOINT: setting(urlOf("http", "https").optional(), "S3 endpoint of a non-AWS server (MinIO); unset: AWS", { aliases: ["TASK_S3_ENDPOINT"] }),
  S3_FORCE_PATH_STYLE: setting(bool().default(false), "Path-style S3 URLs (MinIO); AWS uses virtual-hosted style", { aliases: ["TASK_S3_FORCE_PATH_STYLE"] }),
};

const bucket = () => z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "must be an S3 bucket name");

const prefix = (def: string) => text().regex(/^(?:[A-Za-z0-9_-][A-Za-z0-9._-]*\/)+$/, "must be path segments, each ending with /").default(def);

export const uploads = {
  UPLOADS_BUCKET: setting(bucket(), "Bucket users upload into"),
  SOURCE_BUCKETS: setting(
    csv().pipe(z.array(bucket())).optional(),
    "Every bucket a job may read its source from (comma-separated; a legacy bucket, say); unset: UPLOADS_BUCKET only",
  ),
  UPLOADS_PREFIX: setting(prefix("uploads/"), "Key prefix of uploads: <prefix><owner>/<upload id>/<filename>; a user's jobs read only under <prefix><owner>/"),
};

export const outputs = {
  OUTPUTS_BUCKET: setting(bucket(), "Bucket the transcoder writes renditions to", { aliases: ["OUTPUT_BUCKET"] }),
  OUTPUTS_PREFIX: setting(prefix("outputs/"), "Key prefix of outputs: a user's job writes exactly <prefix><owner>/<job name>/"),
};

/** The tenancy rule's parameters (crds/tenancy.ts): where jobs may read and write. */
export const tenancy = {
  ...uploads,
  ...outputs,
  NAMESPACE_JOBS_PREFIX: setting(
    prefix("namespaces/"),
    "Key prefix of jobs without spec.owner (kubectl's): in namespace N they read <prefix>N/... of a source bucket and write <prefix>N/<job name>/ of the outputs bucket",
  ),
};

type TenancySettings = { [K in keyof typeof tenancy]: z.output<(typeof tenancy)[K]["schema"]> };

/** The policy the settings describe: the same for every process (the API, the bridge, the operator, the cluster's policy). */
export function tenancyPolicyOf(c: TenancySettings): TenancyPolicy {
  return {
    uploadsBuckets: c.SOURCE_BUCKETS?.length ? [...new Set([c.UPLOADS_BUCKET, ...c.SOURCE_BUCKETS])] : [c.UPLOADS_BUCKET],
    uploadsPrefix: c.UPLOADS_PREFIX,
    outputsBucket: c.OUTPUTS_BUCKET,
    outputsPrefix: c.OUTPUTS_PREFIX,
    namespacePrefix: c.NAMESPACE_JOBS_PREFIX,
  };
}

const POLICY_SETTING: Record<keyof TenancyPolicy, keyof typeof tenancy> = {
  uploadsBuckets: "SOURCE_BUCKETS",
  uploadsPrefix: "UPLOADS_PREFIX",
  outputsBucket: "OUTPUTS_BUCKET",
  outputsPrefix: "OUTPUTS_PREFIX",
  namespacePrefix: "NAMESPACE_JOBS_PREFIX",
};

/** A config's refine rule: the policy's own problems (crds policyProblems), named by setting. Skipped while a setting is missing. */
export function tenancyProblems(c: Partial<TenancySettings>): { variable: string; message: string }[] {
  if (!c.UPLOADS_BUCKET || !c.OUTPUTS_BUCKET || !c.UPLOADS_PREFIX || !c.OUTPUTS_PREFIX || !c.NAMESPACE_JOBS_PREFIX) return [];
  return policyProblems(tenancyPolicyOf(c as TenancySettings)).map((p) => ({ variable: POLICY_SETTING[p.field], message: p.message }));
}

export const uploadStream = {
  UPLOADS_STREAM: setting(text().default("tj:uploads"), "Redis stream of upload events (lambda/webhook -> bridge)"),
};

export const uploadLimits = {
  UPLOAD_MAX_BYTES: setting(int(1, 5 * 1024 ** 4).default(5 * 1024 ** 3), "Largest upload accepted, in bytes; the transcoder refuses a larger source too"),
};

/**
 * What one transcode may consume; the operator passes them to every task (the task contract's limits), so the
 * task enforces what the API promised. The defaults are the task contract's own.
 */
const L = DEFAULT_TASK_LIMITS;
export const mediaLimits = {
  ...uploadLimits,
  MEDIA_MAX_DURATION_SECONDS: setting(int(1, 7 * 24 * 3600).default(L.maxDurationSeconds), "Longest source accepted (declared and measured while decoding)"),
  MEDIA_MAX_FRAME_PIXELS: setting(int(1, 2 ** 31 - 1).default(L.maxPixelsPerFrame), "Most pixels in one decoded frame"),
  MEDIA_MAX_FRAME_RATE: setting(int(1, 10_000).default(L.maxFrameRate), "Highest average frame rate of a source video"),
  OUTPUT_MAX_BYTES: setting(int(1, 100 * 1024 ** 4).default(L.maxOutputBytes), "Most bytes one job may write (all outputs together)"),
  PROBE_TIMEOUT_SECONDS: setting(int(1, 3600).default(L.probeTimeoutSeconds), "Each ffprobe run is killed past this"),
  TRANSCODE_BUDGET_BASE_SECONDS: setting(int(1, 86_400).default(L.wallClockBaseSeconds), "Wall-clock budget of a transcode: this much plus the part below"),
  TRANSCODE_BUDGET_SECONDS_PER_MEDIA_SECOND: setting(int(1, 1000).default(L.wallClockSecondsPerMediaSecond), "Budget per second of media and per 1080p30 rendition at preset faster"),
};
