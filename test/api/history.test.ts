import assert from "node:assert/strict";
import { MongoClient } from "mongodb";
import { MongoJobStore } from "../../lib/store/index.js";
import { testEnv } from "../env/index.js";
import { assertProblem, postForm, startHarness, type Harness } from "./harness.js";

describe("api: reads fall back to the MongoDB job record once the TranscodeJob is gone", function () {
  this.timeout(60_000);
  let h: Harness;
  let mongo: MongoClient;
  let store: MongoJobStore;
  before(async () => {
    h = await startHarness();
    mongo = await new MongoClient(testEnv().mongo.url).connect();
    store = new MongoJobStore(mongo.db(h.config.mongo.db));
  });
  after(async () => {
    await h?.close();
    await mongo?.close();
  });

  it("a succeeded job whose CR was deleted still shows its phase and outputs to its owner only", async () => {
    const a = h.client();
    const user = await a.signupAndLogin();
    const p = await a.call("POST", "/uploads/presigned-post", { json: { filename: "a.mp4", contentType: "video/mp4" } });
    await postForm(p.body as { url: string; fields: Record<string, string> }, new Uint8Array(10));
    const created = await a.call("POST", "/jobs", { json: { source: { key: String(p.body.key) } } });
    const { id, uid, spec } = created.body as { id: string; uid: string; spec: Record<string, unknown> };

    // The operator's part, through the real store adapter: record, run, succeed, then the CR is deleted.
    const t0 = new Date();
    await store.ensure({ uid, namespace: h.namespace, name: id, owner: user.id, spec, createdAt: t0 });
    await store.recordPhase(uid, { phase: "Running", at: new Date(t0.getTime() + 1000), attempts: 1 });
    await store.recordPhase(uid, {
      phase: "Succeeded",
      at: new Date(t0.getTime() + 5000),
      outputs: { masterPlaylist: `outputs/${user.id}/${id}/master.m3u8`, renditions: [] },
    });
    const cancel = await a.call("POST", `/jobs/${id}/cancel`);
    assert.equal(cancel.status, 202);
    await store.markDeleted(uid, new Date());

    const got = await a.call("GET", `/jobs/${id}`);
    assert.equal(got.status, 200, got.text);
    assert.equal(got.body.phase, "Succeeded");
    assert.equal(got.body.uid, uid);
    assert.equal(got.body.startedAt, new Date(t0.getTime() + 1000).toISOString());
    const links = await a.call("GET", `/jobs/${id}/outputs`);
    assert.equal(links.status, 200, links.text);
    assert.match(String(links.body.masterPlaylist), /master\.m3u8\?/);
    // Cancelling what no longer runs is a conflict, not a 404 and not a second delete.
    assertProblem(await a.call("POST", `/jobs/${id}/cancel`), 409, "path.id");
    // The stream of a finished job says so and ends.
    const sse = await fetch(`${h.api.url}/jobs/${id}/events`, { headers: { cookie: a.cookieHeader() } });
    const text = await sse.text();
    assert.match(text, /event: status\ndata: \{"id":"[^"]+","phase":"Succeeded"/);

    const b = h.client();
    await b.signupAndLogin();
    for (const [m, path] of [
      ["GET", `/jobs/${id}`],
      ["GET", `/jobs/${id}/outputs`],
      ["POST", `/jobs/${id}/cancel`],
      ["GET", `/jobs/${id}/events`],
    ] as const) {
      assertProblem(await b.call(m, path), 404, "path.id");
    }
  });

  it("a job deleted before it finished reads as Cancelled", async () => {
    const a = h.client();
    const user = await a.signupAndLogin();
    const p = await a.call("POST", "/uploads/presigned-post", { json: { filename: "a.mp4", contentType: "video/mp4" } });
    await postForm(p.body as { url: string; fields: Record<string, string> }, new Uint8Array(10));
    const created = await a.call("POST", "/jobs", { json: { source: { key: String(p.body.key) } } });
    const { id, uid, spec } = created.body as { id: string; uid: string; spec: Record<string, unknown> };
    await store.ensure({ uid, namespace: h.namespace, name: id, owner: user.id, spec, createdAt: new Date() });
    await store.recordPhase(uid, { phase: "Queued", at: new Date() });
    assert.equal((await a.call("POST", `/jobs/${id}/cancel`)).status, 202);
    await store.markDeleted(uid, new Date());
    const got = await a.call("GET", `/jobs/${id}`);
    assert.equal(got.body.phase, "Cancelled");
    assert.equal(got.body.cancelRequested, true);
  });
});
