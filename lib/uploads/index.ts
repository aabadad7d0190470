// The upload-to-job contract: uploads become TranscodeJobs. Shared by the lambda, the local webhook receiver and the bridge.
export {
  DEFAULT_UPLOADS_PREFIX,
  OWNER_ID_PATTERN,
  VIDEO_EXTENSIONS,
  AUDIO_EXTENSIONS,
  decodeS3EventKey,
  parseUploadKey,
  newUploadKey,
  isOwnedUploadKey,
  isMediaObject,
  type UploadKey,
  type UploadKeyParse,
  type IgnoreReason,
} from "./keys.js";
export { MULTIPART_LIFETIME_HOURS } from "./multipart.js";
export { idempotencyKey, jobNameFor, filenameOf, slugOf, type ObjectIdentity } from "./identity.js";
export { uploadEntrySchema, encodeEntryFields, decodeEntryFields, ENTRY_FIELD, IDEM_FIELD, type UploadEntry, type EntryDecode } from "./entry.js";
export { s3EventRecordSchema, classifyRecord, type S3EventRecord, type RecordOutcome, type ClassifyOptions } from "./s3-event.js";
export { DEFAULT_UPLOADS_STREAM, LEGACY_LIST, streamKeys, type StreamKeys } from "./stream-keys.js";
export { RedisUploadStream, DEFAULT_DEDUPE_TTL_SECONDS, type UploadStream, type AppendResult, type RedisUploadStreamOptions } from "./append.js";
export { promIngestMetrics, TallyIngestMetrics, type IngestMetrics, type IngestOutcome } from "./metrics.js";
export { ingestRecords, type IngestResult, type IngestDeps } from "./ingest.js";
export { buildUploadJob, UPLOAD_KEY_ANNOTATION, UPLOAD_ORIGIN_ANNOTATION, type UploadJobOptions, type UploadJobBuild } from "./job.js";
export { parseLegacyItem, bucketFromObjectUrl, legacyItemSchema, type LegacyOptions, type LegacyParse } from "./legacy.js";
