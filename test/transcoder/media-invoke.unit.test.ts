/**
 * The hardened invocation, without services: only media/invoke.ts may start processes; the argv every run must
 * have; which containers pass; the source limits as a table.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { BadInputError } from "../../images/transcoder/src/errors.js";
import { checkSourceLimits } from "../../images/transcoder/src/limits/source.js";
import { acceptedContainer, inputArgs, refusedLabel, startTool, unhardenedReason } from "../../images/transcoder/src/media/index.js";
import type { SourceInfo } from "../../images/transcoder/src/probe/index.js";
import { DEFAULT_TASK_LIMITS } from "../../lib/task-contract/index.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === "dist" || e.name === "node_modules" ? [] : sources(path);
    return /\.(ts|mts|js|mjs|cjs)$/.test(e.name) ? [path] : [];
  });
}

describe("one hardened invocation", () => {
  it("no module of the transcoder or its contract but media/invoke.ts can start a process", () => {
    const files = [...sources(join(ROOT, "images/transcoder")), ...sources(join(ROOT, "lib/task-contract"))];
    assert.ok(files.length > 30, `scanned ${files.length} files`);
    // Any way in: import/require of child_process (with or without node:), or the raw bindings.
    const spawning = files.filter((f) => /child_process|process\.binding\(|spawn_sync|process_wrap/.test(readFileSync(f, "utf8")));
    assert.deepEqual(spawning.map((f) => relative(ROOT, f)), ["images/transcoder/src/media/invoke.ts"]);
  });

  const file = "/work/x/source";
  it("inputArgs: whitelisted protocol and forced container, file: URL of an absolute path, drefs off for MP4", () => {
    assert.deepEqual(inputArgs({ file, demuxer: "mov", maxPixels: 1000, readSeconds: 61 }), [
      "-protocol_whitelist", "file", "-format_whitelist", "mov", "-f", "mov", "-enable_drefs", "0",
      "-max_pixels", "1000", "-t", "61", "-i", "file:/work/x/source",
    ]);
    assert.deepEqual(inputArgs({ file: "rel/concat:a|b", demuxer: "detect", maxPixels: 5 }).slice(-2), ["-i", `file:${join(process.cwd(), "rel/concat:a|b")}`]);
    assert.throws(() => inputArgs({ file, demuxer: "hls", maxPixels: 5 }), /refusing to open an input as "hls"/);
  });

  const ok = ["-v", "error", ...inputArgs({ file, demuxer: "matroska", maxPixels: 9 }), "-f", "null", "-"];
  const bad: [string, string[], RegExp][] = [
    ["no input", ["-version"], /exactly one -i/],
    ["a second input", [...ok.slice(0, -3), "-i", "file:/etc/passwd", "-f", "null", "-"], /exactly one -i, found 2/],
    ["a URL input", ok.map((a) => (a.startsWith("file:") ? "http://evil/x.mp4" : a)), /file:<absolute path>/],
    ["a relative path", ok.map((a) => (a.startsWith("file:") ? "file:source" : a)), /file:<absolute path>/],
    ["no protocol whitelist", ok.filter((a, i) => a !== "-protocol_whitelist" && ok[i - 1] !== "-protocol_whitelist"), /protocol_whitelist/],
    ["a wider protocol whitelist", ok.map((a) => (a === "file" ? "file,http" : a)), /protocol_whitelist file/],
    ["format not forced", ok.filter((a, i) => a !== "-f" || i > ok.indexOf("-i")), /not forced/],
    ["a refused container forced", ok.map((a) => (a === "matroska" ? "hls" : a)), /not forced/],
    ["no pixel limit", ok.filter((a, i) => a !== "-max_pixels" && ok[i - 1] !== "-max_pixels"), /max_pixels/],
    ["MP4 with drefs", ["-protocol_whitelist", "file", "-format_whitelist", "mov", "-f", "mov", "-max_pixels", "1", "-i", "file:/a"], /enable_drefs/],
  ];
  it("unhardenedReason accepts what inputArgs writes", () => {
    assert.equal(unhardenedReason(ok), undefined);
    assert.equal(unhardenedReason(inputArgs({ file, demuxer: "detect", maxPixels: 1 })), undefined);
  });
  for (const [name, args, reason] of bad)
    it(`the spawn refuses a command line with ${name}, before starting anything`, () => {
      assert.match(unhardenedReason(args) ?? "", reason);
      assert.throws(() => startTool("/nonexistent/ffmpeg", args), /refusing to run/);
    });

  it("accepts the uploaded containers by the demuxer ffmpeg 5.1 names; names the refused ones", () => {
    for (const name of ["mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm", "avi", "mpegts", "mpeg", "flv", "asf", "mxf", "ogg", "mp3", "aac", "flac", "wav"])
      assert.ok(acceptedContainer(name), name);
    assert.equal(acceptedContainer("mov,mp4,m4a,3gp,3g2,mj2")?.demuxer, "mov");
    for (const name of ["hls", "dash", "concat", "image2", "jpeg_pipe", "tty", "ffmetadata", "lavfi", "srt", "mov"])
      assert.equal(acceptedContainer(name), undefined, name);
    assert.equal(refusedLabel("hls"), "an HLS playlist");
    assert.equal(refusedLabel("png_pipe"), "an image (png)");
    assert.equal(refusedLabel("srt"), 'a "srt" file');
  });
});

describe("checkSourceLimits", () => {
  const info = (o: { dur?: number; w?: number; h?: number; rate?: number | undefined } = {}): SourceInfo => ({
    formatName: "mov,mp4,m4a,3gp,3g2,mj2",
    durationSeconds: o.dur ?? 10,
    sizeBytes: 1,
    video: { index: 0, codec: "h264", width: o.w ?? 1920, height: o.h ?? 1080, displayWidth: o.w ?? 1920, displayHeight: o.h ?? 1080, fps: 30, frameRate: "rate" in o ? o.rate : 30 },
    audio: undefined,
  });
  const L = DEFAULT_TASK_LIMITS;
  const table: [string, SourceInfo, Partial<typeof L>, string | undefined, RegExp?][] = [
    ["within every default", info(), {}, undefined],
    ["4 h exactly", info({ dur: 4 * 3600 }), {}, undefined],
    ["declared past the duration limit", info({ dur: 4 * 3600 + 1 }), {}, "TooLong", /14401 s long .* is 14400 s/],
    ["8K DCI exactly", info({ w: 8192, h: 4320 }), {}, undefined],
    ["one row of pixels more", info({ w: 8192, h: 4321 }), {}, "TooManyPixels", /8192x4321 \(35397632 pixels\)/],
    ["240 fps", info({ rate: 240 }), {}, undefined],
    ["1000 fps", info({ rate: 1000 }), {}, "FrameRateTooHigh", /1000 frames per second; the limit \(maxFrameRate\) is 240/],
    ["unknown frame rate", info({ rate: undefined }), {}, undefined],
    ["a lowered pixel limit", info({ w: 640, h: 480 }), { maxPixelsPerFrame: 640 * 480 - 1 }, "TooManyPixels", /is 307199 pixels/],
  ];
  for (const [name, src, limits, reason, message] of table)
    it(`${name}: ${reason ?? "passes"}`, () => {
      const check = () => checkSourceLimits(src, { ...L, ...limits });
      if (reason === undefined) return check();
      assert.throws(check, (e: unknown) => e instanceof BadInputError && e.reason === reason && (message?.test(e.message) ?? true));
    });
});
