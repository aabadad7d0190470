import { open, stat } from "node:fs/promises";
import { execFile } from "node:child_process";
import { BadInputError } from "../errors.js";
import { parseProbe } from "./parse.js";
import { looksLikeText } from "./sniff.js";
import type { SourceInfo } from "./source-info.js";

export interface ProbeOptions {
  ffprobe: string;
  maxDurationSeconds?: number | undefined;
  signal?: AbortSignal | undefined;
}

function runFfprobe(ffprobe: string, file: string, signal?: AbortSignal): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      ffprobe,
      ["-v", "error", "-show_format", "-show_streams", "-of", "json", file],
      { maxBuffer: 16 * 1024 * 1024, signal },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== "number") return reject(new Error(err.message, { cause: err }));
        resolve({ code: typeof err?.code === "number" ? err.code : 0, stdout, stderr });
      },
    );
  });
}

/** Classifies a local file: empty, text, unreadable, too long, or its streams. Throws BadInputError for bad input. */
export async function probeFile(file: string, opts: ProbeOptions): Promise<SourceInfo> {
  const { size } = await stat(file);
  if (size === 0) throw new BadInputError("EmptyInput", "The uploaded file is empty (0 bytes).");
  const fh = await open(file, "r");
  const head = Buffer.alloc(Math.min(4096, size));
  try {
    await fh.read(head, 0, head.length, 0);
  } finally {
    await fh.close();
  }
  if (looksLikeText(head)) throw new BadInputError("NotMedia", "The uploaded file is text, not audio or video.");
  const { code, stdout, stderr } = await runFfprobe(opts.ffprobe, file, opts.signal);
  if (code !== 0) {
    const detail = /moov atom not found/.test(stderr)
      ? " (the MP4 index is missing: the file is truncated or damaged)"
      : "";
    throw new BadInputError(
      /Invalid data found/.test(stderr) && !detail ? "NotMedia" : "CorruptInput",
      `The file could not be read as audio or video${detail}.`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(stdout);
  } catch {
    throw new BadInputError("CorruptInput", "The file could not be read as audio or video.");
  }
  const info = parseProbe(json);
  const max = opts.maxDurationSeconds;
  if (max !== undefined && info.durationSeconds > max)
    throw new BadInputError(
      "TooLong",
      `The file is ${Math.round(info.durationSeconds)} s long; the limit is ${max} s.`,
    );
  return { ...info, sizeBytes: size };
}
