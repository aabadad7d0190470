import type { Encoding } from "../../../../lib/task-contract/index.js";

export interface AudioEncode {
  bitrateKbps: number;
  channels: number;
  sampleRate: number;
}

export interface VideoRendition {
  kind: "video";
  /** "<short side>p", e.g. "720p" for 1280x720 and for 720x1280. */
  name: string;
  width: number;
  height: number;
  fps: number;
  crf: number;
  maxrateKbps: number;
  bufsizeKbps: number;
  /** undefined when the source has no audio. */
  audio: AudioEncode | undefined;
}

export interface AudioRendition {
  kind: "audio";
  /** "audio-<kbps>k" */
  name: string;
  audio: AudioEncode;
}

export type Rendition = VideoRendition | AudioRendition;

export interface StillImage {
  atSeconds: number;
  width: number;
  height: number;
}

export interface SpriteSheet {
  /** One tile every `intervalSeconds`. */
  intervalSeconds: number;
  tileWidth: number;
  tileHeight: number;
  columns: number;
  rows: number;
}

export interface Plan {
  durationSeconds: number;
  /** The demuxer forced on the source (-f), the first name of SourceInfo.formatName. */
  demuxer: string;
  /** Source stream indexes to map. */
  videoIndex: number | undefined;
  audioIndex: number | undefined;
  /** Output frame rate when the source rate must be lowered (above 60 fps); undefined keeps the source rate. */
  fpsLimit: number | undefined;
  renditions: Rendition[];
  formats: ("hls" | "mp4")[];
  encoding: Encoding;
  poster: StillImage | undefined;
  sprite: SpriteSheet | undefined;
}
