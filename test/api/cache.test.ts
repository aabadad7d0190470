/**
 * Job reads from the API's watch cache on the real apiserver: what the API creates or cancels is read back at once
 * from the cache (api_job_reads_total says where each read was served from), others' writes arrive by the watch.
 */
import assert from "node:assert/strict";
import * as k8s from "@kubernetes/client-node";
import { FINALIZER, GROUP, PLURAL, VERSION } from "../../crds/index.js";
import { waitFor } from "../support/wait.js";
import { assertProblem, postForm, startHarness, type ApiClient, type Harness } from "./harness.js";

async function reads(h: Harness): Promise<{ cache: number; apiserver: number; record: number }> {
  const text = await (await fetch(`${h.api.internalUrl}/metrics`)).text();
  const out = { cache: 0, apiserver: 0, record: 0 };
  for (const m of text.matchAll(/^api_job_reads_total\{source="(cache|apiserver|record)"\} (\d+)$/gm)) out[m[1] as keyof typeof out] = Number(m[2]);
  return out;
}

describe("api: job reads from the watch cache, read-your-writes (real apiserver)", function () {
  this.timeout(60_000);
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h?.close();
  });

  async function uploaded(c: ApiClient, filename: string): Promise<string> {
    const p = await c.call("POST", "/uploads/presigned-post", { json: { filename, contentType: "video/mp4" } });
    assert.equal((await postForm(p.body as { url: string; fields: Record<string, string> }, new Uint8Array(10))).status, 204);
    return String(p.body.key);
  }
  const ref = (name: string) => ({ group: GROUP, version: VERSION, namespace: h.namespace, plural: PLURAL, name });

  it("a job created through the API is read and listed at once, from the cache; a cancel too", async () => {
    const c = h.client();
    await c.signupAndLogin();
    const key = await uploaded(c, "a.mp4");
    const before = await reads(h);
    const created = await c.call("POST", "/jobs", { json: { source: { key } } });
    assert.equal(created.status, 201, created.text);
    const id = String(created.body.id);
    const got = await c.call("GET", `/jobs/${id}`);
    assert.equal(got.status, 200, got.text);
    assert.equal(got.body.uid, created.body.uid);
    assert.deepEqual(((await c.call("GET", "/jobs")).body.items as { id: string }[]).map((j) => j.id), [id]);
    const cancel = await c.call("POST", `/jobs/${id}/cancel`);
    assert.equal(cancel.status, 202, cancel.text);
    // Nothing holds a finalizer here (no operator): deleted at once, and the next read knows it.
    assertProblem(await c.call("GET", `/jobs/${id}`), 404, "path.id");
    assert.deepEqual((await c.call("GET", "/jobs")).body.items, []);
    const after = await reads(h);
    assert.equal(after.apiserver, before.apiserver, "no read went to the apiserver");
    assert.ok(after.cache - before.cache >= 6, JSON.stringify({ before, after }));
  });

  it("a cancel of a job the operator holds (finalizer) reads as cancel requested at once; the deletion follows by the watch", async () => {
    const c = h.client();
    await c.signupAndLogin();
    const created = await c.call("POST", "/jobs", { json: { source: { key: await uploaded(c, "b.mp4") } } });
    const id = String(created.body.id);
    // The operator's part: its finalizer on the job.
    await h.objects.patchNamespacedCustomObject(
      { ...ref(id), body: { metadata: { finalizers: [FINALIZER] } } },
      k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
    );
    const before = await reads(h);
    assert.equal((await c.call("POST", `/jobs/${id}/cancel`)).status, 202);
    const got = await c.call("GET", `/jobs/${id}`);
    assert.equal(got.status, 200, got.text);
    assert.equal(got.body.cancelRequested, true);
    assert.equal((await reads(h)).apiserver, before.apiserver);
    // The operator finishes its cleanup: the watch delivers the deletion.
    await h.objects.patchNamespacedCustomObject({ ...ref(id), body: { metadata: { finalizers: null } } }, k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch));
    await waitFor(async () => (await c.call("GET", `/jobs/${id}`)).status === 404, 10_000, "the deletion reaches the cache");
  });

  it("writes by others (the operator's status) arrive through the watch; jobs of other owners stay apart", async () => {
    const a = h.client();
    await a.signupAndLogin();
    const id = String((await a.call("POST", "/jobs", { json: { source: { key: await uploaded(a, "c.mp4") } } })).body.id);
    await h.objects.patchNamespacedCustomObjectStatus(
      { ...ref(id), body: { status: { phase: "Running", attempts: 1, progress: { percent: 12, stage: "transcoding" } } } },
      k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
    );
    await waitFor(async () => (await a.call("GET", `/jobs/${id}`)).body.phase === "Running", 10_000, "the status write reaches the cache");
    assert.deepEqual((await a.call("GET", `/jobs/${id}`)).body.progress, { percent: 12, stage: "transcoding" });
    const b = h.client();
    await b.signupAndLogin();
    assert.deepEqual((await b.call("GET", "/jobs")).body.items, []);
    assertProblem(await b.call("GET", `/jobs/${id}`), 404, "path.id");
  });
});
