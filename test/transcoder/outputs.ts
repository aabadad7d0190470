/** Downloads a job's outputs to a local dir and checks them with ffprobe, the way a player would read them. */
import { execFile } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { getObject, listKeys, type Harness } from "./harness.js";

const run = promisify(execFile);

export async function downloadPrefix(h: Harness, prefix: string, dir: string): Promise<string[]> {
  const keys = await listKeys(h, prefix);
  for (const key of keys) {
    const file = join(dir, key.slice(prefix.length));
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, (await getObject(h, key)).body);
  }
  return keys.map((k) => k.slice(prefix.length));
}

export interface Variant {
  uri: string;
  attrs: Record<string, string>;
}

export function parseMaster(text: string): Variant[] {
  const lines = text.split("\n");
  const out: Variant[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!line.startsWith("#EXT-X-STREAM-INF:")) continue;
    const attrs: Record<string, string> = {};
    for (const m of line.slice(18).matchAll(/([A-Z-]+)=("[^"]*"|[^,]*)/g)) attrs[m[1]!] = m[2]!.replace(/^"|"$/g, "");
    out.push({ uri: lines[i + 1]!, attrs });
  }
  return out;
}

/** Presentation times of the video keyframes of an HLS media playlist, read through ffprobe's HLS demuxer. */
export async function keyframeTimes(ffprobe: string, playlist: string): Promise<number[]> {
  const { stdout } = await run(
    ffprobe,
    ["-v", "error", "-select_streams", "v:0", "-show_entries", "packet=pts_time,flags", "-of", "csv=p=0", playlist],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  return stdout
    .split("\n")
    .filter((l) => l.includes("K"))
    .map((l) => Math.round(Number(l.split(",")[0]) * 1000) / 1000);
}
