import { TransientError } from "../../../../lib/errors/index.js";
import { BadInputError } from "../errors.js";
import { outputTooBig, tooLongMeasured, tooManyPixelsIn, transcodeTimedOut } from "../limits/errors.js";
import { OutputMeter } from "../limits/output-meter.js";
import { startTool } from "../media/index.js";
import { ProgressParser } from "./progress.js";

export interface RunFfmpegOptions {
  ffmpeg: string;
  args: string[];
  cwd: string;
  /** Called with the encoded position (seconds) at each -progress block. */
  onProgress?: (outTimeSeconds: number) => void;
  signal?: AbortSignal | undefined;
  /** Kill ffmpeg past this many seconds of wall clock: TranscodeTimedOut. */
  budgetSeconds?: number | undefined;
  /** Kill ffmpeg once the files under cwd exceed this: OutputTooBig. */
  maxOutputBytes?: number | undefined;
  /** Fail with TooLong when more than this was decoded (the command reads a little past it, with -t). */
  maxDurationSeconds?: number | undefined;
  /** The container's declared duration, for messages. */
  declaredSeconds?: number | undefined;
  /** How often the output size is measured. */
  meterIntervalMs?: number | undefined;
}

// Messages that mean the source itself cannot be decoded, as opposed to a full disk or a kill.
const INPUT_FAULTS = [/Invalid data found when processing input/i, /Error while decoding/i, /corrupt/i, /moov atom not found/i];
/** Decoded media up to this far past maxDurationSeconds still counts as within it (audio priming, rounding). */
const DURATION_TOLERANCE_SECONDS = 0.5;
/** How far past maxDurationSeconds the command reads (-t), so that a longer source is seen to be longer. */
export const DURATION_READ_MARGIN_SECONDS = 1;

/** Classifies a failed ffmpeg run from its exit and stderr (pure, for unit tests). */
export function classifyFfmpegFailure(code: number | null, signal: string | null, stderr: string): Error {
  const tail = stderr.trim().split("\n").slice(-3).join(" | ");
  if (signal !== null) return new TransientError(`ffmpeg was stopped by ${signal}`);
  const pixels = tooManyPixelsIn(stderr);
  if (pixels) return pixels;
  if (INPUT_FAULTS.some((re) => re.test(stderr)))
    return new BadInputError("CorruptInput", "The file is damaged: its audio or video could not be decoded.", {
      cause: new Error(tail),
    });
  return new TransientError(`ffmpeg exited with code ${code}: ${tail}`);
}

/**
 * Runs ffmpeg to completion under the limits; resolves with the decoded duration (the last -progress position)
 * on exit 0, rejects with BadInputError or TransientError otherwise.
 */
export async function runFfmpeg(opts: RunFfmpegOptions): Promise<{ decodedSeconds: number }> {
  if (opts.signal?.aborted) throw new TransientError("aborted before ffmpeg started");
  const parser = new ProgressParser();
  let decodedSeconds = 0;
  let pixelError: BadInputError | undefined;
  let measuredBytes = 0;
  let recentStderr = "";
  const tool = startTool(opts.ffmpeg, opts.args, {
    cwd: opts.cwd,
    signal: opts.signal,
    timeoutMs: opts.budgetSeconds === undefined ? undefined : opts.budgetSeconds * 1000,
    onStdout: (chunk) => {
      for (const block of parser.push(chunk)) {
        if (block.outTimeSeconds === undefined) continue;
        decodedSeconds = Math.max(decodedSeconds, block.outTimeSeconds);
        opts.onProgress?.(block.outTimeSeconds);
      }
    },
    // A decoder refusing a frame over -max_pixels is only an error message to ffmpeg: it drops the frame and
    // goes on (exit 0). A source with such a frame is beyond the limit, so the run is stopped here.
    onStderr: (chunk) => {
      recentStderr = (recentStderr + chunk).slice(-1024); // a message may straddle two chunks
      pixelError ??= tooManyPixelsIn(recentStderr);
      if (pixelError) tool.kill("pixels");
    },
  });
  const meter = new OutputMeter(opts.cwd);
  const max = opts.maxOutputBytes;
  const poll =
    max === undefined
      ? undefined
      : setInterval(() => {
          meter.bytes().then(
            (bytes) => {
              measuredBytes = bytes;
              if (bytes > max) tool.kill("output");
            },
            () => undefined, // the next poll tries again; the final check after the encode is authoritative
          );
        }, opts.meterIntervalMs ?? 1000);
  let run;
  try {
    run = await tool.done.catch((err: unknown) => {
      throw new TransientError(`ffmpeg could not start: ${(err as Error).message}`, undefined, { cause: err });
    });
  } finally {
    if (poll) clearInterval(poll);
  }
  const declared = opts.declaredSeconds ?? 0;
  switch (run.stoppedBy) {
    case undefined:
      break;
    case "pixels":
      throw pixelError!;
    case "output":
      throw outputTooBig(measuredBytes, max!, "encode");
    case "timeout":
      throw transcodeTimedOut(opts.budgetSeconds!, decodedSeconds, declared);
    default:
      throw new TransientError(`ffmpeg was stopped (${run.stoppedBy})`);
  }
  if (run.code !== 0) throw classifyFfmpegFailure(run.code, run.signal, run.stderr);
  if (pixelError) throw pixelError;
  const maxSeconds = opts.maxDurationSeconds;
  if (maxSeconds !== undefined && decodedSeconds > maxSeconds + DURATION_TOLERANCE_SECONDS)
    throw tooLongMeasured(decodedSeconds, maxSeconds, declared);
  return { decodedSeconds };
}
