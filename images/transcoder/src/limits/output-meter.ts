import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";

// HLS segments are written once, in order: a segment with a successor in its directory is final, so its size
// is cached instead of stat'ed again on every poll (a 4 h job writes thousands).
const SEGMENT = /^seg_(\d+)\.m4s$/;

/** Bytes under a directory while ffmpeg writes into it: every file, re-stat'ing only what may still grow. */
export class OutputMeter {
  private readonly final = new Map<string, number>();

  constructor(private readonly dir: string) {}

  async bytes(): Promise<number> {
    return this.walk(this.dir);
  }

  private async walk(dir: string): Promise<number> {
    const entries = await readdir(dir, { withFileTypes: true });
    const lastSegment = Math.max(-1, ...entries.map((e) => Number(SEGMENT.exec(e.name)?.[1] ?? -1)));
    let total = 0;
    for (const e of entries) {
      const path = join(dir, e.name);
      if (e.isDirectory()) {
        total += await this.walk(path);
        continue;
      }
      const cached = this.final.get(path);
      if (cached !== undefined) {
        total += cached;
        continue;
      }
      const size = await stat(path).then((s) => s.size, () => 0); // a file ffmpeg just renamed away
      const seg = SEGMENT.exec(e.name);
      if (seg && Number(seg[1]) < lastSegment) this.final.set(path, size);
      total += size;
    }
    return total;
  }
}
