import assert from "node:assert/strict";
import { HeadObjectCommand } from "@aws-sdk/client-s3";
import * as k8s from "@kubernetes/client-node";
import { GROUP, OWNER_LABEL, PLURAL, VERSION } from "../../crds/index.js";
import { waitFor } from "../support/wait.js";
import { assertProblem, postForm, startHarness, type ApiClient, type Harness } from "./harness.js";

const VIDEO = new Uint8Array(4096).fill(7);

async function upload(c: ApiClient, filename = "clip.mp4"): Promise<string> {
  const p = await c.call("POST", "/uploads/presigned-post", { json: { filename, contentType: "video/mp4" } });
  assert.equal(p.status, 201, p.text);
  const res = await postForm(p.body as { url: string; fields: Record<string, string> }, VIDEO);
  assert.equal(res.status, 204, res.text);
  return String(p.body.key);
}

describe("api: the full flow over real HTTP", function () {
  this.timeout(60_000);
  let h: Harness;
  before(async () => {
    // The flow chooses priorities above the API users' default bound (0); limits.test.ts tests the bound itself.
    h = await startHarness((c) => {
      c.jobLimits.maxPriority = 10;
    });
  });
  after(async () => {
    await h?.close();
  });

  it("signup, login, upload, create, see it in the apiserver, list, get, cancel, logout", async () => {
    const c = h.client();
    const user = await c.signupAndLogin();
    const me = await c.call("GET", "/auth/me");
    assert.equal(me.status, 200);
    assert.deepEqual((me.body.user as { id: string }).id, user.id);
    assert.ok(me.headers.get("x-request-id"));

    const key = await upload(c);
    assert.ok(key.startsWith(`uploads/${user.id}/`), key);
    const head = await h.s3.send(new HeadObjectCommand({ Bucket: h.config.s3.uploadsBucket, Key: key }));
    assert.equal(head.ContentLength, VIDEO.length);
    assert.equal(head.ContentType, "video/mp4");

    const created = await c.call("POST", "/jobs", { json: { source: { key }, ladder: { preset: "mobile" }, formats: ["hls"], priority: 5 } });
    assert.equal(created.status, 201, created.text);
    const id = String(created.body.id);
    // The upload's own job, named as the bridge names it: the file name's slug and a hash of the upload.
    assert.match(id, /^clip-[0-9a-f]{16}$/);
    assert.equal(created.headers.get("location"), `/jobs/${id}`);
    assert.equal(created.body.phase, "Pending");

    const cr = (await h.objects.getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: h.namespace, plural: PLURAL, name: id })) as {
      metadata: { labels: Record<string, string> };
      spec: Record<string, unknown>;
    };
    assert.equal(cr.metadata.labels[OWNER_LABEL], user.id);
    assert.deepEqual(cr.spec.source, { bucket: h.config.s3.uploadsBucket, key });
    assert.deepEqual(cr.spec.output, { bucket: h.config.s3.outputsBucket, prefix: `outputs/${user.id}/${id}/` });
    assert.deepEqual(cr.spec.ladder, { preset: "mobile" });
    assert.equal(cr.spec.owner, user.id);
    assert.equal(cr.spec.priority, 5);

    // The operator writes status; here we play its part through the status subresource to prove reads use it.
    // First the status of a job waiting under fair admission (as test/operator/fair.test.ts sees the operator write it).
    const setStatus = (status: Record<string, unknown>) =>
      h.objects.patchNamespacedCustomObjectStatus(
        { group: GROUP, version: VERSION, namespace: h.namespace, plural: PLURAL, name: id, body: { status } },
        k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
      );
    const admitted = (reason: string, message: string) => [{ type: "Admitted", status: "False", reason, message, lastTransitionTime: new Date().toISOString() }];
    await setStatus({ phase: "Queued", queuePosition: 3, conditions: admitted("Queued", "waiting for a free slot (position 3)") });
    await waitFor(async () => (await c.call("GET", `/jobs/${id}`)).body.phase === "Queued", 10_000, "the queued status reaches the cache");
    const queued = await c.call("GET", `/jobs/${id}`);
    assert.equal(queued.body.queuePosition, 3);
    assert.deepEqual(queued.body.waiting, { reason: "Queued", message: "waiting for a free slot (position 3)" });
    await setStatus({ queuePosition: null, conditions: admitted("OwnerLimit", "owner at its limit of 2 running jobs") });
    await waitFor(async () => ((await c.call("GET", `/jobs/${id}`)).body.waiting as { reason?: string } | undefined)?.reason === "OwnerLimit", 10_000, "the owner-limit reason reaches the cache");
    assert.equal((await c.call("GET", `/jobs/${id}`)).body.queuePosition, undefined);
    await setStatus({ conditions: null });

    await h.objects.patchNamespacedCustomObjectStatus(
      {
        group: GROUP,
        version: VERSION,
        namespace: h.namespace,
        plural: PLURAL,
        name: id,
        body: { status: { phase: "Running", attempts: 1, progress: { percent: 42, stage: "transcoding" } } },
      },
      k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
    );
    // Reads come from the API's watch cache: the operator's write arrives through the watch.
    await waitFor(async () => (await c.call("GET", `/jobs/${id}`)).body.phase === "Running", 10_000, "the status write reaches the cache");
    const got = await c.call("GET", `/jobs/${id}`);
    assert.equal(got.status, 200, got.text);
    assert.equal(got.body.phase, "Running");
    assert.deepEqual(got.body.progress, { percent: 42, stage: "transcoding" });

    // The upload has its job: asking again (without another ladder) returns it, and creates nothing.
    const again = await c.call("POST", "/jobs", { json: { source: { key }, priority: 9 } });
    assert.equal(again.status, 200, again.text);
    assert.equal(again.body.id, id);
    assert.equal(again.headers.get("location"), `/jobs/${id}`);
    assert.equal(again.body.filename, "clip.mp4");
    // Another rendition set of the same upload is a new job that says which job it re-encodes.
    const second = await c.call("POST", "/jobs", { json: { source: { key }, ladder: { preset: "standard" } } });
    assert.equal(second.status, 201, second.text);
    assert.notEqual(second.body.id, id);
    assert.equal(second.body.reencodes, id);
    assert.match(String(second.body.id), /^clip-[0-9a-f]{16}$/);
    assert.equal(second.headers.get("location"), `/jobs/${String(second.body.id)}`);
    const secondAgain = await c.call("POST", "/jobs", { json: { source: { key }, ladder: { preset: "standard" }, encoding: { segmentSeconds: 4 } } });
    assert.equal(secondAgain.status, 200, "the same rendition set (defaults spelt out) is that job again");
    assert.equal(secondAgain.body.id, second.body.id);
    const list = await c.call("GET", "/jobs?limit=1");
    assert.equal(list.status, 200);
    assert.equal((list.body.items as unknown[]).length, 1);
    assert.ok(list.body.nextCursor, "a second page exists");
    const page2 = await c.call("GET", `/jobs?limit=1&cursor=${list.body.nextCursor as string}`);
    assert.equal((page2.body.items as unknown[]).length, 1);
    const ids = [...(list.body.items as { id: string }[]), ...(page2.body.items as { id: string }[])].map((j) => j.id);
    assert.deepEqual(ids.sort(), [id, String(second.body.id)].sort());
    assert.equal(page2.body.nextCursor, undefined, "two jobs, two pages");
    const running = await c.call("GET", "/jobs?phase=Running&limit=100");
    assert.deepEqual((running.body.items as { id: string }[]).map((j) => j.id), [id]);

    const outputs = await c.call("GET", `/jobs/${id}/outputs`);
    assertProblem(outputs, 409, "path.id");

    const cancel = await c.call("POST", `/jobs/${id}/cancel`);
    assert.equal(cancel.status, 202, cancel.text);
    assert.equal(cancel.body.cancelRequested, true);
    // No operator runs here, so nothing holds a finalizer: the CR is gone at once.
    const after = await c.call("GET", `/jobs/${id}`);
    assertProblem(after, 404);

    const cookie = c.cookieHeader();
    const out = await c.call("POST", "/auth/logout");
    assert.equal(out.status, 204);
    // Replaying the old cookie proves the session was revoked server-side, not merely forgotten by the client.
    const replay = await fetch(`${h.api.url}/auth/me`, { headers: { cookie } });
    assert.equal(replay.status, 401);
    assertProblem(await c.call("GET", "/auth/me"), 401);
  });

  it("outputs become playback links and presigned downloads once the status names them", async () => {
    const c = h.client();
    await c.signupAndLogin();
    const key = await upload(c);
    const created = await c.call("POST", "/jobs", { json: { source: { key } } });
    const id = String(created.body.id);
    const prefix = (created.body.spec as { output: { prefix: string } }).output.prefix;
    await h.objects.patchNamespacedCustomObjectStatus(
      {
        group: GROUP,
        version: VERSION,
        namespace: h.namespace,
        plural: PLURAL,
        name: id,
        body: {
          status: {
            phase: "Succeeded",
            attempts: 1,
            outputs: {
              masterPlaylist: `${prefix}master.m3u8`,
              poster: `${prefix}poster.jpg`,
              renditions: [{ name: "360p", width: 640, height: 360, videoBitrateKbps: 800, bandwidth: 900000, codecs: "avc1.64001e", sizeBytes: 1, playlist: `${prefix}360p/index.m3u8`, mp4: `${prefix}360p.mp4` }],
            },
          },
        },
      },
      k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
    );
    // The watch brings the status to the API's cache.
    await waitFor(async () => (await c.call("GET", `/jobs/${id}`)).body.phase === "Succeeded", 10_000, "status in the cache");
    const links = await c.call("GET", `/jobs/${id}/outputs`);
    assert.equal(links.status, 200, links.text);
    const master = new URL(String(links.body.masterPlaylist));
    assert.equal(`${master.origin}${master.pathname}`, `${h.api.url}/jobs/${id}/playback/master.m3u8`);
    assert.ok(master.searchParams.get("token"));
    const rendition = (links.body.renditions as { name: string; playlist: string; mp4: string }[])[0]!;
    assert.equal(new URL(rendition.playlist).pathname, `/jobs/${id}/playback/360p/index.m3u8`);
    assert.equal(new URL(rendition.playlist).searchParams.get("token"), master.searchParams.get("token"));
    assert.ok(Date.parse(String(links.body.playbackExpiresAt)) > Date.now() + (h.config.playback.ttlSeconds - 60) * 1000);
    for (const download of [rendition.mp4, String(links.body.poster)]) {
      const url = new URL(download);
      assert.ok(url.pathname.startsWith(`/${h.config.s3.outputsBucket}/${prefix}`), url.pathname);
      assert.ok(url.searchParams.get("X-Amz-Signature"));
      // The object does not exist, but the signature is accepted: S3 answers 404, not 403.
      assert.equal((await fetch(url)).status, 404);
    }
    // The playlist itself is missing from S3: a problem, not a broken playlist.
    const missing = await fetch(master);
    assert.equal(missing.status, 404);
    assert.match(missing.headers.get("content-type") ?? "", /^application\/problem\+json/);
  });

  it("a replayed Idempotency-Key returns the first job; another body with it is refused", async () => {
    const c = h.client();
    const user = await c.signupAndLogin();
    const key = await upload(c);
    const body = { source: { key }, ladder: { renditions: [{ height: 360, crf: 23 }] } };
    const headers = { "idempotency-key": "order-7f3a" };
    const first = await c.call("POST", "/jobs", { json: body, headers });
    assert.equal(first.status, 201, first.text);
    const again = await c.call("POST", "/jobs", { json: { ladder: body.ladder, source: body.source }, headers });
    assert.equal(again.status, 200, again.text);
    assert.equal(again.body.id, first.body.id);
    assert.equal(again.headers.get("idempotent-replayed"), "true");
    const concurrent = await Promise.all([1, 2, 3].map(() => c.call("POST", "/jobs", { json: body, headers })));
    for (const r of concurrent) assert.equal(r.body.id, first.body.id);
    const other = await c.call("POST", "/jobs", { json: { ...body, priority: 9 }, headers });
    assertProblem(other, 422, "header.idempotency-key");
    const all = (await h.objects.listNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: h.namespace,
      plural: PLURAL,
      labelSelector: `${OWNER_LABEL}=${user.id}`,
    })) as { items: unknown[] };
    assert.equal(all.items.length, 1);
  });

  it("cookie-authenticated writes need the CSRF header", async () => {
    const c = h.client();
    await c.signupAndLogin();
    const r = await c.call("POST", "/uploads/presigned-post", { json: { filename: "a.mp4", contentType: "video/mp4" }, csrf: false });
    assertProblem(r, 403, "header.x-csrf-token");
    const wrong = await c.call("POST", "/uploads/presigned-post", {
      json: { filename: "a.mp4", contentType: "video/mp4" },
      csrf: false,
      headers: { "x-csrf-token": "not-the-token" },
    });
    assertProblem(wrong, 403, "header.x-csrf-token");
  });

  it("login issues a new session id and the old one stops working; cookies are httpOnly and SameSite=Lax", async () => {
    const c = h.client();
    const u = await c.signupAndLogin();
    const before = c.cookieHeader();
    const res = await fetch(`${h.api.url}/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie: before },
      body: JSON.stringify({ email: u.email, password: "correct horse battery" }),
    });
    assert.equal(res.status, 200);
    const setCookies = res.headers.getSetCookie();
    const sid = setCookies.find((s) => s.startsWith("tj.sid="));
    assert.ok(sid, setCookies.join(" | "));
    assert.match(sid, /httponly/i);
    assert.match(sid, /samesite=lax/i);
    assert.doesNotMatch(before, new RegExp(sid.split(";")[0]!.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")));
    const old = await fetch(`${h.api.url}/auth/me`, { headers: { cookie: before } });
    assert.equal(old.status, 401);
  });

  it("signup with a taken email is a 409; wrong password a 401; health answers on both ports, readiness and metrics on the internal one only", async () => {
    const c = h.client();
    const u = await c.signupAndLogin();
    assertProblem(await c.call("POST", "/auth/signup", { json: { email: u.email.toUpperCase(), password: "another long password" } }), 409, "body.email");
    assertProblem(await h.client().login(u.email, "wrong password!!"), 401);
    assert.equal((await c.call("GET", "/healthz")).status, 200);
    assert.equal((await fetch(`${h.api.internalUrl}/healthz`)).status, 200);
    const ready = await fetch(`${h.api.internalUrl}/readyz`);
    assert.equal(ready.status, 200);
    assert.deepEqual(((await ready.json()) as { checks: unknown }).checks, { redis: "ok", mongo: "ok", kube: "ok", s3: "ok" });
    const metrics = await fetch(`${h.api.internalUrl}/metrics`);
    assert.equal(metrics.status, 200);
    assert.match(metrics.headers.get("content-type") ?? "", /^text\/plain/);
    const text = await metrics.text();
    assert.match(text, /api_http_requests_total\{method="POST",route="\/auth\/signup",status="201"\}/);
    assert.match(text, /^# TYPE api_http_request_duration_seconds histogram$/m);
    assert.match(text, /^# TYPE informer_watch_events_total counter$/m, "the job cache's informer metrics too");
    // The public port knows neither: a 404 problem like any unknown route, whose body says nothing of the metrics.
    for (const path of ["/metrics", "/readyz"]) {
      const r = await h.client().call("GET", path);
      assertProblem(r, 404);
      assert.match(r.headers.get("content-type") ?? "", /^application\/problem\+json/);
      assert.doesNotMatch(r.text, /api_http_requests_total/);
    }
    const doc = await c.call("GET", "/openapi.json");
    assert.equal(doc.body.openapi, "3.1.0");
  });
});
