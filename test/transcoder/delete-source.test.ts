/**
 * spec.deleteSourceOnSuccess with the real task process against MinIO: the source object is deleted only after a
 * successful attempt has uploaded everything (manifest included); without the flag, or on any failure, it stays.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { GetObjectCommand, HeadObjectCommand, S3ServiceException } from "@aws-sdk/client-s3";
import { EXIT_BAD_INPUT, EXIT_OK, EXIT_RETRYABLE, type TaskSpecInput } from "../../lib/task-contract/index.js";
import { testEnv } from "../env/index.js";
import { createHarness, listKeys, putFile, runAttempt, type Harness, type RunOutcome } from "./harness.js";
import { makeClip } from "./media.js";

const FAST: TaskSpecInput = { formats: ["mp4"], thumbnails: false, encoding: { x264Preset: "ultrafast", segmentSeconds: 2 } };

describe("transcoder task: deleteSourceOnSuccess (real process, MinIO)", function () {
  this.timeout(120_000);
  let h: Harness;
  let dir: string;
  let clip: string;

  before(async () => {
    h = await createHarness("delsrc");
    dir = mkdtempSync(join(testEnv().tmpDir, "tx-delsrc-"));
    clip = join(dir, "clip.mp4");
    await makeClip(testEnv().tools.ffmpeg, clip, { width: 320, height: 240, seconds: 2 });
  });
  after(async () => h?.close());

  /** The source's bytes, or undefined when the object does not exist. */
  async function source(key: string): Promise<Buffer | undefined> {
    try {
      await h.s3.send(new HeadObjectCommand({ Bucket: h.inBucket, Key: key }));
    } catch (err) {
      if (err instanceof S3ServiceException && err.$metadata.httpStatusCode === 404) return undefined;
      throw err;
    }
    const res = await h.s3.send(new GetObjectCommand({ Bucket: h.inBucket, Key: key }));
    return Buffer.from(await res.Body!.transformToByteArray());
  }

  function explain(out: RunOutcome): string {
    return `exit ${out.exitCode}: ${JSON.stringify(out.result)}\n${out.log.slice(-1500)}`;
  }

  it("with the flag, the source object is gone after a successful attempt, and the outputs are complete", async () => {
    const key = "uploads/u3/del/clip.mp4";
    await putFile(h, key, clip);
    const out = await runAttempt(h, key, { ...FAST, deleteSourceOnSuccess: true });
    assert.equal(out.exitCode, EXIT_OK, explain(out));
    assert.equal(out.result?.ok, true);
    assert.equal(await source(key), undefined, "source deleted");
    const keys = await listKeys(h, out.prefix);
    assert.ok(keys.includes(`${out.prefix}manifest.json`) && keys.includes(`${out.prefix}240p.mp4`), keys.join(","));
  });

  it("without the flag (the default), the source stays after success", async () => {
    const key = "uploads/u3/keep/clip.mp4";
    await putFile(h, key, clip);
    const out = await runAttempt(h, key, FAST);
    assert.equal(out.exitCode, EXIT_OK, explain(out));
    assert.deepEqual(await source(key), readFileSync(clip), "source kept, unchanged");
  });

  it("with the flag, a bad-input failure keeps the source", async () => {
    const text = join(dir, "notes.txt");
    writeFileSync(text, "These are my notes.\nNot a video at all.\n".repeat(20));
    const key = "uploads/u3/bad/notes.txt";
    await putFile(h, key, text);
    const out = await runAttempt(h, key, { ...FAST, deleteSourceOnSuccess: true });
    assert.equal(out.exitCode, EXIT_BAD_INPUT, explain(out));
    assert.equal(out.result?.reason, "NotMedia");
    assert.deepEqual(await source(key), readFileSync(text), "source kept, unchanged");
  });

  it("with the flag, a retryable failure (outputs could not be uploaded) keeps the source for the next attempt", async () => {
    const key = "uploads/u3/retry/clip.mp4";
    await putFile(h, key, clip);
    const out = await runAttempt(h, key, { ...FAST, deleteSourceOnSuccess: true }, { outBucket: "tx-no-such-bucket" });
    assert.equal(out.exitCode, EXIT_RETRYABLE, explain(out));
    assert.deepEqual(await source(key), readFileSync(clip), "source kept, unchanged");
  });
});
