import { DEFAULT_TASK_LIMITS } from "../../../../lib/task-contract/index.js";
import { inputArgs } from "../media/index.js";
import type { AudioEncode, Plan, VideoRendition } from "../plan/index.js";
import { filesFor, INIT_SEGMENT, POSTER, SPRITE } from "./layout.js";

export interface FfmpegCommandOptions {
  input: string;
  /** Seconds between -progress reports. */
  progressPeriod?: number;
  /** Decoders refuse larger frames (default: the default maxPixelsPerFrame). */
  maxPixels?: number | undefined;
  /** Stop reading the source after this many seconds (the duration limit plus a margin). */
  readSeconds?: number | undefined;
}

// Filtergraph option values may not contain ',' ':' or ';' unquoted; our numbers never do, but keep one helper.
const fmt = (n: number): string => (Number.isInteger(n) ? String(n) : n.toFixed(6).replace(/0+$/, ""));

function filterGraph(plan: Plan): string | undefined {
  if (plan.videoIndex === undefined) return undefined;
  const videos = plan.renditions.filter((r): r is VideoRendition => r.kind === "video");
  const branches = videos.length + (plan.poster ? 1 : 0) + (plan.sprite ? 1 : 0);
  const pre = plan.fpsLimit === undefined ? "" : `fps=${fmt(plan.fpsLimit)},`;
  const labels = Array.from({ length: branches }, (_, i) => `[s${i}]`).join("");
  const parts = [`[0:${plan.videoIndex}]${pre}split=${branches}${labels}`];
  let i = 0;
  for (const v of videos) {
    parts.push(`[s${i++}]scale=${v.width}:${v.height}:flags=bicubic,setsar=1,format=yuv420p[v_${v.name}]`);
  }
  if (plan.poster) {
    // The first frame, then the first at or after atSeconds; the poster output keeps two frames and -update 1
    // overwrites, so a clip with no frame that late (a single frame, 0.3 s) still gets its first frame.
    const p = plan.poster;
    parts.push(
      `[s${i++}]select='if(eq(n\\,0)\\,1\\,gte(t-start_t\\,${fmt(p.atSeconds)}))',scale=${p.width}:${p.height},setsar=1[poster]`,
    );
  }
  if (plan.sprite) {
    // One tile every intervalSeconds starting with the first frame. Not fps=1/N: in ffmpeg 5.1 the fps filter
    // emits nothing for a clip shorter than half its output frame (0.3 s at 1/1: no sprite at all), while tile
    // flushes a partly filled sheet at the end of the stream.
    const s = plan.sprite;
    parts.push(
      `[s${i}]select='isnan(prev_selected_t)+gte(t-prev_selected_t\\,${s.intervalSeconds})',` +
        `scale=${s.tileWidth}:${s.tileHeight},setsar=1,tile=${s.columns}x${s.rows}[sprite]`,
    );
  }
  return parts.join(";");
}

function audioArgs(a: AudioEncode): string[] {
  return ["-c:a", "aac", "-b:a", `${a.bitrateKbps}k`, "-ac", String(a.channels), "-ar", String(a.sampleRate)];
}

function videoArgs(v: VideoRendition, plan: Plan): string[] {
  const seg = plan.encoding.segmentSeconds;
  const gop = Math.max(1, Math.round(v.fps * seg));
  return [
    "-c:v", "libx264",
    "-preset", plan.encoding.x264Preset,
    "-profile:v", "high",
    "-crf", String(v.crf),
    "-maxrate", `${v.maxrateKbps}k`,
    "-bufsize", `${v.bufsizeKbps}k`,
    // Keyframes exactly at segment boundaries, identical in every rung, so players can switch at any segment.
    "-force_key_frames", `expr:gte(t,n_forced*${seg})`,
    "-g", String(gop),
    "-keyint_min", String(gop),
    "-sc_threshold", "0",
  ];
}

function teeTarget(plan: Plan, files: ReturnType<typeof filesFor>): string {
  const slaves: string[] = [];
  if (files.playlist !== undefined) {
    const opts = [
      "f=hls",
      `hls_time=${plan.encoding.segmentSeconds}`,
      "hls_playlist_type=vod",
      "hls_segment_type=fmp4",
      `hls_fmp4_init_filename=${INIT_SEGMENT}`,
      `hls_segment_filename=${files.segmentDir}seg_%05d.m4s`,
      "hls_flags=independent_segments",
    ];
    slaves.push(`[${opts.join(":")}]${files.playlist}`);
  }
  // faststart moves the index to the front so a progressive download plays before it completes.
  if (files.mp4 !== undefined) slaves.push(`[f=mp4:movflags=+faststart]${files.mp4}`);
  return slaves.join("|");
}

/**
 * One ffmpeg process for the whole job: the source is decoded once, split to every rung (plus poster and sprite),
 * and each rung is encoded once and muxed to HLS and MP4 at the same time through the tee muxer.
 */
export function buildFfmpegArgs(plan: Plan, opts: FfmpegCommandOptions): string[] {
  const args = [
    "-hide_banner", "-nostdin", "-y",
    "-loglevel", "error",
    "-nostats", "-progress", "pipe:1", "-stats_period", String(opts.progressPeriod ?? 0.5),
    ...inputArgs({
      file: opts.input,
      demuxer: plan.demuxer,
      maxPixels: opts.maxPixels ?? DEFAULT_TASK_LIMITS.maxPixelsPerFrame,
      readSeconds: opts.readSeconds,
    }),
  ];
  const graph = filterGraph(plan);
  if (graph !== undefined) args.push("-filter_complex", graph);
  for (const r of plan.renditions) {
    const files = filesFor(r, plan.formats);
    if (r.kind === "video") args.push("-map", `[v_${r.name}]`);
    if (r.audio !== undefined && plan.audioIndex !== undefined) args.push("-map", `0:${plan.audioIndex}`);
    if (r.kind === "video") args.push(...videoArgs(r, plan));
    if (r.audio !== undefined) args.push(...audioArgs(r.audio));
    args.push(
      // Source metadata (GPS, device names) does not belong in public outputs.
      "-map_metadata", "-1",
      "-map_chapters", "-1",
      "-max_muxing_queue_size", "4096",
      "-f", "tee", teeTarget(plan, files),
    );
  }
  if (plan.poster) args.push("-map", "[poster]", "-frames:v", "2", "-q:v", "3", "-update", "1", POSTER);
  if (plan.sprite) args.push("-map", "[sprite]", "-frames:v", "1", "-q:v", "5", "-update", "1", SPRITE);
  return args;
}
