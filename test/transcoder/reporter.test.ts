import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import { createLogger } from "../../lib/log.js";
import { parseProgress, progressKey } from "../../lib/task-contract/index.js";
import { RedisReporter } from "../../images/transcoder/src/report/index.js";
import { testEnv } from "../env/index.js";

describe("transcoder: progress reporter against real Redis", () => {
  it("re-sends the latest progress as a heartbeat while nothing moves, and stops once the result is written", async () => {
    const uid = `hb-${randomUUID()}`;
    const redis = new Redis(testEnv().redis.url);
    const reporter = new RedisReporter({ url: testEnv().redis.clients.task, uid, attempt: 1, log: createLogger("t", { level: "silent" }), heartbeatMs: 150 });
    try {
      reporter.progress({ stage: "transcoding", percent: 12 });
      await sleep(100);
      const first = parseProgress(await redis.hgetall(progressKey(uid)));
      await sleep(400);
      const later = parseProgress(await redis.hgetall(progressKey(uid)));
      assert.ok(first && later);
      assert.equal(later.percent, 12, "the heartbeat repeats the last value");
      assert.ok(Date.parse(later.updatedAt) > Date.parse(first.updatedAt), "with a fresh updatedAt");
      await reporter.result({ ok: true, exitCode: 0 });
      const atResult = (await redis.hgetall(progressKey(uid))).updatedAt;
      await sleep(400);
      assert.equal((await redis.hgetall(progressKey(uid))).updatedAt, atResult, "no heartbeat after the result");
    } finally {
      await reporter.close();
      redis.disconnect();
    }
  });
});
