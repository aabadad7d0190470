import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import { Redis } from "ioredis";
import { createLogger } from "../../lib/log.js";
import { RedisUploadStream, TallyIngestMetrics, decodeEntryFields, streamKeys } from "../../lib/uploads/index.js";
import { createUploadHandler, RetryableInvocationError, type BatchResponse } from "../../lambda/index.js";
import { testEnv } from "../env/index.js";
import { suiteRedisUser, type SuiteRedisUser } from "../support/redis-users.js";
import { awsRecord } from "./records.js";

const log = createLogger("lambda-test", { level: "silent" });
const sqs = (messageId: string, records: unknown[]) => ({ messageId, eventSource: "aws:sqs", body: JSON.stringify({ Records: records }) });

/** A port nothing listens on: bound, read, released. */
async function deadPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe("lambda handler against real Redis", () => {
  /** Admin: the test's checks. */
  let redis: Redis;
  /** The lambda's own rights (lib/redis-acl) on this test's stream: what the code under test runs with. */
  let user: SuiteRedisUser;
  let lambda: Redis;
  let stream: string;
  beforeEach(async () => {
    redis = new Redis(testEnv().redis.url);
    stream = `test-lambda:${randomBytes(4).toString("hex")}:uploads`;
    user = await suiteRedisUser("lambda", { uploadsStream: stream });
    lambda = new Redis(user.url);
  });
  afterEach(async () => {
    const keys = await redis.keys(`${stream}*`);
    if (keys.length) await redis.del(...keys);
    lambda.disconnect();
    await user.remove();
    await redis.quit();
  });

  it("appends one entry per upload; a redelivered event adds nothing; a re-upload (new ETag) is new", async () => {
    const handle = createUploadHandler({ stream: new RedisUploadStream(lambda, { stream }), log, prefix: "uploads/", buckets: ["uploads-bucket"] });
    const event = { Records: [awsRecord({ key: "uploads/alice/u1/bob%40example.com+clip.mp4", eTag: "e1" })] };
    assert.deepEqual(await handle(event), { appended: 1, duplicates: 0, ignored: 0, rejected: 0 });
    assert.deepEqual(await handle(event), { appended: 0, duplicates: 1, ignored: 0, rejected: 0 });
    await handle({ Records: [awsRecord({ key: "uploads/alice/u1/bob%40example.com+clip.mp4", eTag: "e2" })] });
    const entries = await redis.xrange(stream, "-", "+");
    assert.equal(entries.length, 2);
    const first = decodeEntryFields(entries[0]![1]);
    assert.ok(first.ok);
    assert.equal(first.entry.key, "uploads/alice/u1/bob@example.com clip.mp4");
  });

  it("appends once when 50 deliveries of the same event race", async () => {
    const handle = createUploadHandler({ stream: new RedisUploadStream(lambda, { stream }), log, prefix: "uploads/", buckets: ["uploads-bucket"] });
    const event = { Records: [awsRecord({ key: "uploads/alice/u1/race.mp4", eTag: "r1" })] };
    const results = await Promise.all(Array.from({ length: 50 }, () => handle(event)));
    assert.equal(results.filter((r) => "appended" in r && r.appended === 1).length, 1);
    assert.equal(await redis.xlen(stream), 1);
  });

  it("ignores and rejects bad records with metrics, appending only the good one", async () => {
    const metrics = new TallyIngestMetrics();
    const handle = createUploadHandler({ stream: new RedisUploadStream(lambda, { stream }), log, prefix: "uploads/", buckets: ["uploads-bucket"], metrics });
    const out = await handle({
      Records: [
        awsRecord({ key: "uploads/alice/u1/ok.mp4" }),
        awsRecord({ key: "avatars/alice.png" }),
        awsRecord({ key: "uploads/alice/u1/readme.txt" }),
        awsRecord({ key: "uploads/alice/u1/100%.mp4" }),
        { not: "a record" },
      ],
    });
    assert.deepEqual(out, { appended: 1, duplicates: 0, ignored: 2, rejected: 2 });
    assert.equal(await redis.xlen(stream), 1);
    assert.equal(metrics.counts.get("ignored:outside-prefix"), 1);
    assert.equal(metrics.counts.get("ignored:not-media"), 1);
    assert.equal(metrics.counts.get("rejected:malformed"), 2);
  });

  it("an S3 event for another bucket appends nothing (foreign-bucket)", async () => {
    const metrics = new TallyIngestMetrics();
    const handle = createUploadHandler({ stream: new RedisUploadStream(lambda, { stream }), log, prefix: "uploads/", buckets: ["uploads-bucket"], metrics });
    const out = await handle({ Records: [awsRecord({ key: "uploads/alice/u1/theirs.mp4", bucket: "another-tenants-bucket" })] });
    assert.deepEqual(out, { appended: 0, duplicates: 0, ignored: 1, rejected: 0 });
    assert.equal(await redis.xlen(stream), 0);
    assert.equal(metrics.counts.get("ignored:foreign-bucket"), 1);
  });

  it("reports only the failing SQS message when Redis refuses one record", async () => {
    const handle = createUploadHandler({ stream: new RedisUploadStream(lambda, { stream }), log, prefix: "uploads/", buckets: ["uploads-bucket"] });
    const bad = awsRecord({ key: "uploads/alice/u1/blocked.mp4", eTag: "b1" });
    // A real Redis error for one key only: its dedupe key holds a hash, so the script's GET fails WRONGTYPE.
    await redis.hset(streamKeys(stream).dedupe("uploads-bucket/uploads/alice/u1/blocked.mp4@b1"), "x", "y");
    const out = (await handle({
      Records: [sqs("m-ok", [awsRecord({ key: "uploads/alice/u1/fine.mp4" })]), sqs("m-bad", [bad])],
    })) as BatchResponse;
    assert.deepEqual(out.batchItemFailures, [{ itemIdentifier: "m-bad" }]);
    assert.equal(await redis.xlen(stream), 1);
  });

  it("fails fast when Redis is down: SQS reports every message, a direct invocation throws", async function () {
    this.timeout(30_000);
    const down = new Redis({ host: "127.0.0.1", port: await deadPort(), maxRetriesPerRequest: 1, connectTimeout: 1000, retryStrategy: () => 100 });
    down.on("error", () => undefined);
    try {
      const handle = createUploadHandler({ stream: new RedisUploadStream(down, { stream }), log, prefix: "uploads/", buckets: ["uploads-bucket"] });
      const t0 = Date.now();
      const out = (await handle({ Records: [sqs("a", [awsRecord({ key: "uploads/alice/u1/a.mp4" })]), sqs("b", [awsRecord({ key: "uploads/alice/u1/b.mp4" })])] })) as BatchResponse;
      assert.deepEqual(out.batchItemFailures.map((f) => f.itemIdentifier).sort(), ["a", "b"]);
      await assert.rejects(handle({ Records: [awsRecord({ key: "uploads/alice/u1/a.mp4" })] }), RetryableInvocationError);
      assert.ok(Date.now() - t0 < 20_000, "failed within the invocation budget");
    } finally {
      down.disconnect();
    }
  });

  it("the exported handler reads its config once and keeps one Redis connection across invocations", async () => {
    // The Lambda runtime hands config to the module through process.env; restore it so other suites in this
    // mocha process see the environment they started with (the handler keeps what it read at first call).
    const saved = { REDIS_URL: process.env.REDIS_URL, UPLOADS_STREAM: process.env.UPLOADS_STREAM, UPLOADS_BUCKET: process.env.UPLOADS_BUCKET, LOG_LEVEL: process.env.LOG_LEVEL };
    process.env.REDIS_URL = user.url;
    process.env.UPLOADS_STREAM = stream;
    process.env.UPLOADS_BUCKET = "uploads-bucket";
    process.env.LOG_LEVEL = "silent";
    const { handler } = await import("../../lambda/handler.js");
    try {
      await handler({ Records: [] });
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
    const clients = async (): Promise<number> => String(await redis.call("CLIENT", "LIST")).split("\n").filter((l) => l.includes("cmd=")).length;
    await handler({ Records: [awsRecord({ key: "uploads/alice/u1/one.mp4" })] });
    const after1 = await clients();
    for (let i = 0; i < 5; i++) await handler({ Records: [awsRecord({ key: `uploads/alice/u1/more-${i}.mp4` })] });
    assert.equal(await clients(), after1, "no new connection per invocation");
    assert.equal(await redis.xlen(stream), 6);
  });
});
