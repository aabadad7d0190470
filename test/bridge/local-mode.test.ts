import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { Redis } from "ioredis";
import { Registry } from "prom-client";
import { S3UploadStorage } from "../../api/uploads/storage.js";
import { postForm } from "../api/harness.js";
import { configureUploadNotifications, startWebhookReceiver, type WebhookReceiver } from "../../lambda/index.js";
import { newUploadKey, RedisUploadStream, promIngestMetrics } from "../../lib/uploads/index.js";
import { testEnv } from "../env/index.js";
import { registerExitCleanup } from "../../stack/process.js";
import { StartContext } from "../../stack/services/context.js";
import { startMinio } from "../../stack/services/minio.js";
import { waitFor } from "../support/wait.js";
import { suiteRedisUser, type SuiteRedisUser } from "../support/redis-users.js";
import { adminKubeConfig, createNamespace, dropStreamKeys, ensureCrd, listJobs, quietLog, startTestBridge, TEST_POLICY, type TestBridge } from "./harness.js";

/**
 * Embedded mode end to end: a MinIO of its own (started by the project's MinIO starter with the webhook
 * target "TJ" pointing at our receiver), a bucket notification set through the S3 API, a real upload,
 * and the TranscodeJob it must become. The latencies are printed, not asserted (a loaded machine is no bug).
 */
describe("local mode: MinIO webhook -> receiver -> stream -> bridge -> TranscodeJob", function () {
  this.timeout(90_000);
  let ctx: StartContext;
  let unregister: () => void;
  let receiver: WebhookReceiver;
  let bridge: TestBridge;
  let redis: Redis;
  let lambdaUser: SuiteRedisUser;
  let lambdaRedis: Redis;
  let s3: S3Client;
  let stream: string;
  let namespace: string;
  const bucket = `local-up-${randomBytes(3).toString("hex")}`;
  const registry = new Registry();

  before(async () => {
    const env = testEnv();
    const id = randomBytes(4).toString("hex");
    stream = `test-local:${id}:uploads`;
    namespace = `bridge-local-${id}`;
    redis = new Redis(env.redis.url);
    // The receiver is the lambda of the embedded mode: the lambda's rights on this suite's stream.
    lambdaUser = await suiteRedisUser("lambda", { uploadsStream: stream });
    lambdaRedis = new Redis(lambdaUser.url);
    receiver = await startWebhookReceiver({
      stream: new RedisUploadStream(lambdaRedis, { stream }),
      log: quietLog,
      metrics: promIngestMetrics(registry),
      buckets: [bucket, `${bucket}-fast`],
      registry,
      prefix: "uploads/",
    });
    const dir = join(env.tmpDir, `local-minio-${id}`);
    mkdirSync(dir, { recursive: true });
    ctx = new StartContext(dir, dir);
    unregister = registerExitCleanup(() => ctx.processes.forEach((p) => p.killNow()));
    const minio = await startMinio(ctx, { notifyWebhook: receiver.url });
    s3 = new S3Client({ endpoint: minio.endpoint, region: minio.region, forcePathStyle: true, credentials: { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey } });
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await configureUploadNotifications(s3, bucket, { prefix: "uploads/" });
    const kc = adminKubeConfig();
    await ensureCrd(kc);
    await createNamespace(kc, namespace);
    bridge = await startTestBridge({ stream, namespace, blockMs: 1000, policy: { ...TEST_POLICY, uploadsBuckets: [bucket, `${bucket}-fast`] } }, kc);
  });
  after(async () => {
    await bridge?.stop();
    await receiver?.close();
    lambdaRedis?.disconnect();
    await lambdaUser?.remove();
    s3?.destroy();
    await Promise.allSettled(ctx?.processes.map((p) => p.stop()) ?? []);
    unregister?.();
    if (redis) {
      await dropStreamKeys(redis, stream);
      await redis.quit();
    }
  });

  it("real uploads become TranscodeJobs, keys with @, +, spaces and unicode intact (latencies printed)", async () => {
    const kc = adminKubeConfig();
    const keys = ["uploads/frank/u-1/frank@example.com holiday é.mp4", "uploads/frank/u-2/clip+plus.mov", "uploads/gina/u-3/日本.mkv"];
    const timings: { putToStreamMs: number; streamToJobMs: number; putToJobMs: number }[] = [];
    for (const [i, key] of keys.entries()) {
      const t0 = Date.now();
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: Buffer.alloc(4096, i), ContentType: "video/mp4" }));
      // Fine-grained polls so the split between MinIO's delivery and our pipeline is measured, not guessed.
      await waitFor(async () => (await redis.xlen(stream)) === i + 1, 10_000, `entry ${i + 1} on the stream`);
      const t1 = Date.now();
      await waitFor(async () => (await listJobs(kc, namespace)).length === i + 1, 10_000, `job ${i + 1}`);
      const t2 = Date.now();
      timings.push({ putToStreamMs: t1 - t0, streamToJobMs: t2 - t1, putToJobMs: t2 - t0 });
    }
    // MinIO with a queue dir (as the test starter configures it) replays stored events on a fixed 3 s ticker
    // (internal/store/store.go retryInterval), so its own delivery takes up to 3 s; ours is stream -> job.
    console.log(`      ${JSON.stringify(timings)}`);
    const jobs = await listJobs(kc, namespace);
    assert.deepEqual(jobs.map((j) => j.spec.source.key).sort(), [...keys].sort(), "decoded keys, with @, +, spaces and unicode intact");
    assert.ok(jobs.every((j) => j.spec.source.bucket === bucket));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "uploads/frank/u-9/notes.txt", Body: "hello", ContentType: "text/plain" }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "elsewhere/frank.mp4", Body: Buffer.alloc(16), ContentType: "video/mp4" }));
    await waitFor(async () => /outcome="ignored",reason="not-media"} 1/.test(await registry.getSingleMetricAsString("tj_upload_events_total")), 10_000, "non-video counted");
    assert.equal((await listJobs(kc, namespace)).length, keys.length);
    assert.equal(await redis.xlen(stream), keys.length);
  });

  it("a presigned POST replayed with other bytes within its lifetime is one upload: one job", async () => {
    const kc = adminKubeConfig();
    const storage = new S3UploadStorage(s3, bucket);
    const { key } = newUploadKey("uploads/", "hana", "replayed.mp4");
    const post = await storage.presignPost(key, "video/mp4", 1 << 20, 300);
    const before = await redis.xlen(stream);
    const exists = async () => {
      const m = await bridge.registry.getSingleMetric("tj_bridge_jobs_total")?.get();
      return m?.values.find((v) => v.labels.result === "exists")?.value ?? 0;
    };
    const existsBefore = await exists();
    for (const fill of [1, 2, 3]) {
      const res = await postForm(post, new Uint8Array(2048).fill(fill));
      assert.equal(res.status, 204, res.text);
    }
    // Three versions, three events on the stream (each a new ETag); the bridge makes one job and counts the rest.
    await waitFor(async () => (await redis.xlen(stream)) === before + 3, 15_000, "three upload events");
    await waitFor(async () => (await exists()) === existsBefore + 2, 10_000, "two more entries counted as an existing job");
    const jobs = (await listJobs(kc, namespace)).filter((j) => j.spec.source.key === key);
    assert.equal(jobs.length, 1);
  });

  it("without MinIO's durable queue dir, an upload becomes a TranscodeJob at once (latency printed)", async () => {
    const env = testEnv();
    const dir = join(env.tmpDir, `local-minio-fast-${randomBytes(3).toString("hex")}`);
    mkdirSync(dir, { recursive: true });
    const fast = new StartContext(dir, dir);
    const unregisterFast = registerExitCleanup(() => fast.processes.forEach((p) => p.killNow()));
    const minio = await startMinio(fast, { notifyWebhook: receiver.url, notifyQueueDir: false });
    const s3fast = new S3Client({ endpoint: minio.endpoint, region: minio.region, forcePathStyle: true, credentials: { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey } });
    try {
      const fastBucket = `${bucket}-fast`;
      await s3fast.send(new CreateBucketCommand({ Bucket: fastBucket }));
      await configureUploadNotifications(s3fast, fastBucket, { prefix: "uploads/" });
      const kc = adminKubeConfig();
      const before = (await listJobs(kc, namespace)).length;
      const t0 = Date.now();
      await s3fast.send(new PutObjectCommand({ Bucket: fastBucket, Key: "uploads/gina/u-1/fast.mp4", Body: Buffer.alloc(4096, 1), ContentType: "video/mp4" }));
      await waitFor(async () => (await listJobs(kc, namespace)).length === before + 1, 10_000, "job from a real upload");
      const ms = Date.now() - t0;
      console.log(`      upload -> TranscodeJob: ${ms} ms`);
    } finally {
      s3fast.destroy();
      await Promise.allSettled(fast.processes.map((p) => p.stop()));
      unregisterFast();
    }
  });
});
