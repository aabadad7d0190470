import { newTranscodeJob, type TenancyPolicy, type TranscodeJobInput } from "../../crds/index.js";
import type { UploadEntry } from "./entry.js";
import { jobNameFor } from "./identity.js";

/** Annotations that let anyone trace a job back to the upload and stream entry that made it. */
export const UPLOAD_KEY_ANNOTATION = "media.transcoder.dev/upload-key";
export const UPLOAD_ORIGIN_ANNOTATION = "media.transcoder.dev/upload-origin";

export interface UploadJobOptions {
  namespace: string;
  /** Where the job may read and write (crds/tenancy.ts): an entry that breaks it cannot become a job. */
  policy: TenancyPolicy;
}

export type UploadJobBuild = { ok: true; job: TranscodeJobInput } | { ok: false; kind: "schema" | "tenancy"; error: string };

/**
 * The upload-to-job contract: the one TranscodeJob an upload becomes. Only what the upload decides is set; the CRD's
 * defaults (ladder, formats, thumbnails, attempts) fill in the rest on the server, like a kubectl apply.
 * Returns an error instead of throwing when the entry cannot be a valid spec (e.g. a bucket name the CRD
 * refuses), so the caller can dead-letter it rather than retry forever.
 */
export function buildUploadJob(entry: UploadEntry, options: UploadJobOptions): UploadJobBuild {
  const built = newTranscodeJob({
    name: jobNameFor(entry.idempotencyKey),
    namespace: options.namespace,
    owner: entry.ownerId,
    source: { bucket: entry.bucket, key: entry.key, versionId: entry.versionId },
    annotations: { [UPLOAD_KEY_ANNOTATION]: entry.idempotencyKey.slice(0, 2048), [UPLOAD_ORIGIN_ANNOTATION]: entry.origin },
  }, options.policy);
  if (!built.ok) {
    const issues = built.issues.map((i) => `${i.path}: ${i.message}`).join("; ");
    return { ok: false, kind: built.kind, error: built.kind === "tenancy" ? `upload breaks the tenancy rule: ${issues}` : `upload cannot become a valid spec: ${issues}` };
  }
  return built;
}
