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
  DEFAULT_TASK_LIMITS,
  LIMIT_ENV,
  wallClockBudgetSeconds,
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

  it("limits: one name each, TJ_ + UPPER_SNAKE in the env, defaults when absent", () => {
    assert.deepEqual(LIMIT_ENV, {
      maxSourceBytes: "TJ_MAX_SOURCE_BYTES",
      maxDurationSeconds: "TJ_MAX_DURATION_SECONDS",
      maxPixelsPerFrame: "TJ_MAX_PIXELS_PER_FRAME",
      maxFrameRate: "TJ_MAX_FRAME_RATE",
      maxOutputBytes: "TJ_MAX_OUTPUT_BYTES",
      probeTimeoutSeconds: "TJ_PROBE_TIMEOUT_SECONDS",
      wallClockBaseSeconds: "TJ_WALL_CLOCK_BASE_SECONDS",
      wallClockSecondsPerMediaSecond: "TJ_WALL_CLOCK_SECONDS_PER_MEDIA_SECOND",
    });
    for (const name of Object.values(LIMIT_ENV)) assert.ok(TASK_ENV_NAMES.includes(name), name);
    assert.deepEqual(decodeTaskEnv(encodeTaskEnv(draft)).limits, DEFAULT_TASK_LIMITS);
    assert.deepEqual(DEFAULT_TASK_LIMITS, {
      maxSourceBytes: 20 * 1024 ** 3,
      maxDurationSeconds: 14400,
      maxPixelsPerFrame: 8192 * 4320,
      maxFrameRate: 240,
      maxOutputBytes: 64 * 1024 ** 3,
      probeTimeoutSeconds: 60,
      wallClockBaseSeconds: 300,
      wallClockSecondsPerMediaSecond: 10,
    });
    const env = encodeTaskEnv({ ...draft, limits: { maxFrameRate: 120, wallClockSecondsPerMediaSecond: 2.5 } });
    assert.equal(env.TJ_MAX_FRAME_RATE, "120");
    assert.equal(env.TJ_WALL_CLOCK_SECONDS_PER_MEDIA_SECOND, "2.5");
    assert.deepEqual(decodeTaskEnv(env).limits, { ...DEFAULT_TASK_LIMITS, maxFrameRate: 120, wallClockSecondsPerMediaSecond: 2.5 });
  });

  for (const [name, value, message] of [
    ["TJ_MAX_PIXELS_PER_FRAME", "-1", /TJ_MAX_PIXELS_PER_FRAME/],
    ["TJ_MAX_PIXELS_PER_FRAME", "3000000000", /TJ_MAX_PIXELS_PER_FRAME: .*2147483647/],
    ["TJ_MAX_SOURCE_BYTES", "1.5", /TJ_MAX_SOURCE_BYTES/],
    ["TJ_PROBE_TIMEOUT_SECONDS", "0", /TJ_PROBE_TIMEOUT_SECONDS/],
    ["TJ_MAX_FRAME_RATE", "fast", /TJ_MAX_FRAME_RATE/],
  ] as const)
    it(`rejects a bad limit: ${name}=${value}`, () => {
      assert.throws(
        () => decodeTaskEnv({ ...encodeTaskEnv(draft), [name]: value }),
        (e: unknown) => e instanceof TerminalError && e.reason === "InvalidTaskEnv" && message.test(e.message),
      );
    });

  it("the wall-clock budget grows with duration, pixels and preset", () => {
    const p1080 = 1920 * 1080 * 30;
    const work = { mediaSeconds: 60, x264Preset: "faster" as const, encodePixelsPerSecond: p1080, decodePixelsPerSecond: p1080 };
    // 300 + 60 s x 10 x (1 encode unit + 1 decode unit)
    assert.equal(wallClockBudgetSeconds(DEFAULT_TASK_LIMITS, work), 300 + 60 * 10 * 2);
    assert.equal(wallClockBudgetSeconds(DEFAULT_TASK_LIMITS, { ...work, x264Preset: "veryslow" }), 300 + 60 * 10 * (7.5 + 1));
    const audioOnly = { ...work, encodePixelsPerSecond: 0, decodePixelsPerSecond: 0 };
    assert.equal(wallClockBudgetSeconds(DEFAULT_TASK_LIMITS, audioOnly), 300 + 60 * 10 * 0.05, "a floor of work for audio");
    const capped = wallClockBudgetSeconds({ ...DEFAULT_TASK_LIMITS, maxDurationSeconds: 30 }, work);
    assert.equal(capped, 300 + 30 * 10 * 2, "never budgets for more media than the duration limit allows");
  });
});
