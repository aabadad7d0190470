import { z } from "zod";

/**
 * Named ladders. "standard" is what the original service produced (360/720/1080); the others trade
 * coverage for cost. Heights only: widths follow the source's aspect ratio when the ladder is planned.
 */
export const LADDER_PRESETS = {
  standard: [360, 720, 1080],
  mobile: [240, 360, 480],
  full: [360, 480, 720, 1080, 1440, 2160],
} as const satisfies Record<string, readonly number[]>;

export const LadderPresetName = z
  .enum(["standard", "mobile", "full"])
  .meta({ description: "A named ladder: standard = 360p/720p/1080p, mobile = 240p/360p/480p, full = 360p..2160p." });
export type LadderPresetName = z.infer<typeof LadderPresetName>;

export const DEFAULT_PRESET: LadderPresetName = "standard";

export const FORMATS = ["hls", "mp4"] as const;
export const OutputFormat = z.enum(FORMATS).meta({
  description: "hls: one HLS variant per rendition plus a master playlist; mp4: one progressive MP4 file per rendition.",
});
export type OutputFormat = z.infer<typeof OutputFormat>;

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
export const X264Preset = z.enum(X264_PRESETS).meta({
  description: "The libx264 speed/compression trade-off, fastest first.",
});
export type X264Preset = z.infer<typeof X264Preset>;

/**
 * The x264 preset when a job does not choose one. "faster", not "veryfast": on the bench's noisy 20 s 1080p clip
 * (bench/transcode/RESULTS.md) veryfast at the 1080p rung's 5500 kbps cap scored SSIM 0.0077 below the original
 * service's uncapped medium encode, and still 0.0035 below at a 7800 kbps cap (the top of Apple's 1080p30 range);
 * faster at the same 5500 kbps is 0.0001 below, for about 15-25% more CPU on the whole ladder.
 */
export const DEFAULT_X264_PRESET: X264Preset = "faster";
