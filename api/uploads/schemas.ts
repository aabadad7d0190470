import { z } from "zod";
import { Filename, UploadKey, VideoContentType } from "./keys.js";

export const PresignedPostBody = z.strictObject({ filename: Filename, contentType: VideoContentType });

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
  contentType: VideoContentType,
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
  parts: z.array(z.object({ partNumber: z.number().int(), url: z.string() })),
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
