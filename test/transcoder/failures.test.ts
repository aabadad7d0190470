/**
 * Bad input and failure paths of the transcoder task as a real process: every bad file ends with EXIT_BAD_INPUT
 * and a clear reason, nothing lands under the output prefix, and scratch files are always removed.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { testEnv } from "../env/index.js";
import { EXIT_BAD_INPUT, EXIT_OK, EXIT_RETRYABLE } from "../../lib/task-contract/index.js";
import { createHarness, listKeys, putFile, runAttempt, type Harness, type RunOutcome } from "./harness.js";
import { makeClip } from "./media.js";

/** A port nothing listens on: bound then closed, so connections are refused (a server that is down). */
async function deadPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe("transcoder task failures (real process, MinIO, Redis, ffmpeg)", function () {
  this.timeout(120_000);
  let h: Harness;
  let dir: string;
  let good: string;

  before(async () => {
    h = await createHarness("bad");
    dir = mkdtempSync(join(testEnv().tmpDir, "tx-bad-"));
    good = join(dir, "good.mp4");
    await makeClip(testEnv().tools.ffmpeg, good, { width: 320, height: 240, seconds: 2 });
  });
  after(async () => h?.close());

  async function expectBadInput(out: RunOutcome, reasons: string[], message: RegExp): Promise<void> {
    assert.equal(out.exitCode, EXIT_BAD_INPUT, `${JSON.stringify(out.result)}\n${out.log.slice(-1500)}`);
    assert.equal(out.result?.ok, false);
    assert.equal(out.result?.exitCode, EXIT_BAD_INPUT);
    assert.ok(reasons.includes(out.result?.reason ?? ""), `reason ${out.result?.reason}`);
    assert.match(out.result?.message ?? "", message);
    assert.doesNotMatch(out.result?.message ?? "", /\n\s+at /, "no stack trace");
    assert.deepEqual(await listKeys(h, out.prefix), [], "nothing uploaded");
    assert.deepEqual(readdirSync(h.workDir), [], "scratch files removed");
  }

  async function upload(name: string, body: Buffer): Promise<string> {
    const file = join(dir, name);
    writeFileSync(file, body);
    const key = `uploads/u2/x/${name}`;
    await putFile(h, key, file);
    return key;
  }

  it("a truncated MP4 is CorruptInput", async () => {
    const bytes = readFileSync(good);
    const key = await upload("truncated.mp4", bytes.subarray(0, Math.floor(bytes.length / 2)));
    await expectBadInput(await runAttempt(h, key), ["CorruptInput"], /truncated or damaged/);
  });

  it("an MP4 with a destroyed header is rejected as unreadable", async () => {
    const bytes = Buffer.from(readFileSync(good));
    randomBytes(256).copy(bytes, 0);
    const key = await upload("scrambled.mp4", bytes);
    await expectBadInput(
      await runAttempt(h, key),
      ["CorruptInput", "NotMedia", "UnsupportedFormat"],
      /could not be read as audio or video|not an uploaded audio or video file/,
    );
  });

  it("a zero-byte file is EmptyInput", async () => {
    const key = await upload("empty.mp4", Buffer.alloc(0));
    await expectBadInput(await runAttempt(h, key), ["EmptyInput"], /empty/);
  });

  it("a text file is NotMedia: no container matches it", async () => {
    const key = await upload("notes.txt", Buffer.from("These are my notes.\nNot a video at all.\n".repeat(20)));
    await expectBadInput(await runAttempt(h, key), ["NotMedia"], /could not be read as audio or video: it is in no container/);
  });

  it("a missing source is SourceNotFound", async () => {
    await expectBadInput(await runAttempt(h, "uploads/u2/x/never-uploaded.mp4"), ["SourceNotFound"], /does not exist/);
  });

  it("too long and too big are bad input under the configured limits", async () => {
    await putFile(h, "uploads/u2/x/good.mp4", good);
    await expectBadInput(
      await runAttempt(h, "uploads/u2/x/good.mp4", {}, { limits: { maxDurationSeconds: 1 } }),
      ["TooLong"],
      /2 s long \(as its container declares\); the limit \(maxDurationSeconds\) is 1 s/,
    );
    await expectBadInput(
      await runAttempt(h, "uploads/u2/x/good.mp4", {}, { limits: { maxSourceBytes: 1000 } }),
      ["TooBig"],
      /the limit \(maxSourceBytes\) is 1000 bytes/,
    );
  });

  it("S3 down: retryable exit with the reason in the result", async () => {
    const out = await runAttempt(h, "uploads/u2/x/good.mp4", {}, { s3Endpoint: `http://127.0.0.1:${await deadPort()}` });
    assert.equal(out.exitCode, EXIT_RETRYABLE, out.log.slice(-1500));
    assert.equal(out.result?.exitCode, EXIT_RETRYABLE);
    assert.equal(out.result?.reason, "TransientFailure");
    assert.match(out.result?.message ?? "", /source/);
    assert.deepEqual(readdirSync(h.workDir), []);
  });

  it("an upload that fails is retryable and leaves no partial outputs", async () => {
    await putFile(h, "uploads/u2/x/good.mp4", good);
    const out = await runAttempt(h, "uploads/u2/x/good.mp4", { encoding: { x264Preset: "ultrafast", segmentSeconds: 2 } }, { outBucket: "tx-no-such-bucket" });
    assert.equal(out.exitCode, EXIT_RETRYABLE, out.log.slice(-1500));
    assert.equal(out.result?.reason, "TransientFailure");
    assert.match(out.result?.message ?? "", /uploading outputs failed/);
    assert.deepEqual(readdirSync(h.workDir), []);
  });

  it("Redis down: the transcode still succeeds and uploads (progress is best effort)", async () => {
    await putFile(h, "uploads/u2/x/good.mp4", good);
    const out = await runAttempt(h, "uploads/u2/x/good.mp4", { formats: ["mp4"] }, { redisUrl: `redis://127.0.0.1:${await deadPort()}` });
    assert.equal(out.exitCode, EXIT_OK, out.log.slice(-1500));
    assert.equal(out.result, undefined, "no result could be written");
    const keys = await listKeys(h, out.prefix);
    assert.ok(keys.includes(`${out.prefix}manifest.json`) && keys.includes(`${out.prefix}240p.mp4`), keys.join(","));
    assert.match(out.log, /could not be written to Redis/);
  });

  it("an invalid spec in the env is refused by the launcher before any process starts", async () => {
    const uid = "bad-spec";
    await assert.rejects(
      h.launcher.launch({
        uid,
        namespace: "ns",
        name: "n",
        attempt: 1,
        env: { TJ_JOB_UID: uid, TJ_SPEC: "{" },
      }),
      /invalid task env/,
    );
    assert.deepEqual(await h.launcher.describe([`local-${uid}-1`]), [{ id: `local-${uid}-1`, state: "Missing" }]);
  });
});
