import assert from "node:assert/strict";
import { OwnWrites } from "../../lib/kube/index.js";
import type { JobObject } from "../../operator/ports/index.js";

const at = (resourceVersion: string, name = "j"): JobObject => ({
  metadata: { name, namespace: "ns", uid: `uid-${name}`, resourceVersion },
  spec: { source: { bucket: "b", key: "k" }, output: { bucket: "o", prefix: "p/" } },
});

describe("OwnWrites", () => {
  describe("pick: never older than our own last write", () => {
    it("the cache when there is no write of ours", () => {
      const w = new OwnWrites<JobObject>();
      const cached = at("5");
      assert.equal(w.pick("ns/j", cached)?.object, cached);
    });
    it("our write while the cache lags behind it, the cache once it has caught up", () => {
      const w = new OwnWrites<JobObject>();
      const mine = at("9");
      w.record(mine);
      assert.equal(w.pick("ns/j", at("7"))?.object, mine);
      const caught = at("9");
      assert.equal(w.pick("ns/j", caught)?.object, caught);
      assert.equal(w.pick("ns/j", at("7"))?.object?.metadata?.resourceVersion, "7", "caught up once: the write is forgotten");
    });
    it("a delivery of our revision or a later one forgets the write (no copy kept beside the cache)", () => {
      const w = new OwnWrites<JobObject>();
      w.record(at("9"));
      w.delivered(at("8"));
      assert.equal(w.pick("ns/j", at("8"))?.object?.metadata?.resourceVersion, "9", "an older delivery does not");
      w.delivered(at("9"));
      assert.equal(w.pick("ns/j", at("8"))?.object?.metadata?.resourceVersion, "8");
    });
    it("a write whose revision the cache already has (the watch beat the response) is not kept at all", () => {
      const cache = new Map([["ns/j", at("9")]]);
      const seen: string[] = [];
      const w = new OwnWrites<JobObject>({ onWrite: (j) => seen.push(j.metadata?.resourceVersion ?? ""), cached: (key) => cache.get(key) });
      w.record(at("9"));
      assert.deepEqual(seen, []);
      assert.equal(w.pick("ns/j", at("8"))?.object?.metadata?.resourceVersion, "8", "nothing of ours to prefer");
      assert.equal(w.delivered(at("9")), false);
      w.record(at("10"));
      assert.deepEqual(seen, ["10"]);
    });
    it("keeps what it remembers without managedFields", () => {
      const w = new OwnWrites<JobObject>();
      const mine = at("9");
      (mine.metadata as { managedFields?: unknown[] }).managedFields = [{ manager: "transcode-operator" }];
      w.record(mine);
      assert.equal((w.pick("ns/j", at("7"))?.object?.metadata as { managedFields?: unknown }).managedFields, undefined);
    });
    it("cannot tell (ask the apiserver) when the job is not cached or revisions are not numbers", () => {
      const w = new OwnWrites<JobObject>();
      w.record(at("9"));
      assert.equal(w.pick("ns/j", undefined), undefined);
      assert.equal(w.pick("ns/j", at("abc")), undefined);
    });
  });

  describe("delivered: watch events that only deliver our own writes", () => {
    it("each revision our writes returned is an echo once; someone else's revision is not", () => {
      const w = new OwnWrites<JobObject>();
      w.record(at("10"));
      w.record(at("12"));
      assert.equal(w.delivered(at("10")), true);
      assert.equal(w.delivered(at("11")), false, "a write by someone else, between ours");
      assert.equal(w.delivered(at("12")), true);
      assert.equal(w.delivered(at("12")), false, "delivered once");
    });
    it("a revision past ours drops the ones the watch skipped (a relist), so nothing is kept for ever", () => {
      const w = new OwnWrites<JobObject>();
      w.record(at("10"));
      assert.equal(w.delivered(at("15")), false);
      assert.equal(w.delivered(at("10")), false);
    });
    it("is per job, and forget drops what was pending", () => {
      const w = new OwnWrites<JobObject>();
      w.record(at("10", "a"));
      w.record(at("11", "b"));
      assert.equal(w.delivered(at("10", "b")), false);
      w.forget("ns/a");
      assert.equal(w.delivered(at("10", "a")), false);
      assert.equal(w.delivered(at("11", "b")), true);
    });
    it("never for revisions that are not numbers", () => {
      const w = new OwnWrites<JobObject>();
      w.record(at("x1"));
      assert.equal(w.delivered(at("x1")), false);
    });
  });

  describe("with a watermark (the API reads what it created or deleted back at once)", () => {
    it("a created object the watch has not delivered is served until the watch passes its revision", () => {
      let watermark = "8";
      const w = new OwnWrites<JobObject>({ watermark: () => watermark });
      const mine = at("9");
      w.record(mine);
      assert.equal(w.pick("ns/j", undefined)?.object, mine, "not cached yet: our write");
      assert.deepEqual(w.pending(), [mine]);
      watermark = "12";
      assert.deepEqual(w.pick("ns/j", undefined), { object: undefined }, "the watch passed it and it is not cached: deleted since");
      assert.deepEqual(w.pending(), [], "and forgotten");
    });
    it("a delete of ours hides the cached object until the watch delivers the deletion (or a re-creation)", () => {
      const w = new OwnWrites<JobObject>({ watermark: () => "5" });
      w.recordDeleted(at("9"));
      assert.deepEqual(w.pick("ns/j", at("7")), { object: undefined }, "the cache still has it: gone for us");
      assert.deepEqual(w.pick("ns/j", undefined), { object: undefined });
      assert.deepEqual(w.pending(), [], "a delete is not a pending object");
      const again = at("11");
      assert.equal(w.pick("ns/j", again)?.object, again, "created again after our delete");
      w.recordDeleted(at("13"));
      w.delivered(at("13"));
      assert.equal(w.pick("ns/j", at("11"))?.object?.metadata?.resourceVersion, "11", "the deletion was delivered: the cache decides again");
    });
    it("a delete known only by name and uid (the apiserver's Status) hides that object, not a newer one of the same name", () => {
      const cache = new Map([["ns/j", at("7")]]);
      const w = new OwnWrites<JobObject>({ cached: (key) => cache.get(key), watermark: () => "7" });
      const status = { metadata: { name: "j", namespace: "ns", uid: "uid-j" } } as JobObject;
      w.recordDeleted(status);
      assert.deepEqual(w.pick("ns/j", at("7")), { object: undefined }, "the cache lags: gone for us");
      const newer = { ...at("11"), metadata: { ...at("11").metadata, uid: "uid-j2" } };
      assert.equal(w.pick("ns/j", newer)?.object, newer, "another object of that name: there");
      w.recordDeleted(status);
      w.delivered(at("9"), true);
      assert.equal(w.pick("ns/j", at("7"))?.object?.metadata?.resourceVersion, "7", "the deletion was delivered: the cache decides");
      cache.clear();
      w.recordDeleted(status);
      assert.equal(w.pick("ns/j", at("7"))?.object?.metadata?.resourceVersion, "7", "nothing kept when the watch had delivered it already");
    });
    it("without a watermark a delete of ours still reads as gone", () => {
      const w = new OwnWrites<JobObject>();
      w.recordDeleted(at("9"));
      assert.deepEqual(w.pick("ns/j", undefined), { object: undefined });
    });
  });
});
