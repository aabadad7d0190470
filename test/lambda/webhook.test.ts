import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { Registry } from "prom-client";
import { createLogger } from "../../lib/log.js";
import { RedisUploadStream, decodeEntryFields, promIngestMetrics } from "../../lib/uploads/index.js";
import { startWebhookReceiver, type WebhookReceiver } from "../../lambda/index.js";
import { testEnv } from "../env/index.js";
import { suiteRedisUser, type SuiteRedisUser } from "../support/redis-users.js";
import { minioRecord, minioWebhookBody } from "./records.js";

const log = createLogger("webhook-test", { level: "silent" });

describe("local-mode webhook receiver against real Redis", () => {
  /** Admin: the test's checks; the receiver runs with the lambda's own rights on this test's stream. */
  let redis: Redis;
  let user: SuiteRedisUser;
  let lambda: Redis;
  let stream: string;
  let registry: Registry;
  let receiver: WebhookReceiver;

  beforeEach(async () => {
    redis = new Redis(testEnv().redis.url);
    stream = `test-webhook:${randomBytes(4).toString("hex")}:uploads`;
    user = await suiteRedisUser("lambda", { uploadsStream: stream });
    lambda = new Redis(user.url);
    registry = new Registry();
    receiver = await startWebhookReceiver({ stream: new RedisUploadStream(lambda, { stream }), log, metrics: promIngestMetrics(registry), registry, prefix: "uploads/", buckets: ["uploads-bucket"], authToken: "s3cret" });
  });
  afterEach(async () => {
    await receiver.close();
    const keys = await redis.keys(`${stream}*`);
    if (keys.length) await redis.del(...keys);
    lambda.disconnect();
    await user.remove();
    await redis.quit();
  });
  const post = (body: unknown, auth: string | null = "Bearer s3cret") =>
    fetch(receiver.url, { method: "POST", headers: { "content-type": "application/json", ...(auth ? { authorization: auth } : {}) }, body: typeof body === "string" ? body : JSON.stringify(body) });

  it("turns a MinIO notification into a stream entry, once, whatever the redeliveries", async () => {
    const body = minioWebhookBody(minioRecord({ key: "uploads/hana/u1/hana%40mail.example+trip.mp4", contentType: "video/mp4" }));
    for (let i = 0; i < 3; i++) assert.equal((await post(body)).status, 200);
    const entries = await redis.xrange(stream, "-", "+");
    assert.equal(entries.length, 1);
    const d = decodeEntryFields(entries[0]![1]);
    assert.ok(d.ok);
    assert.equal(d.entry.key, "uploads/hana/u1/hana@mail.example trip.mp4");
    assert.equal(d.entry.origin, "minio");
    const text = await registry.getSingleMetricAsString("tj_upload_events_total");
    assert.match(text, /outcome="appended",reason="new"} 1/);
    assert.match(text, /outcome="duplicate",reason="redelivered"} 2/);
  });

  it("answers MinIO's liveness probe and serves health and metrics", async () => {
    assert.equal((await fetch(receiver.url, { method: "HEAD" })).status, 200);
    assert.equal((await fetch(`${receiver.url}healthz`)).status, 200);
    assert.match(await (await fetch(`${receiver.url}metrics`)).text(), /tj_upload_events_total/);
  });

  it("rejects bad requests with a clear status and a metric, and keeps serving", async () => {
    const cases: [body: unknown, auth: string | null, status: number][] = [
      [minioWebhookBody(minioRecord({ key: "uploads/a/u/a.mp4" })), null, 401],
      [minioWebhookBody(minioRecord({ key: "uploads/a/u/a.mp4" })), "Bearer wrong", 401],
      ["{not json", "s3cret", 400],
      [{ EventName: "s3:ObjectCreated:Put" }, "s3cret", 400],
      ["x".repeat(2 * 1024 * 1024), "s3cret", 413],
    ];
    for (const [body, auth, status] of cases) {
      const res = await post(body, auth);
      assert.equal(res.status, status, `${String(auth)} ${typeof body === "string" ? body.slice(0, 20) : JSON.stringify(body).slice(0, 40)}`);
    }
    // Ignored and malformed records inside a good request: 200 (retrying cannot help), counted.
    const res = await post({ Records: [minioRecord({ key: "uploads/a/u/photo.png", contentType: "image/png" }), { junk: 1 }] });
    assert.equal(res.status, 200);
    assert.equal(await redis.xlen(stream), 0);
    const text = await registry.getSingleMetricAsString("tj_upload_events_total");
    assert.match(text, /outcome="rejected",reason="unauthorized"} 2/);
    assert.match(text, /outcome="rejected",reason="bad-envelope"} 2/);
    assert.match(text, /outcome="ignored",reason="not-media"} 1/);
    assert.match(text, /outcome="rejected",reason="malformed"} 1/);
    assert.equal((await post(minioWebhookBody(minioRecord({ key: "uploads/a/u/ok.mp4" })))).status, 200);
  });

  it("answers 503 while Redis is unreachable, so MinIO keeps the event and retries", async () => {
    const down = new Redis({ host: "127.0.0.1", port: 1, maxRetriesPerRequest: 1, retryStrategy: () => 100, lazyConnect: true });
    down.on("error", () => undefined);
    const r2 = await startWebhookReceiver({ stream: new RedisUploadStream(down, { stream }), log, metrics: promIngestMetrics(new Registry()), prefix: "uploads/", buckets: ["uploads-bucket"] });
    try {
      const res = await fetch(r2.url, { method: "POST", body: JSON.stringify(minioWebhookBody(minioRecord({ key: "uploads/a/u/a.mp4" }))) });
      assert.equal(res.status, 503);
    } finally {
      await r2.close();
      down.disconnect();
    }
  });
});
