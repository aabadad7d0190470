import type { TaskLimits } from "../../../../lib/task-contract/index.js";
import type { SourceInfo } from "../probe/index.js";
import { frameRateTooHigh, tooLongDeclared, tooManyPixels } from "./errors.js";

/** Throws the bad-input error of the first limit the probed source breaks (pure: table-tested). */
export function checkSourceLimits(info: SourceInfo, limits: TaskLimits): void {
  if (info.durationSeconds > limits.maxDurationSeconds) throw tooLongDeclared(info.durationSeconds, limits.maxDurationSeconds);
  const v = info.video;
  if (v === undefined) return;
  if (v.width * v.height > limits.maxPixelsPerFrame) throw tooManyPixels(v.width, v.height, limits.maxPixelsPerFrame);
  if (v.frameRate !== undefined && v.frameRate > limits.maxFrameRate) throw frameRateTooHigh(v.frameRate, limits.maxFrameRate);
}
