import assert from "node:assert/strict";
import { request } from "node:http";
import { CONTENT_SECURITY_POLICY, HSTS } from "../../api/http/security-headers.js";
import { assertProblem, startHarness, type Harness } from "./harness.js";

/** A raw request (fetch refuses TRACE). */
function raw(url: string, method: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      let body = "";
      res.on("data", (d: Buffer) => (body += d.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("api: response headers and methods", function () {
  this.timeout(60_000);
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h?.close();
  });

  it("every answer, errors included, is nosniff, no-store and under a CSP that lets nothing run; no HSTS over plain HTTP", async () => {
    const c = h.client();
    await c.signupAndLogin();
    for (const [method, path] of [["GET", "/auth/me"], ["GET", "/jobs"], ["GET", "/nope"], ["POST", "/jobs"]] as const) {
      const r = await c.call(method, path, method === "POST" ? { json: {} } : {});
      assert.equal(r.headers.get("x-content-type-options"), "nosniff", path);
      assert.equal(r.headers.get("cache-control"), "no-store", path);
      assert.equal(r.headers.get("content-security-policy"), CONTENT_SECURITY_POLICY, path);
      assert.equal(r.headers.get("strict-transport-security"), null, path);
    }
  });

  it("HSTS when sessions are Secure and the request came over TLS (the trusted proxy says so)", async () => {
    const s = await startHarness((c) => {
      c.trustProxy = true;
      c.secure = true;
    });
    try {
      const r = await s.client().call("GET", "/healthz", { headers: { "x-forwarded-proto": "https" } });
      assert.equal(r.headers.get("strict-transport-security"), HSTS);
    } finally {
      await s.close();
    }
  });

  it("TRACE is 405 with the path's Allow header, as a method a route lacks, both problem+json (never a 5xx)", async () => {
    const trace = await raw(`${h.api.url}/jobs`, "TRACE");
    assert.equal(trace.status, 405, trace.body);
    assert.deepEqual(String(trace.headers.allow).split(", ").sort(), ["GET", "HEAD", "POST"]);
    assert.match(String(trace.headers["content-type"]), /^application\/problem\+json/);
    assertProblem(await h.client().call("PUT", "/jobs", { json: {} }), 405);
  });
});
