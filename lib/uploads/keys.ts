import { randomUUID } from "node:crypto";
import { posix } from "node:path";

/** The upload key layout: "uploads/<ownerId>/<uploadId>/<filename>". */
export const DEFAULT_UPLOADS_PREFIX = "uploads/";
export const OWNER_ID_PATTERN = /^[a-z0-9-]{1,63}$/;
const UPLOAD_ID_PATTERN = /^[A-Za-z0-9._-]{1,128}$/;

/**
 * S3 event notifications carry the key form-urlencoded (spaces as "+", "@" as "%40", UTF-8 percent-encoded).
 * The original service used the raw value and broke on exactly these keys. Returns undefined for a key that
 * is not valid percent-encoding rather than guessing.
 */
export function decodeS3EventKey(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw.replace(/\+/g, " "));
  } catch {
    return undefined;
  }
}

export interface UploadKey {
  ownerId: string;
  uploadId: string;
  filename: string;
}

export type UploadKeyParse = { ok: true; value: UploadKey } | { ok: false; reason: IgnoreReason; detail: string };

/** Why an object is not an upload we transcode. Used as a metric label, so the set is closed. */
export type IgnoreReason =
  | "outside-prefix"
  | "foreign-bucket"
  | "too-large"
  | "bad-layout"
  | "bad-owner"
  | "not-media"
  | "empty-object"
  | "not-object-created"
  | "test-event";

/** Splits a decoded key into owner, upload id and file name; anything else under the prefix is not an upload. */
export function parseUploadKey(key: string, prefix: string = DEFAULT_UPLOADS_PREFIX): UploadKeyParse {
  if (!key.startsWith(prefix)) {
    return { ok: false, reason: "outside-prefix", detail: `key is not under "${prefix}"` };
  }
  const rest = key.slice(prefix.length);
  const parts = rest.split("/");
  const [ownerId, uploadId, filename] = parts;
  if (parts.length !== 3 || ownerId === undefined || uploadId === undefined || filename === undefined || filename === "") {
    return { ok: false, reason: "bad-layout", detail: `expected ${prefix}<ownerId>/<uploadId>/<filename>` };
  }
  if (!OWNER_ID_PATTERN.test(ownerId)) {
    return { ok: false, reason: "bad-owner", detail: "owner id must match [a-z0-9-]{1,63}" };
  }
  if (!UPLOAD_ID_PATTERN.test(uploadId) || uploadId === "." || uploadId === "..") {
    return { ok: false, reason: "bad-layout", detail: "upload id must match [A-Za-z0-9._-]{1,128}" };
  }
  if (filename === "." || filename === "..") return { ok: false, reason: "bad-layout", detail: "the file name cannot be . or .." };
  return { ok: true, value: { ownerId, uploadId, filename } };
}

/** The key a new upload of `filename` by `ownerId` gets, with a fresh upload id. */
export function newUploadKey(prefix: string, ownerId: string, filename: string, uploadId: string = randomUUID()): { key: string; uploadId: string } {
  return { key: `${prefix}${ownerId}/${uploadId}/${filename}`, uploadId };
}

/** True when `key` is an upload in the layout and lies under `ownerId`'s own prefix. */
export function isOwnedUploadKey(prefix: string, ownerId: string, key: string): boolean {
  const parsed = parseUploadKey(key, prefix);
  return parsed.ok && parsed.value.ownerId === ownerId;
}

/** Container formats ffmpeg reads that users upload as video. AWS events carry no content type, so the name decides. */
export const VIDEO_EXTENSIONS: ReadonlySet<string> = new Set([
  ".mp4", ".m4v", ".mov", ".qt", ".mkv", ".webm", ".avi", ".wmv", ".flv", ".mpg", ".mpeg", ".m2v",
  ".ts", ".mts", ".m2ts", ".3gp", ".3g2", ".ogv", ".mxf", ".vob", ".f4v", ".asf", ".y4m",
]);

/** Audio files the transcoder turns into an audio-only ladder (its container whitelist reads each of them). */
export const AUDIO_EXTENSIONS: ReadonlySet<string> = new Set([".mp3", ".m4a", ".aac", ".flac", ".wav", ".ogg", ".oga", ".opus", ".wma"]);

/**
 * Audio or video by content type (MinIO events carry it) or, failing that, by extension. A generic binary type
 * (application/octet-stream, as many clients send) defers to the extension.
 */
export function isMediaObject(filename: string, contentType?: string): boolean {
  const type = contentType?.split(";")[0]?.trim().toLowerCase();
  if (type?.startsWith("video/") || type?.startsWith("audio/")) return true;
  const ext = posix.extname(filename).toLowerCase();
  if (type && type !== "" && type !== "application/octet-stream" && type !== "binary/octet-stream") {
    // A declared type that is neither (image/jpeg, text/plain) wins over a misleading extension.
    return false;
  }
  return VIDEO_EXTENSIONS.has(ext) || AUDIO_EXTENSIONS.has(ext);
}
