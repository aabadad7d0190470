import assert from "node:assert/strict";
import { planRenditions, sizeForShortSide, videoCapKbps } from "../../images/transcoder/src/plan/index.js";
import type { SourceInfo } from "../../images/transcoder/src/probe/index.js";
import { taskSpecSchema, type TaskSpecInput } from "../../lib/task-contract/index.js";

function source(w: number | undefined, h: number | undefined, opts: { audio?: boolean; fps?: number; dur?: number; abr?: number } = {}): SourceInfo {
  return {
    formatName: "mov",
    durationSeconds: opts.dur ?? 10,
    sizeBytes: 1000,
    video:
      w === undefined || h === undefined
        ? undefined
        : { index: 0, codec: "h264", width: w, height: h, displayWidth: w, displayHeight: h, fps: opts.fps ?? 30, frameRate: opts.fps ?? 30 },
    audio: opts.audio === false ? undefined : { index: 1, codec: "aac", channels: 6, sampleRate: 44100, bitRate: opts.abr },
  };
}
const spec = (s: TaskSpecInput = {}) => taskSpecSchema.parse(s);

describe("planRenditions", () => {
  const table: [string, SourceInfo, TaskSpecInput, string[]][] = [
    ["1080p landscape, standard", source(1920, 1080), {}, ["640x360", "1280x720", "1920x1080"]],
    ["1080x1920 portrait: rungs are the short side", source(1080, 1920), {}, ["360x640", "720x1280", "1080x1920"]],
    ["tiny 320x240: one rung at source size, no upscale", source(320, 240), {}, ["320x240"]],
    ["360p source: never upscaled to 720/1080", source(640, 360), {}, ["640x360"]],
    ["900p source: top rung at source size instead of 1080", source(1600, 900), {}, ["640x360", "1280x720", "1600x900"]],
    ["760p source: within 10% of 720, no extra rung", source(1352, 760), {}, ["640x360", "1280x720"]],
    ["4:3 1440x1080, mobile preset", source(1440, 1080), { ladder: { preset: "mobile" } }, ["320x240", "480x360", "640x480"]],
    ["odd 853x480 gives even widths", source(853, 480), { ladder: { preset: "mobile" } }, ["426x240", "640x360", "852x480"]],
    ["full preset on 4K", source(3840, 2160), { ladder: { preset: "full" } }, ["640x360", "854x480", "1280x720", "1920x1080", "2560x1440", "3840x2160"]],
    ["explicit renditions", source(1920, 1080), { ladder: { renditions: [{ height: 540, crf: 20 }, { height: 144 }] } }, ["256x144", "960x540"]],
    ["ultra-wide 2.39:1", source(1920, 804), {}, ["860x360", "1720x720", "1920x804"]],
  ];
  for (const [name, src, s, sizes] of table) {
    it(name, () => {
      const plan = planRenditions(src, spec(s));
      const got = plan.renditions.map((r) => (r.kind === "video" ? `${r.width}x${r.height}` : r.name));
      assert.deepEqual(got, sizes);
      for (const r of plan.renditions) {
        if (r.kind !== "video") continue;
        assert.equal(r.width % 2, 0, "even width");
        assert.equal(r.height % 2, 0, "even height");
        assert.ok(r.width <= src.video!.displayWidth && r.height <= src.video!.displayHeight, "never larger than source");
        const ar = r.width / r.height;
        const srcAr = src.video!.displayWidth / src.video!.displayHeight;
        assert.ok(Math.abs(ar - srcAr) / srcAr < 0.02, `aspect kept: ${ar} vs ${srcAr}`);
      }
    });
  }

  it("keeps an explicit rung's crf and bitrate", () => {
    const plan = planRenditions(source(1920, 1080), spec({ ladder: { renditions: [{ height: 720, crf: 19, videoBitrateKbps: 4000 }] } }));
    const [r] = plan.renditions;
    assert.ok(r?.kind === "video");
    assert.equal(r.crf, 19);
    assert.equal(r.maxrateKbps, 4000);
    assert.equal(r.bufsizeKbps, 8000);
  });

  it("gives bitrates that rise with the rung and audio sized for the rung", () => {
    const plan = planRenditions(source(1920, 1080), spec({ ladder: { preset: "full" } }));
    const videos = plan.renditions.filter((r) => r.kind === "video");
    for (let i = 1; i < videos.length; i++) assert.ok(videos[i]!.maxrateKbps > videos[i - 1]!.maxrateKbps);
    assert.deepEqual(videos.map((v) => v.audio?.bitrateKbps), [96, 96, 128, 128]);
    assert.deepEqual(videos[0]!.audio, { bitrateKbps: 96, channels: 2, sampleRate: 44100 });
  });

  it("silent source: no audio in any rendition", () => {
    const plan = planRenditions(source(1280, 720, { audio: false }), spec());
    assert.equal(plan.audioIndex, undefined);
    assert.ok(plan.renditions.every((r) => r.kind === "video" && r.audio === undefined));
  });

  it("audio-only source: audio renditions only, no poster or sprite", () => {
    const plan = planRenditions(source(undefined, undefined), spec());
    assert.deepEqual(plan.renditions.map((r) => r.name), ["audio-64k", "audio-128k"]);
    assert.ok(plan.renditions.every((r) => r.kind === "audio"));
    assert.equal(plan.poster, undefined);
    assert.equal(plan.sprite, undefined);
    assert.equal(plan.videoIndex, undefined);
  });

  it("low-bitrate audio-only source: no rendition above its rate", () => {
    const plan = planRenditions(source(undefined, undefined, { abr: 48000 }), spec());
    assert.deepEqual(plan.renditions.map((r) => r.name), ["audio-64k"]);
  });

  it("caps the frame rate at 60 and raises bitrate caps above 30 fps", () => {
    const p120 = planRenditions(source(1280, 720, { fps: 120 }), spec());
    assert.equal(p120.fpsLimit, 60);
    assert.ok(p120.renditions.every((r) => r.kind === "video" && r.fps === 60));
    const p30 = planRenditions(source(1280, 720, { fps: 29.97 }), spec());
    assert.equal(p30.fpsLimit, undefined);
    const v60 = p120.renditions[1]!;
    const v30 = p30.renditions[1]!;
    assert.ok(v60.kind === "video" && v30.kind === "video" && v60.maxrateKbps > v30.maxrateKbps);
  });

  it("poster from the top rung early in the clip; sprite only with thumbnails", () => {
    const plan = planRenditions(source(1920, 1080, { dur: 3 }), spec());
    assert.deepEqual(plan.poster, { atSeconds: 0.30000000000000004, width: 1920, height: 1080 });
    assert.ok(plan.sprite);
    assert.equal(plan.sprite.columns * plan.sprite.rows >= 3, true);
    assert.equal(planRenditions(source(1920, 1080), spec({ thumbnails: false })).sprite, undefined);
  });

  it("sprite never exceeds 100 tiles on long sources", () => {
    const plan = planRenditions(source(1280, 720, { dur: 3 * 3600 }), spec());
    const s = plan.sprite!;
    assert.ok(Math.ceil(3 * 3600 / s.intervalSeconds) <= 100);
  });
});

describe("sizeForShortSide", () => {
  const rows: [number, number, number, [number, number]][] = [
    [1920, 1080, 720, [1280, 720]],
    [1080, 1920, 720, [720, 1280]],
    [1080, 1080, 480, [480, 480]],
    [321, 241, 360, [320, 240]],
  ];
  for (const [w, h, s, want] of rows) it(`${w}x${h} @${s}`, () => assert.deepEqual(sizeForShortSide(w, h, s), want));
});

describe("videoCapKbps", () => {
  it("follows the table at its rows and interpolates between", () => {
    assert.equal(videoCapKbps(1920, 1080, 30), 5500);
    assert.equal(videoCapKbps(1280, 720, 30), 3000);
    const mid = videoCapKbps(1600, 900, 30);
    assert.ok(mid > 3000 && mid < 5500);
    assert.equal(videoCapKbps(1920, 1080, 60), 8250);
  });
});

describe("default CRF by x264 preset", () => {
  const rows: [string, number][] = [["veryfast", 22], ["ultrafast", 22], ["faster", 22], ["fast", 23], ["medium", 23], ["slow", 23]];
  for (const [preset, crf] of rows)
    it(`${preset} -> ${crf}`, () => {
      const plan = planRenditions(source(1280, 720), spec({ encoding: { x264Preset: preset as "medium", segmentSeconds: 4 } }));
      assert.ok(plan.renditions.every((r) => r.kind === "video" && r.crf === crf));
    });
});
