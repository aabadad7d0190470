import { z } from "zod";
import type { UploadEntry } from "./entry.js";
import { idempotencyKey } from "./identity.js";
import { decodeS3EventKey, isMediaObject, parseUploadKey, DEFAULT_UPLOADS_PREFIX, type IgnoreReason } from "./keys.js";

/**
 * One record of an S3 event notification, as AWS sends it (eventSource "aws:s3", eventName
 * "ObjectCreated:Put") and as MinIO sends it to a webhook (eventSource "minio:s3", eventName
 * "s3:ObjectCreated:Put", plus contentType and userMetadata). Only the fields we use are required;
 * the rest pass through so a new field from either sender never makes a record invalid.
 */
export const s3EventRecordSchema = z.looseObject({
  eventVersion: z.string().optional(),
  eventSource: z.string(),
  awsRegion: z.string().optional(),
  eventTime: z.string().optional(),
  eventName: z.string().min(1),
  s3: z.looseObject({
    bucket: z.looseObject({ name: z.string().min(1), arn: z.string().optional() }),
    object: z.looseObject({
      key: z.string().min(1),
      size: z.number().int().nonnegative().optional(),
      eTag: z.string().optional(),
      versionId: z.string().optional(),
      sequencer: z.string().optional(),
      contentType: z.string().optional(),
    }),
  }),
});
export type S3EventRecord = z.infer<typeof s3EventRecordSchema>;

/** What became of one record: an entry to append, an object we do not transcode, or a record we cannot read. */
export type RecordOutcome =
  | { kind: "entry"; entry: UploadEntry }
  | { kind: "ignored"; reason: IgnoreReason; detail: string; bucket?: string; key?: string }
  | { kind: "rejected"; error: string };

export interface ClassifyOptions {
  prefix?: string;
  /** The buckets this process serves (the tenancy rule's uploads buckets); a record for any other is ignored. Unset: any. */
  buckets?: readonly string[] | undefined;
  /** UPLOAD_MAX_BYTES: a larger object (the event's size) never becomes a job. Unset: no limit here. */
  maxBytes?: number | undefined;
}

/** ObjectCreated:Put, :Post, :Copy, :CompleteMultipartUpload, with or without MinIO's "s3:" prefix. */
function isObjectCreated(eventName: string): boolean {
  return /^(s3:)?ObjectCreated:/.test(eventName);
}

/** Pure: one raw record in, one outcome out. Never throws. */
export function classifyRecord(raw: unknown, options: ClassifyOptions = {}): RecordOutcome {
  const prefix = options.prefix ?? DEFAULT_UPLOADS_PREFIX;
  const parsed = s3EventRecordSchema.safeParse(raw);
  if (!parsed.success) {
    return { kind: "rejected", error: `not an S3 event record: ${z.prettifyError(parsed.error).replace(/\n/g, "; ")}` };
  }
  const record = parsed.data;
  const bucket = record.s3.bucket.name;
  const key = decodeS3EventKey(record.s3.object.key);
  if (key === undefined) {
    return { kind: "rejected", error: `object key is not valid URL encoding: ${JSON.stringify(record.s3.object.key)}` };
  }
  if (options.buckets && !options.buckets.includes(bucket)) {
    return { kind: "ignored", reason: "foreign-bucket", detail: `bucket ${bucket} is not one this deployment serves`, bucket, key };
  }
  if (!isObjectCreated(record.eventName)) {
    return { kind: "ignored", reason: "not-object-created", detail: `event ${record.eventName}`, bucket, key };
  }
  const layout = parseUploadKey(key, prefix);
  if (!layout.ok) return { kind: "ignored", reason: layout.reason, detail: layout.detail, bucket, key };
  const { contentType, size, versionId, eTag } = record.s3.object;
  if (!isMediaObject(layout.value.filename, contentType)) {
    const detail = contentType ? `content type ${contentType}` : "file name has no audio or video extension";
    return { kind: "ignored", reason: "not-media", detail, bucket, key };
  }
  if (size === 0) return { kind: "ignored", reason: "empty-object", detail: "object is 0 bytes", bucket, key };
  if (options.maxBytes !== undefined && size !== undefined && size > options.maxBytes) {
    return { kind: "ignored", reason: "too-large", detail: `object is ${size} bytes, over UPLOAD_MAX_BYTES (${options.maxBytes})`, bucket, key };
  }
  if (!versionId && !eTag) {
    return { kind: "rejected", error: `record for ${bucket}/${key} has neither versionId nor eTag` };
  }
  const idemKey = idempotencyKey({ bucket, key, versionId, etag: eTag });
  const entry: UploadEntry = {
    v: 1,
    idempotencyKey: idemKey,
    bucket,
    key,
    ...(versionId && versionId !== "null" ? { versionId } : {}),
    ...(eTag ? { etag: eTag.replace(/^"+|"+$/g, "") } : {}),
    ...(size !== undefined ? { size } : {}),
    ...(contentType ? { contentType } : {}),
    ownerId: layout.value.ownerId,
    uploadId: layout.value.uploadId,
    filename: layout.value.filename,
    ...(record.eventTime ? { eventTime: record.eventTime } : {}),
    origin: record.eventSource === "minio:s3" ? "minio" : "s3",
  };
  return { kind: "entry", entry };
}
