import { DEFAULT_PRESET, LADDER_PRESETS, X264_PRESETS, type FieldIssue } from "../../crds/index.js";
import type { JobLimits } from "../config.js";
import type { CreateJobBody } from "./schemas.js";

/** The request fields the bounds judge (a POST /jobs body). */
type Bounded = Pick<CreateJobBody, "ladder" | "encoding" | "priority" | "maxAttempts" | "activeDeadlineSeconds">;

/**
 * What an API user may choose for a job, within the CRD's own limits (a cluster operator's kubectl job may go to
 * those): the first field beyond its bound, by the setting that sets it, or undefined. Pure; `root` prefixes paths.
 */
export function boundsIssue(body: Bounded, l: JobLimits, root = "body"): FieldIssue | undefined {
  const at = (path: string, message: string): FieldIssue => ({ path: `${root}.${path}`, message });
  if (body.priority !== undefined && body.priority > l.maxPriority) return at("priority", `must be at most ${l.maxPriority} (API_MAX_PRIORITY)`);
  const renditions = body.ladder?.renditions;
  if (renditions) {
    if (renditions.length > l.maxRenditions) return at("ladder.renditions", `must list at most ${l.maxRenditions} renditions (API_MAX_RENDITIONS)`);
    for (const [i, r] of renditions.entries()) {
      if (r.height > l.maxHeight) return at(`ladder.renditions[${i}].height`, `must be at most ${l.maxHeight} (API_MAX_RENDITION_HEIGHT)`);
      if (r.crf !== undefined && r.crf < l.minCrf) return at(`ladder.renditions[${i}].crf`, `must be at least ${l.minCrf} (API_MIN_CRF)`);
    }
  } else {
    const preset = body.ladder?.preset ?? DEFAULT_PRESET;
    const tallest = Math.max(...LADDER_PRESETS[preset]);
    if (tallest > l.maxHeight) return at("ladder.preset", `${preset} reaches ${tallest}; renditions must be at most ${l.maxHeight} (API_MAX_RENDITION_HEIGHT)`);
  }
  const x264 = body.encoding?.x264Preset;
  if (x264 !== undefined && X264_PRESETS.indexOf(x264) > X264_PRESETS.indexOf(l.slowestPreset)) {
    return at("encoding.x264Preset", `must be ${l.slowestPreset} or faster (API_SLOWEST_X264_PRESET)`);
  }
  if (body.maxAttempts !== undefined && body.maxAttempts > l.maxAttempts) return at("maxAttempts", `must be at most ${l.maxAttempts} (API_MAX_ATTEMPTS)`);
  if (body.activeDeadlineSeconds !== undefined && body.activeDeadlineSeconds > l.maxDeadlineSeconds) {
    return at("activeDeadlineSeconds", `must be at most ${l.maxDeadlineSeconds} (API_MAX_DEADLINE_SECONDS)`);
  }
  return undefined;
}
