import assert from "node:assert/strict";
import {
  decodeTaskEnv,
  encodeTaskEnv,
  EXIT_BAD_INPUT,
  EXIT_OK,
  EXIT_RETRYABLE,
  isRetryableExit,
  ladderRungs,
  parseProgress,
  parseTaskResult,
  progressKey,
  resultKey,
  TASK_ENV_NAMES,
  type TaskInputDraft,
} from "../../lib/task-contract/index.js";
import { TerminalError } from "../../lib/errors/index.js";

const draft: TaskInputDraft = {
  job: { uid: "u-1", namespace: "ns", name: "job" },
  attempt: 2,
  source: { bucket: "in", key: "uploads/a/b/c.mp4" },
  output: { bucket: "out", prefix: "outputs/a/job" },
  spec: { ladder: { preset: "mobile" } },
  redisUrl: "redis://127.0.0.1:6379",
  region: "us-east-1",
  s3: { endpoint: "http://127.0.0.1:9000", forcePathStyle: true },
};

describe("task contract", () => {
  it("round-trips a task input through the env, applying spec defaults", () => {
    const env = encodeTaskEnv(draft);
    for (const k of Object.keys(env)) assert.ok((TASK_ENV_NAMES as string[]).includes(k), k);
    assert.ok(!Object.keys(env).some((k) => k.startsWith("AWS_") && k !== "AWS_REGION"), "no AWS keys");
    const back = decodeTaskEnv(env);
    assert.equal(back.attempt, 2);
    assert.equal(back.output.prefix, "outputs/a/job/");
    assert.deepEqual(back.spec.formats, ["hls", "mp4"]);
    assert.equal(back.spec.encoding.x264Preset, "faster");
    assert.equal(back.spec.encoding.segmentSeconds, 4);
    assert.equal(back.spec.thumbnails, true);
    assert.deepEqual(back.s3, { endpoint: "http://127.0.0.1:9000", forcePathStyle: true });
  });

  const bad: [string, Record<string, string | undefined>, RegExp][] = [
    ["missing uid", { TJ_JOB_UID: undefined }, /TJ_JOB_UID/],
    ["attempt zero", { TJ_ATTEMPT: "0" }, /TJ_ATTEMPT/],
    ["spec not JSON", { TJ_SPEC: "{" }, /TJ_SPEC is not JSON/],
    ["both preset and renditions", { TJ_SPEC: '{"ladder":{"preset":"full","renditions":[{"height":360}]}}' }, /not both/],
    ["rung too short", { TJ_SPEC: '{"ladder":{"renditions":[{"height":100}]}}' }, /TJ_SPEC/],
    ["redis url", { TJ_REDIS_URL: "http://x" }, /TJ_REDIS_URL/],
  ];
  for (const [name, patch, message] of bad) {
    it(`rejects a bad env: ${name}`, () => {
      const env: Record<string, string | undefined> = { ...encodeTaskEnv(draft), ...patch };
      assert.throws(
        () => decodeTaskEnv(env),
        (e: unknown) => e instanceof TerminalError && e.reason === "InvalidTaskEnv" && message.test(e.message),
      );
    });
  }

  it("classifies exit codes", () => {
    assert.equal(isRetryableExit(EXIT_OK), false);
    assert.equal(isRetryableExit(EXIT_BAD_INPUT), false);
    assert.equal(isRetryableExit(EXIT_RETRYABLE), true);
    assert.equal(isRetryableExit(137), true);
    assert.equal(isRetryableExit(null), true);
  });

  it("names the Redis keys as the contract fixes them", () => {
    assert.equal(progressKey("abc"), "tj:progress:abc");
    assert.equal(resultKey("abc", 3), "tj:result:abc:3");
  });

  it("parses progress hashes and messages, rejecting malformed ones", () => {
    const hash = { attempt: "1", percent: "42.5", stage: "transcoding", updatedAt: "2026-01-01T00:00:00Z" };
    assert.equal(parseProgress(hash)?.percent, 42.5);
    assert.equal(parseProgress(JSON.stringify(hash))?.stage, "transcoding");
    assert.equal(parseProgress({ ...hash, percent: "101" }), undefined);
    assert.equal(parseProgress("not json"), undefined);
    assert.equal(parseProgress(null), undefined);
  });

  it("parses results, treating junk as no result", () => {
    assert.deepEqual(parseTaskResult('{"ok":false,"exitCode":65,"reason":"NotMedia"}'), {
      ok: false,
      exitCode: 65,
      reason: "NotMedia",
    });
    assert.equal(parseTaskResult('{"ok":tru'), undefined);
    assert.equal(parseTaskResult('{"ok":true}'), undefined);
    assert.equal(parseTaskResult(undefined), undefined);
  });

  it("expands ladders sorted and deduplicated", () => {
    assert.deepEqual(
      ladderRungs({ preset: "standard" }).map((r) => r.height),
      [360, 720, 1080],
    );
    assert.deepEqual(
      ladderRungs({}).map((r) => r.height),
      [360, 720, 1080],
    );
    assert.deepEqual(
      ladderRungs({ renditions: [{ height: 720 }, { height: 240 }, { height: 720, crf: 20 }] }),
      [{ height: 240 }, { height: 720, crf: 20 }],
    );
  });
});
