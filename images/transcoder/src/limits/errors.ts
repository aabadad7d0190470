/**
 * The bad-input errors of the resource limits (lib/task-contract/limits.ts). Each message names the limit and
 * what was measured, in one sentence the job's owner sees.
 */
import { BadInputError } from "../errors.js";

const s = (seconds: number): string => `${Math.round(seconds * 10) / 10} s`;

export function tooLongDeclared(declaredSeconds: number, max: number): BadInputError {
  return new BadInputError(
    "TooLong",
    `The file is ${s(declaredSeconds)} long (as its container declares); the limit (maxDurationSeconds) is ${s(max)}.`,
  );
}

export function tooLongMeasured(decodedSeconds: number, max: number, declaredSeconds: number): BadInputError {
  return new BadInputError(
    "TooLong",
    `Decoding passed ${s(decodedSeconds)} of media and was stopped there, though the container declares ` +
      `${s(declaredSeconds)}; the limit (maxDurationSeconds) is ${s(max)}.`,
  );
}

export function tooManyPixels(width: number, height: number, max: number): BadInputError {
  return new BadInputError(
    "TooManyPixels",
    `A video frame is ${width}x${height} (${width * height} pixels); the limit (maxPixelsPerFrame) is ${max} pixels.`,
  );
}

/** "Picture size 1280x960 exceeds specified max pixel count 307200": libavutil/imgutils.c, under -max_pixels. */
const MAX_PIXELS = /Picture size (\d+)x(\d+) exceeds specified max pixel count (\d+)/;

/** The TooManyPixels error a decoder's refusal in ffmpeg's or ffprobe's stderr means, if it holds one. */
export function tooManyPixelsIn(stderr: string): BadInputError | undefined {
  const m = MAX_PIXELS.exec(stderr);
  return m ? tooManyPixels(Number(m[1]), Number(m[2]), Number(m[3])) : undefined;
}

export function frameRateTooHigh(fps: number, max: number): BadInputError {
  return new BadInputError(
    "FrameRateTooHigh",
    `The video runs at ${Math.round(fps * 100) / 100} frames per second; the limit (maxFrameRate) is ${max}.`,
  );
}

export function outputTooBig(bytes: number, max: number, during: "encode" | "finish"): BadInputError {
  const when = during === "encode" ? "reached" : "came to";
  return new BadInputError(
    "OutputTooBig",
    `The outputs ${when} ${bytes} bytes${during === "encode" ? " and the encode was stopped" : ""}; the limit (maxOutputBytes) is ${max} bytes.`,
  );
}

export function probeTimedOut(timeoutSeconds: number): BadInputError {
  return new BadInputError(
    "ProbeTimedOut",
    `ffprobe did not finish reading the file within ${timeoutSeconds} s (the limit, probeTimeoutSeconds).`,
  );
}

export function transcodeTimedOut(budgetSeconds: number, decodedSeconds: number, declaredSeconds: number): BadInputError {
  return new BadInputError(
    "TranscodeTimedOut",
    `The transcode ran past its wall-clock budget of ${s(budgetSeconds)} for ${s(declaredSeconds)} of media ` +
      `(wallClockBaseSeconds + wallClockSecondsPerMediaSecond x work) and was stopped after decoding ${s(decodedSeconds)}.`,
  );
}
