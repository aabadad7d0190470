import { createHash } from "node:crypto";
import { sourceFilename } from "../../crds/index.js";

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

const SLUG_MAX = 40;
const HASH_HEX = 16;

/** The object an idempotency key names, "<bucket>/<key>" ("@<version>" dropped). */
function objectOf(idemKey: string): string {
  const at = idemKey.lastIndexOf("@");
  return at < 0 ? idemKey : idemKey.slice(0, at);
}

/** The file name of the object an idempotency key names: its key's last segment. */
export function filenameOf(idemKey: string): string {
  return sourceFilename(objectOf(idemKey));
}

/**
 * A file name as the readable part of a job name: the extension dropped, accents folded, lower-case ASCII letters
 * and digits with single '-' between words, at most 40 characters; "upload" when nothing is left.
 */
export function slugOf(filename: string): string {
  const stem = filename.replace(/\.[A-Za-z0-9]{1,8}$/, "");
  const slug = stem
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+/, "")
    .slice(0, SLUG_MAX)
    .replace(/-+$/, "");
  return slug || "upload";
}

/**
 * The upload-to-job contract: the job an upload becomes is "<slug of the file name>-<16 hex of sha256(bucket/key)>",
 * e.g. "holiday-clip-3f9a2c1b7e4d5a6b": readable in `kubectl get tj`, a valid DNS-1123 label of at most 57
 * characters, the same for every delivery of the upload (the bridge and the API name it alike). The version is
 * left out on purpose: every key carries its own upload id, so one upload is one job however many times its
 * presigned form is replayed with other bytes within its lifetime (each replay is a new version, and was a new
 * job). `renditions` (the API's digest of another ladder/encoding) names a further job of the same upload.
 */
export function jobNameFor(idemKey: string, renditions?: string): string {
  const object = objectOf(idemKey);
  const digest = createHash("sha256")
    .update(renditions === undefined ? object : `${object}\n${renditions}`, "utf8")
    .digest("hex");
  return `${slugOf(sourceFilename(object))}-${digest.slice(0, HASH_HEX)}`;
}
