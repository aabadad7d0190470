import assert from "node:assert/strict";
import { CustomObjectsApi } from "@kubernetes/client-node";
import { Registry, type Counter } from "prom-client";
import { GROUP, PLURAL, VERSION, type TranscodeJob } from "../../crds/index.js";
import { createTranscodeJobInformer, type Informer } from "../../lib/kube/index.js";
import { createTranscodeJobCluster, type TranscodeJobCluster } from "../../operator/kube/index.js";
import { waitFor } from "../support/wait.js";
import { adminKubeConfig, apiserverProxy, createNamespace, deleteNamespace, ensureCrd, newJob, type FaultProxy } from "./support.js";

interface Recorder {
  adds: string[];
  updates: string[];
  resyncs: number;
  deletes: string[];
}

function record(informer: Informer<TranscodeJob>): Recorder {
  const r: Recorder = { adds: [], updates: [], resyncs: 0, deletes: [] };
  informer.on("add", (o) => r.adds.push(o.metadata.name!));
  informer.on("update", (o, old) => (o === old ? r.resyncs++ : r.updates.push(o.metadata.name!)));
  informer.on("delete", (o) => r.deletes.push(o.metadata.name!));
  return r;
}

async function counter(registry: Registry, name: string, labels: Record<string, string>): Promise<number> {
  const metric = registry.getSingleMetric(name) as Counter | undefined;
  if (!metric) return 0;
  const { values } = await metric.get();
  return values.filter((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val)).reduce((s, v) => s + v.value, 0);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const names = (xs: TranscodeJob[]) => xs.map((j) => j.metadata.name!).sort();

describe("lib/kube Informer (list+watch, real apiserver)", function () {
  this.timeout(90_000);
  let ns: string;
  let cluster: TranscodeJobCluster;
  const informers: Informer<TranscodeJob>[] = [];
  const proxies: FaultProxy[] = [];

  before(async () => {
    await ensureCrd();
    cluster = createTranscodeJobCluster(adminKubeConfig());
  });
  beforeEach(async () => {
    ns = await createNamespace("opkube-inf");
  });
  afterEach(async () => {
    await Promise.all(informers.splice(0).map((i) => i.stop()));
    await Promise.all(proxies.splice(0).map((p) => p.stop()));
    await deleteNamespace(ns);
  });

  async function proxy(): Promise<FaultProxy> {
    const p = apiserverProxy();
    await p.start();
    proxies.push(p);
    return p;
  }

  function informer(opts: { server?: string; registry?: Registry; watchTimeoutSeconds?: number; idleTimeoutMs?: number; staleAfterMs?: number; resyncPeriodMs?: number; listPageSize?: number } = {}) {
    const inf = createTranscodeJobInformer({
      listPageSize: opts.listPageSize,
      kubeConfig: adminKubeConfig(opts.server),
      namespace: ns,
      registry: opts.registry,
      watchTimeoutSeconds: opts.watchTimeoutSeconds,
      idleTimeoutMs: opts.idleTimeoutMs,
      staleAfterMs: opts.staleAfterMs,
      resyncPeriodMs: opts.resyncPeriodMs ?? 0,
      backoffInitialMs: 50,
      backoffMaxMs: 500,
    });
    informers.push(inf);
    return inf;
  }

  /** The informer's cache must equal the server's truth: same names, same resourceVersions. */
  async function assertConverged(inf: Informer<TranscodeJob>): Promise<void> {
    await waitFor(
      async () => {
        const truth = (await cluster.list(ns)).items;
        const cached = inf.list();
        return (
          JSON.stringify(names(truth)) === JSON.stringify(names(cached)) &&
          truth.every((j) => inf.get(`${ns}/${j.metadata.name}`)?.metadata.resourceVersion === j.metadata.resourceVersion)
        );
      },
      20_000,
      "informer cache converged with the apiserver",
    );
  }

  it("lists what exists, then follows adds, updates and deletes; get/list serve the cache", async () => {
    for (const n of ["pre-1", "pre-2", "pre-3"]) await cluster.create(newJob(ns, n));
    const inf = informer();
    const rec = record(inf);
    await inf.start();
    assert.ok(inf.hasSynced() && inf.healthy());
    assert.deepEqual(rec.adds.sort(), ["pre-1", "pre-2", "pre-3"]);
    await cluster.create(newJob(ns, "live"));
    await waitFor(() => rec.adds.includes("live"), 10_000, "add event");
    await cluster.patchStatus(ns, "live", { phase: "Queued" });
    await waitFor(() => inf.get(`${ns}/live`)?.status?.phase === "Queued", 10_000, "update applied");
    assert.ok(rec.updates.includes("live"));
    await adminKubeConfig()
      .makeApiClient(CustomObjectsApi)
      .deleteNamespacedCustomObject({ group: GROUP, version: VERSION, plural: PLURAL, namespace: ns, name: "pre-2" });
    await waitFor(() => rec.deletes.includes("pre-2"), 10_000, "delete event");
    assert.equal(inf.get(`${ns}/pre-2`), undefined);
    assert.deepEqual(names(inf.list()), ["live", "pre-1", "pre-3"]);
    await assert.rejects(inf.start(), /already started/);
  });

  it("lists every page: nothing beyond the first page is missed", async () => {
    for (let i = 0; i < 5; i++) await cluster.create(newJob(ns, `paged-${i}`));
    const inf = informer({ listPageSize: 2 });
    const rec = record(inf);
    await inf.start();
    assert.deepEqual(rec.adds.sort(), ["paged-0", "paged-1", "paged-2", "paged-3", "paged-4"]);
  });

  it("survives server-side closes (timeoutSeconds) by resuming from its resourceVersion: no event lost, none duplicated", async () => {
    const registry = new Registry();
    const inf = informer({ registry, watchTimeoutSeconds: 1 });
    const rec = record(inf);
    await inf.start();
    const created: string[] = [];
    const until = Date.now() + 6000;
    for (let i = 0; Date.now() < until; i++) {
      const name = `w-${i}`;
      await cluster.create(newJob(ns, name));
      created.push(name);
      if (i % 3 === 0) await cluster.patchStatus(ns, name, { phase: "Queued", queuePosition: i });
      await sleep(60);
    }
    await assertConverged(inf);
    assert.ok((await counter(registry, "informer_watch_restarts_total", { reason: "closed" })) >= 2, "the server closed the watch several times");
    assert.equal(await counter(registry, "informer_relists_total", {}), 1, "resumed, never relisted");
    assert.deepEqual(rec.adds.sort(), created.sort(), "every create seen exactly once");
    assert.equal(new Set(rec.adds).size, rec.adds.length);
  });

  it("connections reset mid-stream are re-established with backoff and the cache catches up", async () => {
    const registry = new Registry();
    const p = await proxy();
    const inf = informer({ server: p.url, registry });
    const rec = record(inf);
    await inf.start();
    const created: string[] = [];
    for (let i = 0; i < 30; i++) {
      await cluster.create(newJob(ns, `c-${i}`));
      created.push(`c-${i}`);
      if (i % 6 === 5) p.cutAll();
      await sleep(30);
    }
    await assertConverged(inf);
    assert.deepEqual(rec.adds.sort(), created.sort());
    assert.ok((await counter(registry, "informer_watch_restarts_total", {})) >= 4);
  });

  it("410 Gone: a watch resumed from a resourceVersion the server no longer has relists, emitting what changed meanwhile", async () => {
    const registry = new Registry();
    const p = await proxy();
    for (const n of ["keep", "doomed"]) await cluster.create(newJob(ns, n));
    const inf = informer({ server: p.url, registry });
    const rec = record(inf);
    await inf.start();
    // Wait until the watch is live, so no connection attempt with the old resume point is still in flight.
    await cluster.create(newJob(ns, "warm"));
    await waitFor(() => inf.get(`${ns}/warm`) !== undefined, 10_000, "watch live");
    // Make the informer's resume point one the server has long forgotten (as after a long partition or an
    // etcd compaction): resourceVersion "1". The server answers the watch with 410 / "too old resource version".
    // Set synchronously between refusing and cutting, so every reconnect attempt from now on carries it.
    p.refuse(true);
    (inf as unknown as { rv: string }).rv = "1";
    p.cutAll();
    // While the informer is cut off: changes it must learn about from the relist.
    await cluster.create(newJob(ns, "born"));
    await cluster.patchStatus(ns, "keep", { phase: "Queued" });
    await adminKubeConfig()
      .makeApiClient(CustomObjectsApi)
      .deleteNamespacedCustomObject({ group: GROUP, version: VERSION, plural: PLURAL, namespace: ns, name: "doomed" });
    p.refuse(false);
    await assertConverged(inf);
    assert.ok((await counter(registry, "informer_watch_restarts_total", { reason: "gone" })) >= 1, "saw 410");
    assert.equal(await counter(registry, "informer_relists_total", {}), 2);
    assert.ok(rec.adds.includes("born"));
    assert.ok(rec.updates.includes("keep"));
    assert.deepEqual(rec.deletes, ["doomed"]);
    assert.equal(inf.get(`${ns}/keep`)?.status?.phase, "Queued");
  });

  it("a watch that silently stops delivering is restarted by the watchdog; healthy() is false while the server is unreachable", async () => {
    const registry = new Registry();
    const p = await proxy();
    const inf = informer({ server: p.url, registry, idleTimeoutMs: 1500, staleAfterMs: 2500 });
    await inf.start();
    // Prove the watch connection is live before freezing it (else the freeze could hit only an idle pooled one).
    await cluster.create(newJob(ns, "before-freeze"));
    await waitFor(() => inf.get(`${ns}/before-freeze`) !== undefined, 10_000, "watch live");
    // Silent stop: the TCP connection stays open and nothing arrives.
    p.freezeAll();
    await cluster.create(newJob(ns, "during-freeze"));
    await waitFor(() => inf.get(`${ns}/during-freeze`) !== undefined, 10_000, "event delivered after the watchdog restart");
    assert.ok((await counter(registry, "informer_watch_restarts_total", { reason: "idle" })) >= 1);
    assert.ok(inf.healthy());
    // Unreachable: no watch can be opened; readiness must turn false.
    p.refuse(true);
    p.cutAll();
    await waitFor(() => !inf.healthy(), 10_000, "healthy() false when stale");
    await cluster.create(newJob(ns, "during-outage"));
    p.refuse(false);
    await waitFor(() => inf.healthy() && inf.get(`${ns}/during-outage`) !== undefined, 15_000, "recovered and caught up");
  });

  it("a periodic resync re-emits every cached object", async () => {
    for (const n of ["r1", "r2"]) await cluster.create(newJob(ns, n));
    const inf = informer({ resyncPeriodMs: 200 });
    const rec = record(inf);
    await inf.start();
    await waitFor(() => rec.resyncs >= 6, 5000, "three resyncs of two objects");
    assert.deepEqual(rec.updates, [], "a resync is not a change");
  });

  it("stop() is idempotent and ends the watch", async () => {
    const inf = informer();
    await inf.start();
    await inf.stop();
    await inf.stop();
    assert.equal(inf.healthy(), false);
  });
});
