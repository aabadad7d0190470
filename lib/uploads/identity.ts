import { createHash } from "node:crypto";

export interface ObjectIdentity {
  bucket: string;
  /** The decoded object key. */
  key: string;
  versionId?: string | undefined;
  etag?: string | undefined;
}

/** S3 quotes ETags in some places and not in others; the identity must not depend on which one we saw. */
function normalizeEtag(etag: string): string {
  return etag.replace(/^"+|"+$/g, "");
}

/**
 * The upload-to-job contract: "<bucket>/<key>@<versionId or etag>". A version id names one version exactly; without
 * versioning the ETag tells a re-upload (new content) from a redelivered event (same content).
 */
export function idempotencyKey(id: ObjectIdentity): string {
  const version = id.versionId && id.versionId !== "null" ? id.versionId : id.etag ? normalizeEtag(id.etag) : "";
  if (version === "") throw new Error("an object identity needs a versionId or an etag");
  return `${id.bucket}/${id.key}@${version}`;
}

/** The upload-to-job contract: "up-" + the first 20 hex chars of sha256(idempotency key). A valid DNS-1123 name, 23 chars. */
export function jobNameFor(idemKey: string): string {
  return `up-${createHash("sha256").update(idemKey, "utf8").digest("hex").slice(0, 20)}`;
}
