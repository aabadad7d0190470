import assert from "node:assert/strict";
import { Redis } from "ioredis";
import { Registry } from "prom-client";
import { decodeEntryFields, RedisUploadStream } from "../../lib/uploads/index.js";
import { BridgeMetrics, LegacyDrain, loadBridgeConfig, startBridgeApp } from "../../bridge/index.js";
import { testEnv } from "../env/index.js";
import { waitFor } from "../support/wait.js";
import { suiteRedisUser, type SuiteRedisUser } from "../support/redis-users.js";
import { adminKubeConfig, createNamespace, dropStreamKeys, ensureCrd, listJobs, quietLog, uniqueId } from "./harness.js";

describe("bridge: legacy list migration and the assembled app", function () {
  this.timeout(60_000);
  /** Admin: the test's own setup and checks. */
  let redis: Redis;
  /** The bridge's user for this test's stream and list: what the code under test runs with. */
  let user: SuiteRedisUser;
  let bridgeRedis: Redis;
  let id: string;
  let stream: string;
  let list: string;

  beforeEach(async () => {
    redis = new Redis(testEnv().redis.url);
    id = uniqueId();
    stream = `test-legacy:${id}:uploads`;
    list = `test-legacy:${id}:VideoJobs`;
    user = await suiteRedisUser("bridge", { uploadsStream: stream, legacyList: list });
    bridgeRedis = new Redis(user.url);
  });
  afterEach(async () => {
    await dropStreamKeys(redis, stream);
    await redis.del(list, `${list}:processing`);
    bridgeRedis.disconnect();
    await user.remove();
    await redis.quit();
  });

  const drainFor = (): LegacyDrain =>
    new LegacyDrain({
      redis: bridgeRedis,
      stream: new RedisUploadStream(bridgeRedis, { stream }),
      deadLetterStream: `${stream}:dead`,
      log: quietLog,
      metrics: new BridgeMetrics(new Registry(), () => Promise.resolve({ lag: 0, pending: 0, deadLetters: 0, length: 0 })),
      list,
      pollMs: 50,
      recoverEveryMs: 0,
      owner: "legacy",
    });

  it("moves every item of the original list onto the stream, in order, dead-letters junk, loses nothing on a crash", async () => {
    // The original service LPUSHed {key, objectUrl} and popped from the right.
    const items = [
      { key: "bob%40example.com/holiday+1.mp4", objectUrl: "https://old-videos.s3.amazonaws.com/bob%40example.com/holiday+1.mp4" },
      { key: "uploads/carol/u1/c.mov", objectUrl: "https://old-videos.s3.us-east-1.amazonaws.com/uploads/carol/u1/c.mov" },
    ];
    for (const it of items) await redis.lpush(list, JSON.stringify(it));
    await redis.lpush(list, "not json at all");
    // An item a crashed drainer had moved to the processing list but not yet appended.
    await redis.lpush(`${list}:processing`, JSON.stringify({ key: "dave/crashed.mp4", objectUrl: "https://old-videos.s3.amazonaws.com/dave/crashed.mp4" }));
    // And one that a crashed drainer had already appended (the append must not happen twice).
    const drain = drainFor();
    assert.equal(await drain.drainOnce(), 4);
    await redis.lpush(`${list}:processing`, JSON.stringify(items[0]));
    assert.equal(await drain.drainOnce(), 1);

    assert.equal(await redis.llen(list), 0);
    assert.equal(await redis.llen(`${list}:processing`), 0);
    const entries = (await redis.xrange(stream, "-", "+")).map(([, f]) => decodeEntryFields(f));
    assert.deepEqual(
      entries.map((e) => (e.ok ? [e.entry.key, e.entry.ownerId, e.entry.bucket] : e.error)),
      [
        ["dave/crashed.mp4", "legacy", "old-videos"],
        ["bob@example.com/holiday 1.mp4", "legacy", "old-videos"],
        ["uploads/carol/u1/c.mov", "carol", "old-videos"],
      ],
    );
    const dead = await redis.xrange(`${stream}:dead`, "-", "+");
    assert.equal(dead.length, 1);
    assert.ok(dead[0]![1].includes("not json at all"));
  });

  it("runs as configured from the environment: drains the legacy list, creates jobs, serves /healthz /readyz /metrics, stops cleanly", async () => {
    const env = testEnv();
    const kc = adminKubeConfig();
    await ensureCrd(kc);
    const namespace = `bridge-app-${id}`;
    await createNamespace(kc, namespace);
    assert.throws(() => loadBridgeConfig({ REDIS_URL: "http://nope" }), /REDIS_URL: must be a redis:\/\/ or rediss:\/\/ URL\n {2}UPLOADS_BUCKET: is required\n {2}OUTPUTS_BUCKET: is required/);
    const { config } = loadBridgeConfig({
      REDIS_URL: user.url,
      KUBECONFIG: env.kube.kubeconfigPath,
      JOBS_NAMESPACE: namespace,
      UPLOADS_BUCKET: "uploads-bucket",
      SOURCE_BUCKETS: "old-videos",
      OUTPUTS_BUCKET: "outputs-bucket",
      UPLOADS_STREAM: stream,
      HTTP_HOST: "127.0.0.1",
      HTTP_PORT: "0",
      BRIDGE_BLOCK_MS: "200",
      LEGACY_DRAIN: "true",
      LEGACY_LIST: list,
      LEGACY_POLL_MS: "100",
      LOG_LEVEL: "silent",
    });
    // Legacy objects keep the tenancy rule too: under the legacy owner's upload prefix they become jobs; one outside is dead-lettered.
    for (let i = 0; i < 4; i++) {
      const key = `uploads/legacy/old/clip-${i}.mp4`;
      await redis.lpush(list, JSON.stringify({ key, objectUrl: `https://old-videos.s3.amazonaws.com/${key}` }));
    }
    await redis.lpush(list, JSON.stringify({ key: "old/clip-4.mp4", objectUrl: "https://old-videos.s3.amazonaws.com/old/clip-4.mp4" }));
    const app = await startBridgeApp(config);
    try {
      await waitFor(async () => (await listJobs(kc, namespace)).length === 4, 15_000, "legacy items became jobs");
      await waitFor(async () => (await redis.xlen(`${stream}:dead`)) === 1, 15_000, "the item outside the prefix dead-lettered");
      const dead = (await redis.xrange(`${stream}:dead`, "-", "+"))[0]?.[1] ?? [];
      assert.equal(dead[dead.indexOf("reason") + 1], "tenancy");
      const jobs = await listJobs(kc, namespace);
      assert.ok(jobs.every((j) => j.spec.owner === "legacy" && j.spec.source.bucket === "old-videos"));
      assert.equal((await fetch(`${app.http.url}/healthz`)).status, 200);
      assert.equal((await fetch(`${app.http.url}/readyz`)).status, 200);
      const metrics = await (await fetch(`${app.http.url}/metrics`)).text();
      for (const name of ["tj_bridge_stream_lag", "tj_bridge_pending", "tj_bridge_dead_letters", "tj_bridge_jobs_total", "tj_bridge_legacy_items_total"]) {
        assert.match(metrics, new RegExp(`^${name}`, "m"), name);
      }
      assert.match(metrics, /^tj_bridge_stream_lag 0$/m);
      assert.match(metrics, /^tj_bridge_legacy_items_total\{result="appended"\} 5$/m);
    } finally {
      await app.stop();
    }
    await assert.rejects(fetch(`${app.http.url}/healthz`), "the HTTP server is closed after stop");
    await app.stop();
  });
});
