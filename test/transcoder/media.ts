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

export async function ffprobeJson(ffprobe: string, target: string): Promise<{ streams: ProbedStream[]; format: { duration?: string } }> {
  const { stdout } = await run(ffprobe, ["-v", "error", "-show_format", "-show_streams", "-of", "json", target]);
  return JSON.parse(stdout) as { streams: ProbedStream[]; format: { duration?: string } };
}
