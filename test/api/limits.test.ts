import assert from "node:assert/strict";
import * as k8s from "@kubernetes/client-node";
import { GROUP, PLURAL, VERSION } from "../../crds/index.js";
import { assertProblem, postForm, startHarness, type ApiClient, type Harness } from "./harness.js";

const VIDEO = new Uint8Array(4096).fill(7);

async function upload(c: ApiClient, filename: string): Promise<string> {
  const p = await c.call("POST", "/uploads/presigned-post", { json: { filename, contentType: "video/mp4" } });
  assert.equal(p.status, 201, p.text);
  assert.equal((await postForm(p.body as { url: string; fields: Record<string, string> }, VIDEO)).status, 204);
  return String(p.body.key);
}

describe("api: what one user may ask of the cluster", function () {
  this.timeout(60_000);
  let h: Harness;
  before(async () => {
    h = await startHarness((c) => {
      c.jobLimits.maxQueuedPerUser = 2;
    });
  });
  after(async () => {
    await h?.close();
  });

  const beyond: [name: string, body: Record<string, unknown>, field: string][] = [
    ["priority 50", { priority: 50 }, "body.priority"],
    ["crf 0", { ladder: { renditions: [{ height: 720, crf: 0 }] } }, "body.ladder.renditions[0].crf"],
    ["veryslow", { encoding: { x264Preset: "veryslow" } }, "body.encoding.x264Preset"],
    ["a 4320 rung", { ladder: { renditions: [{ height: 4320 }] } }, "body.ladder.renditions[0].height"],
    ["10 attempts", { maxAttempts: 10 }, "body.maxAttempts"],
    ["a 7-day deadline", { activeDeadlineSeconds: 604_800 }, "body.activeDeadlineSeconds"],
  ];
  for (const [name, extra, field] of beyond) {
    it(`${name} is beyond an API user's bounds: 400 naming ${field}, no job`, async () => {
      const c = h.client();
      await c.signupAndLogin();
      const key = await upload(c, "a.mp4");
      const r = await c.call("POST", "/jobs", { json: { source: { key }, ...extra } });
      assertProblem(r, 400, field);
      assert.deepEqual(((await c.call("GET", "/jobs")).body.items as unknown[]).length, 0);
    });
  }

  it("a user at the queued-jobs limit gets 429 problem+json naming the limit; a finished job makes room", async () => {
    const c = h.client();
    await c.signupAndLogin();
    const keys = [await upload(c, "a.mp4"), await upload(c, "b.mp4"), await upload(c, "c.mp4")];
    const ids: string[] = [];
    for (const key of keys.slice(0, 2)) {
      const r = await c.call("POST", "/jobs", { json: { source: { key } } });
      assert.equal(r.status, 201, r.text);
      ids.push(String(r.body.id));
    }
    const limited = await c.call("POST", "/jobs", { json: { source: { key: keys[2] } } });
    assertProblem(limited, 429);
    assert.equal(limited.body.type, "queued-jobs-limit");
    assert.match(String(limited.body.detail), /API_MAX_QUEUED_JOBS_PER_USER\) is 2/);
    // Another user is not affected.
    const other = h.client();
    await other.signupAndLogin();
    assert.equal((await other.call("POST", "/jobs", { json: { source: { key: await upload(other, "o.mp4") } } })).status, 201);
    // One of the two finishes: there is room again.
    await h.objects.patchNamespacedCustomObjectStatus(
      { group: GROUP, version: VERSION, namespace: h.namespace, plural: PLURAL, name: ids[0]!, body: { status: { phase: "Failed", attempts: 1, reason: "X", message: "x" } } },
      k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
    );
    let again = limited;
    for (let i = 0; i < 50 && again.status === 429; i++) {
      await new Promise((r) => setTimeout(r, 100));
      again = await c.call("POST", "/jobs", { json: { source: { key: keys[2] } } });
    }
    assert.equal(again.status, 201, again.text);
  });
});
