/** Test media generated with ffmpeg's lavfi sources: short clips so the suite stays fast on 2 cores. */
import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface ClipOptions {
  width?: number;
  height?: number;
  seconds?: number;
  fps?: number;
  audio?: boolean;
  video?: boolean;
}

/** An MP4 (H.264 ultrafast + AAC) of testsrc2 and a sine tone; audio-only clips are M4A. */
export async function makeClip(ffmpeg: string, file: string, o: ClipOptions = {}): Promise<void> {
  const seconds = o.seconds ?? 3;
  const video = o.video ?? true;
  const audio = o.audio ?? true;
  const args = ["-hide_banner", "-loglevel", "error", "-y"];
  if (video) args.push("-f", "lavfi", "-i", `testsrc2=size=${o.width ?? 640}x${o.height ?? 360}:rate=${o.fps ?? 25}:duration=${seconds}`);
  if (audio) args.push("-f", "lavfi", "-i", `sine=frequency=440:sample_rate=48000:duration=${seconds}`);
  if (video) args.push("-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p");
  if (audio) args.push("-c:a", "aac", "-b:a", "128k");
  args.push("-f", "mp4", file);
  await run(ffmpeg, args);
}

export interface ProbedStream {
  codec_type: string;
  codec_name: string;
  width?: number;
  height?: number;
  duration?: string;
  start_time?: string;
}

/** A plain ffprobe (ffmpeg's defaults, plus `extra`), as a player or a careless service would run it. */
export async function ffprobeJson(
  ffprobe: string,
  target: string,
  extra: string[] = [],
): Promise<{ streams: ProbedStream[]; format: { duration?: string } }> {
  const { stdout } = await run(ffprobe, ["-v", "error", ...extra, "-show_format", "-show_streams", "-of", "json", target]);
  return JSON.parse(stdout) as { streams: ProbedStream[]; format: { duration?: string } };
}

/** Runs ffmpeg with lavfi sources; `args` are everything after the common flags. */
export async function ffmpegGenerate(ffmpeg: string, args: string[]): Promise<void> {
  await run(ffmpeg, ["-hide_banner", "-loglevel", "error", "-y", ...args]);
}

/**
 * Rewrites the durations an MP4 declares (mvhd, every tkhd and mdhd; version-0 boxes, as ffmpeg writes them)
 * to `seconds`, leaving every sample in place: the file plays its real length but says it is shorter. Write
 * the source with -use_editlist 0 (or the edit list would still carry the real duration) and +faststart.
 */
export function withDeclaredDuration(mp4: Buffer, seconds: number): Buffer {
  const b = Buffer.from(mp4);
  // Only inside moov (written first with +faststart), so no match inside the media data.
  const moov = b.indexOf("moov") - 4;
  if (moov < 0) throw new Error("no moov box");
  const end = moov + b.readUInt32BE(moov);
  let movieScale = 0;
  for (const box of ["mvhd", "tkhd", "mdhd"]) {
    for (let i = b.indexOf(box, moov); i >= 0 && i < end; i = b.indexOf(box, i + 4)) {
      const p = i + 4;
      if (b[p] !== 0) throw new Error(`${box} is not version 0`);
      if (box === "mvhd") {
        movieScale = b.readUInt32BE(p + 12);
        b.writeUInt32BE(seconds * movieScale, p + 16);
      } else if (box === "tkhd") {
        b.writeUInt32BE(seconds * movieScale, p + 20);
      } else {
        b.writeUInt32BE(seconds * b.readUInt32BE(p + 12), p + 16);
      }
    }
  }
  return b;
}
