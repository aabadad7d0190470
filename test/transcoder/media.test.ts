/**
 * The hardened probe against real ffprobe/ffmpeg 5.1 (no S3 needed): every container users upload passes and
 * is classified; the protocol whitelist refuses a nested protocol; ffprobe is killed past its timeout.
 */
import assert from "node:assert/strict";
import { createCipheriv } from "node:crypto";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { testEnv } from "../env/index.js";
import { BadInputError } from "../../images/transcoder/src/errors.js";
import { probeFile } from "../../images/transcoder/src/probe/index.js";
import { ffmpegGenerate } from "./media.js";

const run = promisify(execFile);
const V = ["-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25:duration=0.5"];
const A = ["-f", "lavfi", "-i", "sine=duration=0.5"];
const H264 = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"];

/** name, ffmpeg args, the demuxer ffprobe must report, has video. */
const CONTAINERS: [string, string[], string, boolean][] = [
  ["clip.mp4", [...V, ...A, ...H264, "-c:a", "aac"], "mov,mp4,m4a,3gp,3g2,mj2", true],
  ["clip.mov", [...V, ...A, ...H264, "-c:a", "aac"], "mov,mp4,m4a,3gp,3g2,mj2", true],
  ["clip.3gp", [...V, ...A, ...H264, "-c:a", "aac", "-ar", "16000", "-ac", "1"], "mov,mp4,m4a,3gp,3g2,mj2", true],
  ["clip.mkv", [...V, ...A, ...H264, "-c:a", "aac"], "matroska,webm", true],
  ["clip.webm", [...V, ...A, "-c:v", "libvpx", "-deadline", "realtime", "-c:a", "libopus"], "matroska,webm", true],
  ["clip.avi", [...V, ...A, "-c:v", "mpeg4", "-c:a", "libmp3lame"], "avi", true],
  ["clip.ts", [...V, ...A, ...H264, "-c:a", "aac"], "mpegts", true],
  ["clip.mpg", [...V, ...A, "-c:v", "mpeg2video", "-c:a", "mp2", "-f", "vob"], "mpeg", true],
  ["clip.flv", [...V, ...A, "-c:v", "flv", "-c:a", "libmp3lame", "-ar", "44100"], "flv", true],
  ["clip.wmv", [...V, ...A, "-c:v", "wmv2", "-c:a", "wmav2"], "asf", true],
  ["clip.mxf", [...V, ...A, "-c:v", "mpeg2video", "-c:a", "pcm_s16le", "-ar", "48000"], "mxf", true],
  ["clip.ogv", [...V, ...A, "-c:v", "libtheora", "-c:a", "libvorbis"], "ogg", true],
  ["song.mp3", [...A, "-c:a", "libmp3lame"], "mp3", false],
  ["song.aac", [...A, "-c:a", "aac", "-f", "adts"], "aac", false],
  ["song.m4a", [...A, "-c:a", "aac"], "mov,mp4,m4a,3gp,3g2,mj2", false],
  ["song.flac", [...A, "-c:a", "flac"], "flac", false],
  ["song.wav", [...A, "-c:a", "pcm_s16le"], "wav", false],
  ["voice.opus", [...A, "-c:a", "libopus"], "ogg", false],
  ["song.oga", [...A, "-c:a", "libvorbis", "-f", "ogg"], "ogg", false],
];

describe("hardened probe (real ffprobe and ffmpeg 5.1)", function () {
  this.timeout(120_000);
  let dir: string;
  let ffmpeg: string;
  let ffprobe: string;

  before(() => {
    ({ ffmpeg, ffprobe } = testEnv().tools);
    dir = mkdtempSync(join(testEnv().tmpDir, "tx-media-"));
  });

  for (const [name, args, demuxer, hasVideo] of CONTAINERS)
    it(`accepts ${name} as ${demuxer}${hasVideo ? "" : " (audio only)"}`, async () => {
      const file = join(dir, name);
      await ffmpegGenerate(ffmpeg, [...args, file]);
      const info = await probeFile(file, { ffprobe });
      assert.equal(info.formatName, demuxer);
      assert.equal(info.video !== undefined, hasVideo, "video");
      assert.ok(info.audio, "audio");
      assert.ok(Math.abs(info.durationSeconds - 0.5) < 0.2, `duration ${info.durationSeconds}`);
    });

  it("ffmpeg 5.1 fact: -protocol_whitelist file refuses the crypto protocol a playlist nests (its default allows it)", async () => {
    // Not reachable through the task (the playlist is refused before any demuxer runs): this pins the second
    // layer, the protocol whitelist, on its own.
    const clip = join(dir, "secret.ts");
    await ffmpegGenerate(ffmpeg, [...V, ...H264, "-f", "mpegts", clip]);
    const key = Buffer.alloc(16, 3);
    const cipher = createCipheriv("aes-128-cbc", key, Buffer.alloc(16));
    writeFileSync(join(dir, "secret-enc.ts"), Buffer.concat([cipher.update(readFileSync(clip)), cipher.final()]));
    writeFileSync(join(dir, "k.ts"), key);
    const playlist = join(dir, "enc.m3u8");
    writeFileSync(
      playlist,
      `#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXT-X-KEY:METHOD=AES-128,URI="${join(dir, "k.ts")}",IV=0x${"0".repeat(32)}\n` +
        `#EXTINF:0.5,\n${join(dir, "secret-enc.ts")}\n#EXT-X-ENDLIST\n`,
    );
    const probe = (extra: string[]) =>
      run(ffprobe, ["-v", "error", ...extra, "-show_entries", "stream=width", "-of", "csv=p=0", playlist]).then(
        (r) => ({ ok: true, out: r.stdout + r.stderr }),
        (e: { stderr: string }) => ({ ok: false, out: e.stderr }),
      );
    const open = await probe([]);
    assert.ok(open.ok && open.out.includes("160"), `ffmpeg's default decrypts the local file: ${open.out}`);
    const closed = await probe(["-protocol_whitelist", "file"]);
    assert.equal(closed.ok, false);
    assert.match(closed.out, /Protocol 'crypto' not on whitelist 'file'/);
  });

  it("ffprobe is killed past probeTimeoutSeconds: ProbeTimedOut", async () => {
    const file = join(dir, "clip.mkv");
    await ffmpegGenerate(ffmpeg, [...V, ...A, ...H264, "-c:a", "aac", file]);
    await assert.rejects(
      probeFile(file, { ffprobe, limits: { probeTimeoutSeconds: 0.001 } }),
      (e: unknown) => e instanceof BadInputError && e.reason === "ProbeTimedOut" && /within 0.001 s \(the limit, probeTimeoutSeconds\)/.test(e.message),
    );
  });
});
