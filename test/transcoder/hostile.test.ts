/**
 * Hostile uploads against the real task (LocalLauncher child, MinIO, Redis, ffmpeg 5.1), all generated here.
 * Each must end after one attempt with EXIT_BAD_INPUT and a reason, leave no outputs and no scratch files, and
 * read nothing but its own source: inputs that name a canary media file on disk are first shown, with a plain
 * ffprobe, to really read it (the canary's unique 176x144 picture comes out), and the canary's access time proves
 * the task never opened it (the disk is mounted relatime: a read after an atime older than the mtime updates it).
 */
import assert from "node:assert/strict";
import { createCipheriv } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { testEnv } from "../env/index.js";
import { EXIT_BAD_INPUT, type TaskLimits } from "../../lib/task-contract/index.js";
import { createHarness, listKeys, putFile, runAttempt, type Harness, type RunOutcome } from "./harness.js";
import { ffmpegGenerate, ffprobeJson, withDeclaredDuration } from "./media.js";

const LONG_AGO = new Date("2001-01-01T00:00:00Z");

describe("hostile uploads (real process, MinIO, Redis, ffmpeg)", function () {
  this.timeout(180_000);
  let h: Harness;
  let dir: string;
  let canary: string;
  let canaryTs: string;
  let ffmpeg: string;
  let ffprobe: string;

  before(async () => {
    ({ ffmpeg, ffprobe } = testEnv().tools);
    h = await createHarness("hostile");
    dir = mkdtempSync(join(testEnv().tmpDir, "tx-hostile-"));
    mkdirSync(join(dir, "canary"));
    // 176x144, 7 s, 1 kHz: nothing else in these tests has that size or length.
    canary = join(dir, "canary", "canary.mp4");
    canaryTs = join(dir, "canary", "canary.ts");
    await ffmpegGenerate(ffmpeg, [
      "-f", "lavfi", "-i", "testsrc2=size=176x144:rate=25:duration=7", "-f", "lavfi", "-i", "sine=frequency=1000:duration=7",
      "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", canary,
    ]);
    await ffmpegGenerate(ffmpeg, ["-i", canary, "-c", "copy", "-f", "mpegts", canaryTs]);
  });
  after(async () => h?.close());

  const canaryFiles = (): string[] => readdirSync(join(dir, "canary")).map((f) => join(dir, "canary", f));
  const resetCanary = (): void => {
    for (const f of canaryFiles()) utimesSync(f, LONG_AGO, statSync(f).mtime);
  };
  const canaryRead = (): string[] => canaryFiles().filter((f) => statSync(f).atimeMs > LONG_AGO.getTime() + 1000);

  async function upload(name: string, body: Buffer | string): Promise<string> {
    const file = join(dir, name.replace(/[^A-Za-z0-9._-]/g, "_"));
    writeFileSync(file, body);
    const key = `uploads/evil/x/${name}`;
    await putFile(h, key, file);
    return key;
  }

  async function expectRefused(out: RunOutcome, reason: string, message: RegExp): Promise<void> {
    assert.equal(out.exitCode, EXIT_BAD_INPUT, `${JSON.stringify(out.result)}\n${out.log.slice(-1500)}`);
    assert.equal(out.result?.ok, false);
    assert.equal(out.result?.reason, reason, out.result?.message);
    assert.match(out.result?.message ?? "", message);
    assert.deepEqual(await listKeys(h, out.prefix), [], "nothing uploaded");
    assert.deepEqual(readdirSync(h.workDir), [], "scratch files removed");
  }

  /**
   * The control: a plain ffprobe (ffmpeg's defaults, `extra` options) of the hostile file reads the canary, so
   * the attack is real and the atime detector sees it. Then the task must refuse the file without a read.
   */
  async function refusedWithoutReadingCanary(name: string, body: Buffer | string, reason: string, message: RegExp, extra: string[] = []) {
    const local = join(dir, `control-${name.replace(/[^A-Za-z0-9._-]/g, "_")}`);
    writeFileSync(local, body);
    resetCanary();
    const probed = await ffprobeJson(ffprobe, local, extra);
    const v = probed.streams.find((st) => st.codec_type === "video");
    assert.deepEqual([v?.width, v?.height], [176, 144], "control: the canary's picture size comes out");
    assert.ok(canaryRead().length > 0, "control: the canary's atime moved when ffprobe read it");
    resetCanary();
    const key = await upload(name, body);
    const out = await runAttempt(h, key);
    await expectRefused(out, reason, message);
    assert.deepEqual(canaryRead(), [], "the task never opened the canary");
  }

  const playlist = (uri: string, extra = ""): string =>
    `#EXTM3U\n#EXT-X-TARGETDURATION:10\n${extra}#EXTINF:7,\n${uri}\n#EXT-X-ENDLIST\n`;

  it("an HLS playlist named .mp4 that names a local file is UnsupportedFormat", async () => {
    await refusedWithoutReadingCanary("holiday.mp4", playlist(canary), "UnsupportedFormat", /HLS playlist/);
  });

  it("the same playlist with an invalid UTF-8 byte (which defeated the old text sniff) is UnsupportedFormat", async () => {
    const body = Buffer.concat([Buffer.from("#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:7,caf"), Buffer.from([0xe9, 0xff]), Buffer.from(`\n${canary}\n#EXT-X-ENDLIST\n`)]);
    assert.throws(() => new TextDecoder("utf-8", { fatal: true }).decode(body), "really invalid UTF-8");
    await refusedWithoutReadingCanary("clip.mp4", body, "UnsupportedFormat", /HLS playlist/);
  });

  it("a playlist naming the canary by a file: URL is UnsupportedFormat", async () => {
    await refusedWithoutReadingCanary("url.mp4", playlist(`file:${canary}`), "UnsupportedFormat", /HLS playlist/);
  });

  it("a playlist decrypting a local file through the crypto protocol is UnsupportedFormat", async () => {
    const key = Buffer.alloc(16, 7);
    const cipher = createCipheriv("aes-128-cbc", key, Buffer.alloc(16));
    writeFileSync(join(dir, "canary", "enc.ts"), Buffer.concat([cipher.update(readFileSync(canaryTs)), cipher.final()]));
    writeFileSync(join(dir, "canary", "key.ts"), key); // .ts: the HLS demuxer only opens "media" extensions
    const keyLine = `#EXT-X-KEY:METHOD=AES-128,URI="${join(dir, "canary", "key.ts")}",IV=0x${"0".repeat(32)}\n`;
    await refusedWithoutReadingCanary("enc.mp4", playlist(join(dir, "canary", "enc.ts"), keyLine), "UnsupportedFormat", /HLS playlist/);
  });

  it("an ffconcat script is UnsupportedFormat", async () => {
    // The concat demuxer refuses absolute paths unless -safe 0; the task refuses the script before it runs.
    const script = `ffconcat version 1.0\nfile '${canary}'\n`;
    await refusedWithoutReadingCanary("concat.mp4", script, "UnsupportedFormat", /concat script/, ["-safe", "0"]);
  });

  it("a playlist carrying a data: URL is UnsupportedFormat", async () => {
    const out = await runAttempt(h, await upload("data.mp4", playlist(`data:video/mp2t;base64,${readFileSync(canaryTs).toString("base64")}`)));
    await expectRefused(out, "UnsupportedFormat", /HLS playlist/);
  });

  it("an image named as an image2 pattern is UnsupportedFormat (the local name is always 'source')", async () => {
    const png = join(dir, "still.png");
    await ffmpegGenerate(ffmpeg, ["-f", "lavfi", "-i", "testsrc2=size=64x64", "-frames:v", "1", png]);
    const out = await runAttempt(h, await upload("frame%03d.png", readFileSync(png)));
    await expectRefused(out, "UnsupportedFormat", /an image \(png\)/);
  });

  async function limited(name: string, file: string, limits: Partial<TaskLimits>): Promise<RunOutcome> {
    await putFile(h, `uploads/evil/x/${name}`, file);
    return runAttempt(h, `uploads/evil/x/${name}`, { encoding: { x264Preset: "ultrafast", segmentSeconds: 2 } }, { limits });
  }

  it("a file declaring 1 s that really holds 10 s is TooLong: decoding stops at the limit and says what it measured", async () => {
    const real = join(dir, "real-10s.mp4");
    await ffmpegGenerate(ffmpeg, [
      "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25:duration=10", "-f", "lavfi", "-i", "sine=duration=10",
      "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-use_editlist", "0", "-movflags", "+faststart", real,
    ]);
    const liar = join(dir, "liar.mp4");
    writeFileSync(liar, withDeclaredDuration(readFileSync(real), 1));
    const declared = await ffprobeJson(ffprobe, liar);
    assert.equal(Number(declared.format.duration), 1, "the container declares 1 s");
    const out = await limited("liar.mp4", liar, { maxDurationSeconds: 3 });
    await expectRefused(out, "TooLong", /Decoding passed 4(\.0)? s .*declares 1 s; the limit \(maxDurationSeconds\) is 3 s/);
  });

  it("a frame above the default pixel limit (8320x4352) is TooManyPixels", async () => {
    const huge = join(dir, "huge.mkv");
    await ffmpegGenerate(ffmpeg, ["-f", "lavfi", "-i", "color=c=gray:size=8320x4352:rate=1", "-frames:v", "1", "-c:v", "libx264", "-preset", "ultrafast", huge]);
    const out = await limited("huge.mkv", huge, {});
    await expectRefused(out, "TooManyPixels", /8320x4352 \(36208640 pixels\); the limit \(maxPixelsPerFrame\) is 35389440/);
  });

  it("a stream that grows to an oversized frame after its first second is TooManyPixels (the decoder's limit)", async () => {
    const small = join(dir, "small.ts");
    const big = join(dir, "big.ts");
    await ffmpegGenerate(ffmpeg, ["-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=1", "-c:v", "libx264", "-preset", "ultrafast", "-f", "mpegts", small]);
    await ffmpegGenerate(ffmpeg, ["-f", "lavfi", "-i", "testsrc2=size=1280x960:rate=25:duration=0.4", "-c:v", "libx264", "-preset", "ultrafast", "-output_ts_offset", "1", "-f", "mpegts", big]);
    const grow = join(dir, "grow.ts");
    writeFileSync(grow, Buffer.concat([readFileSync(small), readFileSync(big)]));
    const first = (await ffprobeJson(ffprobe, grow)).streams[0];
    assert.deepEqual([first?.width, first?.height], [320, 240], "ffprobe reports the first size only");
    const out = await limited("grow.ts", grow, { maxPixelsPerFrame: 320 * 240 });
    await expectRefused(out, "TooManyPixels", /1280x960 \(1228800 pixels\); the limit \(maxPixelsPerFrame\) is 76800/);
  });

  it("an absurd frame rate (1000 fps) is FrameRateTooHigh under the default limit", async () => {
    const fast = join(dir, "fast.mp4");
    await ffmpegGenerate(ffmpeg, ["-f", "lavfi", "-i", "testsrc2=size=160x120:rate=1000:duration=1", "-c:v", "libx264", "-preset", "ultrafast", fast]);
    const out = await limited("fast.mp4", fast, {});
    await expectRefused(out, "FrameRateTooHigh", /1000 frames per second; the limit \(maxFrameRate\) is 240/);
  });

  it("a file whose outputs would pass maxOutputBytes is OutputTooBig", async () => {
    const noisy = join(dir, "noisy.mp4");
    await ffmpegGenerate(ffmpeg, ["-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25:duration=4,noise=alls=40:allf=t", "-c:v", "libx264", "-preset", "ultrafast", "-crf", "18", noisy]);
    const out = await limited("noisy.mp4", noisy, { maxOutputBytes: 300_000 });
    await expectRefused(out, "OutputTooBig", /the limit \(maxOutputBytes\) is 300000 bytes/);
    const bytes = Number(/outputs (?:reached|came to) (\d+) bytes/.exec(out.result?.message ?? "")?.[1]);
    assert.ok(bytes > 300_000, `measured ${bytes}`);
  });

  it("a transcode past its wall-clock budget is killed with TranscodeTimedOut; ffmpeg's env holds nothing but PATH", async () => {
    const slow = join(dir, "slow.mp4");
    await ffmpegGenerate(ffmpeg, ["-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=25:duration=8", "-c:v", "libx264", "-preset", "ultrafast", slow]);
    await putFile(h, "uploads/evil/x/slow.mp4", slow);
    // Budget: ceil(2 + 8 s x 0.01 x work) = 3 s; veryslow needs far longer than that for 8 s of 720p.
    const limits = { wallClockBaseSeconds: 2, wallClockSecondsPerMediaSecond: 0.01 };
    const seen = watchFfmpegEnv(h.workDir);
    const t0 = Date.now();
    const out = await runAttempt(h, "uploads/evil/x/slow.mp4", { encoding: { x264Preset: "veryslow", segmentSeconds: 2 } }, { limits });
    const elapsed = Date.now() - t0;
    const seenRunning = seen.stop();
    await expectRefused(out, "TranscodeTimedOut", /wall-clock budget of 3 s .* stopped after decoding/);
    assert.ok(elapsed < 20_000, `the attempt ended ${elapsed} ms after launch`);
    assert.ok(seenRunning.length > 0, "ffmpeg was seen running");
    for (const { env, parentEnv } of seenRunning) {
      // The task itself holds the secrets a decoder exploit would want; its ffmpeg child gets none of them.
      for (const secret of ["TJ_REDIS_URL", "AWS_SECRET_ACCESS_KEY"]) assert.ok(parentEnv[secret], `the task has ${secret}`);
      // Node itself copies NODE_V8_COVERAGE into every child's env while c8 measures coverage (npm test).
      const names = Object.keys(env).filter((name) => name !== "NODE_V8_COVERAGE" || !process.env.NODE_V8_COVERAGE);
      assert.deepEqual(names, ["PATH"], JSON.stringify(env));
    }
  });

  const environOf = (pid: string): Record<string, string> =>
    Object.fromEntries(
      readFileSync(`/proc/${pid}/environ`, "utf8")
        .split("\0")
        .filter(Boolean)
        .map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]),
    );

  /** Polls /proc for ffmpeg processes working under `workDir`; reads their env (once exec'd) and their parent's. */
  function watchFfmpegEnv(workDir: string): { stop(): { env: Record<string, string>; parentEnv: Record<string, string> }[] } {
    const found = new Map<string, { env: Record<string, string>; parentEnv: Record<string, string> }>();
    const timer = setInterval(() => {
      for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
        if (found.has(pid)) continue;
        try {
          const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
          if (!argv[0]?.endsWith("ffmpeg") || !argv.some((a) => a.includes(workDir))) continue;
          // /proc/<pid>/stat: "pid (comm) state ppid ..."
          const ppid = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ")[1]!;
          found.set(pid, { env: environOf(pid), parentEnv: environOf(ppid) });
        } catch {
          // The process ended between readdir and read.
        }
      }
    }, 50);
    return {
      stop() {
        clearInterval(timer);
        return [...found.values()];
      },
    };
  }
});
