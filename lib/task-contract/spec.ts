import { z } from "zod";

import { DEFAULT_X264_PRESET, FORMATS, LADDER_PRESETS, LadderPresetName, X264_PRESETS } from "../../crds/ladder.js";

/**
 * The part of a TranscodeJob spec the task needs (TJ_SPEC): a lenient reading of what the CRD already validated
 * (the CRD's spec is a superset and encodes into it directly). The presets and enums come from crds/ladder.ts, the
 * one source of truth, which depends only on zod so the task bundle stays small.
 */
export { DEFAULT_X264_PRESET, LADDER_PRESETS, X264_PRESETS };
export type { LadderPresetName };

export const renditionRequestSchema = z.object({
  /** The short side in pixels (a portrait source's width). */
  height: z.number().int().min(144).max(4320),
  videoBitrateKbps: z.number().int().positive().optional(),
  crf: z.number().int().min(0).max(51).optional(),
});
export type RenditionRequest = z.infer<typeof renditionRequestSchema>;

export const ladderSchema = z
  .object({
    preset: LadderPresetName.optional(),
    renditions: z.array(renditionRequestSchema).min(1).max(12).optional(),
  })
  .refine((l) => !(l.preset !== undefined && l.renditions !== undefined), {
    message: "ladder: give either preset or renditions, not both",
  });
export type Ladder = z.infer<typeof ladderSchema>;

export const encodingSchema = z.object({
  x264Preset: z.enum(X264_PRESETS).default(DEFAULT_X264_PRESET),
  segmentSeconds: z.number().int().min(2).max(10).default(4),
});
export type Encoding = z.infer<typeof encodingSchema>;

export const taskSpecSchema = z.object({
  ladder: ladderSchema.default({ preset: "standard" }),
  formats: z
    .array(z.enum(FORMATS))
    .min(1)
    .default(["hls", "mp4"])
    .transform((f) => [...new Set(f)]),
  thumbnails: z.boolean().default(true),
  encoding: encodingSchema.default({ x264Preset: DEFAULT_X264_PRESET, segmentSeconds: 4 }),
  deleteSourceOnSuccess: z.boolean().default(false),
});
/** The spec as the task sees it, defaults applied. */
export type TaskSpec = z.infer<typeof taskSpecSchema>;
/** The spec as a caller may give it (defaults optional). */
export type TaskSpecInput = z.input<typeof taskSpecSchema>;

/** The requested rungs of a ladder, tallest last, duplicates removed. */
export function ladderRungs(ladder: Ladder): RenditionRequest[] {
  const rungs: RenditionRequest[] =
    ladder.renditions ?? LADDER_PRESETS[ladder.preset ?? "standard"].map((height) => ({ height }));
  const byHeight = new Map<number, RenditionRequest>();
  for (const r of rungs) byHeight.set(r.height, r);
  return [...byHeight.values()].sort((a, b) => a.height - b.height);
}
