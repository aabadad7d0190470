import type { TranscodeWork } from "../../../../lib/task-contract/index.js";
import type { SourceInfo } from "../probe/index.js";
import type { Plan, VideoRendition } from "./types.js";

/** What the wall-clock budget is derived from (lib/task-contract wallClockBudgetSeconds): pure. */
export function transcodeWork(plan: Plan, source: SourceInfo): TranscodeWork {
  const videos = plan.renditions.filter((r): r is VideoRendition => r.kind === "video");
  const v = source.video;
  return {
    mediaSeconds: plan.durationSeconds,
    x264Preset: plan.encoding.x264Preset,
    encodePixelsPerSecond: videos.reduce((n, r) => n + r.width * r.height * r.fps, 0),
    decodePixelsPerSecond: v ? v.width * v.height * (v.frameRate ?? v.fps ?? 30) : 0,
  };
}
