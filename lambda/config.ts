import { fragments as f, int, loadConfig, setting, text, type ConfigOf, type Loaded } from "../lib/config/index.js";
import { DEFAULT_DEDUPE_TTL_SECONDS } from "../lib/uploads/index.js";

/** The upload Lambda's settings, read once per cold start (the only place in lambda/ that reads process.env). */
export const lambdaSettings = {
  ...f.logging,
  ...f.redis,
  ...f.uploadStream,
  UPLOADS_PREFIX: f.uploads.UPLOADS_PREFIX,
  UPLOADS_BUCKET: f.uploads.UPLOADS_BUCKET,
  SOURCE_BUCKETS: f.uploads.SOURCE_BUCKETS,
  ...f.uploadLimits,
  DEDUPE_TTL_SECONDS: setting(int(60, 30 * 24 * 3600).default(DEFAULT_DEDUPE_TTL_SECONDS), "How long an upload's event is remembered, so a redelivery appends nothing"),
};
export type LambdaConfig = ConfigOf<typeof lambdaSettings>;

/** The buckets whose events become entries: the tenancy rule's uploads buckets (lib/config tenancyPolicyOf). */
export function servedBuckets(c: Pick<LambdaConfig, "UPLOADS_BUCKET" | "SOURCE_BUCKETS">): string[] {
  return [...new Set([c.UPLOADS_BUCKET, ...(c.SOURCE_BUCKETS ?? [])])];
}

export function loadLambdaConfig(env: Record<string, string | undefined> = process.env): Loaded<LambdaConfig> {
  return loadConfig("upload-lambda", lambdaSettings, env);
}

/** The local-mode upload webhook (MinIO's notifications to the same core): the Lambda's settings plus its server. */
export const webhookSettings = {
  ...lambdaSettings,
  ...f.lifecycle,
  ...f.http,
  WEBHOOK_AUTH_TOKEN: setting(text().optional(), "Bearer token MinIO's webhook target must send; unset: none asked", { secret: true }),
};
export type WebhookConfig = ConfigOf<typeof webhookSettings>;

export function loadWebhookConfig(env: Record<string, string | undefined> = process.env): Loaded<WebhookConfig> {
  return loadConfig("upload-webhook", webhookSettings, env);
}
