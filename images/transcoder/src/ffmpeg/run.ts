import { spawn } from "node:child_process";
import { TransientError } from "../../../../lib/errors/index.js";
import { BadInputError } from "../errors.js";
import { ProgressParser } from "./progress.js";

export interface RunFfmpegOptions {
  ffmpeg: string;
  args: string[];
  cwd: string;
  /** Called with the encoded position (seconds) at each -progress block. */
  onProgress?: (outTimeSeconds: number) => void;
  signal?: AbortSignal | undefined;
}

const STDERR_KEEP = 16 * 1024;
// Messages that mean the source itself cannot be decoded, as opposed to a full disk or a kill.
const INPUT_FAULTS = [/Invalid data found when processing input/i, /Error while decoding/i, /corrupt/i, /moov atom not found/i];

/** Classifies a failed ffmpeg run from its exit and stderr (pure, for unit tests). */
export function classifyFfmpegFailure(code: number | null, signal: string | null, stderr: string): Error {
  const tail = stderr.trim().split("\n").slice(-3).join(" | ");
  if (signal !== null) return new TransientError(`ffmpeg was stopped by ${signal}`);
  if (INPUT_FAULTS.some((re) => re.test(stderr)))
    return new BadInputError("CorruptInput", "The file is damaged: its audio or video could not be decoded.", {
      cause: new Error(tail),
    });
  return new TransientError(`ffmpeg exited with code ${code}: ${tail}`);
}

/** Runs ffmpeg to completion; resolves on exit 0, rejects with BadInputError or TransientError otherwise. */
export function runFfmpeg(opts: RunFfmpegOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    if (opts.signal?.aborted) return reject(new TransientError("aborted before ffmpeg started"));
    const child = spawn(opts.ffmpeg, opts.args, { cwd: opts.cwd, stdio: ["ignore", "pipe", "pipe"] });
    const parser = new ProgressParser();
    let stderr = "";
    // SIGKILL, not SIGTERM: on SIGTERM ffmpeg finalises every output (faststart rewrites whole files), which
    // is wasted work for outputs an aborted attempt throws away, and can outlast the launcher's grace period.
    const onAbort = (): void => {
      child.kill("SIGKILL");
    };
    opts.signal?.addEventListener("abort", onAbort, { once: true });
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      for (const block of parser.push(chunk)) {
        if (block.outTimeSeconds !== undefined) opts.onProgress?.(block.outTimeSeconds);
      }
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_KEEP);
    });
    child.on("error", (err) => {
      opts.signal?.removeEventListener("abort", onAbort);
      reject(new TransientError(`ffmpeg could not start: ${err.message}`, undefined, { cause: err }));
    });
    child.on("close", (code, signal) => {
      opts.signal?.removeEventListener("abort", onAbort);
      if (code === 0) resolve();
      else reject(classifyFfmpegFailure(code, signal, stderr));
    });
  });
}
