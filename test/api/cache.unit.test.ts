/**
 * The API's job cache over the Informer and JobsCluster ports, with doubles of both: what the watch has delivered,
 * what the apiserver answers, and when each read goes where. test/api/cache.test.ts runs it on the real apiserver.
 */
import assert from "node:assert/strict";
import type { TranscodeJobInput } from "../../crds/index.js";
import { CachedJobsCluster, type ReadSource } from "../../api/jobs/cache.js";
import type { JobsCluster, KubeJob } from "../../api/jobs/cluster.js";
import type { Informer, InformerEvent, InformerHandler } from "../../lib/kube/index.js";

const job = (name: string, rv: string, owner = "alice", extra: Partial<KubeJob["metadata"]> = {}): KubeJob => ({
  kind: "TranscodeJob",
  metadata: { name, namespace: "ns", uid: `uid-${name}`, resourceVersion: rv, labels: { "media.transcoder.dev/owner": owner }, ...extra },
  spec: { owner },
});

class FakeInformer implements Informer<KubeJob> {
  readonly cache = new Map<string, KubeJob>();
  private readonly handlers: Record<InformerEvent, InformerHandler<KubeJob>[]> = { add: [], update: [], delete: [] };
  resourceVersion: string | undefined = "1";
  isHealthy = true;
  on(e: InformerEvent, h: InformerHandler<KubeJob>): void {
    this.handlers[e].push(h);
  }
  off(): void {}
  start = () => Promise.resolve();
  stop = () => Promise.resolve();
  get = (key: string) => this.cache.get(key);
  list = () => [...this.cache.values()];
  hasSynced = () => true;
  healthy = () => this.isHealthy;
  /** The watch delivers an event. */
  deliver(type: "ADDED" | "MODIFIED" | "DELETED", obj: KubeJob): void {
    const key = `ns/${obj.metadata.name}`;
    const old = this.cache.get(key);
    this.resourceVersion = obj.metadata.resourceVersion;
    if (type === "DELETED") {
      this.cache.delete(key);
      for (const h of this.handlers.delete) h(obj, old);
    } else {
      this.cache.set(key, obj);
      for (const h of this.handlers[old ? "update" : "add"]) h(obj, old);
    }
  }
}

class FakeCluster implements JobsCluster {
  readonly namespace = "ns";
  readonly server = new Map<string, KubeJob>();
  gets = 0;
  nextCreate: KubeJob | undefined;
  nextDelete: KubeJob | undefined;
  create = (_job: TranscodeJobInput) => Promise.resolve(this.nextCreate!);
  get = (name: string) => {
    this.gets++;
    return Promise.resolve(this.server.get(name));
  };
  ownedBy = () => Promise.resolve([...this.server.values()]);
  delete = () => Promise.resolve(this.nextDelete);
  ping = () => Promise.resolve();
}

describe("api: the job cache (watch + own writes), with port doubles", () => {
  let informer: FakeInformer;
  let direct: FakeCluster;
  let reads: ReadSource[];
  let jobs: CachedJobsCluster;
  beforeEach(() => {
    informer = new FakeInformer();
    direct = new FakeCluster();
    reads = [];
    jobs = new CachedJobsCluster(direct, informer, (s) => reads.push(s));
  });

  it("reads and owner lists come from the cache, never the apiserver, while the watch is healthy", async () => {
    informer.deliver("ADDED", job("a", "5"));
    informer.deliver("ADDED", job("b", "6", "bob"));
    assert.equal((await jobs.get("a"))?.metadata.resourceVersion, "5");
    assert.equal(await jobs.get("missing"), undefined);
    assert.deepEqual((await jobs.ownedBy("alice")).map((j) => j.metadata.name), ["a"]);
    assert.deepEqual((await jobs.ownedBy("bob")).map((j) => j.metadata.name), ["b"]);
    assert.equal(direct.gets, 0);
    assert.deepEqual(reads, ["cache", "cache", "cache", "cache"]);
  });

  it("a job this API created is read and listed at once, before the watch delivers it", async () => {
    direct.nextCreate = job("new", "9");
    await jobs.create({} as TranscodeJobInput);
    assert.equal((await jobs.get("new"))?.metadata.uid, "uid-new");
    assert.deepEqual((await jobs.ownedBy("alice")).map((j) => j.metadata.name), ["new"]);
    assert.deepEqual((await jobs.ownedBy("bob")).map((j) => j.metadata.name), []);
    informer.deliver("ADDED", job("new", "9"));
    informer.deliver("MODIFIED", job("new", "12"));
    assert.equal((await jobs.get("new"))?.metadata.resourceVersion, "12", "the watch caught up: the cache decides");
    assert.equal(direct.gets, 0);
  });

  it("a job this API cancelled reads as being deleted (finalizers) or gone (none) at once", async () => {
    informer.deliver("ADDED", job("f", "5"));
    informer.deliver("ADDED", job("g", "6"));
    direct.nextDelete = job("f", "7", "alice", { deletionTimestamp: "2026-12-01T10:00:00Z", finalizers: ["media.transcoder.dev/cleanup"] });
    await jobs.delete("f");
    assert.ok((await jobs.get("f"))?.metadata.deletionTimestamp, "cancel requested, read back before the watch says so");
    // Deleted at once, the apiserver answers a Status: the name and uid only.
    direct.nextDelete = { metadata: { name: "g", namespace: "ns", uid: "uid-g" } };
    await jobs.delete("g");
    assert.equal(await jobs.get("g"), undefined, "deleted at once: gone, though the cache still has it");
    assert.deepEqual((await jobs.ownedBy("alice")).map((j) => [j.metadata.name, Boolean(j.metadata.deletionTimestamp)]), [["f", true]]);
    informer.deliver("DELETED", job("g", "8"));
    informer.deliver("ADDED", job("g", "10", "alice", { uid: "uid-g2" }));
    assert.equal((await jobs.get("g"))?.metadata.resourceVersion, "10", "created again later: there again");
    assert.equal(direct.gets, 0);
  });

  it("a write the watch has passed without delivering the object was deleted since: not resurrected", async () => {
    direct.nextCreate = job("brief", "9");
    await jobs.create({} as TranscodeJobInput);
    informer.deliver("ADDED", job("other", "15"));
    assert.equal(await jobs.get("brief"), undefined);
    assert.deepEqual((await jobs.ownedBy("alice")).map((j) => j.metadata.name), ["other"]);
  });

  it("a stale watch (no word from the apiserver) sends reads to the apiserver", async () => {
    informer.deliver("ADDED", job("a", "5"));
    direct.server.set("a", job("a", "7"));
    informer.isHealthy = false;
    assert.equal((await jobs.get("a"))?.metadata.resourceVersion, "7");
    assert.equal((await jobs.ownedBy("alice"))[0]?.metadata.resourceVersion, "7");
    assert.deepEqual(reads, ["apiserver", "apiserver"]);
  });

  it("a consistent read asks the apiserver; the owner index follows a relabelled job", async () => {
    informer.deliver("ADDED", job("a", "5"));
    direct.server.set("a", job("a", "5"));
    await jobs.get("a", { consistent: true });
    assert.equal(direct.gets, 1);
    informer.deliver("MODIFIED", job("a", "6", "bob"));
    assert.deepEqual((await jobs.ownedBy("alice")).map((j) => j.metadata.name), []);
    assert.deepEqual((await jobs.ownedBy("bob")).map((j) => j.metadata.name), ["a"]);
    // A label that disagrees with spec.owner (immutable) makes the job nobody's: never alice's, never mallory's.
    informer.deliver("MODIFIED", { ...job("a", "7", "mallory"), spec: { owner: "alice" } });
    assert.deepEqual((await jobs.ownedBy("mallory")).map((j) => j.metadata.name), []);
    assert.deepEqual((await jobs.ownedBy("alice")).map((j) => j.metadata.name), []);
  });
});
