/**
 * Incremental parser for `ffmpeg -progress pipe:1`: key=value lines, each block ending with progress=continue|end.
 * Feed it chunks; it returns the encoded position of each completed block.
 */
export interface ProgressBlock {
  outTimeSeconds: number | undefined;
  end: boolean;
}

export class ProgressParser {
  private buffer = "";
  private current: Record<string, string> = {};

  push(chunk: string): ProgressBlock[] {
    this.buffer += chunk;
    const lines = this.buffer.split("\n");
    this.buffer = lines.pop() ?? "";
    const blocks: ProgressBlock[] = [];
    for (const raw of lines) {
      const line = raw.trim();
      const eq = line.indexOf("=");
      if (eq <= 0) continue;
      const key = line.slice(0, eq);
      const value = line.slice(eq + 1);
      if (key === "progress") {
        blocks.push({ outTimeSeconds: outTime(this.current), end: value === "end" });
        this.current = {};
      } else {
        this.current[key] = value;
      }
    }
    return blocks;
  }
}

function outTime(kv: Record<string, string>): number | undefined {
  // out_time_ms is microseconds too (a long-standing ffmpeg misnomer); out_time is "HH:MM:SS.micro".
  const us = Number(kv.out_time_us ?? kv.out_time_ms);
  if (Number.isFinite(us) && us >= 0) return us / 1e6;
  const m = /^(\d+):(\d{2}):(\d{2}(?:\.\d+)?)$/.exec(kv.out_time ?? "");
  if (m) return Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]);
  return undefined;
}

/** Percent of the encode done, capped below 100 until ffmpeg has exited cleanly. */
export function encodePercent(outTimeSeconds: number | undefined, durationSeconds: number): number {
  if (outTimeSeconds === undefined || !(durationSeconds > 0)) return 0;
  return Math.max(0, Math.min(99.9, (outTimeSeconds / durationSeconds) * 100));
}
