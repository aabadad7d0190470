import { z } from "zod";

export const Phase = z.enum(["Pending", "Queued", "Starting", "Running", "Succeeded", "Failed", "Cancelled"]).meta({
  description:
    "Pending: seen, not yet admitted; Queued: waiting for one of the five slots; Starting: task launched; Running: task reports progress; Succeeded, Failed, Cancelled: final.",
});
export type Phase = z.infer<typeof Phase>;
export const FINAL_PHASES: readonly Phase[] = ["Succeeded", "Failed", "Cancelled"];
export const isFinalPhase = (p: Phase | undefined): boolean => p !== undefined && FINAL_PHASES.includes(p);

export const ConditionType = z.enum(["Admitted", "Running", "Complete", "Failed"]);
export type ConditionType = z.infer<typeof ConditionType>;

const rfc3339 = z.iso.datetime({ offset: true });
// CamelCase machine-readable reason, the shape metav1.Condition requires.
const reasonString = z
  .string()
  .min(1)
  .max(1024)
  .regex(/^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/, "must be CamelCase (letters, digits, '_', ',', ':')");

/** metav1.Condition, field for field. */
export const Condition = z
  .object({
    type: z.string().min(1).max(316).meta({ description: "Admitted, Running, Complete or Failed." }),
    status: z.enum(["True", "False", "Unknown"]),
    observedGeneration: z.int().min(0).optional().meta({ description: "metadata.generation the condition was set for." }),
    lastTransitionTime: rfc3339.meta({ description: "When status last changed." }),
    reason: reasonString.meta({ description: "CamelCase machine-readable reason for the last transition." }),
    message: z.string().max(32768).meta({ description: "Human-readable details." }),
  })
  .meta({ description: "A metav1.Condition." });
export type Condition = z.infer<typeof Condition>;

export const Progress = z
  .object({
    percent: z.number().min(0).max(100).meta({ description: "Share of the source duration already encoded, 0..100." }),
    stage: z.string().max(64).meta({ description: "What the task is doing: probing, transcoding, uploading, ..." }),
  })
  .meta({ description: "Last progress the task reported (throttled)." });
export type Progress = z.infer<typeof Progress>;

export const TaskRef = z
  .object({
    launcher: z.enum(["ecs", "local"]).meta({ description: "Where the task runs." }),
    id: z.string().min(1).max(2048).meta({ description: "ECS task ARN or local process id." }),
    attempt: z.int().min(1).meta({ description: "1-based attempt this task belongs to." }),
  })
  .meta({ description: "The task of the current (or last) attempt." });
export type TaskRef = z.infer<typeof TaskRef>;

const s3Key = z.string().max(1024);

export const RenditionOutput = z
  .object({
    name: z.string().max(64).meta({ description: 'Rendition name, e.g. "720p".' }),
    width: z.int().min(0),
    height: z.int().min(0),
    videoBitrateKbps: z.int().min(0),
    bandwidth: z.int().min(0).meta({ description: "Peak bits per second, as in the HLS BANDWIDTH attribute." }),
    codecs: z.string().max(256).meta({ description: 'RFC 6381 codecs string, e.g. "avc1.64001f,mp4a.40.2".' }),
    sizeBytes: z.int().min(0).meta({ description: "Total bytes written for this rendition." }),
    playlist: s3Key.optional().meta({ description: "S3 key of the HLS media playlist." }),
    mp4: s3Key.optional().meta({ description: "S3 key of the MP4 file." }),
  })
  .meta({ description: "One produced rendition." });
export type RenditionOutput = z.infer<typeof RenditionOutput>;

export const Outputs = z
  .object({
    masterPlaylist: s3Key.optional().meta({ description: "S3 key of the HLS master playlist." }),
    manifest: s3Key.optional().meta({ description: "S3 key of a JSON manifest listing every output." }),
    poster: s3Key.optional().meta({ description: "S3 key of the poster image." }),
    renditions: z.array(RenditionOutput).max(16).meta({ description: "One entry per rendition produced, smallest first." }),
  })
  .meta({ description: "What was written, as S3 keys in spec.output.bucket." });
export type Outputs = z.infer<typeof Outputs>;

export const TranscodeJobStatus = z
  .object({
    phase: Phase,
    conditions: z
      .array(Condition)
      .max(16)
      .optional()
      .meta({
        description: "Admitted, Running, Complete and Failed conditions.",
        "x-kubernetes-list-type": "map",
        "x-kubernetes-list-map-keys": ["type"],
      }),
    progress: Progress.optional(),
    queuePosition: z.int().min(0).optional().meta({ description: "1-based place in the admission queue while Queued." }),
    attempts: z.int().min(0).default(0).meta({ description: "Tasks started so far." }),
    taskRef: TaskRef.optional(),
    startedAt: rfc3339.optional().meta({ description: "When the first task was launched." }),
    completedAt: rfc3339.optional().meta({ description: "When the job reached a final phase." }),
    duration: z.string().max(32).optional().meta({
      description: 'Wall-clock time from startedAt to completedAt, set when the job finishes, e.g. "3m12s".',
    }),
    outputs: Outputs.optional(),
    reason: reasonString.optional().meta({ description: "CamelCase reason for the current phase, set on failure." }),
    message: z.string().max(32768).optional().meta({ description: "Human-readable details for the current phase." }),
    observedGeneration: z.int().min(0).optional().meta({ description: "metadata.generation the operator last acted on." }),
  })
  .meta({ description: "Written by the operator through the status subresource." });
export type TranscodeJobStatus = z.infer<typeof TranscodeJobStatus>;
export type TranscodeJobStatusInput = z.input<typeof TranscodeJobStatus>;
