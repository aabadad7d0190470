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
  /** The peak segment bit rate of RFC 8216 4.3.4.2 (what HLS BANDWIDTH must be), bits per second. */
  peakBps: number;
  /** Total bits over total duration (AVERAGE-BANDWIDTH). */
  averageBps: number;
  durationSeconds: number;
  totalBytes: number;
}

/**
 * Rates from segment sizes and EXTINF durations (the init section is sent once and not counted, as in RFC 8216).
 * The peak is RFC 8216's: the highest rate of any contiguous run of segments lasting 0.5 to 1.5 target durations.
 * A short final segment is therefore measured together with its neighbour, not alone: alone, its keyframe over a
 * fraction of a second overstated BANDWIDTH (by half on a 0.2 s remainder), which makes players pick lower rungs.
 * `targetDuration` is the playlist's EXT-X-TARGETDURATION (default: the longest segment, rounded up).
 */
export function segmentRates(segments: { duration: number; sizeBytes: number }[], targetDuration?: number): SegmentRates {
  const target = targetDuration ?? Math.ceil(Math.max(0, ...segments.map((s) => s.duration)));
  let bytes = 0;
  let duration = 0;
  for (const s of segments) {
    bytes += s.sizeBytes;
    duration += s.duration;
  }
  const averageBps = duration > 0 ? (bytes * 8) / duration : 0;
  let peak = 0;
  for (let i = 0; i < segments.length; i++) {
    let runBytes = 0;
    let runDuration = 0;
    for (let j = i; j < segments.length; j++) {
      runBytes += segments[j]!.sizeBytes;
      runDuration += segments[j]!.duration;
      if (runDuration > 1.5 * target) break;
      if (runDuration >= 0.5 * target) peak = Math.max(peak, (runBytes * 8) / runDuration);
    }
  }
  // A whole playlist shorter than half its target duration has no qualifying run: its one rate is the peak.
  if (peak === 0) peak = averageBps;
  return { peakBps: Math.ceil(peak), averageBps: Math.ceil(averageBps), durationSeconds: duration, totalBytes: bytes };
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
