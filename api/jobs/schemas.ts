import { z } from "zod";
import { Encoding, Ladder, OutputFormat, Phase } from "../../crds/index.js";
import { UploadKey } from "../uploads/schemas.js";
import { JOB_NAME } from "./names.js";

/** What a client may choose; bucket, output prefix and owner are the API's to decide. */
export const CreateJobBody = z.strictObject({
  source: z.strictObject({
    key: UploadKey.describe("An uploads/<you>/<uploadId>/<filename> key from the uploads endpoints"),
    versionId: z.string().min(1).max(1024).optional(),
  }),
  ladder: Ladder.optional().describe('Exactly one of preset ("standard" | "mobile" | "full") or renditions; default preset "standard"'),
  formats: z.array(OutputFormat).min(1).max(2).optional(),
  thumbnails: z.boolean().optional(),
  encoding: Encoding.optional(),
  priority: z.int().min(-50).max(50).optional(),
  deleteSourceOnSuccess: z.boolean().optional(),
  maxAttempts: z.int().min(1).max(10).optional(),
  activeDeadlineSeconds: z.int().min(60).max(604800).optional(),
});
export type CreateJobBody = z.infer<typeof CreateJobBody>;

export const IdempotencyHeaders = z.looseObject({
  "idempotency-key": z
    .string()
    .min(1)
    .max(200, "must be at most 200 characters")
    .regex(/^[\x21-\x7e]+$/, "must be printable ASCII without spaces")
    .optional(),
});

export const JobIdParams = z.strictObject({
  id: z.string().max(63).regex(JOB_NAME, "is not a job id (a DNS label: a-z, 0-9, '-')"),
});

export const ListJobsQuery = z.strictObject({
  phase: Phase.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z
    .string()
    .max(4096)
    .regex(/^[A-Za-z0-9_-]+$/, "is not a cursor returned by this API")
    .optional(),
});

const RenditionOutputView = z.object({
  name: z.string(),
  width: z.number().int(),
  height: z.number().int(),
  videoBitrateKbps: z.number().int(),
  bandwidth: z.number().int(),
  codecs: z.string(),
  sizeBytes: z.number().int(),
  playlist: z.string().optional(),
  mp4: z.string().optional(),
});

export const JobView = z.object({
  id: z.string().describe("The TranscodeJob's name"),
  uid: z.string(),
  createdAt: z.string(),
  phase: Phase,
  cancelRequested: z.boolean().describe("A cancel was requested and the operator is stopping the job"),
  source: z.object({ key: z.string(), versionId: z.string().optional() }),
  filename: z.string().describe("The uploaded file's name"),
  reencodes: z.string().optional().describe("The id of the upload's first job, when this one is another ladder/encoding of the same upload"),
  spec: z.record(z.string(), z.unknown()).describe("The TranscodeJob spec as stored"),
  progress: z.object({ percent: z.number(), stage: z.string() }).optional(),
  queuePosition: z.number().int().optional().describe("1-based place in the admission queue while Queued"),
  waiting: z
    .object({ reason: z.string(), message: z.string() })
    .optional()
    .describe("Why a Queued job is not running yet (its Admitted condition): Queued (a free slot, with its position), OwnerLimit (its owner's running limit), BackoffRetry, Suspended"),
  attempts: z.number().int(),
  startedAt: z.string().optional(),
  completedAt: z.string().optional(),
  reason: z.string().optional(),
  message: z.string().optional(),
  outputs: z
    .object({
      masterPlaylist: z.string().optional(),
      manifest: z.string().optional(),
      poster: z.string().optional(),
      renditions: z.array(RenditionOutputView),
    })
    .optional()
    .describe("S3 keys in the output bucket; GET /jobs/{id}/outputs for download URLs"),
});
export type JobView = z.infer<typeof JobView>;

export const JobListView = z.object({
  items: z.array(JobView),
  nextCursor: z.string().optional().describe("Pass as ?cursor= for the next page; absent on the last page. With ?phase= a page may hold fewer than limit items."),
});

export const OutputLinksView = z.object({
  expiresAt: z.string().describe("When the download URLs (MP4s, poster, manifest) stop working"),
  playbackExpiresAt: z.string().optional().describe("When the playback links (masterPlaylist, renditions[].playlist) stop working"),
  masterPlaylist: z
    .string()
    .optional()
    .describe("HLS master playlist any player can play without a cookie until playbackExpiresAt (the API's playback link; segments come straight from S3)"),
  manifest: z.string().optional(),
  poster: z.string().optional(),
  renditions: z.array(
    z.object({
      name: z.string(),
      playlist: z.string().optional().describe("This rendition's HLS media playlist, a playback link like masterPlaylist"),
      mp4: z.string().optional().describe("Presigned download URL of the MP4"),
    }),
  ),
});
