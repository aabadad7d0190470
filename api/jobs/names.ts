import { createHash } from "node:crypto";
import { DEFAULT_PRESET, Encoding, Ladder } from "../../crds/index.js";

/** Annotation with a digest of the create request, so a replayed Idempotency-Key with another body is caught. */
export const REQUEST_HASH_ANNOTATION = "media.transcoder.dev/api-request-hash";
/** Annotation with sha256(owner, Idempotency-Key) on the job a request with that key created. */
export const IDEMPOTENCY_ANNOTATION = "media.transcoder.dev/api-idempotency-key";
/** On a job made for another ladder/encoding of an upload that already had a job: that first job's name. */
export const REENCODES_ANNOTATION = "media.transcoder.dev/reencodes";

const sha256 = (s: string) => createHash("sha256").update(s, "utf8").digest("hex");

export function idempotencyDigest(owner: string, key: string): string {
  return sha256(`${owner}\n${key}`).slice(0, 32);
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

/**
 * The rendition set a ladder and an encoding ask for, as a digest: defaults filled in (preset "standard", the default
 * x264 preset and segment length) and explicit rungs ordered by height, so two ways of writing the same ladder are
 * the same set. undefined for a spec that is not one (a job written by hand with fields this version does not know).
 */
export function renditionSet(ladder: unknown, encoding: unknown): string | undefined {
  const l = Ladder.safeParse(ladder ?? { preset: DEFAULT_PRESET });
  const e = Encoding.safeParse(encoding ?? {});
  if (!l.success || !e.success) return undefined;
  const rungs = l.data.renditions ? { renditions: [...l.data.renditions].sort((a, b) => a.height - b.height) } : { preset: l.data.preset };
  return requestHash({ ladder: rungs, encoding: e.data });
}

export const JOB_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
