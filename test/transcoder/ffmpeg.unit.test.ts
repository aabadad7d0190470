import assert from "node:assert/strict";
import { buildFfmpegArgs, classifyFfmpegFailure, encodePercent, ProgressParser } from "../../images/transcoder/src/ffmpeg/index.js";
import { BadInputError } from "../../images/transcoder/src/errors.js";
import { planRenditions } from "../../images/transcoder/src/plan/index.js";
import type { SourceInfo } from "../../images/transcoder/src/probe/index.js";
import { TransientError } from "../../lib/errors/index.js";
import { taskSpecSchema } from "../../lib/task-contract/index.js";

const src = (audio: boolean, video = true): SourceInfo => ({
  formatName: "mov",
  durationSeconds: 4,
  sizeBytes: 1,
  video: video ? { index: 0, codec: "h264", width: 1920, height: 1080, displayWidth: 1920, displayHeight: 1080, fps: 25, frameRate: 25 } : undefined,
  audio: audio ? { index: 1, codec: "aac", channels: 2, sampleRate: 48000, bitRate: 128000 } : undefined,
});
const count = (args: string[], v: string) => args.filter((a) => a === v).length;

describe("buildFfmpegArgs", () => {
  it("decodes once: one input, one split feeding every rung, poster and sprite", () => {
    const plan = planRenditions(src(true), taskSpecSchema.parse({ encoding: { segmentSeconds: 2, x264Preset: "faster" } }));
    const args = buildFfmpegArgs(plan, { input: "in" });
    assert.equal(count(args, "-i"), 1);
    const graph = args[args.indexOf("-filter_complex") + 1]!;
    assert.match(graph, /^\[0:0\]split=5\[s0\]\[s1\]\[s2\]\[s3\]\[s4\];/);
    assert.equal(count(args, "libx264"), 3, "one encode per rung");
    assert.equal(count(args, "tee"), 3, "each encode muxed to HLS and MP4 together");
    assert.ok(args.includes("expr:gte(t,n_forced*2)"), "keyframes forced at the segment length");
    assert.ok(args.includes("50"), "GOP = fps x segment");
    assert.equal(count(args, "faster"), 3);
    const tee = args.filter((a) => a.startsWith("[f=hls"));
    assert.equal(tee.length, 3);
    assert.match(tee[0]!, /hls_time=2:.*hls_segment_type=fmp4.*\]360p\/index\.m3u8\|\[f=mp4:movflags=\+faststart\]360p\.mp4$/);
    for (const m of ["-maxrate", "-bufsize", "-crf"]) assert.equal(count(args, m), 3, m);
    assert.equal(count(args, "0:1"), 3, "audio mapped into every rung");
    assert.ok(args.includes("poster.jpg") && args.includes("sprite.jpg"));
  });

  it("silent source: no audio mapped or encoded", () => {
    const args = buildFfmpegArgs(planRenditions(src(false), taskSpecSchema.parse({})), { input: "in" });
    assert.equal(count(args, "-c:a"), 0);
    assert.ok(!args.some((a) => a === "0:1"));
  });

  it("audio-only source: no filter graph, AAC to .m4a and HLS", () => {
    const args = buildFfmpegArgs(planRenditions(src(true, false), taskSpecSchema.parse({ formats: ["mp4", "hls"] })), { input: "in" });
    assert.ok(!args.includes("-filter_complex"));
    assert.equal(count(args, "libx264"), 0);
    assert.equal(count(args, "aac"), 2);
    assert.ok(args.some((a) => a.endsWith("]audio-64k.m4a")));
  });

  it("formats: HLS only writes no MP4", () => {
    const args = buildFfmpegArgs(planRenditions(src(true), taskSpecSchema.parse({ formats: ["hls"] })), { input: "in" });
    assert.ok(!args.some((a) => a.includes("f=mp4")));
  });
});

describe("ProgressParser", () => {
  it("reads out_time_us across chunk boundaries and the end marker", () => {
    const p = new ProgressParser();
    assert.deepEqual(p.push("frame=1\nout_time_us=1500"), []);
    assert.deepEqual(p.push("000\nprogress=continue\nout_time=00:00:03.250000\n"), [{ outTimeSeconds: 1.5, end: false }]);
    assert.deepEqual(p.push("progress=end\n"), [{ outTimeSeconds: 3.25, end: true }]);
  });
  it("ignores N/A positions", () => {
    assert.deepEqual(new ProgressParser().push("out_time_us=N/A\nout_time=N/A\nprogress=continue\n"), [{ outTimeSeconds: undefined, end: false }]);
  });
  it("percent is capped below 100 and safe on zero duration", () => {
    assert.equal(encodePercent(2, 4), 50);
    assert.equal(encodePercent(5, 4), 99.9);
    assert.equal(encodePercent(1, 0), 0);
    assert.equal(encodePercent(undefined, 3), 0);
  });
});

describe("classifyFfmpegFailure", () => {
  it("decode errors are bad input; signals and other exits are transient", () => {
    assert.ok(classifyFfmpegFailure(1, null, "x\n[h264] Invalid data found when processing input\n") instanceof BadInputError);
    assert.ok(classifyFfmpegFailure(null, "SIGKILL", "") instanceof TransientError);
    const e = classifyFfmpegFailure(1, null, "No space left on device");
    assert.ok(e instanceof TransientError && /No space left/.test(e.message));
  });
});
