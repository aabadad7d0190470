import { z } from "zod";
import { celRules, immutable, immutableOptional } from "./cel.js";
import { MAX_HEIGHT, MAX_RENDITIONS, MIN_HEIGHT } from "./constants.js";
import { DEFAULT_PRESET, DEFAULT_X264_PRESET, FORMATS, LadderPresetName, OutputFormat, X264Preset } from "./ladder.js";

// S3 bucket naming rules (lower-case DNS-like, 3..63 characters).
const bucketName = z
  .string()
  .min(3)
  .max(63)
  .regex(/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/, "must be a valid S3 bucket name (lower-case letters, digits, '.', '-')");

export const SourceRef = z
  .strictObject({
    bucket: bucketName.meta({ description: "S3 bucket holding the uploaded video." }),
    key: z.string().min(1).max(1024).meta({ description: "S3 object key of the uploaded video." }),
    versionId: z.string().min(1).max(1024).optional().meta({
      description: "S3 object version to read; pins the exact upload when the bucket is versioned.",
    }),
  })
  .meta({
    description: "The video to transcode. Immutable.",
    ...celRules(immutable("spec.source")),
  });
export type SourceRef = z.infer<typeof SourceRef>;

export const OutputRef = z
  .strictObject({
    bucket: bucketName.meta({ description: "S3 bucket the outputs are written to." }),
    prefix: z.string().min(1).max(1024).meta({
      description: 'Key prefix for every output object, e.g. "outputs/alice/my-job/". Must not be empty.',
    }),
  })
  .meta({
    description: "Where the outputs go. Immutable.",
    ...celRules(immutable("spec.output")),
  });
export type OutputRef = z.infer<typeof OutputRef>;

export const Rendition = z
  .strictObject({
    height: z
      .int()
      .min(MIN_HEIGHT)
      .max(MAX_HEIGHT)
      .multipleOf(2, "must be even (H.264 with 4:2:0 chroma needs even dimensions)")
      .meta({
        description: `Rendition size as its short side in pixels (the height of a landscape video, the width of a portrait one), even, ${MIN_HEIGHT}..${MAX_HEIGHT}; the other side follows the source aspect ratio; a rung is never larger than the source.`,
      }),
    videoBitrateKbps: z.int().min(64).max(200000).optional().meta({
      description: "Target video bitrate in kbit/s. Without it the height decides a default bitrate.",
    }),
    crf: z.int().min(0).max(51).optional().meta({
      description: "Constant rate factor (0 = lossless .. 51 = worst). With videoBitrateKbps it becomes a capped CRF.",
    }),
  })
  .meta({ description: "One rung of the ladder." });
export type Rendition = z.infer<typeof Rendition>;

const uniqueHeights = (rs: readonly Rendition[]): boolean => new Set(rs.map((r) => r.height)).size === rs.length;

export const Ladder = z
  .strictObject({
    preset: LadderPresetName.optional(),
    renditions: z
      .array(Rendition)
      .min(1)
      .max(MAX_RENDITIONS)
      .refine(uniqueHeights, "rendition heights must be unique")
      .optional()
      .meta({
        description: `Explicit renditions, at most ${MAX_RENDITIONS}, each with a distinct height.`,
        ...celRules({
          rule: "self.all(r, self.exists_one(s, s.height == r.height))",
          message: "rendition heights must be unique",
        }),
      }),
  })
  .refine((l) => (l.preset === undefined) !== (l.renditions === undefined), {
    message: "exactly one of preset or renditions must be set",
  })
  .meta({
    description: `The renditions to produce: either a named preset or an explicit list, exactly one of the two. Defaults to preset "${DEFAULT_PRESET}" (360p, 720p, 1080p). Immutable.`,
    ...celRules(
      { rule: "has(self.preset) != has(self.renditions)", message: "exactly one of preset or renditions must be set" },
      immutable("spec.ladder"),
    ),
  });
export type Ladder = z.infer<typeof Ladder>;

export const Encoding = z
  .strictObject({
    x264Preset: X264Preset.default(DEFAULT_X264_PRESET),
    segmentSeconds: z.int().min(2).max(10).default(4).meta({ description: "Target HLS segment length in seconds." }),
  })
  .meta({ description: "Encoder settings shared by every rendition. Immutable." });
export type Encoding = z.infer<typeof Encoding>;

// Reported on the repeated item, as the apiserver does for an x-kubernetes-list-type: set.
function uniqueItems(xs: readonly string[], ctx: z.RefinementCtx): void {
  xs.forEach((x, i) => {
    if (xs.indexOf(x) !== i) ctx.addIssue({ code: "custom", message: `duplicate value ${JSON.stringify(x)}`, path: [i] });
  });
}

export const TranscodeJobSpec = z
  .strictObject({
    source: SourceRef,
    output: OutputRef,
    ladder: Ladder.default({ preset: DEFAULT_PRESET }),
    formats: z
      .array(OutputFormat)
      .min(1)
      .max(FORMATS.length)
      .superRefine(uniqueItems)
      .default([...FORMATS])
      .meta({
        description: "Output formats to write. Defaults to both hls and mp4. Immutable.",
        "x-kubernetes-list-type": "set",
        ...celRules(immutable("spec.formats")),
      }),
    thumbnails: z
      .boolean()
      .default(true)
      .meta({ description: "Write a poster image next to the outputs. Immutable.", ...celRules(immutable("spec.thumbnails")) }),
    encoding: Encoding.optional(),
    priority: z.int().min(-50).max(50).default(0).meta({
      description: "Higher runs first when the five transcoding slots are busy; within one priority the owner with the least recent use goes first (ADMISSION_POLICY=fair, the default), then the oldest (or the oldest alone with fifo). Mutable.",
    }),
    owner: z
      .string()
      .regex(/^[a-z0-9-]{1,63}$/, "must be 1..63 characters of a-z, 0-9 and '-'")
      .optional()
      .meta({ description: "Id of the user the job belongs to. Immutable." }),
    deleteSourceOnSuccess: z.boolean().default(false).meta({
      description: "Delete the source object once every output is written. Immutable.",
      ...celRules(immutable("spec.deleteSourceOnSuccess")),
    }),
    maxAttempts: z.int().min(1).max(10).default(3).meta({
      description: "How many times a failing task is started before the job is marked Failed. Immutable.",
      ...celRules(immutable("spec.maxAttempts")),
    }),
    activeDeadlineSeconds: z.int().min(60).max(604800).optional().meta({
      description: "Fail the job when it has been running this long (60s..7d), counted from the first start. Immutable.",
    }),
    suspend: z.boolean().default(false).meta({
      description: "While true no task is started; setting it on a running job stops the task and frees its slot. Mutable.",
    }),
  })
  .refine((s) => s.output.prefix !== s.source.key, {
    message: "must differ from spec.source.key",
    path: ["output", "prefix"],
  })
  .meta({
    description:
      "What to transcode and how. Only suspend and priority may change after creation; everything else is immutable.",
    ...celRules(
      { rule: "self.output.prefix != self.source.key", message: "must differ from spec.source.key", fieldPath: ".output.prefix" },
      immutableOptional("encoding"),
      immutableOptional("owner"),
      immutableOptional("activeDeadlineSeconds"),
    ),
  });
/** The spec after defaults are applied (what the operator reads). */
export type TranscodeJobSpec = z.infer<typeof TranscodeJobSpec>;
/** The spec as a client may write it (defaulted fields optional). */
export type TranscodeJobSpecInput = z.input<typeof TranscodeJobSpec>;

/** Fields that may change after creation; everything else is fixed by CEL transition rules. */
export const MUTABLE_SPEC_FIELDS = ["suspend", "priority"] as const;
