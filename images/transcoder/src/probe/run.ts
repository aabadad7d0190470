import { stat } from "node:fs/promises";
import { DEFAULT_TASK_LIMITS, type TaskLimits } from "../../../../lib/task-contract/index.js";
import { BadInputError } from "../errors.js";
import { tooManyPixelsIn } from "../limits/errors.js";
import { checkSourceLimits } from "../limits/source.js";
import { inputArgs, runTool } from "../media/index.js";
import { detectContainer } from "./detect.js";
import { parseProbe } from "./parse.js";
import { throwIfStopped } from "./stopped.js";
import type { SourceInfo } from "./source-info.js";

export interface ProbeOptions {
  ffprobe: string;
  limits?: Partial<TaskLimits> | undefined;
  signal?: AbortSignal | undefined;
}

/**
 * Classifies a local file: empty, not an accepted container, unreadable, beyond a limit, or its streams.
 * Throws BadInputError for bad input. Two ffprobe runs: one names the container without letting any demuxer read
 * the file, the second reads the streams with that demuxer forced and nothing else allowed.
 */
export async function probeFile(file: string, opts: ProbeOptions): Promise<SourceInfo> {
  const limits = { ...DEFAULT_TASK_LIMITS, ...opts.limits };
  const { size } = await stat(file);
  if (size === 0) throw new BadInputError("EmptyInput", "The uploaded file is empty (0 bytes).");
  const timeoutSeconds = limits.probeTimeoutSeconds;
  const maxPixels = limits.maxPixelsPerFrame;
  const container = await detectContainer(file, { ffprobe: opts.ffprobe, maxPixels, timeoutSeconds, signal: opts.signal });
  const run = await runTool(
    opts.ffprobe,
    [
      "-hide_banner", "-v", "error", "-show_format", "-show_streams", "-of", "json",
      ...inputArgs({ file, demuxer: container.demuxer, maxPixels }),
    ],
    { timeoutMs: timeoutSeconds * 1000, signal: opts.signal },
  );
  throwIfStopped(run, timeoutSeconds);
  // find_stream_info decodes a few frames and shrugs off a decoder's refusal (exit 0): a refused frame is
  // beyond the pixel limit whatever the exit code says.
  const pixels = tooManyPixelsIn(run.stderr);
  if (pixels) throw pixels;
  if (run.code !== 0) throw unreadable(run.stderr, container.label);
  let json: unknown;
  try {
    json = JSON.parse(run.stdout);
  } catch {
    throw new BadInputError("CorruptInput", "The file could not be read as audio or video.");
  }
  const info = { ...parseProbe(json), sizeBytes: size };
  checkSourceLimits(info, limits);
  return info;
}

function unreadable(stderr: string, label: string): BadInputError {
  if (/moov atom not found/.test(stderr))
    return new BadInputError(
      "CorruptInput",
      "The file could not be read as audio or video (the MP4 index is missing: the file is truncated or damaged).",
    );
  return new BadInputError("CorruptInput", `The file looks like ${label} but could not be read as audio or video.`);
}
