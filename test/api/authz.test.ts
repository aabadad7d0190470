import assert from "node:assert/strict";
import { assertProblem, postForm, startHarness, type Harness } from "./harness.js";

describe("api: users see and touch only their own jobs", function () {
  this.timeout(60_000);
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h?.close();
  });

  it("user B gets 404 on every one of user A's job endpoints, and A's job is untouched", async () => {
    const a = h.client();
    await a.signupAndLogin();
    const p = await a.call("POST", "/uploads/presigned-post", { json: { filename: "a.mp4", contentType: "video/mp4" } });
    assert.equal((await postForm(p.body as { url: string; fields: Record<string, string> }, new Uint8Array(10))).status, 204);
    const key = String(p.body.key);
    const job = await a.call("POST", "/jobs", { json: { source: { key } } });
    assert.equal(job.status, 201, job.text);
    const id = String(job.body.id);

    const b = h.client();
    await b.signupAndLogin();
    const missing = "api-00000000000000000000";
    for (const [method, path] of [
      ["GET", `/jobs/${id}`],
      ["POST", `/jobs/${id}/cancel`],
      ["GET", `/jobs/${id}/outputs`],
      ["GET", `/jobs/${id}/events`],
    ] as const) {
      const theirs = await b.call(method, path);
      assertProblem(theirs, 404, "path.id");
      // Indistinguishable from a job that does not exist at all.
      const none = await b.call(method, path.replace(id, missing));
      assertProblem(none, 404, "path.id");
      assert.equal(theirs.body.detail, none.body.detail);
    }
    const listB = await b.call("GET", "/jobs");
    assert.deepEqual(listB.body.items, []);
    // B cannot make a job out of A's upload either.
    assertProblem(await b.call("POST", "/jobs", { json: { source: { key } } }), 422, "body.source.key");
    // B's Idempotency-Key equal to A's maps to another name: no cross-user replay.
    const got = await a.call("GET", `/jobs/${id}`);
    assert.equal(got.status, 200);
    assert.equal(got.body.cancelRequested, false);
  });

  it("without a session every job and upload endpoint is a 401", async () => {
    const anon = h.client();
    for (const [method, path] of [
      ["GET", "/jobs"],
      ["POST", "/jobs"],
      ["GET", "/jobs/api-1"],
      ["POST", "/jobs/api-1/cancel"],
      ["GET", "/jobs/api-1/outputs"],
      ["GET", "/jobs/api-1/events"],
      ["POST", "/uploads/presigned-post"],
      ["POST", "/uploads/multipart"],
      ["POST", "/auth/logout"],
      ["GET", "/auth/me"],
    ] as const) {
      const r = await anon.call(method, path, method === "POST" ? { json: {} } : {});
      // Authentication is checked before the body is even read.
      assertProblem(r, 401);
    }
  });
});
