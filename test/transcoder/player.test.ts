/**
 * A real HLS player on the transcoder's real output: the task runs as a process against MinIO, Redis and ffmpeg on
 * a generated clip with three rungs; MinIO then serves the uploaded objects over HTTP (anonymous read on the output
 * bucket, cross-origin as a CDN would) to hls.js in headless Debian Chromium (playwright-core), which is forced onto
 * every level, up and back down. For each level: its playlist and fragments load, frames of the rung's size are
 * decoded and presented while the playhead advances, and hls.js reports no fatal error.
 */
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { join } from "node:path";
import { PutBucketPolicyCommand } from "@aws-sdk/client-s3";
import { parseMediaPlaylist } from "../../images/transcoder/src/hls/index.js";
import { EXIT_OK } from "../../lib/task-contract/index.js";
import { testEnv } from "../env/index.js";
import { createHarness, putFile, runAttempt, type Harness, type RunOutcome } from "./harness.js";
import { makeClip } from "./media.js";
import { parseMaster, type Variant } from "./outputs.js";
import { findChromium, openPlayer, type Player, type PlayerLevel } from "./player/browser.js";
import { playEveryLevel } from "./player/levels.js";
import { startPageServer, type PageServer } from "./player/server.js";

const SEGMENT_SECONDS = 2;
const CLIP_SECONDS = 10.2;
const RUNGS = [
  { name: "240p", width: 426, height: 240 },
  { name: "360p", width: 640, height: 360 },
  { name: "540p", width: 960, height: 540 },
];

/**
 * RFC 8216 4.3.4.2: the peak segment bit rate is the largest bit rate of any contiguous set of segments whose total
 * duration is between 0.5 and 1.5 times the target duration.
 */
function rfcPeakBps(segments: { duration: number; bytes: number }[], targetDuration: number): number {
  let peak = 0;
  for (let i = 0; i < segments.length; i++) {
    let bytes = 0;
    let duration = 0;
    for (let j = i; j < segments.length; j++) {
      bytes += segments[j]!.bytes;
      duration += segments[j]!.duration;
      if (duration > 1.5 * targetDuration) break;
      if (duration >= 0.5 * targetDuration) peak = Math.max(peak, (bytes * 8) / duration);
    }
  }
  return peak;
}

async function getText(url: string): Promise<{ text: string; contentType: string | null }> {
  const res = await fetch(url);
  assert.equal(res.status, 200, `GET ${url}`);
  return { text: await res.text(), contentType: res.headers.get("content-type") };
}

describe("HLS playback in hls.js (headless Chromium) of a real transcode", function () {
  this.timeout(180_000);
  let h: Harness;
  let out: RunOutcome;
  let base: string;
  let server: PageServer | undefined;
  let player: Player | undefined;
  let t0 = 0;
  const timings: string[] = [];
  const lap = (what: string): void => void timings.push(`${what} ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  before(async () => {
    t0 = Date.now();
    findChromium(); // fails the suite at once, with the install command, when Chromium is missing
    const env = testEnv();
    h = await createHarness("play");
    const dir = mkdtempSync(join(env.tmpDir, "tx-play-"));
    const file = join(dir, "clip.mp4");
    await makeClip(env.tools.ffmpeg, file, { width: 960, height: 540, seconds: CLIP_SECONDS });
    await putFile(h, "uploads/u1/play/clip.mp4", file);
    lap("clip");
    out = await runAttempt(h, "uploads/u1/play/clip.mp4", {
      ladder: { renditions: RUNGS.map((r) => ({ height: r.height })) },
      formats: ["hls"],
      thumbnails: false,
      encoding: { segmentSeconds: SEGMENT_SECONDS, x264Preset: "veryfast" },
    });
    assert.equal(out.exitCode, EXIT_OK, `exit ${out.exitCode}: ${JSON.stringify(out.result)}\n${out.log.slice(-2000)}`);
    lap("transcode");
    // The player reads what the task uploaded, straight from S3: anonymous read on the output bucket.
    await h.s3.send(
      new PutBucketPolicyCommand({
        Bucket: h.outBucket,
        Policy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Principal: { AWS: ["*"] }, Action: ["s3:GetObject"], Resource: [`arn:aws:s3:::${h.outBucket}/*`] },
          ],
        }),
      }),
    );
    base = `${env.s3.endpoint}/${h.outBucket}/${out.prefix}`;
  });

  after(async () => {
    await player?.close();
    await server?.close();
    await h?.close();
    console.log(`      timings: ${timings.join(", ")}`);
  });

  it("master playlist: BANDWIDTH differs per rung and is the segments' real peak rate (within 10%); segments last the target (within 10%)", async () => {
    const master = await getText(`${base}master.m3u8`);
    assert.equal(master.contentType, "application/vnd.apple.mpegurl");
    const variants: Variant[] = parseMaster(master.text);
    assert.deepEqual(
      variants.map((v) => v.attrs.RESOLUTION),
      RUNGS.map((r) => `${r.width}x${r.height}`),
    );
    const bandwidths = variants.map((v) => Number(v.attrs.BANDWIDTH));
    assert.equal(new Set(bandwidths).size, RUNGS.length, `BANDWIDTH differs per rung: ${bandwidths.join(", ")}`);
    const report: string[] = [];
    for (const v of variants) {
      const pl = parseMediaPlaylist((await getText(base + v.uri)).text);
      const dir = v.uri.slice(0, v.uri.lastIndexOf("/") + 1);
      const segments = await Promise.all(
        pl.segments.map(async (s) => {
          const res = await fetch(base + dir + s.uri);
          assert.equal(res.status, 200, s.uri);
          return { ...s, bytes: (await res.arrayBuffer()).byteLength };
        }),
      );
      assert.ok(segments.length >= 5, `${v.uri}: ${segments.length} segments`);
      assert.equal(pl.targetDuration, SEGMENT_SECONDS, `${v.uri} EXT-X-TARGETDURATION`);
      // Every segment but the last (the clip's remainder) lasts the configured duration.
      for (const s of segments.slice(0, -1))
        assert.ok(Math.abs(s.duration - SEGMENT_SECONDS) <= 0.1 * SEGMENT_SECONDS, `${v.uri} ${s.uri}: ${s.duration} s`);
      const peak = rfcPeakBps(segments, pl.targetDuration ?? SEGMENT_SECONDS);
      const bw = Number(v.attrs.BANDWIDTH);
      const avg = Number(v.attrs["AVERAGE-BANDWIDTH"]);
      const realAvg = (segments.reduce((n, s) => n + s.bytes, 0) * 8) / segments.reduce((n, s) => n + s.duration, 0);
      report.push(`${v.attrs.RESOLUTION}: BANDWIDTH ${bw} / peak ${Math.round(peak)}, AVERAGE-BANDWIDTH ${avg} / ${Math.round(realAvg)}`);
      assert.ok(Math.abs(bw - peak) / peak <= 0.1, `${v.uri}: BANDWIDTH ${bw} vs real peak ${Math.round(peak)} bps`);
      assert.ok(Math.abs(avg - realAvg) / realAvg <= 0.1, `${v.uri}: AVERAGE-BANDWIDTH ${avg} vs real ${Math.round(realAvg)} bps`);
    }
    console.log(`      ${report.join("; ")}`);
  });

  it("hls.js plays every rendition, switching up through all levels and back down", async () => {
    server = await startPageServer();
    player = await openPlayer(server.url);
    const support = await player.support();
    assert.ok(support.hls, "hls.js reports MediaSource support");
    assert.ok(support.h264aac, 'Chromium cannot play video/mp4; codecs="avc1.64001f,mp4a.40.2" through MSE');
    lap("browser");

    const p = player;
    const levels: PlayerLevel[] = await p.start(`${base}master.m3u8`);
    const master = parseMaster((await getText(`${base}master.m3u8`)).text);
    assert.deepEqual(
      levels.map((l) => [l.width, l.height, l.bitrate]),
      master.map((v) => [...v.attrs.RESOLUTION!.split("x").map(Number), Number(v.attrs.BANDWIDTH)]),
      "hls.js parsed every variant with its resolution and BANDWIDTH",
    );
    await p.play();
    const { seen, last } = await playEveryLevel(p, levels, support);
    lap("playback");
    console.log(`      played: ${seen.join("; ")}`);
    const nonFatal = last.errors.filter((e) => !e.fatal);
    if (nonFatal.length) console.log(`      non-fatal hls.js events: ${JSON.stringify(nonFatal)}`);
  });
});
