import assert from "node:assert/strict";
import { Registry } from "prom-client";
import { jitteredBackoffMs, objectKey, splitKey } from "../../lib/kube/index.js";
import { FakeClock, KeyWorkQueue, itemBackoffMs, TokenBucket, runWorkers } from "../../operator/kube/index.js";

/** Drain everything ready right now without blocking (get() resolves synchronously-ready keys at once). */
async function drainReady(q: KeyWorkQueue): Promise<string[]> {
  const out: string[] = [];
  while (q.length > 0) {
    const k = await q.get();
    if (k === undefined) break;
    out.push(k);
  }
  return out;
}

describe("operator/kube workqueue (fake time)", () => {
  it("deduplicates keys that are waiting", async () => {
    const q = new KeyWorkQueue({ clock: new FakeClock() });
    q.add("ns/a");
    q.add("ns/b");
    q.add("ns/a");
    assert.equal(q.length, 2);
    assert.deepEqual(await drainReady(q), ["ns/a", "ns/b"]);
  });

  it("never hands a key to two workers; a key added while processing comes back after done()", async () => {
    const q = new KeyWorkQueue({ clock: new FakeClock() });
    q.add("ns/a");
    const first = await q.get();
    assert.equal(first, "ns/a");
    q.add("ns/a");
    q.add("ns/a");
    assert.equal(q.length, 0, "not ready while processing");
    assert.equal(q.processing, 1);
    q.done("ns/a");
    assert.equal(q.length, 1, "re-queued once");
    assert.equal(await q.get(), "ns/a");
    q.done("ns/a");
    assert.equal(q.length, 0);
    assert.equal(q.processing, 0);
  });

  it("keeps FIFO order across thousands of keys (the internal buffer compacts as it drains)", async () => {
    const q = new KeyWorkQueue({ clock: new FakeClock() });
    const keys = Array.from({ length: 5000 }, (_, i) => `ns/k${i}`);
    for (const k of keys.slice(0, 3000)) q.add(k);
    const out: string[] = [];
    for (let i = 0; i < 2500; i++) out.push((await q.get())!);
    for (const k of keys.slice(3000)) q.add(k);
    out.push(...(await drainReady(q)));
    assert.deepEqual(out, keys);
    assert.equal(q.length, 0);
  });

  it("addUrgent: ahead of a backlog, once; a key queued before moves up and is not handed out twice", async () => {
    const q = new KeyWorkQueue({ clock: new FakeClock() });
    for (let i = 0; i < 1000; i++) q.add(`ns/k${i}`);
    q.addUrgent("ns/k700"); // queued already: moves up
    q.addUrgent("ns/k700");
    q.addUrgent("ns/new"); // not queued: goes to the front lane
    assert.equal(q.length, 1001, "each key counted once");
    const out = await drainReady(q);
    assert.deepEqual(out.slice(0, 2), ["ns/k700", "ns/new"]);
    assert.equal(out.length, 1001);
    assert.equal(new Set(out).size, 1001, "no key twice");
    assert.equal(q.length, 0);
  });

  it("addUrgent while processing: back at the front once done, never to two workers", async () => {
    const q = new KeyWorkQueue({ clock: new FakeClock() });
    q.add("ns/a");
    assert.equal(await q.get(), "ns/a");
    for (let i = 0; i < 10; i++) q.add(`ns/b${i}`);
    q.addUrgent("ns/a");
    assert.equal(q.length, 10, "not ready while processing");
    q.done("ns/a");
    assert.equal(q.length, 11);
    assert.equal(await q.get(), "ns/a");
    // Queued normally again while processing, then urgently: one entry is stale and skipped.
    q.add("ns/b3");
    q.addUrgent("ns/b3");
    q.done("ns/a");
    const out = await drainReady(q);
    assert.deepEqual(out, ["ns/b3", "ns/b0", "ns/b1", "ns/b2", "ns/b4", "ns/b5", "ns/b6", "ns/b7", "ns/b8", "ns/b9"]);
    assert.equal(q.length, 0);
  });

  it("a pending get() is woken by add()", async () => {
    const q = new KeyWorkQueue({ clock: new FakeClock() });
    const p = q.get();
    q.add("x/y");
    assert.equal(await p, "x/y");
  });

  it("addAfter waits for the clock, keeps the earliest deadline, and still deduplicates", async () => {
    const clock = new FakeClock();
    const q = new KeyWorkQueue({ clock });
    q.addAfter("ns/a", 1000);
    q.addAfter("ns/a", 5000);
    q.addAfter("ns/b", 200);
    clock.advance(199);
    assert.equal(q.length, 0);
    clock.advance(1);
    assert.deepEqual(await drainReady(q), ["ns/b"]);
    clock.advance(800);
    assert.deepEqual(await drainReady(q), ["ns/a"]);
    clock.advance(10_000);
    assert.equal(q.length, 0, "the later deadline was dropped, not fired again");
    q.addAfter("ns/c", 0);
    assert.equal(q.length, 1, "zero delay is an immediate add");
  });

  it("shutDown resolves waiting getters with undefined, drops delayed keys and refuses new ones", async () => {
    const clock = new FakeClock();
    const q = new KeyWorkQueue({ clock });
    const waiting = q.get();
    q.addAfter("ns/a", 100);
    q.shutDown();
    assert.equal(await waiting, undefined);
    assert.equal(clock.pending, 0);
    q.add("ns/b");
    assert.equal(await q.get(), undefined);
    assert.equal(q.shuttingDown, true);
  });

  describe("per-item backoff (client-go ItemExponentialFailureRateLimiter 5 ms .. 1000 s)", () => {
    const table: [failures: number, ms: number][] = [
      [0, 5],
      [1, 10],
      [2, 20],
      [10, 5120],
      [17, 655_360],
      [18, 1_000_000],
      [64, 1_000_000],
      [5000, 1_000_000],
      [-3, 5],
    ];
    for (const [failures, ms] of table) {
      it(`after ${failures} failures waits ${ms} ms`, () => assert.equal(itemBackoffMs(failures), ms));
    }
  });

  it("addRateLimited backs off per key exponentially and forget() resets it", async () => {
    const clock = new FakeClock();
    const q = new KeyWorkQueue({ clock, bucket: { qps: 1e6, burst: 1e6 } });
    const readyAfter = async (key: string): Promise<number> => {
      const t0 = clock.now();
      q.addRateLimited(key);
      while (q.length === 0) clock.advance(1);
      const k = await q.get();
      assert.equal(k, key);
      q.done(key);
      return clock.now() - t0;
    };
    assert.deepEqual([await readyAfter("a"), await readyAfter("a"), await readyAfter("a"), await readyAfter("a")], [5, 10, 20, 40]);
    assert.equal(q.numRequeues("a"), 4);
    assert.equal(await readyAfter("b"), 5, "another key has its own backoff");
    q.forget("a");
    assert.equal(q.numRequeues("a"), 0);
    assert.equal(await readyAfter("a"), 5);
  });

  describe("token bucket (global limit)", () => {
    it("lets a burst through at once, then spaces items at 1/qps", () => {
      const b = new TokenBucket({ qps: 10, burst: 3 }, 0);
      assert.deepEqual([b.take(0), b.take(0), b.take(0), b.take(0), b.take(0)], [0, 0, 0, 100, 200]);
    });
    it("refills with time but never above burst", () => {
      const b = new TokenBucket({ qps: 10, burst: 2 }, 0);
      b.take(0);
      b.take(0);
      assert.equal(b.take(100), 0, "one token refilled after 100 ms");
      assert.deepEqual([b.take(10_000), b.take(10_000), b.take(10_000)], [0, 0, 100]);
    });
    it("rejects a nonsensical configuration", () => {
      assert.throws(() => new TokenBucket({ qps: 0, burst: 1 }, 0), RangeError);
    });
    it("limits addRateLimited across keys: 200 distinct keys with burst 100 at 10 qps take ~10 s", async () => {
      const clock = new FakeClock();
      const q = new KeyWorkQueue({ clock });
      for (let i = 0; i < 200; i++) q.addRateLimited(`ns/k${i}`);
      clock.advance(5);
      assert.equal(q.length, 100, "the burst");
      clock.advance(5000);
      assert.equal(q.length, 150);
      clock.advance(5000);
      assert.equal(q.length, 200);
      assert.equal((await drainReady(q)).length, 200);
    });
  });

  it("jittered reconnect backoff stays within [d/2, d] and caps at max", () => {
    const table: [attempt: number, rnd: number, ms: number][] = [
      [0, 0, 125],
      [0, 1, 250],
      [3, 0.5, 1500],
      [20, 1, 30_000],
      [20, 0, 15_000],
    ];
    for (const [attempt, rnd, ms] of table) assert.equal(jitteredBackoffMs(attempt, 250, 30_000, () => rnd), ms, `attempt ${attempt} rnd ${rnd}`);
  });

  it("runWorkers bounds concurrency, never runs one key twice at once, and exits on shutDown", async () => {
    const q = new KeyWorkQueue();
    let running = 0;
    let maxRunning = 0;
    const active = new Set<string>();
    const seen: string[] = [];
    const errors: string[] = [];
    const workers = runWorkers(
      q,
      3,
      async (key) => {
        assert.ok(!active.has(key), `key ${key} handed out twice`);
        active.add(key);
        running++;
        maxRunning = Math.max(maxRunning, running);
        await new Promise((r) => setTimeout(r, 5));
        // Re-adding while processing must defer, not run concurrently.
        if (!seen.includes(key)) q.add(key);
        seen.push(key);
        running--;
        active.delete(key);
        if (key === "ns/boom") throw new Error("handler failed");
      },
      (key) => errors.push(key),
    );
    for (let i = 0; i < 10; i++) q.add(`ns/k${i % 5}`);
    q.add("ns/boom");
    while (seen.length < 12) await new Promise((r) => setTimeout(r, 5));
    q.shutDown();
    await workers;
    assert.equal(maxRunning, 3);
    assert.equal(seen.length, 12, "5 keys + boom, each twice (once re-added while processing)");
    assert.deepEqual(errors, ["ns/boom", "ns/boom"]);
  });

  it("exports queue metrics to the given registry", async () => {
    const registry = new Registry();
    const q = new KeyWorkQueue({ clock: new FakeClock(), registry, name: "t" });
    q.add("ns/a");
    q.add("ns/b");
    const text = await registry.metrics();
    assert.match(text, /workqueue_depth\{name="t"\} 2/);
    assert.match(text, /workqueue_adds_total\{name="t"\} 2/);
  });

  describe("keys", () => {
    const table: [ns: string | undefined, name: string, key: string][] = [
      ["default", "a", "default/a"],
      [undefined, "cluster-scoped", "cluster-scoped"],
      ["team-1", "up-0123", "team-1/up-0123"],
    ];
    for (const [ns, name, key] of table) {
      it(`${String(ns)} + ${name} <-> ${key}`, () => {
        assert.equal(objectKey(ns, name), key);
        assert.deepEqual(splitKey(key), { namespace: ns, name });
      });
    }
  });
});
