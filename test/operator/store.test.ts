import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { MongoClient, type Db } from "mongodb";
import { FencedError, MongoJobStore, MongoSlots } from "../../lib/store/index.js";
import { testEnv } from "../env/index.js";

describe("lib/store against FerretDB", function () {
  this.timeout(60_000);
  let client: MongoClient;
  let db: Db;

  before(async () => {
    client = new MongoClient(testEnv().mongo.url);
    await client.connect();
    db = client.db(`op_store_${randomUUID().slice(0, 8)}`);
  });
  after(async () => {
    await db?.dropDatabase().catch(() => undefined);
    await client?.close();
  });

  describe("MongoJobStore.changedSince (the fair share's memory across failover)", () => {
    it("returns the records changed since an instant, with what usageIntervals needs, and nothing older", async () => {
      const store = new MongoJobStore(db, "jobs_usage");
      await store.ensureIndexes();
      const t = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
      await store.ensure({ uid: "old", namespace: "ns", name: "old", owner: "alice", spec: {}, createdAt: t(0), phase: "Queued", at: t(1) });
      await store.ensure({ uid: "new", namespace: "ns", name: "new", spec: {}, createdAt: t(0), phase: "Queued", at: t(1) });
      await store.recordPhase("new", { phase: "Starting", at: t(100) });
      await store.recordPhase("new", { phase: "Succeeded", at: t(160) });
      // ensure() stamps updatedAt with the wall clock: the old record last changed long ago.
      await db.collection("jobs_usage").updateOne({ _id: "old" as never }, { $set: { updatedAt: t(0) } });
      const since = await store.changedSince(t(50));
      assert.deepEqual(since.map((r) => [r.namespace, r.owner]), [["ns", null]]);
      assert.deepEqual(since[0]!.phaseHistory.map((h) => h.phase), ["Pending", "Queued", "Starting", "Succeeded"]);
      assert.equal((await store.changedSince(t(0))).length, 2);
    });
  });

  describe("MongoSlots", () => {
    it("never hands out more than `capacity` slots, even to concurrent claimants", async () => {
      const slots = new MongoSlots(db, 5, { slots: "slots_cap", fencing: "fencing_cap" });
      await Promise.all([slots.init(), slots.init()]);
      // Several rounds: FerretDB's lost updates showed only under real concurrency.
      for (let round = 0; round < 3; round++) {
        await Promise.all(Array.from({ length: 20 }, (_, i) => slots.release(`job-${i}`)));
        const claims = await Promise.all(Array.from({ length: 20 }, (_, i) => slots.claim(`job-${i}`, 1)));
        const won = claims.filter((c) => c !== undefined);
        assert.equal(won.length, 5, `round ${round}`);
        assert.deepEqual([...new Set(won)].sort(), [0, 1, 2, 3, 4]);
      }
      const claims = await Promise.all(Array.from({ length: 20 }, (_, i) => slots.claim(`job-${i}`, 1)));
      const won = claims.filter((c) => c !== undefined);
      assert.equal(won.length, 5);
      assert.deepEqual([...new Set(won)].sort(), [0, 1, 2, 3, 4]);
      assert.equal((await slots.holders()).length, 5);
    });

    it("claim is idempotent per holder and release frees the slot for the next one", async () => {
      const slots = new MongoSlots(db, 2, { slots: "slots_idem", fencing: "fencing_idem" });
      await slots.init();
      const a1 = await slots.claim("a", 1);
      const a2 = await slots.claim("a", 1);
      assert.equal(a1, a2);
      assert.notEqual(await slots.claim("b", 1), undefined);
      assert.equal(await slots.claim("c", 1), undefined);
      assert.equal(await slots.release("a"), 1);
      assert.equal(await slots.release("a"), 0, "a second release is a no-op");
      assert.equal(await slots.claim("c", 1), a1);
    });

    it("with the caller's reading of the table: the nth free slot, the held one if the reading missed it, none when full", async () => {
      const slots = new MongoSlots(db, 5, { slots: "slots_hint", fencing: "fencing_hint" });
      await slots.init();
      assert.equal(await slots.claim("a", 1, { seen: [], nth: 0 }), 0);
      let seen = await slots.holders();
      // Claimants ranked 0..3 in one reading take the free slots 1..4 in order: no collisions among them.
      const got = await Promise.all(["b", "c", "d", "e"].map((h, nth) => slots.claim(h, 1, { seen, nth })));
      assert.deepEqual(got, [1, 2, 3, 4]);
      await slots.release("e");
      assert.equal(await slots.claim("a", 1, { seen: [], nth: 4 }), 0, "a stale reading that misses the holder's own slot: no second slot");
      assert.equal(await slots.claim("e", 1, { seen, nth: 0 }), 4);
      seen = await slots.holders();
      assert.equal(await slots.claim("f", 1, { seen: [], nth: 0 }), undefined, "every slot the stale reading called free is taken");
      await slots.release("c");
      assert.equal(await slots.claim("f", 1, { seen, nth: 0 }), 2, "the reading says full, the table has room: read again");
      assert.equal((await slots.holders()).length, 5);
    });

    it("a hinted claim is fenced like any other", async () => {
      const slots = new MongoSlots(db, 3, { slots: "slots_hint_fence", fencing: "fencing_hint_fence" });
      await slots.init();
      assert.notEqual(await slots.claim("new", 7, { seen: [] }), undefined);
      await assert.rejects(slots.claim("old", 6, { seen: [] }), FencedError);
      assert.deepEqual((await slots.holders()).map((h) => h.holder), ["new"]);
    });

    it("a new leader's entry fences the old one before it claims anything: its claims and launches are refused", async () => {
      const oldLeader = new MongoSlots(db, 3, { slots: "slots_enter", fencing: "fencing_enter" });
      const newLeader = new MongoSlots(db, 3, { slots: "slots_enter", fencing: "fencing_enter" });
      await oldLeader.init();
      await oldLeader.enter(4);
      assert.notEqual(await oldLeader.claim("held-before", 4), undefined);
      await oldLeader.assertCurrent(4);
      await newLeader.enter(5);
      await assert.rejects(oldLeader.assertCurrent(4), FencedError, "the launch of a slot held from before is fenced");
      await assert.rejects(oldLeader.claim("another", 4), FencedError);
      await assert.rejects(oldLeader.enter(4), FencedError, "a deposed leader cannot enter again with its old epoch");
      await newLeader.assertCurrent(5);
    });

    it("refuses claims from an older leader epoch (fencing)", async () => {
      const slots = new MongoSlots(db, 3, { slots: "slots_fence", fencing: "fencing_fence" });
      await slots.init();
      assert.notEqual(await slots.claim("new-leader-job", 7), undefined);
      await assert.rejects(slots.claim("old-leader-job", 6), FencedError);
      assert.notEqual(await slots.claim("same-epoch", 7), undefined);
      assert.notEqual(await slots.claim("newer", 8), undefined);
      await assert.rejects(slots.claim("x", 7), FencedError);
      assert.deepEqual((await slots.holders()).map((h) => h.holder).sort(), ["new-leader-job", "newer", "same-epoch"]);
    });

    it("a smaller capacity on restart keeps existing holders but admits only below the new cap", async () => {
      const big = new MongoSlots(db, 4, { slots: "slots_shrink", fencing: "fencing_shrink" });
      await big.init();
      const slotOf = new Map<string, number | undefined>();
      for (const h of ["a", "b", "c", "d"]) slotOf.set(h, await big.claim(h, 1));
      const above = [...slotOf].filter(([, n]) => n! >= 2).map(([h]) => h);
      const below = [...slotOf].filter(([, n]) => n! < 2).map(([h]) => h);
      const small = new MongoSlots(db, 2, { slots: "slots_shrink", fencing: "fencing_shrink" });
      await small.init();
      await small.release(above[0]!);
      assert.equal(await small.claim("e", 1), undefined, `slot ${slotOf.get(above[0]!)} is above the new cap`);
      await small.release(below[0]!);
      assert.equal(await small.claim("e", 1), slotOf.get(below[0]!));
    });

    it("rejects a nonsensical capacity at construction", () => {
      assert.throws(() => new MongoSlots(db, 0), RangeError);
    });
  });

  describe("MongoJobStore", () => {
    it("creates once, records phase history without duplicates, keeps the record after deletion", async () => {
      const store = new MongoJobStore(db, "jobs_a");
      await store.ensureIndexes();
      await store.ensureIndexes();
      const uid = randomUUID();
      const createdAt = new Date("2026-01-01T00:00:00Z");
      const base = { uid, namespace: "ns", name: "j1", owner: "alice", spec: { source: { bucket: "b", key: "k" } }, createdAt };
      await Promise.all([store.ensure(base), store.ensure(base)]);
      await store.recordPhase(uid, { phase: "Queued", at: new Date(), attempts: 0 });
      await store.recordPhase(uid, { phase: "Queued", at: new Date(), attempts: 0 });
      await store.addTaskRef(uid, { launcher: "ecs", id: "t1", attempt: 1, at: new Date() });
      await store.addTaskRef(uid, { launcher: "ecs", id: "t1", attempt: 1, at: new Date() });
      await store.recordPhase(uid, { phase: "Failed", at: new Date(), attempts: 1, reason: "CorruptInput", message: "bad" });
      await store.markDeleted(uid, new Date());
      const rec = await store.get(uid);
      assert.ok(rec);
      assert.equal(rec.owner, "alice");
      assert.deepEqual(rec.phaseHistory.map((p) => p.phase), ["Pending", "Queued", "Failed"]);
      assert.equal(rec.phase, "Failed");
      assert.equal(rec.reason, "CorruptInput");
      assert.equal(rec.taskRefs.length, 1);
      assert.ok(rec.deletedAt instanceof Date);
      await store.recordPhase(uid, { phase: "Succeeded", at: new Date(), attempts: 2 });
      const after = await store.get(uid);
      assert.equal(after?.reason, undefined, "success clears the failure reason");
    });

    it("lists by owner, newest first, with keyset pagination", async () => {
      const store = new MongoJobStore(db, "jobs_b");
      for (let i = 0; i < 5; i++) {
        await store.ensure({ uid: `u${i}`, namespace: "ns", name: `j${i}`, owner: i % 2 ? "bob" : "carol", spec: {}, createdAt: new Date(Date.UTC(2026, 0, 1, 0, i)) });
      }
      const carol = await store.list({ owner: "carol" });
      assert.deepEqual(carol.map((r) => r.name), ["j4", "j2", "j0"]);
      const page2 = await store.list({ owner: "carol", before: carol[0]!.createdAt, limit: 1 });
      assert.deepEqual(page2.map((r) => r.name), ["j2"]);
      assert.equal(await store.get("nope"), undefined);
    });
  });
});
