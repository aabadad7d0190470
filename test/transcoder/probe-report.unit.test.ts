import assert from "node:assert/strict";
import { BadInputError } from "../../images/transcoder/src/errors.js";
import { parseProbe, parseRational } from "../../images/transcoder/src/probe/index.js";
import { ProgressThrottle } from "../../images/transcoder/src/report/index.js";

describe("parseProbe", () => {
  const v = (extra: object = {}) => ({ index: 0, codec_type: "video", codec_name: "h264", width: 1920, height: 1080, avg_frame_rate: "30000/1001", ...extra });
  const a = { index: 1, codec_type: "audio", codec_name: "aac", channels: 2, sample_rate: "48000", bit_rate: "128000" };
  it("reads video and audio", () => {
    const s = parseProbe({ streams: [v(), a], format: { format_name: "mov", duration: "12.5", size: "99" } });
    assert.equal(s.durationSeconds, 12.5);
    assert.ok(Math.abs(s.video!.fps! - 29.97) < 0.01);
    assert.deepEqual(s.audio, { index: 1, codec: "aac", channels: 2, sampleRate: 48000, bitRate: 128000 });
  });
  it("rotation 90 makes a landscape-coded phone video portrait", () => {
    const s = parseProbe({ streams: [v({ side_data_list: [{ rotation: -90 }] })], format: { duration: "1" } });
    assert.deepEqual([s.video!.displayWidth, s.video!.displayHeight], [1080, 1920]);
  });
  it("anamorphic SAR widens the display size", () => {
    const s = parseProbe({ streams: [v({ width: 720, height: 576, sample_aspect_ratio: "64:45" })], format: { duration: "1" } });
    assert.deepEqual([s.video!.displayWidth, s.video!.displayHeight], [1024, 576]);
  });
  it("keeps the measured average frame rate however high; plans with none above 240", () => {
    const s = parseProbe({ streams: [v({ avg_frame_rate: "1000/1", r_frame_rate: "1000/1" })], format: { duration: "1" } });
    assert.equal(s.video!.frameRate, 1000);
    assert.equal(s.video!.fps, undefined);
    const t = parseProbe({ streams: [v({ avg_frame_rate: "0/0", r_frame_rate: "90000/1" })], format: { duration: "1" } });
    assert.deepEqual([t.video!.frameRate, t.video!.fps], [undefined, undefined], "a timebase is not a frame rate");
  });
  it("cover art is not video: audio-only", () => {
    const s = parseProbe({ streams: [a, v({ index: 2, codec_name: "mjpeg", disposition: { attached_pic: 1 } })], format: { duration: "3" } });
    assert.equal(s.video, undefined);
    assert.ok(s.audio);
  });
  const bad: [string, unknown, string][] = [
    ["no streams", { streams: [], format: { duration: "3" } }, "NoMediaStreams"],
    ["subtitles only", { streams: [{ index: 0, codec_type: "subtitle" }], format: { duration: "3" } }, "NoMediaStreams"],
    ["no duration", { streams: [v()], format: {} }, "CorruptInput"],
    ["garbage", "nope", "NotMedia"],
  ];
  for (const [name, json, reason] of bad)
    it(`rejects ${name} as ${reason}`, () =>
      assert.throws(() => parseProbe(json), (e: unknown) => e instanceof BadInputError && e.reason === reason));
  it("parses rationals", () => {
    assert.equal(parseRational("25/1"), 25);
    assert.equal(parseRational("0/0"), undefined);
    assert.equal(parseRational(undefined), undefined);
  });
});

describe("ProgressThrottle", () => {
  it("writes at most once per interval, never goes down, always writes 100", () => {
    const t = new ProgressThrottle(1000);
    assert.deepEqual(t.offer({ stage: "downloading", percent: 0 }, 0), { stage: "downloading", percent: 0 });
    assert.equal(t.offer({ stage: "transcoding", percent: 10 }, 300), undefined);
    assert.equal(t.offer({ stage: "transcoding", percent: 8 }, 600), undefined);
    assert.deepEqual(t.takePending(700), { stage: "transcoding", percent: 10 }, "held value, not lowered");
    assert.equal(t.takePending(800), undefined);
    assert.equal(t.offer({ stage: "transcoding", percent: 50 }, 1500), undefined);
    assert.deepEqual(t.offer({ stage: "transcoding", percent: 60 }, 1700), { stage: "transcoding", percent: 60 });
    assert.deepEqual(t.offer({ stage: "done", percent: 100 }, 1701), { stage: "done", percent: 100 });
    assert.equal(t.msUntilNext(1800), 901);
  });
});
