import { z } from "zod";
import type { UploadEntry } from "./entry.js";
import { decodeS3EventKey, isMediaObject, parseUploadKey, DEFAULT_UPLOADS_PREFIX, OWNER_ID_PATTERN } from "./keys.js";

/** One item of the original service's "VideoJobs" list: what its lambda pushed for every upload. */
export const legacyItemSchema = z.looseObject({
  key: z.string().min(1),
  objectUrl: z.string().min(1).optional(),
});

export interface LegacyOptions {
  /** Bucket to assume when the item's objectUrl does not name one. */
  bucket?: string | undefined;
  /** Owner for keys that predate the uploads/<owner>/<upload>/<file> layout. */
  owner: string;
  prefix?: string;
}

export type LegacyParse = { ok: true; entry: UploadEntry } | { ok: false; error: string };

/** The bucket from a virtual-hosted ("b.s3.region.amazonaws.com/k") or path-style ("host/b/k") object URL. */
export function bucketFromObjectUrl(objectUrl: string): string | undefined {
  let url: URL;
  try {
    url = new URL(objectUrl);
  } catch {
    return undefined;
  }
  const hosted = /^(.+)\.s3[.-]([a-z0-9-]+\.)?amazonaws\.com(\.cn)?$/.exec(url.hostname);
  if (hosted?.[1]) return hosted[1];
  const first = url.pathname.split("/")[1];
  return first ? decodeURIComponent(first) : undefined;
}

/**
 * Turns a legacy list item into a stream entry. The original lambda pushed the event's key still
 * URL-encoded, so it is decoded here exactly as the new lambda decodes event keys. The items carry no
 * ETag or version, so the idempotency key's version part is "legacy": re-draining the same item (after a
 * crash between append and removal) maps to the same job.
 */
export function parseLegacyItem(raw: string, options: LegacyOptions): LegacyParse {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, error: "legacy item is not JSON" };
  }
  const parsed = legacyItemSchema.safeParse(json);
  if (!parsed.success) return { ok: false, error: `legacy item needs {key, objectUrl}: ${z.prettifyError(parsed.error).replace(/\n/g, "; ")}` };
  const key = decodeS3EventKey(parsed.data.key);
  if (key === undefined) return { ok: false, error: `legacy key is not valid URL encoding: ${JSON.stringify(parsed.data.key)}` };
  const bucket = (parsed.data.objectUrl && bucketFromObjectUrl(parsed.data.objectUrl)) || options.bucket;
  if (!bucket) return { ok: false, error: "legacy item names no bucket and no default bucket is configured" };
  if (!OWNER_ID_PATTERN.test(options.owner)) return { ok: false, error: `legacy owner ${options.owner} is not a valid owner id` };
  const layout = parseUploadKey(key, options.prefix ?? DEFAULT_UPLOADS_PREFIX);
  const filename = key.split("/").pop() ?? key;
  if (!isMediaObject(filename)) return { ok: false, error: `legacy key ${key} is not an audio or video file name` };
  const owner = layout.ok ? layout.value : { ownerId: options.owner, uploadId: "legacy", filename };
  return {
    ok: true,
    entry: {
      v: 1,
      idempotencyKey: `${bucket}/${key}@legacy`,
      bucket,
      key,
      ownerId: owner.ownerId,
      uploadId: owner.uploadId,
      filename: owner.filename,
      origin: "legacy",
    },
  };
}
