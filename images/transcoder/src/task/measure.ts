import { open, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { TransientError } from "../../../../lib/errors/index.js";
import { DEFAULT_TASK_LIMITS, type TaskLimits } from "../../../../lib/task-contract/index.js";
import { inputArgs, runTool } from "../media/index.js";
import { codecsFromInit, parseMediaPlaylist, segmentRates, type VariantEntry } from "../hls/index.js";
import { filesFor, INIT_SEGMENT } from "../ffmpeg/index.js";
import type { Plan, Rendition } from "../plan/index.js";

/** What was actually produced for one rendition, measured from the files (never from the plan's intentions). */
export interface MeasuredRendition {
  rendition: Rendition;
  files: string[];
  playlist: string | undefined;
  mp4: string | undefined;
  width: number;
  height: number;
  codecs: string;
  /** Peak segment rate (HLS) or the MP4's average rate when there is no HLS. */
  bandwidth: number;
  averageBandwidth: number;
  videoBitrateKbps: number;
  audioBitrateKbps: number;
  durationSeconds: number;
  sizeBytes: number;
  segments: { uri: string; duration: number; sizeBytes: number }[];
}

async function head(file: string, bytes: number): Promise<Buffer> {
  const fh = await open(file, "r");
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await fh.read(buf, 0, bytes, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

interface ProbedOutput {
  durationSeconds: number;
  bitRate: number;
  videoBitRate: number;
  audioBitRate: number;
  width: number;
  height: number;
}

/** Reads one of our own MP4/M4A/init outputs (a failure here is the task's, hence transient). */
async function probeOutput(ffprobe: string, file: string, limits: TaskLimits): Promise<ProbedOutput> {
  const run = await runTool(
    ffprobe,
    [
      "-hide_banner", "-v", "error", "-show_format", "-show_streams", "-of", "json",
      ...inputArgs({ file, demuxer: "mov", maxPixels: limits.maxPixelsPerFrame }),
    ],
    { timeoutMs: limits.probeTimeoutSeconds * 1000 },
  );
  if (run.code !== 0) throw new TransientError(`ffprobe could not read the output ${file}: ${run.stoppedBy ?? run.stderr.trim()}`);
  const j = JSON.parse(run.stdout) as {
    format?: { duration?: string; bit_rate?: string };
    streams?: { codec_type?: string; bit_rate?: string; width?: number; height?: number }[];
  };
  const v = j.streams?.find((s) => s.codec_type === "video");
  const a = j.streams?.find((s) => s.codec_type === "audio");
  return {
    durationSeconds: Number(j.format?.duration ?? 0),
    bitRate: Number(j.format?.bit_rate ?? 0),
    videoBitRate: Number(v?.bit_rate ?? 0),
    audioBitRate: Number(a?.bit_rate ?? 0),
    width: v?.width ?? 0,
    height: v?.height ?? 0,
  };
}

export async function measureRendition(
  dir: string,
  plan: Plan,
  r: Rendition,
  ffprobe: string,
  limits: TaskLimits = DEFAULT_TASK_LIMITS,
): Promise<MeasuredRendition> {
  const f = filesFor(r, plan.formats);
  const files: string[] = [];
  let segments: MeasuredRendition["segments"] = [];
  let codecs: string[] = [];
  let hlsDuration = 0;
  let hlsRates: ReturnType<typeof segmentRates> | undefined;
  let hlsBytes = 0;
  if (f.playlist !== undefined && f.segmentDir !== undefined) {
    const pl = parseMediaPlaylist(await readFile(join(dir, f.playlist), "utf8"));
    const init = f.segmentDir + (pl.map ?? INIT_SEGMENT);
    codecs = codecsFromInit(await readFile(join(dir, init)));
    segments = await Promise.all(
      pl.segments.map(async (s) => ({ ...s, sizeBytes: (await stat(join(dir, f.segmentDir!, s.uri))).size })),
    );
    hlsRates = segmentRates(segments, pl.targetDuration);
    hlsDuration = hlsRates.durationSeconds;
    hlsBytes = hlsRates.totalBytes + (await stat(join(dir, init))).size;
    files.push(f.playlist, init, ...segments.map((s) => f.segmentDir! + s.uri));
  }
  let probed: ProbedOutput | undefined;
  let mp4Size = 0;
  if (f.mp4 !== undefined) {
    files.push(f.mp4);
    mp4Size = (await stat(join(dir, f.mp4))).size;
    probed = await probeOutput(ffprobe, join(dir, f.mp4), limits);
    if (codecs.length === 0) codecs = codecsFromInit(await head(join(dir, f.mp4), 4 * 1024 * 1024));
  } else if (f.playlist !== undefined) {
    probed = await probeOutput(ffprobe, join(dir, f.segmentDir!, INIT_SEGMENT), limits);
  }
  const audioKbps = r.audio?.bitrateKbps ?? 0;
  const width = r.kind === "video" ? r.width : 0;
  const height = r.kind === "video" ? r.height : 0;
  const durationSeconds = probed && probed.durationSeconds > 0 ? probed.durationSeconds : hlsDuration;
  const videoBitrateKbps =
    r.kind !== "video"
      ? 0
      : probed && probed.videoBitRate > 0
        ? Math.round(probed.videoBitRate / 1000)
        : Math.max(0, Math.round((hlsRates?.averageBps ?? 0) / 1000) - audioKbps);
  return {
    rendition: r,
    files,
    playlist: f.playlist,
    mp4: f.mp4,
    width,
    height,
    codecs: codecs.join(","),
    bandwidth: hlsRates?.peakBps ?? (probed?.bitRate || 0),
    averageBandwidth: hlsRates?.averageBps ?? (probed?.bitRate || 0),
    videoBitrateKbps,
    audioBitrateKbps: audioKbps,
    durationSeconds,
    sizeBytes: f.mp4 !== undefined ? mp4Size : hlsBytes,
    segments,
  };
}

export function variantOf(m: MeasuredRendition): VariantEntry {
  return {
    uri: m.playlist!,
    bandwidth: m.bandwidth,
    averageBandwidth: m.averageBandwidth,
    codecs: m.codecs,
    resolution: m.rendition.kind === "video" ? { width: m.width, height: m.height } : undefined,
    frameRate: m.rendition.kind === "video" ? m.rendition.fps : undefined,
  };
}
