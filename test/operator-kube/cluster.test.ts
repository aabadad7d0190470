import assert from "node:assert/strict";
import { CoreV1Api, CustomObjectsApi } from "@kubernetes/client-node";
import { FINALIZER, GROUP, PLURAL, VERSION, type TranscodeJob } from "../../crds/index.js";
import { TerminalError, TransientError } from "../../lib/errors/index.js";
import { createTranscodeJobCluster, type TranscodeJobCluster } from "../../operator/kube/index.js";
import { adminKubeConfig, createNamespace, deleteNamespace, ensureCrd, newJob } from "./support.js";

describe("operator/kube Cluster adapter (real apiserver)", function () {
  this.timeout(60_000);
  let ns: string;
  let cluster: TranscodeJobCluster;

  before(async () => {
    await ensureCrd();
    ns = await createNamespace("opkube-cluster");
    cluster = createTranscodeJobCluster(adminKubeConfig(), { instance: "test-pod" });
  });
  after(async () => {
    // Let the namespace go: strip our finalizers first so nothing stays stuck on us.
    const left = await cluster.list(ns);
    for (const j of left.items) await cluster.removeFinalizer(ns, j.metadata.name!).catch(() => undefined);
    await deleteNamespace(ns);
  });

  it("create returns the object; a second create of the same name returns the existing one, created: false", async () => {
    const first = await cluster.create(newJob(ns, "dup"));
    assert.equal(first.created, true);
    assert.ok(first.object.metadata.uid);
    const second = await cluster.create(newJob(ns, "dup"));
    assert.equal(second.created, false);
    assert.equal(second.object.metadata.uid, first.object.metadata.uid);
  });

  it("get of a missing job is undefined (NotFound result), not an error", async () => {
    assert.equal(await cluster.get(ns, "nope"), undefined);
    assert.equal(await cluster.patchStatus(ns, "nope", { phase: "Queued" }), undefined);
    assert.equal(await cluster.addFinalizer(ns, "nope"), undefined);
    assert.equal(await cluster.removeFinalizer(ns, "nope"), undefined);
  });

  it("patchStatus writes status through the subresource: spec and generation untouched", async () => {
    const { object } = await cluster.create(newJob(ns, "status"));
    const patched = await cluster.patchStatus(ns, "status", { phase: "Queued", queuePosition: 3, observedGeneration: object.metadata.generation });
    assert.equal(patched?.status?.phase, "Queued");
    assert.equal(patched?.status?.queuePosition, 3);
    assert.equal(patched?.metadata.generation, object.metadata.generation, "a status write does not bump generation");
    // Merge semantics: a second patch keeps fields it does not name.
    const again = await cluster.patchStatus(ns, "status", { attempts: 1 });
    assert.equal(again?.status?.phase, "Queued");
    assert.equal(again?.status?.attempts, 1);
    // null removes a field (RFC 7386), e.g. the queue position once a job is admitted.
    const cleared = await cluster.patchStatus(ns, "status", { queuePosition: null, phase: "Starting" });
    assert.equal(cleared?.status?.queuePosition, undefined);
    assert.equal(cleared?.status?.phase, "Starting");
    await cluster.patchStatus(ns, "status", { phase: "Queued" });
    // And the main resource ignores status: a spec-side write of status changes nothing.
    const api = adminKubeConfig().makeApiClient(CustomObjectsApi);
    const fetched = (await api.getNamespacedCustomObject({ group: GROUP, version: VERSION, plural: PLURAL, namespace: ns, name: "status" })) as TranscodeJob;
    assert.equal(fetched.status?.phase, "Queued");
  });

  it("patchStatus with a resourceVersion precondition: current succeeds, stale fails as TransientError (409)", async () => {
    const { object } = await cluster.create(newJob(ns, "precond"));
    const rv = object.metadata.resourceVersion!;
    const ok = await cluster.patchStatus(ns, "precond", { phase: "Queued" }, { resourceVersion: rv });
    assert.equal(ok?.status?.phase, "Queued");
    await assert.rejects(cluster.patchStatus(ns, "precond", { phase: "Starting" }, { resourceVersion: rv }), (err: unknown) => {
      assert.ok(err instanceof TransientError, String(err));
      return true;
    });
    assert.equal((await cluster.get(ns, "precond"))?.status?.phase, "Queued", "the stale write changed nothing");
  });

  it("an invalid status is a TerminalError naming the field, and loses nothing", async () => {
    await cluster.create(newJob(ns, "badstatus"));
    await cluster.patchStatus(ns, "badstatus", { phase: "Queued" });
    await assert.rejects(cluster.patchStatus(ns, "badstatus", { phase: "Exploded" as never }), (err: unknown) => {
      assert.ok(err instanceof TerminalError, String(err));
      assert.match(err.message, /phase/);
      assert.ok(!/Headers/.test(err.message));
      return true;
    });
    assert.equal((await cluster.get(ns, "badstatus"))?.status?.phase, "Queued");
  });

  it("addFinalizer/removeFinalizer are idempotent and keep other finalizers", async () => {
    await cluster.create(newJob(ns, "fin"));
    const a = await cluster.addFinalizer(ns, "fin");
    assert.deepEqual(a?.metadata.finalizers, [FINALIZER]);
    const b = await cluster.addFinalizer(ns, "fin");
    assert.deepEqual(b?.metadata.finalizers, [FINALIZER], "added once");
    await cluster.addFinalizer(ns, "fin", "example.com/other");
    assert.deepEqual((await cluster.get(ns, "fin"))?.metadata.finalizers, [FINALIZER, "example.com/other"]);
    const r = await cluster.removeFinalizer(ns, "fin");
    assert.deepEqual(r?.metadata.finalizers, ["example.com/other"]);
    const r2 = await cluster.removeFinalizer(ns, "fin");
    assert.deepEqual(r2?.metadata.finalizers, ["example.com/other"]);
    await cluster.removeFinalizer(ns, "fin", "example.com/other");
  });

  it("concurrent finalizer writers do not clobber each other (guarded JSON patch, retried on a lost test)", async () => {
    await cluster.create(newJob(ns, "race"));
    const names = Array.from({ length: 6 }, (_, i) => `example.com/f${i}`);
    await Promise.all(names.map((f) => cluster.addFinalizer(ns, "race", f)));
    const got = (await cluster.get(ns, "race"))?.metadata.finalizers ?? [];
    assert.deepEqual([...got].sort(), [...names].sort());
    await Promise.all(names.map((f) => cluster.removeFinalizer(ns, "race", f)));
    assert.deepEqual((await cluster.get(ns, "race"))?.metadata.finalizers ?? [], []);
  });

  it("a finalizer holds a deleted job until it is removed; then the job is gone", async () => {
    await cluster.create(newJob(ns, "deleting"));
    await cluster.addFinalizer(ns, "deleting");
    const api = adminKubeConfig().makeApiClient(CustomObjectsApi);
    await api.deleteNamespacedCustomObject({ group: GROUP, version: VERSION, plural: PLURAL, namespace: ns, name: "deleting" });
    const held = await cluster.get(ns, "deleting");
    assert.ok(held?.metadata.deletionTimestamp, "still there, marked for deletion");
    // Status can still be written while the finalizer holds it (the reconciler records Cancelled).
    assert.equal((await cluster.patchStatus(ns, "deleting", { phase: "Cancelled" }))?.status?.phase, "Cancelled");
    await cluster.removeFinalizer(ns, "deleting");
    assert.equal(await cluster.get(ns, "deleting"), undefined);
  });

  it("list pages through all jobs and filters by label", async () => {
    for (let i = 0; i < 4; i++) await cluster.create(newJob(ns, `lab-${i}`, { team: i % 2 ? "odd" : "even" }));
    const odd = await cluster.list(ns, "team=odd");
    assert.deepEqual(odd.items.map((j) => j.metadata.name).sort(), ["lab-1", "lab-3"]);
    assert.ok(odd.resourceVersion);
    const all = await cluster.list();
    assert.ok(all.items.filter((j) => j.metadata.namespace === ns).length >= 4);
    // One item a page: every page is followed (the continue token of a raw custom-object list).
    const paged = await cluster.list(ns, undefined, 1);
    const all1 = (await cluster.list(ns)).items.map((j) => j.metadata.name).sort();
    assert.ok(all1.length > 4);
    assert.deepEqual(paged.items.map((j) => j.metadata.name).sort(), all1);
  });

  it("emitEvent records a core/v1 Event about the job", async () => {
    const { object } = await cluster.create(newJob(ns, "evented"));
    await cluster.emitEvent(object, { type: "Normal", reason: "Admitted", message: "slot 2 of 5" });
    await cluster.emitEvent(object, { type: "Warning", reason: "TaskFailed", message: "exit 75" });
    const events = await adminKubeConfig().makeApiClient(CoreV1Api).listNamespacedEvent({ namespace: ns });
    const mine = events.items.filter((e) => e.involvedObject.uid === object.metadata.uid);
    assert.deepEqual(mine.map((e) => `${e.type}/${e.reason}/${e.message}`).sort(), ["Normal/Admitted/slot 2 of 5", "Warning/TaskFailed/exit 75"]);
    assert.equal(mine[0]?.involvedObject.kind, "TranscodeJob");
    assert.equal(mine[0]?.reportingInstance, "test-pod");
  });

  it("create of an invalid job is a TerminalError with the apiserver's message", async () => {
    const bad = newJob(ns, "bad");
    (bad.spec as { priority: number }).priority = 99;
    await assert.rejects(cluster.create(bad), (err: unknown) => err instanceof TerminalError && /priority/.test(err.message));
  });

  it("an unreachable apiserver is a TransientError, never a crash", async () => {
    const down = createTranscodeJobCluster(adminKubeConfig("https://127.0.0.1:1"));
    await assert.rejects(down.get(ns, "x"), (err: unknown) => err instanceof TransientError);
    await assert.rejects(down.patchStatus(ns, "x", { phase: "Queued" }), (err: unknown) => err instanceof TransientError);
  });
});
