/**
 * Short and odd inputs (#21): a 0.3 s clip, a single-frame video and audio-only uploads each succeed in one
 * attempt with the outputs that make sense for them (real process, MinIO, Redis, ffmpeg; media made with lavfi).
 * A 0.3 s clip once failed three times with "TransientFailure: ENOENT ... out/sprite.jpg".
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { testEnv } from "../env/index.js";
import { EXIT_OK, type TaskSpecInput } from "../../lib/task-contract/index.js";
import type { Manifest } from "../../images/transcoder/src/task/index.js";
import { createHarness, putFile, runAttempt, type Harness } from "./harness.js";
import { ffmpegGenerate, ffprobeJson } from "./media.js";
import { downloadPrefix, parseMaster } from "./outputs.js";

const FAST: TaskSpecInput = { encoding: { x264Preset: "ultrafast", segmentSeconds: 2 } };

describe("short and odd inputs (real process, MinIO, Redis, ffmpeg)", function () {
  this.timeout(180_000);
  let h: Harness;
  let dir: string;
  let ffmpeg: string;
  let ffprobe: string;

  before(async () => {
    ({ ffmpeg, ffprobe } = testEnv().tools);
    h = await createHarness("short");
    dir = mkdtempSync(join(testEnv().tmpDir, "tx-short-"));
  });
  after(async () => h?.close());

  /** One attempt on a generated file; it must succeed, and every uploaded file is listed in the manifest. */
  async function succeeds(name: string, generate: string[], spec: TaskSpecInput = FAST) {
    const file = join(dir, name);
    await ffmpegGenerate(ffmpeg, [...generate, file]);
    await putFile(h, `uploads/short/${name}`, file);
    const out = await runAttempt(h, `uploads/short/${name}`, spec);
    assert.equal(out.exitCode, EXIT_OK, `exit ${out.exitCode}: ${JSON.stringify(out.result)}\n${out.log.slice(-2000)}`);
    assert.equal(out.result?.ok, true);
    const local = join(dir, `${name}-out`);
    const files = await downloadPrefix(h, out.prefix, local);
    const manifest = JSON.parse(readFileSync(join(local, "manifest.json"), "utf8")) as Manifest;
    assert.deepEqual(manifest.files.map((f) => f.key.slice(out.prefix.length)).sort(), files.filter((f) => f !== "manifest.json").sort());
    return { out, local, files, manifest, outputs: out.result.outputs! };
  }

  const probe = async (local: string, file: string) => ffprobeJson(ffprobe, join(local, file));
  const video = async (local: string, file: string) => (await probe(local, file)).streams.find((s) => s.codec_type === "video");

  it("a 0.3 s clip: HLS, MP4, poster and a one-tile sprite", async () => {
    const o = await succeeds("short.mp4", [
      "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25:duration=0.3", "-f", "lavfi", "-i", "sine=duration=0.3",
      "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac",
    ]);
    assert.deepEqual(o.manifest.renditions.map((r) => r.name), ["360p"]);
    for (const f of ["360p.mp4", "360p/index.m3u8", "360p/init.mp4", "poster.jpg", "sprite.jpg", "master.m3u8"]) assert.ok(o.files.includes(f), f);
    const mp4 = await probe(o.local, "360p.mp4");
    assert.ok(Math.abs(Number(mp4.format.duration) - 0.3) < 0.1, `duration ${mp4.format.duration}`);
    assert.deepEqual(mp4.streams.map((s) => s.codec_name).sort(), ["aac", "h264"]);
    const poster = await video(o.local, "poster.jpg");
    assert.deepEqual([poster?.width, poster?.height], [640, 360]);
    const sprite = await video(o.local, "sprite.jpg");
    assert.deepEqual([sprite?.width, sprite?.height], [160, 90], "one 160x90 tile");
    assert.deepEqual(o.manifest.sprite && [o.manifest.sprite.columns, o.manifest.sprite.rows], [1, 1]);
    assert.equal(o.outputs.poster, `${o.out.prefix}poster.jpg`);
  });

  it("a single-frame video without audio: one frame in every output, poster and sprite from it", async () => {
    const o = await succeeds("one-frame.mp4", [
      "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-frames:v", "1", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
    ]);
    assert.deepEqual(o.manifest.renditions.map((r) => [r.name, r.width, r.height]), [["240p", 320, 240]]);
    const frames = execFileSync(ffprobe, ["-v", "error", "-count_frames", "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", join(o.local, "240p.mp4")], { encoding: "utf8" });
    assert.equal(frames.trim(), "1", "the MP4 holds the one frame");
    const poster = await video(o.local, "poster.jpg");
    assert.deepEqual([poster?.width, poster?.height], [320, 240]);
    assert.ok(o.files.includes("sprite.jpg") && o.files.includes("240p/index.m3u8"));
    assert.equal(parseMaster(readFileSync(join(o.local, "master.m3u8"), "utf8")).length, 1);
  });

  it("an MP3 with cover art: an audio-only AAC HLS rendition and an M4A, no poster or sprite", async () => {
    const cover = join(dir, "cover.png");
    await ffmpegGenerate(ffmpeg, ["-f", "lavfi", "-i", "testsrc2=size=300x300", "-frames:v", "1", cover]);
    const o = await succeeds("song.mp3", [
      "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100:duration=2", "-i", cover,
      "-map", "0:a", "-map", "1:v", "-c:a", "libmp3lame", "-b:a", "128k", "-c:v", "png", "-disposition:v", "attached_pic",
    ]);
    assert.ok((await probe(dir, "song.mp3")).streams.some((s) => s.codec_type === "video"), "the cover art is a video stream");
    assert.ok(o.files.every((f) => !f.endsWith(".jpg")), `no poster or sprite: ${o.files.join(",")}`);
    assert.equal(o.outputs.poster, undefined);
    assert.equal(o.manifest.sprite, undefined);
    const names = o.manifest.renditions.map((r) => r.name);
    assert.ok(names.length >= 1 && names.every((n) => /^audio-\d+k$/.test(n)), names.join(","));
    for (const r of o.outputs.renditions) {
      assert.deepEqual([r.width, r.height, r.videoBitrateKbps], [0, 0, 0]);
      assert.match(r.mp4 ?? "", /\.m4a$/);
      const m4a = await probe(o.local, r.mp4!.slice(o.out.prefix.length));
      assert.deepEqual(m4a.streams.map((s) => s.codec_name), ["aac"]);
      assert.ok(Math.abs(Number(m4a.format.duration) - 2) < 0.15, `duration ${m4a.format.duration}`);
    }
    const master = parseMaster(readFileSync(join(o.local, "master.m3u8"), "utf8"));
    assert.ok(master.length >= 1 && master.every((v) => v.attrs.CODECS === "mp4a.40.2" && v.attrs.RESOLUTION === undefined));
  });

  it("a 0.3 s Opus-in-Ogg voice note succeeds as audio-only", async () => {
    const o = await succeeds("voice.opus", ["-f", "lavfi", "-i", "sine=frequency=300:duration=0.3", "-c:a", "libopus", "-b:a", "32k"]);
    assert.ok(o.manifest.renditions.length >= 1);
    for (const r of o.manifest.renditions) {
      assert.match(r.name, /^audio-\d+k$/);
      assert.ok(o.files.includes(`${r.name}.m4a`) && o.files.includes(`${r.name}/index.m3u8`), o.files.join(","));
    }
    assert.ok(o.files.every((f) => !f.endsWith(".jpg")));
  });
});
