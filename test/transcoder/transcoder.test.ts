/**
 * The transcoder entrypoint as a real process (through the LocalLauncher, with exactly the task env), against
 * MinIO, Redis and ffmpeg, on media generated here with lavfi.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { testEnv } from "../env/index.js";
import { EXIT_OK, type TaskResult } from "../../lib/task-contract/index.js";
import type { Manifest } from "../../images/transcoder/src/task/index.js";
import { createHarness, getObject, listKeys, putFile, runAttempt, type Harness } from "./harness.js";
import { ffprobeJson, makeClip } from "./media.js";
import { downloadPrefix, keyframeTimes, parseMaster } from "./outputs.js";

describe("transcoder task (real process, MinIO, Redis, ffmpeg)", function () {
  this.timeout(240_000);
  let h: Harness;
  let dir: string;

  before(async () => {
    h = await createHarness("ok");
    dir = mkdtempSync(join(testEnv().tmpDir, "tx-ok-"));
  });
  after(async () => h?.close());

  async function transcode(name: string, clip: Parameters<typeof makeClip>[2], spec: Parameters<typeof runAttempt>[2] = {}) {
    const file = join(dir, `${name}.mp4`);
    await makeClip(testEnv().tools.ffmpeg, file, clip);
    await putFile(h, `uploads/u1/${name}/${name}.mp4`, file);
    const out = await runAttempt(h, `uploads/u1/${name}/${name}.mp4`, spec);
    assert.equal(out.exitCode, EXIT_OK, `exit ${out.exitCode}: ${JSON.stringify(out.result)}\n${out.log.slice(-2000)}`);
    assert.ok(out.result?.ok);
    const local = join(dir, `${name}-out`);
    const files = await downloadPrefix(h, out.prefix, local);
    const manifest = JSON.parse(readFileSync(join(local, "manifest.json"), "utf8")) as Manifest;
    return { ...out, result: out.result as TaskResult & { ok: true }, local, files, manifest };
  }

  async function checkVideo(local: string, file: string, w: number, h2: number, audio: boolean, seconds: number) {
    const p = await ffprobeJson(testEnv().tools.ffprobe, join(local, file));
    const v = p.streams.find((s) => s.codec_type === "video");
    assert.ok(v, `${file} has video`);
    assert.equal(v.codec_name, "h264");
    assert.deepEqual([v.width, v.height], [w, h2], file);
    const a = p.streams.find((s) => s.codec_type === "audio");
    assert.equal(a?.codec_name, audio ? "aac" : undefined, `${file} audio`);
    if (a) assert.ok(Math.abs(Number(a.start_time) - Number(v.start_time)) <= 0.05, `${file}: audio and video start together`);
    assert.ok(Math.abs(Number(p.format.duration) - seconds) < 0.25, `${file} duration ${p.format.duration}`);
  }

  it("landscape 1080p: three rungs, true master playlist, aligned keyframes, checksummed manifest, progress to 100", async () => {
    const env = testEnv();
    const seconds = 4;
    const file = join(dir, "land.mp4");
    await makeClip(env.tools.ffmpeg, file, { width: 1920, height: 1080, seconds });
    await putFile(h, "uploads/u1/land/land.mp4", file);

    // Subscribe before launching: every progress message of the attempt must arrive in increasing order.
    const sub = h.redis.duplicate();
    const messages: { percent: number; stage: string }[] = [];
    await sub.psubscribe("tj:progress:*");
    sub.on("pmessage", (_p, _c, m) => messages.push(JSON.parse(m) as { percent: number; stage: string }));
    let out: Awaited<ReturnType<typeof runAttempt>>;
    try {
      out = await runAttempt(h, "uploads/u1/land/land.mp4", { encoding: { segmentSeconds: 2, x264Preset: "veryfast" } });
      await new Promise((r) => setTimeout(r, 200));
    } finally {
      await sub.quit();
    }
    assert.equal(out.exitCode, EXIT_OK, `${JSON.stringify(out.result)}\n${out.log.slice(-2000)}`);

    assert.ok(messages.length >= 3, `got ${messages.length} progress messages`);
    for (let i = 1; i < messages.length; i++) assert.ok(messages[i]!.percent >= messages[i - 1]!.percent, JSON.stringify(messages));
    assert.deepEqual(messages.at(-1), { ...messages.at(-1), percent: 100, stage: "done" });
    const hash = await h.redis.hgetall(`tj:progress:${out.uid}`);
    assert.equal(hash.percent, "100");
    assert.ok(Number(await h.redis.ttl(`tj:result:${out.uid}:1`)) > 6 * 24 * 3600, "result expires in 7 days");

    const local = join(dir, "land-out");
    const files = await downloadPrefix(h, out.prefix, local);
    for (const [name, w, hh] of [["360p", 640, 360], ["720p", 1280, 720], ["1080p", 1920, 1080]] as const) {
      await checkVideo(local, `${name}.mp4`, w, hh, true, seconds);
      assert.ok(files.includes(`${name}/index.m3u8`) && files.includes(`${name}/init.mp4`));
    }
    assert.ok(files.includes("poster.jpg") && files.includes("sprite.jpg") && files.includes("master.m3u8"));
    const poster = await ffprobeJson(env.tools.ffprobe, join(local, "poster.jpg"));
    assert.deepEqual([poster.streams[0]?.width, poster.streams[0]?.height], [1920, 1080]);

    // Master playlist: every rung, true attributes; BANDWIDTH = measured segment peak (within 10%), distinct per rung.
    const master = parseMaster(readFileSync(join(local, "master.m3u8"), "utf8"));
    assert.deepEqual(master.map((v) => v.uri), ["360p/index.m3u8", "720p/index.m3u8", "1080p/index.m3u8"]);
    assert.deepEqual(master.map((v) => v.attrs.RESOLUTION), ["640x360", "1280x720", "1920x1080"]);
    const bws = master.map((v) => Number(v.attrs.BANDWIDTH));
    assert.equal(new Set(bws).size, 3, `BANDWIDTH differs per rung: ${bws.join(",")}`);
    for (const v of master) {
      assert.match(v.attrs.CODECS!, /^avc1\.64[0-9a-f]{4},mp4a\.40\.2$/);
      assert.equal(v.attrs["FRAME-RATE"], "25.000");
      assert.ok(Number(v.attrs["AVERAGE-BANDWIDTH"]) <= Number(v.attrs.BANDWIDTH));
      const media = readFileSync(join(local, v.uri), "utf8");
      const segs = [...media.matchAll(/#EXTINF:([\d.]+),\n(\S+)/g)].map((m) => ({ d: Number(m[1]), uri: m[2]! }));
      assert.equal(segs.length, 2);
      for (const s of segs.slice(0, -1)) assert.ok(Math.abs(s.d - 2) <= 0.2, `segment duration ${s.d} vs 2`);
      const base = join(local, v.uri, "..");
      const peak = Math.max(...segs.map((s) => (readFileSync(join(base, s.uri)).length * 8) / s.d));
      const bw = Number(v.attrs.BANDWIDTH);
      assert.ok(Math.abs(bw - peak) / peak <= 0.1, `${v.uri}: BANDWIDTH ${bw} vs real peak ${peak}`);
    }
    // Players switch rungs at segment boundaries: keyframes must sit at the same times in every rung.
    const kf = await Promise.all(master.map((v) => keyframeTimes(env.tools.ffprobe, join(local, v.uri))));
    assert.deepEqual(kf[0], kf[1]);
    assert.deepEqual(kf[1], kf[2]);
    assert.ok(kf[0]!.length >= 2, `keyframes ${kf[0]!.join(",")}`);

    // Manifest: written last, lists every other file with its size and sha256.
    const manifest = JSON.parse(readFileSync(join(local, "manifest.json"), "utf8")) as Manifest;
    assert.equal(manifest.status, "complete");
    assert.deepEqual(manifest.renditions.map((r) => r.name), ["360p", "720p", "1080p"]);
    assert.deepEqual(
      manifest.files.map((f) => f.key.slice(out.prefix.length)).sort(),
      files.filter((f) => f !== "manifest.json").sort(),
    );
    for (const f of manifest.files) {
      const body = readFileSync(join(local, f.key.slice(out.prefix.length)));
      assert.equal(body.length, f.sizeBytes);
      assert.equal(createHash("sha256").update(body).digest("hex"), f.sha256, f.key);
    }
    // Result outputs: same shape as status.outputs, keys that exist.
    const r = out.result!;
    assert.equal(r.outputs?.masterPlaylist, `${out.prefix}master.m3u8`);
    assert.equal(r.outputs?.renditions.length, 3);
    assert.ok(r.outputs.renditions.every((x) => x.videoBitrateKbps > 0 && x.sizeBytes > 0 && x.bandwidth > 0));
    // Content types and caching as players and CDNs expect.
    const seg = await getObject(h, `${out.prefix}720p/seg_00000.m4s`);
    assert.equal(seg.contentType, "video/iso.segment");
    assert.match(seg.cacheControl ?? "", /immutable/);
    assert.equal((await getObject(h, `${out.prefix}master.m3u8`)).contentType, "application/vnd.apple.mpegurl");
    assert.equal((await getObject(h, `${out.prefix}1080p.mp4`)).contentType, "video/mp4");
    // faststart: the moov box precedes mdat in the progressive MP4.
    const mp4 = readFileSync(join(local, "720p.mp4"));
    assert.ok(mp4.indexOf("moov") < mp4.indexOf("mdat"), "moov before mdat");
  });

  it("portrait 1080x1920: rungs by the short side, portrait kept", async () => {
    const o = await transcode("portrait", { width: 1080, height: 1920, seconds: 2 }, { encoding: { x264Preset: "ultrafast", segmentSeconds: 2 } });
    for (const [name, w, hh] of [["360p", 360, 640], ["720p", 720, 1280], ["1080p", 1080, 1920]] as const)
      await checkVideo(o.local, `${name}.mp4`, w, hh, true, 2);
    const master = parseMaster(readFileSync(join(o.local, "master.m3u8"), "utf8"));
    assert.deepEqual(master.map((v) => v.attrs.RESOLUTION), ["360x640", "720x1280", "1080x1920"]);
  });

  it("tiny 320x240: one rendition at source size, never upscaled", async () => {
    const o = await transcode("tiny", { width: 320, height: 240, seconds: 2 }, { encoding: { x264Preset: "ultrafast", segmentSeconds: 2 } });
    assert.deepEqual(o.manifest.renditions.map((r) => [r.name, r.width, r.height]), [["240p", 320, 240]]);
    await checkVideo(o.local, "240p.mp4", 320, 240, true, 2);
    assert.equal(parseMaster(readFileSync(join(o.local, "master.m3u8"), "utf8")).length, 1);
  });

  it("silent source: video renditions without an audio track", async () => {
    const o = await transcode("silent", { width: 640, height: 360, seconds: 2, audio: false }, { encoding: { x264Preset: "ultrafast", segmentSeconds: 2 } });
    await checkVideo(o.local, "360p.mp4", 640, 360, false, 2);
    const [v] = parseMaster(readFileSync(join(o.local, "master.m3u8"), "utf8"));
    assert.match(v!.attrs.CODECS!, /^avc1\.[0-9a-f]{6}$/);
  });

  it("audio-only source: AAC renditions only, no poster", async () => {
    const o = await transcode("audio", { video: false, seconds: 2 }, { encoding: { segmentSeconds: 2, x264Preset: "veryfast" } });
    assert.deepEqual(o.manifest.renditions.map((r) => r.name), ["audio-64k", "audio-128k"]);
    assert.ok(!o.files.includes("poster.jpg"));
    for (const name of ["audio-64k", "audio-128k"]) {
      const p = await ffprobeJson(testEnv().tools.ffprobe, join(o.local, `${name}.m4a`));
      assert.deepEqual(p.streams.map((s) => s.codec_name), ["aac"]);
    }
    const master = parseMaster(readFileSync(join(o.local, "master.m3u8"), "utf8"));
    assert.deepEqual(master.map((v) => [v.attrs.CODECS, v.attrs.RESOLUTION]), [["mp4a.40.2", undefined], ["mp4a.40.2", undefined]]);
    assert.equal(o.result.outputs?.poster, undefined);
  });

  it("HLS only: no MP4 files, and temp files are gone after every run", async () => {
    const o = await transcode("hlsonly", { width: 320, height: 240, seconds: 2 }, { formats: ["hls"], thumbnails: false, encoding: { x264Preset: "ultrafast", segmentSeconds: 2 } });
    assert.ok(!o.files.some((f) => f.endsWith(".mp4") && !f.endsWith("init.mp4")));
    assert.ok(!o.files.includes("sprite.jpg"));
    const left = readdirSync(h.workDir);
    assert.deepEqual(left, [], "no tj-* work dirs left behind");
    assert.deepEqual(await listKeys(h, o.prefix), o.files.map((f) => o.prefix + f).sort());
  });
});
