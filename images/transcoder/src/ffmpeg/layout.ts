import type { Plan, Rendition } from "../plan/index.js";

/** Where each output lands, relative to the output directory (ffmpeg runs with it as cwd, so no path escaping). */
export interface RenditionFiles {
  name: string;
  /** "<name>/index.m3u8" when HLS is produced. */
  playlist: string | undefined;
  /** "<name>/" — init.mp4 and seg_NNNNN.m4s live here. */
  segmentDir: string | undefined;
  /** "<name>.mp4" (".m4a" for audio-only) when MP4 is produced. */
  mp4: string | undefined;
}

export const MASTER_PLAYLIST = "master.m3u8";
export const POSTER = "poster.jpg";
export const SPRITE = "sprite.jpg";
export const MANIFEST = "manifest.json";
export const INIT_SEGMENT = "init.mp4";

export function filesFor(r: Rendition, formats: Plan["formats"]): RenditionFiles {
  const hls = formats.includes("hls");
  return {
    name: r.name,
    playlist: hls ? `${r.name}/index.m3u8` : undefined,
    segmentDir: hls ? `${r.name}/` : undefined,
    mp4: formats.includes("mp4") ? `${r.name}.${r.kind === "audio" ? "m4a" : "mp4"}` : undefined,
  };
}
