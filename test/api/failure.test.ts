import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { testEnv } from "../env/index.js";
import { waitFor } from "../support/wait.js";
import { FaultProxy } from "../support/fault-proxy.js";
import { assertProblem, postForm, startHarness, type Harness } from "./harness.js";

describe("api: backing services that drop away", function () {
  this.timeout(60_000);
  let h: Harness;
  const proxies: Record<"redis" | "mongo" | "kube", FaultProxy> = {} as never;

  before(async () => {
    const env = testEnv();
    proxies.redis = await FaultProxy.to(env.redis.url).start();
    proxies.mongo = await FaultProxy.to(env.mongo.url).start();
    proxies.kube = await FaultProxy.to(env.kube.server).start();
    // The same kubeconfig, pointed at the proxy (same host, so the serving certificate still matches).
    const kubeconfig = (await readFile(env.kube.kubeconfigPath, "utf8")).replaceAll(env.kube.server, `https://127.0.0.1:${proxies.kube.port}`);
    const kubeconfigPath = join(env.tmpDir, `api-fault-kubeconfig-${process.pid}`);
    await writeFile(kubeconfigPath, kubeconfig);
    h = await startHarness((c) => {
      c.redis.url = proxies.redis.through(c.redis.url);
      c.mongo.url = `mongodb://127.0.0.1:${proxies.mongo.port}/`;
      c.kube.kubeconfigPath = kubeconfigPath;
      // The job cache turns stale after twice this without word from the apiserver.
      c.kube.watchIdleTimeoutMs = 1500;
    });
  });
  after(async () => {
    await h?.close();
    await Promise.all(Object.values(proxies).map((p) => p.stop()));
  });

  async function ready(): Promise<boolean> {
    return (await fetch(`${h.api.internalUrl}/readyz`)).status === 200;
  }

  it("Redis down: readiness says so, session requests get a 503 problem, and all recovers when it is back", async () => {
    const c = h.client();
    await c.signupAndLogin();
    proxies.redis.down();
    try {
    const readyz = await fetch(`${h.api.internalUrl}/readyz`);
    assert.equal(readyz.status, 503);
    assert.equal(((await readyz.json()) as { checks: Record<string, string> }).checks.redis, "failed");
    assertProblem(await c.call("GET", "/auth/me"), 503);
    assertProblem(await h.client().login("x@example.com", "whatever pw"), 503);
    assert.equal((await c.call("GET", "/healthz")).status, 200, "liveness is not readiness");
    assert.equal((await fetch(`${h.api.internalUrl}/healthz`)).status, 200, "nor on the internal port");
    } finally {
      proxies.redis.restore();
    }
    await waitFor(ready, 15_000, "ready again");
    assert.equal((await c.call("GET", "/auth/me")).status, 200, "the session survived the outage");
  });

  it("MongoDB down: signup is a 503, not a crash; it works again after", async () => {
    proxies.mongo.down();
    let r;
    try {
      r = await h.client().call("POST", "/auth/signup", { json: { email: "mongo-down@example.com", password: "long enough pw" } });
    } finally {
      proxies.mongo.restore();
    }
    assertProblem(r, 503);
    assert.equal(r.headers.get("retry-after"), "1");
    await waitFor(ready, 15_000, "ready again");
    const ok = await h.client().call("POST", "/auth/signup", { json: { email: "mongo-down@example.com", password: "long enough pw" } });
    assert.equal(ok.status, 201, ok.text);
  });

  it("Kubernetes API down: reads come from the job cache until it is stale, then are 503s; creates are 503s; nothing half-made once it is back", async () => {
    const c = h.client();
    await c.signupAndLogin();
    const p = await c.call("POST", "/uploads/presigned-post", { json: { filename: "a.mp4", contentType: "video/mp4" } });
    await postForm(p.body as { url: string; fields: Record<string, string> }, new Uint8Array(10));
    const headers = { "idempotency-key": "during-outage" };
    proxies.kube.down();
    try {
      const cached = await c.call("GET", "/jobs");
      assert.equal(cached.status, 200, "the watch cache still answers");
      assertProblem(await c.call("POST", "/jobs", { json: { source: { key: String(p.body.key) } }, headers }), 503);
      // Twice WATCH_IDLE_TIMEOUT_MS without a word from the apiserver: the cache is stale, reads go to the apiserver.
      await waitFor(async () => (await c.call("GET", "/jobs")).status === 503, 15_000, "reads refused once the cache is stale");
      assertProblem(await c.call("GET", "/jobs"), 503);
      assertProblem(await c.call("GET", "/jobs/api-0123"), 503);
      assert.equal(await ready(), false, "not ready with a stale cache and no apiserver");
    } finally {
      proxies.kube.restore();
    }
    await waitFor(ready, 15_000, "ready again");
    // The client retries with the same key: exactly one job results.
    const retry = await c.call("POST", "/jobs", { json: { source: { key: String(p.body.key) } }, headers });
    assert.equal(retry.status, 201, retry.text);
    const list = await c.call("GET", "/jobs");
    assert.equal((list.body.items as unknown[]).length, 1);
  });

  it("graceful shutdown: close() ends open SSE streams and resolves; later connections are refused", async () => {
    const c = h.client();
    await c.signupAndLogin();
    const p = await c.call("POST", "/uploads/presigned-post", { json: { filename: "a.mp4", contentType: "video/mp4" } });
    await postForm(p.body as { url: string; fields: Record<string, string> }, new Uint8Array(10));
    const job = await c.call("POST", "/jobs", { json: { source: { key: String(p.body.key) } } });
    const res = await fetch(`${h.api.url}/jobs/${String(job.body.id)}/events`, { headers: { cookie: c.cookieHeader() } });
    assert.equal(res.status, 200);
    const reading = res.text().catch(() => "closed");
    const started = Date.now();
    await h.api.close();
    await reading;
    assert.ok(Date.now() - started < 3000, "open streams do not hold shutdown for the grace period");
    await assert.rejects(fetch(`${h.api.url}/healthz`));
    await assert.rejects(fetch(`${h.api.internalUrl}/healthz`), "the internal server is closed too");
  });
});
