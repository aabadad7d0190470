import type { SourceInfo } from "../probe/index.js";
import type { Plan } from "../plan/index.js";
import type { MeasuredRendition } from "./measure.js";

export interface ManifestFile {
  key: string;
  sizeBytes: number;
  sha256: string;
  contentType: string;
}

/** manifest.json: written last, so its presence means every file it lists was uploaded whole. */
export interface Manifest {
  version: 1;
  status: "complete";
  job: { uid: string; namespace: string; name: string; attempt: number };
  createdAt: string;
  source: {
    bucket: string;
    key: string;
    versionId?: string | undefined;
    sizeBytes: number | undefined;
    durationSeconds: number;
    video?: { width: number; height: number; codec: string; fps: number | undefined } | undefined;
    audio?: { codec: string; channels: number; sampleRate: number } | undefined;
  };
  encoding: Plan["encoding"];
  masterPlaylist: string | undefined;
  poster: string | undefined;
  sprite: (Plan["sprite"] & { key: string }) | undefined;
  renditions: {
    name: string;
    kind: "video" | "audio";
    width: number;
    height: number;
    frameRate: number | undefined;
    codecs: string;
    videoBitrateKbps: number;
    audioBitrateKbps: number;
    crf: number | undefined;
    maxrateKbps: number | undefined;
    bandwidth: number;
    averageBandwidth: number;
    durationSeconds: number;
    sizeBytes: number;
    segmentCount: number;
    playlist: string | undefined;
    mp4: string | undefined;
  }[];
  files: ManifestFile[];
}

export function buildManifest(args: {
  job: Manifest["job"];
  source: { bucket: string; key: string; versionId?: string | undefined; info: SourceInfo };
  plan: Plan;
  measured: MeasuredRendition[];
  keyOf: (rel: string) => string;
  masterPlaylist: string | undefined;
  poster: string | undefined;
  sprite: string | undefined;
  files: ManifestFile[];
  now: Date;
}): Manifest {
  const { info } = args.source;
  return {
    version: 1,
    status: "complete",
    job: args.job,
    createdAt: args.now.toISOString(),
    source: {
      bucket: args.source.bucket,
      key: args.source.key,
      versionId: args.source.versionId,
      sizeBytes: info.sizeBytes,
      durationSeconds: info.durationSeconds,
      video: info.video && {
        width: info.video.displayWidth,
        height: info.video.displayHeight,
        codec: info.video.codec,
        fps: info.video.fps,
      },
      audio: info.audio && { codec: info.audio.codec, channels: info.audio.channels, sampleRate: info.audio.sampleRate },
    },
    encoding: args.plan.encoding,
    masterPlaylist: args.masterPlaylist,
    poster: args.poster,
    sprite: args.sprite !== undefined && args.plan.sprite ? { ...args.plan.sprite, key: args.sprite } : undefined,
    renditions: args.measured.map((m) => ({
      name: m.rendition.name,
      kind: m.rendition.kind,
      width: m.width,
      height: m.height,
      frameRate: m.rendition.kind === "video" ? m.rendition.fps : undefined,
      codecs: m.codecs,
      videoBitrateKbps: m.videoBitrateKbps,
      audioBitrateKbps: m.audioBitrateKbps,
      crf: m.rendition.kind === "video" ? m.rendition.crf : undefined,
      maxrateKbps: m.rendition.kind === "video" ? m.rendition.maxrateKbps : undefined,
      bandwidth: m.bandwidth,
      averageBandwidth: m.averageBandwidth,
      durationSeconds: m.durationSeconds,
      sizeBytes: m.sizeBytes,
      segmentCount: m.segments.length,
      playlist: m.playlist === undefined ? undefined : args.keyOf(m.playlist),
      mp4: m.mp4 === undefined ? undefined : args.keyOf(m.mp4),
    })),
    files: args.files,
  };
}
