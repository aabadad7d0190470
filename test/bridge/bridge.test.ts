import assert from "node:assert/strict";
import * as k8s from "@kubernetes/client-node";
import { Redis } from "ioredis";
import { OWNER_LABEL } from "../../crds/index.js";
import { ENTRY_FIELD, UPLOAD_KEY_ANNOTATION, encodeEntryFields, jobNameFor } from "../../lib/uploads/index.js";
import { KubeJobCreator, type JobCreator } from "../../bridge/index.js";
import { testEnv } from "../env/index.js";
import { waitFor, waitForMetric } from "../support/wait.js";
import {
  adminKubeConfig,
  createNamespace,
  dropStreamKeys,
  ensureCrd,
  entryFor,
  listJobs,
  startTestBridge,
  uniqueId,
  uploadStream,
  type TestBridge,
} from "./harness.js";

describe("bridge against real Redis and kube-apiserver", function () {
  this.timeout(60_000);
  let kc: ReturnType<typeof adminKubeConfig>;
  let redis: Redis;
  let namespace: string;
  let stream: string;
  let running: TestBridge[] = [];

  before(async () => {
    kc = adminKubeConfig();
    await ensureCrd(kc);
  });
  beforeEach(async () => {
    const id = uniqueId();
    namespace = `bridge-${id}`;
    stream = `test-bridge:${id}:uploads`;
    redis = new Redis(testEnv().redis.url);
    await createNamespace(kc, namespace);
  });
  afterEach(async () => {
    await Promise.all(running.map((b) => b.stop()));
    running = [];
    await dropStreamKeys(redis, stream);
    await redis.quit();
  });
  const start = async (o: Parameters<typeof startTestBridge>[0], k?: ReturnType<typeof adminKubeConfig>): Promise<TestBridge> => {
    const b = await startTestBridge(o, k ?? kc);
    running.push(b);
    return b;
  };
  const pending = async (): Promise<number> => Number((await redis.xpending(stream, "bridge"))[0]);
  const deadLetters = async (): Promise<Record<string, string>[]> =>
    (await redis.xrange(`${stream}:dead`, "-", "+")).map(([, f]) => Object.fromEntries(f.flatMap((v, i) => (i % 2 ? [] : [[v, f[i + 1] ?? ""]]))) as Record<string, string>);

  it("creates one TranscodeJob per upload with the contract's name, owner label, spec.owner and output prefix", async () => {
    const entry = entryFor("uploads/erin/u-42/bob%40example.com+final.mp4", "etag-1");
    await uploadStream(redis, stream).append(entry);
    await start({ stream, namespace });
    const name = jobNameFor(entry.idempotencyKey);
    await waitFor(async () => (await listJobs(kc, namespace)).length === 1, 10_000, "job created");
    const [job] = await listJobs(kc, namespace);
    assert.equal(job!.metadata.name, name);
    assert.equal(job!.metadata.labels?.[OWNER_LABEL], "erin");
    assert.equal(job!.metadata.annotations?.[UPLOAD_KEY_ANNOTATION], "uploads-bucket/uploads/erin/u-42/bob@example.com final.mp4@etag-1");
    assert.deepEqual(job!.spec.source, { bucket: "uploads-bucket", key: "uploads/erin/u-42/bob@example.com final.mp4" });
    assert.deepEqual(job!.spec.output, { bucket: "outputs-bucket", prefix: `outputs/erin/${name}/` });
    assert.equal(job!.spec.owner, "erin");
    await waitFor(async () => (await pending()) === 0, 5_000, "entry acknowledged");
  });

  it("counts AlreadyExists as success: a second entry for the same upload is acknowledged, no second job", async () => {
    const b = await start({ stream, namespace });
    const entry = entryFor("uploads/erin/u1/a.mp4");
    // Bypass the lambda's dedupe: the same upload twice on the stream, as after the dedupe key expired.
    await redis.xadd(stream, "*", ...encodeEntryFields(entry));
    await redis.xadd(stream, "*", ...encodeEntryFields(entry));
    await waitFor(async () => (await b.bridge.streamStats()).lag === 0 && (await pending()) === 0, 10_000, "both acknowledged");
    assert.equal((await listJobs(kc, namespace)).length, 1);
    await waitForMetric(b.registry, "tj_bridge_jobs_total", [/result="created"} 1/, /result="exists"} 1/]);
  });

  it("dead-letters a malformed entry with its error, counts it, and keeps going", async () => {
    const b = await start({ stream, namespace });
    await redis.xadd(stream, "*", ENTRY_FIELD, "{not json");
    await redis.xadd(stream, "*", ENTRY_FIELD, JSON.stringify({ v: 1, bucket: "x" }));
    await redis.xadd(stream, "*", "something", "else");
    await uploadStream(redis, stream).append(entryFor("uploads/erin/u1/after.mp4"));
    await waitFor(async () => (await listJobs(kc, namespace)).length === 1, 10_000, "the good entry still becomes a job");
    await waitFor(async () => (await deadLetters()).length === 3, 5_000, "three dead letters");
    const dead = await deadLetters();
    assert.deepEqual(dead.map((d) => d.reason), ["malformed", "malformed", "malformed"]);
    assert.match(dead[0]!.error!, /not JSON/);
    assert.match(dead[1]!.error!, /invalid entry/);
    assert.match(dead[2]!.error!, /no "entry" field/);
    assert.equal(await pending(), 0);
    await waitForMetric(b.registry, "tj_bridge_dead_lettered_total", /reason="malformed"} 3/);
    await waitForMetric(b.registry, "tj_bridge_dead_letters", /tj_bridge_dead_letters 3/);
  });

  it("dead-letters an upload that cannot be a valid TranscodeJob (bucket name the CRD refuses)", async () => {
    await start({ stream, namespace });
    await uploadStream(redis, stream).append(entryFor("uploads/erin/u1/a.mp4", "e", "Bad_Bucket"));
    await waitFor(async () => (await deadLetters()).length === 1, 10_000, "dead letter");
    const [d] = await deadLetters();
    assert.equal(d!.reason, "invalid");
    assert.match(d!.error!, /source\.bucket/);
  });

  // Forged or misrouted entries (anyone with the lambda's XADD right could write them): each is dead-lettered with
  // reason tenancy, and no job is created.
  const forged: { name: string; entry: () => ReturnType<typeof entryFor>; field: RegExp }[] = [
    { name: "an owner that is not its key's (a job in alice's account reading bob's video)", entry: () => ({ ...entryFor("uploads/bob/u1/secret.mp4"), ownerId: "alice" }), field: /spec\.source\.key: must lie under uploads\/alice\// },
    { name: "the outputs bucket as its source", entry: () => entryFor("uploads/erin/u1/a.mp4", uniqueId(), "outputs-bucket"), field: /spec\.source\.bucket/ },
    { name: "a bucket this deployment does not serve", entry: () => entryFor("uploads/erin/u1/a.mp4", uniqueId(), "someone-elses-bucket"), field: /spec\.source\.bucket/ },
    { name: "a key with a .. segment", entry: () => ({ ...entryFor("uploads/erin/u1/a.mp4"), key: "uploads/erin/../bob/u1/a.mp4" }), field: /spec\.source\.key/ },
  ];
  for (const f of forged) {
    it(`dead-letters an entry naming ${f.name}; no job is created`, async () => {
      const b = await start({ stream, namespace });
      const entry = f.entry();
      await redis.xadd(stream, "*", ...encodeEntryFields(entry));
      await waitFor(async () => (await deadLetters()).length === 1, 10_000, "dead letter");
      const [d] = await deadLetters();
      assert.equal(d!.reason, "tenancy");
      assert.match(d!.error!, f.field);
      assert.deepEqual(await listJobs(kc, namespace), []);
      await waitForMetric(b.registry, "tj_bridge_dead_lettered_total", /reason="tenancy"} 1/);
    });
  }

  it("dead-letters an entry for an object over UPLOAD_MAX_BYTES (too-large); no job is created", async () => {
    await start({ stream, namespace, maxSourceBytes: 1000 });
    await redis.xadd(stream, "*", ...encodeEntryFields({ ...entryFor("uploads/erin/u1/huge.mp4"), size: 1001 }));
    await waitFor(async () => (await deadLetters()).length === 1, 10_000, "dead letter");
    assert.equal((await deadLetters())[0]!.reason, "too-large");
    assert.deepEqual(await listJobs(kc, namespace), []);
  });

  it("retries a transient failure (namespace missing), then succeeds once the cause is fixed", async () => {
    const later = `${namespace}-late`;
    await start({ stream, namespace: later, maxDeliveries: 50 });
    await uploadStream(redis, stream).append(entryFor("uploads/erin/u1/a.mp4"));
    await waitFor(async () => (await redis.hlen(`${stream}:errors`)) === 1, 10_000, "failure recorded");
    assert.equal(await pending(), 1, "not acknowledged while the job does not exist");
    assert.match(Object.values(await redis.hgetall(`${stream}:errors`))[0]!, /namespaces "[^"]+" not found/);
    await createNamespace(kc, later);
    await waitFor(async () => (await listJobs(kc, later)).length === 1, 20_000, "job created after the namespace appeared");
    await waitFor(async () => (await pending()) === 0 && (await redis.hlen(`${stream}:errors`)) === 0, 5_000, "acknowledged, error forgotten");
  });

  it("moves an entry that keeps failing to the dead-letter stream after maxDeliveries, with the last error", async () => {
    const b = await start({ stream, namespace: `${namespace}-never`, maxDeliveries: 3 });
    await uploadStream(redis, stream).append(entryFor("uploads/erin/u1/a.mp4"));
    await waitFor(async () => (await deadLetters()).length === 1, 20_000, "dead-lettered");
    const [d] = await deadLetters();
    assert.equal(d!.reason, "too-many-deliveries");
    assert.equal(d!.deliveries, "3");
    assert.match(d!.error!, /namespaces "[^"]+" not found/);
    assert.equal(await pending(), 0);
    // Redrive after the cause is fixed: back on the stream, and this time it becomes a job.
    await b.stop();
    running = running.filter((r) => r !== b);
    await createNamespace(kc, `${namespace}-never`);
    const again = await start({ stream, namespace: `${namespace}-never` });
    assert.equal(await again.bridge.redrive(), 1);
    await waitFor(async () => (await listJobs(kc, `${namespace}-never`)).length === 1, 10_000, "redriven entry became a job");
    assert.equal((await deadLetters()).length, 0);
  });

  it("claims what a dead consumer left pending (XAUTOCLAIM) and what an unreachable apiserver could not create", async () => {
    const s = uploadStream(redis, stream);
    for (let i = 0; i < 5; i++) await s.append(entryFor(`uploads/erin/u${i}/a.mp4`));
    // A consumer that read everything and died without acknowledging.
    await redis.xgroup("CREATE", stream, "bridge", "0", "MKSTREAM");
    await redis.xreadgroup("GROUP", "bridge", "ghost", "COUNT", 3, "STREAMS", stream, ">");
    // A bridge whose apiserver is unreachable takes the other two and cannot create them.
    const admin = adminKubeConfig();
    const unreachable = new k8s.KubeConfig();
    unreachable.loadFromOptions({
      clusters: admin.clusters.map((c) => ({ ...c, server: "https://127.0.0.1:1" })),
      users: admin.users,
      contexts: admin.contexts,
      currentContext: admin.currentContext,
    });
    const broken = await start({ stream, namespace, claimIdleMs: 60_000 }, unreachable);
    await waitFor(async () => (await redis.hlen(`${stream}:errors`)) >= 2, 10_000, "unreachable apiserver recorded");
    await broken.stop();
    running = running.filter((r) => r !== broken);
    assert.equal(await pending(), 5);
    assert.equal((await listJobs(kc, namespace)).length, 0);

    const b = await start({ stream, namespace, claimIdleMs: 300 });
    await waitFor(async () => (await listJobs(kc, namespace)).length === 5, 15_000, "all five claimed and created");
    await waitFor(async () => (await pending()) === 0, 5_000, "all acknowledged");
    assert.match(await b.registry.getSingleMetricAsString("tj_bridge_claimed_total"), /tj_bridge_claimed_total [5-9]/);
    assert.equal((await deadLetters()).length, 0);
  });

  it("dead-letters an entry a consumer crashed on more than maxDeliveries times (no error recorded)", async () => {
    await uploadStream(redis, stream).append(entryFor("uploads/erin/u1/poison.mp4"));
    await redis.xgroup("CREATE", stream, "bridge", "0", "MKSTREAM");
    await redis.xreadgroup("GROUP", "bridge", "crasher", "STREAMS", stream, ">");
    const [[id]] = (await redis.xpending(stream, "bridge", "-", "+", 1)) as [[string]];
    // Three more deliveries that each ended in a crash: delivery count 4 > maxDeliveries 3.
    for (let i = 0; i < 3; i++) await redis.xclaim(stream, "bridge", `crasher-${i}`, 0, id);
    await start({ stream, namespace, maxDeliveries: 3 });
    await waitFor(async () => (await deadLetters()).length === 1, 10_000, "dead-lettered without another try");
    const [d] = await deadLetters();
    assert.equal(d!.reason, "too-many-deliveries");
    assert.match(d!.error!, /no error recorded/);
    assert.equal((await listJobs(kc, namespace)).length, 0);
  });

  it("keeps an entry it is still working on: a slow create is not a dead consumer (no claim, no extra delivery)", async () => {
    // The real apiserver behind a port that answers 1.5 s late, five times the claim idle time.
    const real = new KubeJobCreator(kc);
    const slow: JobCreator = { create: async (job) => (await new Promise((r) => setTimeout(r, 1500)), real.create(job)) };
    await uploadStream(redis, stream).append(entryFor("uploads/erin/u1/slow.mp4"));
    const a = await start({ stream, namespace, claimIdleMs: 300, claimIntervalMs: 100, maxDeliveries: 1, creator: slow });
    await waitFor(async () => (await pending()) === 1, 5_000, "A holds the entry");
    const b = await start({ stream, namespace, claimIdleMs: 300, claimIntervalMs: 100, maxDeliveries: 1 });
    await waitFor(async () => (await listJobs(kc, namespace)).length === 1 && (await pending()) === 0, 10_000, "A created and acknowledged it");
    await waitForMetric(a.registry, "tj_bridge_jobs_total", /result="created"} 1/);
    assert.match(await b.registry.getSingleMetricAsString("tj_bridge_claimed_total"), /tj_bridge_claimed_total 0/);
    assert.equal((await deadLetters()).length, 0);
  });

  it("survives dropped Redis connections: reconnects and keeps turning entries into jobs", async () => {
    const b = await start({ stream, namespace, consumer: `drop-${uniqueId()}` });
    const s = uploadStream(redis, stream);
    await s.append(entryFor("uploads/erin/d1/a.mp4"));
    await waitFor(async () => (await listJobs(kc, namespace)).length === 1, 10_000, "first job");
    const list = String(await redis.call("CLIENT", "LIST"));
    const ids = list.split("\n").filter((l) => / name=bridge-drop-/.test(l)).map((l) => /^id=(\d+)/.exec(l)?.[1]).filter(Boolean) as string[];
    assert.equal(ids.length, 2, "both of the bridge's connections found");
    for (const id of ids) await redis.call("CLIENT", "KILL", "ID", id);
    await s.append(entryFor("uploads/erin/d2/a.mp4"));
    await s.append(entryFor("uploads/erin/d3/a.mp4"));
    await waitFor(async () => (await listJobs(kc, namespace)).length === 3, 15_000, "jobs after the connections were dropped");
    await waitFor(async () => (await pending()) === 0, 5_000, "all acknowledged");
    assert.equal(b.bridge.health().live, true);
  });

  it("stops gracefully: entries in hand are finished, nothing is read after stop", async () => {
    const b = await start({ stream, namespace, batchSize: 50 });
    const s = uploadStream(redis, stream);
    await Promise.all(Array.from({ length: 40 }, (_, i) => s.append(entryFor(`uploads/erin/g${i}/a.mp4`))));
    await waitFor(async () => (await listJobs(kc, namespace)).length > 0, 10_000, "processing started");
    await b.stop();
    running = running.filter((r) => r !== b);
    const jobs = (await listJobs(kc, namespace)).length;
    // Every entry the bridge took is either a job now (acknowledged) or still pending for a claim; none lost.
    const pend = await pending();
    assert.equal(pend, 0, "a graceful stop finishes what it read");
    await s.append(entryFor("uploads/erin/after-stop/a.mp4"));
    await new Promise((r) => setTimeout(r, 500));
    assert.equal((await listJobs(kc, namespace)).length, jobs, "no reads after stop");
    assert.equal(b.bridge.health().live, false);
  });
});
