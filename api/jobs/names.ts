import { createHash, randomBytes } from "node:crypto";

/** Annotation with a digest of the create request, so a replayed Idempotency-Key with another body is caught. */
export const REQUEST_HASH_ANNOTATION = "media.transcoder.dev/api-request-hash";

const sha256 = (s: string) => createHash("sha256").update(s, "utf8").digest("hex");

/**
 * The job name for an API create. With an Idempotency-Key the name is a function of (owner, key), so the
 * apiserver's own uniqueness makes a replay find the first job instead of making a second one, even across
 * API replicas and restarts. "api-" keeps these apart from the bridge's "up-" names (the upload-to-job contract, lib/uploads).
 */
export function apiJobName(owner: string, idempotencyKey?: string): string {
  if (idempotencyKey === undefined) return `api-${randomBytes(10).toString("hex")}`;
  return `api-${sha256(`${owner}\n${idempotencyKey}`).slice(0, 20)}`;
}

/** JSON with sorted keys, so the same request hashes the same however its keys were ordered. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

export function requestHash(body: unknown): string {
  return sha256(canonical(body)).slice(0, 32);
}

export const JOB_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
