import { z } from "zod";
import { BadInputError } from "../errors.js";
import type { AudioInfo, SourceInfo, VideoInfo } from "./source-info.js";

// Only the fields we read; ffprobe prints many more and passthrough keeps them out of the way.
const numeric = z.union([z.string(), z.number()]).optional();
const streamSchema = z.object({
  index: z.number().int(),
  codec_type: z.string().optional(),
  codec_name: z.string().optional(),
  width: z.number().int().optional(),
  height: z.number().int().optional(),
  sample_aspect_ratio: z.string().optional(),
  avg_frame_rate: z.string().optional(),
  r_frame_rate: z.string().optional(),
  channels: z.number().int().optional(),
  sample_rate: numeric,
  bit_rate: numeric,
  duration: numeric,
  disposition: z.object({ attached_pic: z.number().optional() }).partial().optional(),
  tags: z.record(z.string(), z.string()).optional(),
  side_data_list: z.array(z.object({ rotation: z.number().optional() }).partial()).optional(),
});
const probeSchema = z.object({
  streams: z.array(streamSchema).default([]),
  format: z
    .object({ format_name: z.string().optional(), duration: numeric, size: numeric })
    .partial()
    .optional(),
});

function num(v: string | number | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = typeof v === "number" ? v : Number(v);
  return Number.isFinite(n) ? n : undefined;
}

/** "30000/1001" -> 29.97; "0/0" and junk -> undefined. */
export function parseRational(r: string | undefined): number | undefined {
  if (r === undefined) return undefined;
  const [a, b] = r.split(/[/:]/).map(Number);
  if (a === undefined || !Number.isFinite(a) || a <= 0) return undefined;
  if (b === undefined) return a;
  return Number.isFinite(b) && b > 0 ? a / b : undefined;
}

function rotationOf(s: z.infer<typeof streamSchema>): number {
  const fromSide = s.side_data_list?.find((d) => d.rotation !== undefined)?.rotation;
  const raw = fromSide ?? num(s.tags?.rotate) ?? 0;
  return ((Math.round(raw / 90) * 90) % 360 + 360) % 360;
}

function videoOf(s: z.infer<typeof streamSchema>): VideoInfo | undefined {
  if (s.width === undefined || s.height === undefined || s.width <= 0 || s.height <= 0) return undefined;
  const sar = parseRational(s.sample_aspect_ratio) ?? 1;
  let dw = s.width * (sar > 0 ? sar : 1);
  let dh = s.height;
  if (rotationOf(s) % 180 === 90) [dw, dh] = [dh, dw];
  // avg_frame_rate is frames over their timestamps' span (ffprobe computes it from the stream itself, even when
  // the container declares a false duration); r_frame_rate can be a timebase (90000) when the average is unknown.
  const frameRate = parseRational(s.avg_frame_rate);
  const fps = frameRate ?? parseRational(s.r_frame_rate);
  return {
    index: s.index,
    codec: s.codec_name ?? "unknown",
    width: s.width,
    height: s.height,
    displayWidth: Math.round(dw),
    displayHeight: Math.round(dh),
    // Containers sometimes claim absurd rates (e.g. 90000 for a timebase); treat those as unknown.
    fps: fps !== undefined && fps <= 240 ? fps : undefined,
    frameRate,
  };
}

/** Turns `ffprobe -show_format -show_streams -of json` output into SourceInfo; throws BadInputError when unusable. */
export function parseProbe(json: unknown): SourceInfo {
  const parsed = probeSchema.safeParse(json);
  if (!parsed.success) throw new BadInputError("NotMedia", "The file could not be read as audio or video.");
  const { streams, format } = parsed.data;
  // Cover art in audio files is a "video" stream with attached_pic set: it is not a picture to transcode.
  const videoStream = streams.find((s) => s.codec_type === "video" && s.disposition?.attached_pic !== 1);
  const audioStream = streams.find((s) => s.codec_type === "audio");
  const video = videoStream ? videoOf(videoStream) : undefined;
  const audio: AudioInfo | undefined = audioStream
    ? {
        index: audioStream.index,
        codec: audioStream.codec_name ?? "unknown",
        channels: audioStream.channels ?? 2,
        sampleRate: num(audioStream.sample_rate) ?? 48000,
        bitRate: num(audioStream.bit_rate),
      }
    : undefined;
  if (video === undefined && audio === undefined)
    throw new BadInputError("NoMediaStreams", "The file contains no audio or video stream.");
  const streamDurations = streams.map((s) => num(s.duration)).filter((d): d is number => d !== undefined);
  const durationSeconds = num(format?.duration) ?? (streamDurations.length ? Math.max(...streamDurations) : 0);
  if (!(durationSeconds > 0))
    throw new BadInputError("CorruptInput", "The file's duration could not be determined (it may be truncated).");
  return {
    formatName: format?.format_name ?? "unknown",
    durationSeconds,
    sizeBytes: num(format?.size),
    video,
    audio,
  };
}
