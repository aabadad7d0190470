import { ladderRungs, type TaskSpec } from "../../../../lib/task-contract/index.js";
import type { SourceInfo } from "../probe/index.js";
import { audioKbpsForRung, defaultCrf, videoCapKbps } from "./bitrates.js";
import type { AudioEncode, AudioRendition, Plan, Rendition, SpriteSheet, StillImage, VideoRendition } from "./types.js";

/** A source less than this factor above the tallest kept rung gets no extra rung at its own size. */
const NATIVE_RUNG_MIN_GAIN = 1.1;
const MAX_FPS = 60;
const DEFAULT_FPS = 30;
const SPRITE_MAX_TILES = 100;
const SPRITE_TILE_WIDTH = 160;

const even = (x: number): number => Math.max(2, 2 * Math.round(x / 2));
const evenFloor = (x: number): number => Math.max(2, 2 * Math.floor(x / 2));

function audioEncode(source: SourceInfo, kbps: number): AudioEncode | undefined {
  if (!source.audio) return undefined;
  const sampleRate = source.audio.sampleRate === 44100 ? 44100 : 48000;
  return { bitrateKbps: kbps, channels: Math.min(2, Math.max(1, source.audio.channels)), sampleRate };
}

/** Output size for a rung whose short side is `short`: aspect kept, even, never larger than the source. */
export function sizeForShortSide(displayWidth: number, displayHeight: number, short: number): [number, number] {
  const portrait = displayHeight > displayWidth;
  const srcShort = Math.min(displayWidth, displayHeight);
  const srcLong = Math.max(displayWidth, displayHeight);
  const s = Math.min(short, evenFloor(srcShort));
  const l = Math.min(even((s * srcLong) / srcShort), evenFloor(srcLong));
  return portrait ? [s, l] : [l, s];
}

function planVideo(source: SourceInfo, spec: TaskSpec, fps: number): VideoRendition[] {
  const v = source.video!;
  const srcShort = Math.min(v.displayWidth, v.displayHeight);
  const requested = ladderRungs(spec.ladder);
  const kept = requested.filter((r) => r.height <= srcShort);
  const tallestKept = kept.at(-1)?.height ?? 0;
  const droppedAny = kept.length < requested.length;
  // The original upscaled small sources to every rung; we keep the source's own size as the top rung instead.
  if (droppedAny && srcShort >= tallestKept * NATIVE_RUNG_MIN_GAIN) {
    const dropped = requested.find((r) => r.height > srcShort)!;
    kept.push({ ...dropped, height: evenFloor(srcShort) });
  }
  const seen = new Set<string>();
  const out: VideoRendition[] = [];
  for (const rung of kept) {
    const [width, height] = sizeForShortSide(v.displayWidth, v.displayHeight, rung.height);
    const short = Math.min(width, height);
    const name = `${short}p`;
    if (seen.has(name)) continue;
    seen.add(name);
    const maxrateKbps = rung.videoBitrateKbps ?? videoCapKbps(width, height, fps);
    out.push({
      kind: "video",
      name,
      width,
      height,
      fps,
      crf: rung.crf ?? defaultCrf(spec.encoding.x264Preset),
      maxrateKbps,
      bufsizeKbps: maxrateKbps * 2,
      audio: audioEncode(source, audioKbpsForRung(short)),
    });
  }
  return out;
}

function planAudioOnly(source: SourceInfo): AudioRendition[] {
  const srcKbps = source.audio?.bitRate === undefined ? undefined : source.audio.bitRate / 1000;
  // Never spend more bits than the source has: a 64 kbps podcast gets one 64k rendition.
  const rates = srcKbps !== undefined && srcKbps <= 80 ? [64] : [64, 128];
  return rates.map((kbps) => ({ kind: "audio", name: `audio-${kbps}k`, audio: audioEncode(source, kbps)! }));
}

function posterFor(source: SourceInfo, top: VideoRendition): StillImage {
  // Early enough to exist in any clip, late enough to skip a black first frame.
  return { atSeconds: Math.min(1, source.durationSeconds * 0.1), width: top.width, height: top.height };
}

function spriteFor(source: SourceInfo, top: VideoRendition): SpriteSheet {
  const intervalSeconds = Math.max(1, Math.ceil(source.durationSeconds / SPRITE_MAX_TILES));
  const tiles = Math.max(1, Math.ceil(source.durationSeconds / intervalSeconds));
  const tileWidth = Math.min(SPRITE_TILE_WIDTH, top.width);
  const tileHeight = even((tileWidth * top.height) / top.width);
  const columns = Math.min(10, tiles);
  return { intervalSeconds, tileWidth, tileHeight, columns, rows: Math.ceil(tiles / columns) };
}

/** The whole plan for one source and spec: pure, so every rule is a row in a table test. */
export function planRenditions(source: SourceInfo, spec: TaskSpec): Plan {
  const srcFps = source.video?.fps;
  const fps = Math.min(MAX_FPS, srcFps ?? DEFAULT_FPS);
  const fpsLimit = srcFps === undefined || srcFps > MAX_FPS ? fps : undefined;
  const renditions: Rendition[] = source.video ? planVideo(source, spec, fps) : planAudioOnly(source);
  const top = renditions.filter((r): r is VideoRendition => r.kind === "video").at(-1);
  return {
    durationSeconds: source.durationSeconds,
    demuxer: source.formatName.split(",")[0]!,
    videoIndex: source.video?.index,
    audioIndex: source.audio?.index,
    fpsLimit: source.video ? fpsLimit : undefined,
    renditions,
    formats: spec.formats,
    encoding: spec.encoding,
    poster: top ? posterFor(source, top) : undefined,
    sprite: top && spec.thumbnails ? spriteFor(source, top) : undefined,
  };
}
