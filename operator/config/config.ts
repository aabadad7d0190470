import { z } from "zod";

const csv = z
  .string()
  .transform((s) => s.split(",").map((x) => x.trim()).filter(Boolean));
const bool = z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/**
 * Every setting of the operator, read from the environment once at start-up (documented defaults). Nothing else
 * in the operator reads process.env.
 */
const schema = z
  .object({
    KUBECONFIG: z.string().min(1).optional(),
    /** Watch only this namespace; all namespaces when unset. */
    WATCH_NAMESPACE: z.string().min(1).optional(),
    MONGODB_URL: z.string().regex(/^mongodb(\+srv)?:\/\//, "a mongodb:// URL"),
    MONGODB_DATABASE: z.string().min(1).default("transcoder"),
    REDIS_URL: z.string().regex(/^rediss?:\/\//, "a redis:// or rediss:// URL"),
    /** Redis as the tasks reach it (defaults to REDIS_URL). */
    TASK_REDIS_URL: z.string().regex(/^rediss?:\/\//).optional(),
    /** Non-AWS S3 for the tasks (MinIO in the embedded mode). */
    TASK_S3_ENDPOINT: z.url().optional(),
    TASK_S3_FORCE_PATH_STYLE: bool.default(true),
    AWS_REGION: z.string().min(1).default("us-east-1"),
    MAX_CONCURRENT_TASKS: int(1, 1000).default(5),
    WORKERS: int(1, 100).default(10),
    LAUNCHER: z.enum(["ecs", "local"]).default("ecs"),
    ECS_CLUSTER: z.string().min(1).optional(),
    ECS_TASK_DEFINITION: z.string().min(1).optional(),
    ECS_CONTAINER_NAME: z.string().min(1).default("transcoder"),
    ECS_SUBNETS: csv.optional(),
    ECS_SECURITY_GROUPS: csv.default([]),
    ECS_ASSIGN_PUBLIC_IP: bool.default(false),
    /** ECS API endpoint override (the emulator in tests); the SDK's default chain otherwise. */
    AWS_ENDPOINT_URL_ECS: z.url().optional(),
    LEADER_ELECTION: bool.default(true),
    LEASE_NAMESPACE: z.string().min(1).default("default"),
    LEASE_NAME: z.string().min(1).default("transcode-operator"),
    POD_NAME: z.string().min(1).optional(),
    HTTP_HOST: z.string().min(1).default("0.0.0.0"),
    HTTP_PORT: int(0, 65535).default(8080),
    POLL_MS: int(100, 600_000).default(2_000),
    /** How often a task asked to stop is described until STOPPED (its slot is freed then). */
    STOP_POLL_MS: int(50, 60_000).default(500),
    QUEUED_POLL_MS: int(100, 3_600_000).default(10_000),
    RETRY_BACKOFF_BASE_MS: int(0, 3_600_000).default(10_000),
    RETRY_BACKOFF_MAX_MS: int(0, 86_400_000).default(300_000),
    WATCH_IDLE_TIMEOUT_MS: int(1_000, 3_600_000).default(90_000),
    RESYNC_PERIOD_MS: int(0, 86_400_000).default(600_000),
    SHUTDOWN_TIMEOUT_MS: int(1_000, 600_000).default(25_000),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  })
  .superRefine((c, ctx) => {
    if (c.LAUNCHER !== "ecs") return;
    for (const k of ["ECS_CLUSTER", "ECS_TASK_DEFINITION", "ECS_SUBNETS"] as const) {
      if (c[k] === undefined || (Array.isArray(c[k]) && c[k].length === 0)) ctx.addIssue({ code: "custom", path: [k], message: "required when LAUNCHER=ecs" });
    }
  });

export type OperatorConfig = z.infer<typeof schema>;

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

/** Parses and validates the environment; a ConfigError names every bad variable (values are never echoed). */
export function loadOperatorConfig(env: Record<string, string | undefined>): OperatorConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".") || "(env)"}: ${i.message}`);
    throw new ConfigError(`invalid operator configuration:\n${lines.join("\n")}`);
  }
  return parsed.data;
}
