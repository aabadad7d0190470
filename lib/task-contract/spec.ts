import { z } from "zod";

/**
 * The part of a TranscodeJob spec the task needs (TJ_SPEC). Written here rather than imported from crds/ so the
 * task bundle stays small and the contract is stable; the CRD's spec is a superset and encodes into it directly.
 */
export const LADDER_PRESETS = {
  standard: [360, 720, 1080],
  mobile: [240, 360, 480],
  full: [360, 480, 720, 1080, 1440, 2160],
} as const satisfies Record<string, readonly number[]>;

export type LadderPresetName = keyof typeof LADDER_PRESETS;

export const X264_PRESETS = [
  "ultrafast",
  "superfast",
  "veryfast",
  "faster",
  "fast",
  "medium",
  "slow",
  "slower",
  "veryslow",
] as const;

export const renditionRequestSchema = z.object({
  /** The short side in pixels (a portrait source's width). */
  height: z.number().int().min(144).max(4320),
  videoBitrateKbps: z.number().int().positive().optional(),
  crf: z.number().int().min(0).max(51).optional(),
});
export type RenditionRequest = z.infer<typeof renditionRequestSchema>;

export const ladderSchema = z
  .object({
    preset: z.enum(["standard", "mobile", "full"]).optional(),
    renditions: z.array(renditionRequestSchema).min(1).max(12).optional(),
  })
  .refine((l) => !(l.preset !== undefined && l.renditions !== undefined), {
    message: "ladder: give either preset or renditions, not both",
  });
export type Ladder = z.infer<typeof ladderSchema>;

export const encodingSchema = z.object({
  x264Preset: z.enum(X264_PRESETS).default("veryfast"),
  segmentSeconds: z.number().int().min(2).max(10).default(4),
});
export type Encoding = z.infer<typeof encodingSchema>;

export const taskSpecSchema = z.object({
  ladder: ladderSchema.default({ preset: "standard" }),
  formats: z
    .array(z.enum(["hls", "mp4"]))
    .min(1)
    .default(["hls", "mp4"])
    .transform((f) => [...new Set(f)]),
  thumbnails: z.boolean().default(true),
  encoding: encodingSchema.default({ x264Preset: "veryfast", segmentSeconds: 4 }),
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
