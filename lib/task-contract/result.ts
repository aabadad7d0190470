import { z } from "zod";
import { Outputs, RenditionOutput } from "../../crds/status.js";

/**
 * What a task reports it wrote: exactly TranscodeJob status.outputs (crds/status.ts), so what the operator copies
 * into the status is what the CRD accepts. S3 keys are in the output bucket; audio-only renditions have
 * width = height = 0.
 */
export const outputRenditionSchema = RenditionOutput;
export type OutputRendition = z.infer<typeof outputRenditionSchema>;
export const taskOutputsSchema = Outputs;
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
