import { hostname } from "node:os";
import { z } from "zod";
import { DEFAULT_UPLOADS_PREFIX, DEFAULT_UPLOADS_STREAM, LEGACY_LIST, OWNER_ID_PATTERN } from "../../lib/uploads/index.js";

const bool = z.enum(["true", "false", "1", "0", "on", "off"]).transform((v) => v === "true" || v === "1" || v === "on");
const ms = (def: number) => z.coerce.number().int().min(1).default(def);

/** The bridge's settings: read from the environment once, at start, and validated here only. */
export const bridgeConfigSchema = z.object({
  REDIS_URL: z.string().regex(/^rediss?:\/\//, "must be a redis:// or rediss:// URL"),
  /** Without it the in-cluster service account is used. */
  KUBECONFIG: z.string().min(1).optional(),
  BRIDGE_NAMESPACE: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/).max(63).default("default"),
  OUTPUT_BUCKET: z.string().min(3),
  UPLOADS_STREAM: z.string().min(1).default(DEFAULT_UPLOADS_STREAM),
  UPLOADS_PREFIX: z.string().min(1).endsWith("/").default(DEFAULT_UPLOADS_PREFIX),
  BRIDGE_GROUP: z.string().min(1).default("bridge"),
  BRIDGE_CONSUMER: z.string().min(1).default(`${hostname()}-${process.pid}`),
  BRIDGE_MAX_DELIVERIES: z.coerce.number().int().min(1).max(1000).default(8),
  BRIDGE_CLAIM_IDLE_MS: ms(30_000),
  BRIDGE_CLAIM_INTERVAL_MS: ms(5_000),
  BRIDGE_BATCH_SIZE: z.coerce.number().int().min(1).max(1000).default(32),
  BRIDGE_BLOCK_MS: ms(2_000),
  BRIDGE_RETENTION_MS: ms(24 * 3600_000),
  BRIDGE_HOUSEKEEPING_INTERVAL_MS: ms(60_000),
  BRIDGE_CONSUMER_IDLE_MS: ms(3600_000),
  BRIDGE_HTTP_HOST: z.string().default("0.0.0.0"),
  BRIDGE_HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  /** Migration from the original service: also drain its Redis list into the stream. */
  LEGACY_DRAIN: bool.default(false),
  LEGACY_LIST: z.string().min(1).default(LEGACY_LIST),
  LEGACY_BUCKET: z.string().min(3).optional(),
  LEGACY_OWNER: z.string().regex(OWNER_ID_PATTERN).default("legacy"),
  LEGACY_POLL_MS: ms(1_000),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});
export type BridgeConfig = z.infer<typeof bridgeConfigSchema>;

export function loadBridgeConfig(env: NodeJS.ProcessEnv = process.env): BridgeConfig {
  const parsed = bridgeConfigSchema.safeParse(env);
  if (!parsed.success) {
    // Names the variables, never their values (REDIS_URL may hold a password).
    throw new Error(`invalid bridge configuration: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  }
  return parsed.data;
}
