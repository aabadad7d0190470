/**
 * The commands compared. "original" is the old service: one ffmpeg run per rung (each decoding the source),
 * its scale filter (upscaling small sources to every rung), libx264 defaults (preset medium, CRF 23, default
 * GOP) and fragmented MP4. "equal" is our one-decode structure (split filter) at exactly those encoder settings
 * and outputs, isolating the saved decodes. "ours" is the real task's command from images/transcoder.
 */
import { buildFfmpegArgs } from "../../images/transcoder/src/ffmpeg/index.js";
import { planRenditions, type Plan } from "../../images/transcoder/src/plan/index.js";
import type { SourceInfo } from "../../images/transcoder/src/probe/index.js";
import { taskSpecSchema } from "../../lib/task-contract/index.js";

export const ORIGINAL_RUNGS = [360, 720, 1080];
const base = ["-hide_banner", "-nostdin", "-y", "-loglevel", "error"];

export function originalCommands(ffmpeg: string, src: string): string[][] {
  return ORIGINAL_RUNGS.map((h) => [
    ffmpeg, ...base, "-i", src,
    "-vf", `scale=-2:${h}`,
    "-c:v", "libx264", "-c:a", "aac",
    "-movflags", "frag_keyframe+empty_moov",
    `orig_${h}.mp4`,
  ]);
}

export function equalSettingsCommand(ffmpeg: string, src: string): string[][] {
  const n = ORIGINAL_RUNGS.length;
  const graph =
    `[0:v]split=${n}${ORIGINAL_RUNGS.map((_, i) => `[s${i}]`).join("")};` +
    ORIGINAL_RUNGS.map((h, i) => `[s${i}]scale=-2:${h}[v${i}]`).join(";");
  const args = [ffmpeg, ...base, "-i", src, "-filter_complex", graph];
  ORIGINAL_RUNGS.forEach((h, i) =>
    args.push("-map", `[v${i}]`, "-map", "0:a:0", "-c:v", "libx264", "-c:a", "aac", "-movflags", "frag_keyframe+empty_moov", `eq_${h}.mp4`),
  );
  return [args];
}

export function oursPlan(info: SourceInfo): Plan {
  return planRenditions(info, taskSpecSchema.parse({}));
}

export function oursCommand(ffmpeg: string, src: string, plan: Plan): string[][] {
  return [[ffmpeg, ...buildFfmpegArgs(plan, { input: src }).filter((a, i, all) => !(a === "-progress" || all[i - 1] === "-progress"))]];
}

export function decodeOnlyCommand(ffmpeg: string, src: string): string[][] {
  return [[ffmpeg, ...base, "-i", src, "-f", "null", "-"]];
}
