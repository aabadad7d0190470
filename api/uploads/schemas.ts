import { z } from "zod";

/** File names the API hands out keys for (the key layout itself is lib/uploads'). */
export const Filename = z
  .string()
  .min(1)
  .max(200, "must be at most 200 characters")
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "may contain only letters, digits, '.', '_' and '-', and must start with a letter or digit");

/** What may be uploaded: a video, or audio (it becomes an audio-only ladder), within the same limits. */
export const MediaContentType = z
  .string()
  .max(100)
  .regex(/^(?:video|audio)\/[a-z0-9][a-z0-9.+-]*$/, "must be a video/* or audio/* media type, e.g. video/mp4 or audio/mpeg");

/**
 * An upload key in a request body: the shape <prefix><owner>/<uploadId>/<filename> is checked here (the prefix
 * is configured, UPLOADS_PREFIX), whose upload it is in the handler.
 */
export const UploadKey = z
  .string()
  .max(1024)
  .regex(/^(?:[^/]+\/)*[a-z0-9-]{1,63}\/[A-Za-z0-9._-]{1,128}\/[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/, "must be an upload key returned by the uploads endpoints");

export const PresignedPostBody = z.strictObject({ filename: Filename, contentType: MediaContentType });

export const PresignedPostView = z.object({
  key: z.string().describe("The S3 key the form uploads to; pass it to POST /jobs"),
  uploadId: z.string(),
  url: z.string().describe("POST the form here (multipart/form-data, the file field last)"),
  fields: z.record(z.string(), z.string()).describe("Form fields to send unchanged"),
  maxBytes: z.number().int(),
  expiresAt: z.string(),
});

export const MultipartCreateBody = z.strictObject({
  filename: Filename,
  contentType: MediaContentType,
  size: z.number().int().positive().describe("Total size in bytes"),
});

export const MultipartView = z.object({
  key: z.string(),
  uploadId: z.string().describe("The S3 multipart upload id"),
  partSize: z.number().int(),
  partCount: z.number().int(),
});

const S3UploadId = z.string().min(1).max(1024).regex(/^[\x21-\x7e]+$/, "must be an upload id returned by POST /uploads/multipart");
const PartNumber = z.number().int().min(1).max(10000);

export const MultipartPartsBody = z.strictObject({
  key: UploadKey,
  uploadId: S3UploadId,
  partNumbers: z.array(PartNumber).min(1).max(100, "at most 100 parts per request"),
});

export const MultipartPartsView = z.object({
  parts: z.array(z.object({ partNumber: z.number().int(), size: z.number().int().describe("PUT exactly this many bytes: the URL is signed for it"), url: z.string() })),
  expiresAt: z.string(),
});

export const MultipartCompleteBody = z.strictObject({
  key: UploadKey,
  uploadId: S3UploadId,
  parts: z
    .array(z.strictObject({ partNumber: PartNumber, etag: z.string().min(1).max(200) }))
    .min(1)
    .max(10000),
});

export const MultipartCompleteView = z.object({ key: z.string(), size: z.number().int() });

export const MultipartAbortBody = z.strictObject({ key: UploadKey, uploadId: S3UploadId });
