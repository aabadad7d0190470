import { z } from "zod";

/** One rendition in the outputs; S3 keys are in the output bucket. Audio-only renditions have width = height = 0. */
export const outputRenditionSchema = z.object({
  name: z.string(),
  width: z.number().int().min(0),
  height: z.number().int().min(0),
  videoBitrateKbps: z.number().int().min(0),
  /** The HLS BANDWIDTH: measured peak bits per second of a segment (video + audio). */
  bandwidth: z.number().int().min(0),
  codecs: z.string(),
  sizeBytes: z.number().int().min(0),
  playlist: z.string().optional(),
  mp4: z.string().optional(),
});
export type OutputRendition = z.infer<typeof outputRenditionSchema>;

/** Same shape as TranscodeJob status.outputs. */
export const taskOutputsSchema = z.object({
  masterPlaylist: z.string().optional(),
  manifest: z.string().optional(),
  poster: z.string().optional(),
  renditions: z.array(outputRenditionSchema),
});
export type TaskOutputs = z.infer<typeof taskOutputsSchema>;

/** The final word of one attempt, stored at resultKey(uid, attempt) as JSON. */
export const taskResultSchema = z.object({
  ok: z.boolean(),
  exitCode: z.number().int(),
  /** CamelCase, e.g. "CorruptInput", "NotMedia", "EmptyInput", "TooLong", "TooBig", "SourceNotFound", "Interrupted". */
  reason: z.string().optional(),
  /** One human sentence; never a stack trace. */
  message: z.string().optional(),
  outputs: taskOutputsSchema.optional(),
});
export type TaskResult = z.infer<typeof taskResultSchema>;

/** Parses a stored result; undefined for a missing or malformed value (a task killed mid-write counts as no result). */
export function parseTaskResult(raw: string | null | undefined): TaskResult | undefined {
  if (raw === null || raw === undefined) return undefined;
  try {
    const parsed = taskResultSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
