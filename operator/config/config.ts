import { z } from "zod";
import { argv, bool, csv, fragments as f, int, loadConfig, namespace, setting, text, urlOf, type ConfigOf, type Loaded } from "../../lib/config/index.js";

/** An ARN of a Secrets Manager secret or an SSM parameter, what an ECS container's `secrets[].valueFrom` takes. */
const arn = () => z.string().regex(/^arn:aws[a-z-]*:(secretsmanager|ssm):[a-z0-9-]+:[0-9]{12}:(secret:|parameter\/).+$/, "must be a Secrets Manager secret or SSM parameter ARN");

/** Per-namespace numbers as `namespace=n` pairs, comma-separated: "media=2,batch=1". */
const namespaceLimits = () =>
  z
    .string()
    .transform((s, ctx) => {
      const out: Record<string, number> = {};
      for (const part of s.split(",").map((x) => x.trim()).filter(Boolean)) {
        const m = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)=([1-9][0-9]{0,3})$/.exec(part);
        if (!m) {
          ctx.addIssue({ code: "custom", message: "must be namespace=n pairs separated by commas (n from 1 to 9999)" });
          return z.NEVER;
        }
        out[m[1]!] = Number(m[3]);
      }
      return out;
    });

/**
 * Every setting of the operator (the shared fragments plus its own), read from the environment once at start-up.
 * Nothing else in the operator reads process.env.
 */
export const operatorSettings = {
  ...f.logging,
  ...f.lifecycle,
  ...f.http,
  ...f.kube,
  WATCH_ALL_NAMESPACES: setting(bool().default(false), "Watch TranscodeJobs in every namespace instead of JOBS_NAMESPACE only (needs a ClusterRole)"),
  ...f.mongo,
  ...f.redis,
  TASK_REDIS_URL: setting(urlOf("redis", "rediss").optional(), "The tasks' own Redis URL (their ACL user), passed in each task's env (required with LAUNCHER=local; refused with ecs)", {
    secret: true,
  }),
  TASK_REDIS_SECRET_ARN: setting(arn().optional(), "Secrets Manager secret or SSM parameter ARN the task definition's TJ_REDIS_URL comes from; checked, never sent in RunTask (required with LAUNCHER=ecs)"),
  ...f.s3,
  ...f.tenancy,
  ...f.mediaLimits,
  DEFAULT_ACTIVE_DEADLINE_SECONDS: setting(int(60, 30 * 24 * 3600).default(24 * 3600), "A job's deadline across all its attempts when its spec sets none"),
  MAX_CONCURRENT_TASKS: setting(int(1, 1000).default(5), "Cluster-wide cap on transcoding tasks alive at once"),
  ADMISSION_POLICY: setting(z.enum(["fair", "fifo"]).default("fair"), "Order of Queued jobs within a priority level: fair (the owner with the least recent usage first, then the longest waiting) or fifo (creation order)"),
  FAIR_SHARE_HALF_LIFE_SECONDS: setting(int(0, 30 * 86_400).default(3600), "Half-life of an owner's past slot time under the fair policy (0: only slots held now count)"),
  OWNER_MAX_RUNNING: setting(int(1, 1000).optional(), "Most jobs of one owner (an API user, or a namespace's jobs made without an owner) holding slots at once; unset: no limit but the cap"),
  OWNER_MAX_RUNNING_BY_NAMESPACE: setting(namespaceLimits().optional(), "Per-namespace overrides of OWNER_MAX_RUNNING as namespace=n pairs, e.g. media=2,batch=1"),
  OWNER_METRICS_TOP_N: setting(int(0, 1000).default(10), "Owners with the most slots held get their own series of transcode_operator_owner_running"),
  WORKERS: setting(int(1, 100).default(10), "Reconciles run in parallel (never two for one job)"),
  LAUNCHER: setting(z.enum(["ecs", "local"]).default("ecs"), "Where tasks run: ECS Fargate, or local child processes (embedded mode)"),
  LOCAL_TASK_COMMAND: setting(argv().optional(), "The transcoder's command line as a JSON array (required with LAUNCHER=local)"),
  LOCAL_TASK_STATE_DIR: setting(text().optional(), "Where local tasks are recorded (and log), so that a restarted operator adopts them; unset: they are not"),
  ECS_CLUSTER: setting(text().optional(), "ECS cluster of the tasks (required with LAUNCHER=ecs)"),
  ECS_TASK_DEFINITION: setting(text().optional(), "Task definition family, family:revision or ARN (required with LAUNCHER=ecs)"),
  ECS_CONTAINER_NAME: setting(text().default("transcoder"), "The transcoder container in the task definition"),
  ECS_SUBNETS: setting(csv().optional(), "Comma-separated subnets of the tasks (required with LAUNCHER=ecs)"),
  ECS_SECURITY_GROUPS: setting(csv().default([]), "Comma-separated security groups of the tasks"),
  ECS_ASSIGN_PUBLIC_IP: setting(bool().default(false), "Give tasks a public IP (subnets without a NAT gateway)"),
  AWS_ENDPOINT_URL_ECS: setting(urlOf("http", "https").optional(), "ECS API endpoint override (the emulator in tests); unset: AWS"),
  LEADER_ELECTION: setting(bool().default(true), "Elect one acting replica on a Lease; off only for a single replica"),
  LEASE_NAMESPACE: setting(namespace().default("default"), "Namespace of the leader-election Lease"),
  LEASE_NAME: setting(text().default("transcode-operator"), "Name of the leader-election Lease"),
  LEASE_DURATION_SECONDS: setting(int(2, 3600).default(15), "How long a lease holder is trusted without a renewal (client-go's default)"),
  LEASE_RENEW_DEADLINE_SECONDS: setting(int(1, 3600).default(10), "A leader that could not renew for this long steps down (below the lease duration)"),
  LEASE_RETRY_PERIOD_SECONDS: setting(int(1, 600).default(2), "How often the lease is renewed or tried"),
  POD_NAME: setting(text().optional(), "This replica's pod name (the downward API); a random suffix makes the lease identity unique"),
  POLL_MS: setting(int(100, 600_000).default(2_000), "How often a Starting/Running job is looked at again"),
  STOP_POLL_MS: setting(int(50, 60_000).default(500), "How often a task asked to stop is described until STOPPED (its slot is freed then)"),
  QUEUED_POLL_MS: setting(int(100, 3_600_000).default(10_000), "Safety requeue of a Queued job at the head of the queue"),
  RETRY_BACKOFF_BASE_MS: setting(int(0, 3_600_000).default(10_000), "First retry delay after a retryable failure; doubles per attempt"),
  RETRY_BACKOFF_MAX_MS: setting(int(0, 86_400_000).default(300_000), "Longest retry delay"),
  TASK_START_TIMEOUT_SECONDS: setting(int(10, 86_400).default(600), "A launched task not RUNNING after this long is stopped and its attempt retried"),
  TASK_STALL_TIMEOUT_SECONDS: setting(int(10, 86_400).default(300), "A running task silent this long (no progress, no heartbeat) is stopped and its attempt retried"),
  DEFAULT_MAX_ATTEMPTS: setting(int(1, 100).default(3), "Attempts of a job whose spec does not say"),
  ...f.watch,
  RESYNC_PERIOD_MS: setting(int(0, 86_400_000).default(600_000), "Every cached job is looked at again this often (0: never)"),
};

export type OperatorConfig = ConfigOf<typeof operatorSettings>;

/** Parses and validates the environment; a ConfigError names every bad variable (values are never echoed). */
export function loadOperatorConfig(env: Record<string, string | undefined>): Loaded<OperatorConfig> {
  const missing = (c: OperatorConfig, launcher: string, names: readonly (keyof OperatorConfig)[]) =>
    c.LAUNCHER !== launcher
      ? []
      : names.filter((k) => c[k] === undefined || (Array.isArray(c[k]) && c[k].length === 0)).map((variable) => ({ variable, message: `required when LAUNCHER=${launcher}` }));
  const leaseOrder = (c: OperatorConfig) =>
    [c.LEASE_DURATION_SECONDS, c.LEASE_RENEW_DEADLINE_SECONDS, c.LEASE_RETRY_PERIOD_SECONDS].includes(undefined as unknown as number) ||
    (c.LEASE_DURATION_SECONDS > c.LEASE_RENEW_DEADLINE_SECONDS && c.LEASE_RENEW_DEADLINE_SECONDS > c.LEASE_RETRY_PERIOD_SECONDS)
      ? []
      : [{ variable: "LEASE_RENEW_DEADLINE_SECONDS", message: "needs LEASE_DURATION_SECONDS > LEASE_RENEW_DEADLINE_SECONDS > LEASE_RETRY_PERIOD_SECONDS" }];
  return loadConfig("transcode-operator", operatorSettings, env, {
    refine: (c) => [
      ...f.tenancyProblems(c),
      ...missing(c, "ecs", ["ECS_CLUSTER", "ECS_TASK_DEFINITION", "ECS_SUBNETS", "TASK_REDIS_SECRET_ARN"]),
      ...missing(c, "local", ["LOCAL_TASK_COMMAND", "TASK_REDIS_URL"]),
      // RunTask overrides are shown by DescribeTasks and recorded by CloudTrail: no credential goes there.
      ...(c.LAUNCHER === "ecs" && c.TASK_REDIS_URL !== undefined
        ? [{ variable: "TASK_REDIS_URL", message: "not with LAUNCHER=ecs: the task definition takes TJ_REDIS_URL from TASK_REDIS_SECRET_ARN" }]
        : []),
      ...(c.LEADER_ELECTION ? leaseOrder(c) : []),
    ],
  });
}
