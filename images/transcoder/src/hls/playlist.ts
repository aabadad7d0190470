/** A media playlist as written by ffmpeg's hls muxer: segment URIs with EXTINF durations and the init section. */
export interface MediaPlaylist {
  targetDuration: number | undefined;
  map: string | undefined;
  segments: { uri: string; duration: number }[];
}

export function parseMediaPlaylist(text: string): MediaPlaylist {
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  if (lines[0] !== "#EXTM3U") throw new Error("not an M3U8 playlist");
  const segments: MediaPlaylist["segments"] = [];
  let targetDuration: number | undefined;
  let map: string | undefined;
  let pending: number | undefined;
  for (const line of lines) {
    if (line.startsWith("#EXT-X-TARGETDURATION:")) targetDuration = Number(line.slice(22));
    else if (line.startsWith("#EXT-X-MAP:")) map = /URI="([^"]+)"/.exec(line)?.[1];
    else if (line.startsWith("#EXTINF:")) pending = Number.parseFloat(line.slice(8));
    else if (line !== "" && !line.startsWith("#") && pending !== undefined) {
      segments.push({ uri: line, duration: pending });
      pending = undefined;
    }
  }
  return { targetDuration, map, segments };
}

export interface SegmentRates {
  /** Highest bits per second of any one segment (what HLS BANDWIDTH must be). */
  peakBps: number;
  /** Total bits over total duration (AVERAGE-BANDWIDTH). */
  averageBps: number;
  durationSeconds: number;
  totalBytes: number;
}

/** Rates from segment sizes and EXTINF durations (the init section is sent once and not counted, as in RFC 8216). */
export function segmentRates(segments: { duration: number; sizeBytes: number }[]): SegmentRates {
  let peak = 0;
  let bytes = 0;
  let duration = 0;
  for (const s of segments) {
    if (s.duration > 0) peak = Math.max(peak, (s.sizeBytes * 8) / s.duration);
    bytes += s.sizeBytes;
    duration += s.duration;
  }
  return {
    peakBps: Math.ceil(peak),
    averageBps: duration > 0 ? Math.ceil((bytes * 8) / duration) : 0,
    durationSeconds: duration,
    totalBytes: bytes,
  };
}

export interface VariantEntry {
  uri: string;
  bandwidth: number;
  averageBandwidth: number;
  codecs: string;
  resolution?: { width: number; height: number } | undefined;
  frameRate?: number | undefined;
}

/** The master playlist, variants in ascending bandwidth (RFC 8216 4.3.4.2). */
export function writeMasterPlaylist(variants: VariantEntry[]): string {
  const out = ["#EXTM3U", "#EXT-X-VERSION:7", "#EXT-X-INDEPENDENT-SEGMENTS"];
  for (const v of [...variants].sort((a, b) => a.bandwidth - b.bandwidth)) {
    const attrs = [`BANDWIDTH=${v.bandwidth}`, `AVERAGE-BANDWIDTH=${v.averageBandwidth}`];
    if (v.resolution) attrs.push(`RESOLUTION=${v.resolution.width}x${v.resolution.height}`);
    attrs.push(`CODECS="${v.codecs}"`);
    if (v.frameRate !== undefined) attrs.push(`FRAME-RATE=${v.frameRate.toFixed(3)}`);
    out.push(`#EXT-X-STREAM-INF:${attrs.join(",")}`, v.uri);
  }
  return out.join("\n") + "\n";
}
