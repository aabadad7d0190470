import { z } from "zod";
import type { Encoding } from "./spec.js";

const GiB = 1024 ** 3;

/**
 * Resource bounds of one attempt. Each has one name (the field below; its env variable is TJ_ + the name in
 * UPPER_SNAKE_CASE, see LIMIT_ENV) and one default. The operator passes the limits the API enforces; a task
 * started without them uses these defaults. Every limit hit fails the job as bad input (exit 65, not retried)
 * with a reason naming the limit and the measured value.
 */
export const taskLimitsSchema = z.object({
  /** Bytes of the source object (checked from S3 metadata before the download). */
  maxSourceBytes: z.number().int().positive().default(20 * GiB),
  /** Seconds of media: the container's declared duration, and what decoding measures (ffmpeg stops there). */
  maxDurationSeconds: z.number().positive().default(4 * 3600),
  /** Pixels of any one decoded frame (ffmpeg's -max_pixels, an int): 8192x4320, DCI 8K. */
  maxPixelsPerFrame: z.number().int().positive().max(2 ** 31 - 1).default(8192 * 4320),
  /** Average frames per second of the video stream. */
  maxFrameRate: z.number().positive().default(240),
  /** Bytes of all outputs together (HLS, MP4s, images, playlists, manifest); the scratch disk holds them all. */
  maxOutputBytes: z.number().int().positive().default(64 * GiB),
  /** Each ffprobe run is killed past this. */
  probeTimeoutSeconds: z.number().positive().default(60),
  /** The transcode's wall-clock budget: this much, plus the work-dependent part below (wallClockBudgetSeconds). */
  wallClockBaseSeconds: z.number().positive().default(300),
  /** Seconds of wall clock allowed per second of media, per 1080p30 rendition encoded at x264 preset "faster". */
  wallClockSecondsPerMediaSecond: z.number().positive().default(10),
});
export type TaskLimits = z.infer<typeof taskLimitsSchema>;
export type TaskLimitName = keyof TaskLimits;

export const DEFAULT_TASK_LIMITS: TaskLimits = taskLimitsSchema.parse({});

const upperSnake = (name: string): string => name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase();

/** The env variable of each limit: maxSourceBytes -> TJ_MAX_SOURCE_BYTES. */
export const LIMIT_ENV = Object.fromEntries(
  Object.keys(taskLimitsSchema.shape).map((name) => [name, `TJ_${upperSnake(name)}`]),
) as Record<TaskLimitName, string>;

/**
 * x264 encode time per preset relative to "faster" (the default). Measured with ffmpeg 5.1 on a 4 s 720p25 noisy
 * clip (CRF 22, VBV 3000k) on the shared 2-core machine at load 7-11: ultrafast 0.34, superfast 0.69, veryfast
 * 0.74, fast 1.16, medium 1.69, slow 3.4, slower 5.2, veryslow 6.8; rounded up here, since the budget must not
 * stop a healthy encode.
 */
export const X264_PRESET_COST: Record<Encoding["x264Preset"], number> = {
  ultrafast: 0.5,
  superfast: 0.8,
  veryfast: 0.8,
  faster: 1,
  fast: 1.25,
  medium: 2,
  slow: 3.5,
  slower: 5.5,
  veryslow: 7.5,
};

/** Pixels per second of one 1080p30 stream: the unit of work of the budget. */
const PIXEL_RATE_1080P30 = 1920 * 1080 * 30;
/** Audio-only and tiny jobs still decode, resample and mux: never count less work than this many units. */
const MIN_WORK_UNITS = 0.05;

export interface TranscodeWork {
  /** Seconds of media to transcode (the probed duration; never more than maxDurationSeconds). */
  mediaSeconds: number;
  x264Preset: Encoding["x264Preset"];
  /** Sum over the video renditions of width x height x fps. */
  encodePixelsPerSecond: number;
  /** Source width x height x fps (the decode, which does not depend on the preset). */
  decodePixelsPerSecond: number;
}

/**
 * The wall-clock budget of one transcode, in seconds: base + mediaSeconds x factor x work, where work counts
 * 1080p30 streams (the encodes weighted by the preset's cost, plus the source decode). Measured in those units
 * on the shared 2-core machine: the bench's 20 s 1080p25 clip (three rungs, faster; 2.1 units) took 0.9 s per
 * media second per unit when the machine was quiet, a 720p25 faster encode 3.4 s at load 9. The default factor,
 * 10, is 11x and 3x those.
 */
export function wallClockBudgetSeconds(limits: TaskLimits, work: TranscodeWork): number {
  const units =
    (X264_PRESET_COST[work.x264Preset] * work.encodePixelsPerSecond + work.decodePixelsPerSecond) / PIXEL_RATE_1080P30;
  const seconds = Math.min(work.mediaSeconds, limits.maxDurationSeconds);
  return Math.ceil(limits.wallClockBaseSeconds + seconds * limits.wallClockSecondsPerMediaSecond * Math.max(MIN_WORK_UNITS, units));
}
