import { z } from "zod";
import { DEFAULT_DEDUPE_TTL_SECONDS, DEFAULT_UPLOADS_PREFIX, DEFAULT_UPLOADS_STREAM } from "../lib/uploads/index.js";

/**
 * The lambda's settings, read once per cold start from its environment (the only place that reads
 * process.env). REDIS_URL may carry a password (rediss://:pw@host); it is never logged.
 */
export const lambdaConfigSchema = z.object({
  REDIS_URL: z.string().regex(/^rediss?:\/\//, "must be a redis:// or rediss:// URL"),
  UPLOADS_STREAM: z.string().min(1).default(DEFAULT_UPLOADS_STREAM),
  UPLOADS_PREFIX: z.string().min(1).endsWith("/").default(DEFAULT_UPLOADS_PREFIX),
  DEDUPE_TTL_SECONDS: z.coerce.number().int().min(60).default(DEFAULT_DEDUPE_TTL_SECONDS),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});
export type LambdaConfig = z.infer<typeof lambdaConfigSchema>;

export function loadLambdaConfig(env: NodeJS.ProcessEnv = process.env): LambdaConfig {
  const parsed = lambdaConfigSchema.safeParse(env);
  if (!parsed.success) {
    // The message names the variables, never their values (REDIS_URL may hold a password).
    const fields = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`invalid lambda configuration: ${fields}`);
  }
  return parsed.data;
}
