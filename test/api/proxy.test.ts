import assert from "node:assert/strict";
import { assertProblem, startHarness, type Harness } from "./harness.js";

describe("api: behind a TLS-terminating proxy", function () {
  this.timeout(60_000);
  let h: Harness;
  before(async () => {
    h = await startHarness((c) => {
      c.trustProxy = true;
      c.secure = true;
      c.login = { ...c.login, maxFailuresPerSource: 100, maxAttemptsPerIp: 3, windowSeconds: 60 };
    });
  });
  after(async () => {
    await h?.close();
  });

  it("cookies are Secure when the trusted proxy says the request came over https", async () => {
    const c = h.client();
    const email = "proxy@example.com";
    const password = "correct horse battery";
    const headers = { "x-forwarded-proto": "https", "x-forwarded-for": "203.0.113.7" };
    assert.equal((await c.call("POST", "/auth/signup", { json: { email, password }, headers })).status, 201);
    const res = await fetch(`${h.api.url}/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify({ email, password }),
    });
    assert.equal(res.status, 200);
    const sid = res.headers.getSetCookie().find((s) => s.startsWith("tj.sid="));
    assert.match(sid ?? "", /;\s*secure/i);
  });

  it("a plain-http login cannot be given a Secure cookie: a clear 4xx, not a 500", async () => {
    const c = h.client();
    assertProblem(await c.call("POST", "/auth/signup", { json: { email: "plain@example.com", password: "correct horse battery" } }), 403);
    assertProblem(await c.login("proxy@example.com", "correct horse battery"), 403);
    assert.equal((await c.call("GET", "/healthz")).status, 200, "probes stay on plain http");
  });

  it("the per-IP limit keys on the address the proxy appended; a spoofed leftmost X-Forwarded-For changes nothing", async () => {
    const attempt = (xff: string) =>
      h.client().call("POST", "/auth/login", {
        json: { email: "nobody@example.com", password: "guess" },
        headers: { "x-forwarded-proto": "https", "x-forwarded-for": xff },
      });
    for (let i = 0; i < 3; i++) assertProblem(await attempt(`10.0.0.${i}, 198.51.100.9`), 401);
    assertProblem(await attempt("10.9.9.9, 198.51.100.9"), 429);
    assertProblem(await attempt("198.51.100.10"), 401);
  });
});
