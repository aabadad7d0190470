/**
 * The demo a newcomer watches: a user signs up, uploads generated sample videos (and a voice note) through
 * presigned POSTs, and sees each upload become a job and run to Succeeded, with live progress bars.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { ApiClient, type JobView } from "./client.js";

const run = promisify(execFile);

export const SAMPLES = [
  { name: "landscape-720p.mp4", size: "1280x720", audio: true },
  { name: "portrait-720x1280.mp4", size: "720x1280", audio: true },
  { name: "tiny-320x240-silent.mp4", size: "320x240", audio: false },
  { name: "voice-note.m4a", size: undefined, audio: true },
] as const;

/** The content type an upload of `file` declares (the demo's samples are MP4 videos and an M4A voice note). */
export const contentTypeOf = (file: string) => (file.endsWith(".m4a") ? "audio/mp4" : "video/mp4");

/** Generates the sample clips with ffmpeg's lavfi sources (no downloads). */
export async function makeSamples(dir: string, seconds = 6): Promise<string[]> {
  return Promise.all(
    SAMPLES.map(async (s) => {
      const out = join(dir, s.name);
      const video = s.size ? ["-f", "lavfi", "-i", `testsrc2=size=${s.size}:rate=30:duration=${seconds}`] : [];
      const audio = s.audio ? ["-f", "lavfi", "-i", `sine=frequency=440:duration=${seconds}`, "-c:a", "aac", "-b:a", "96k"] : [];
      const encode = s.size ? ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"] : [];
      await run("ffmpeg", ["-hide_banner", "-loglevel", "error", "-y", ...video, ...audio, ...encode, "-shortest", out]);
      return out;
    }),
  );
}

const TERMINAL = new Set(["Succeeded", "Failed", "Cancelled"]);

export interface DemoResult {
  jobs: JobView[];
  client: ApiClient;
}

/** Uploads the files and follows their jobs to a final phase, drawing progress to `out`. */
export async function runDemo(apiUrl: string, files: string[], options: { timeoutMs?: number; out?: NodeJS.WriteStream } = {}): Promise<DemoResult> {
  const out = options.out ?? process.stdout;
  const client = new ApiClient(apiUrl);
  const email = `demo-${randomBytes(3).toString("hex")}@example.com`;
  await client.signupAndLogin(email, randomBytes(12).toString("base64url"));
  out.write(`\nSigned up and logged in as ${email}. Uploading ${files.length} files with presigned POSTs...\n`);
  const keys = await Promise.all(files.map((f) => client.upload(f, contentTypeOf(f))));
  out.write(`Uploaded; each upload becomes a TranscodeJob through the S3 event -> lambda handler -> Redis stream -> bridge.\n\n`);

  const deadline = Date.now() + (options.timeoutMs ?? 15 * 60_000);
  let jobs: JobView[];
  let drawn = 0;
  for (;;) {
    jobs = (await client.listJobs()).filter((j) => keys.includes(j.source.key));
    drawn = draw(out, jobs, keys.length, drawn);
    if (jobs.length === keys.length && jobs.every((j) => TERMINAL.has(j.phase))) break;
    if (Date.now() > deadline) throw new Error(`the demo jobs did not finish in time: ${jobs.map((j) => `${j.id}=${j.phase}`).join(", ")}`);
    await sleep(500);
  }
  return { jobs, client };
}

function draw(out: NodeJS.WriteStream, jobs: JobView[], expected: number, previousLines: number): number {
  const lines = jobs
    .slice()
    .sort((a, b) => a.source.key.localeCompare(b.source.key))
    .map((j) => {
      const pct = j.phase === "Succeeded" ? 100 : Math.round(j.progress?.percent ?? 0);
      const bar = "#".repeat(Math.round(pct / 5)).padEnd(20, ".");
      const file = j.filename;
      const detail = j.phase === "Queued" && j.queuePosition !== undefined ? `queue #${j.queuePosition}` : (j.progress?.stage ?? "");
      return `${file.padEnd(28)} [${bar}] ${String(pct).padStart(3)}%  ${j.phase.padEnd(9)} ${detail}${j.reason ? ` (${j.reason}: ${j.message ?? ""})` : ""}`;
    });
  if (jobs.length < expected) lines.push(`waiting for ${expected - jobs.length} job(s) to appear...`);
  if (out.isTTY) {
    if (previousLines) out.write(`\x1b[${previousLines}A`);
    for (const l of lines) out.write(`\x1b[2K${l}\n`);
    return lines.length;
  }
  // Not a terminal (CI, a log file): print only when something changed.
  const text = lines.join("\n");
  if (text !== lastText) out.write(`${text}\n---\n`);
  lastText = text;
  return 0;
}
let lastText = "";
