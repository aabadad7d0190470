import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { assertProblem, postForm, startHarness, type ApiClient, type Harness } from "./harness.js";

const PASSWORD = "correct horse battery";
const from = (ip: string) => ({ "x-forwarded-for": ip });

/** Counts the password verifications the API makes (the expensive step the limiter must bound). */
function countVerifications(h: Harness): { n: number } {
  const counter = { n: 0 };
  const passwords = h.api.deps.passwords;
  const verify = passwords.verify.bind(passwords);
  passwords.verify = async (hash: string, password: string) => {
    counter.n++;
    return verify(hash, password);
  };
  return counter;
}

describe("api: sign-in limits and session lifetimes on the real Redis", function () {
  this.timeout(60_000);
  let h: Harness;
  before(async () => {
    h = await startHarness((c) => {
      // Distinct sources through the one trusted proxy (X-Forwarded-For), as behind a load balancer.
      c.trustProxy = true;
      c.login = { maxFailuresPerSource: 5, maxAttemptsPerIp: 1000, windowSeconds: 60, maxFailuresPerAccount: 12, accountWindowSeconds: 3600 };
      c.session = { absoluteMs: 3000, idleMs: 1500, heartbeatMs: 300 };
    });
  });
  after(async () => {
    await h?.close();
  });

  const login = (email: string, password: string, ip: string) => h.client().call("POST", "/auth/login", { json: { email, password }, headers: from(ip) });

  it("40 parallel wrong passwords from one address make at most 5 verifications (one reservation script before verifying)", async () => {
    const { email } = await h.client().signupAndLogin();
    const counter = countVerifications(h);
    const replies = await Promise.all(Array.from({ length: 40 }, () => login(email, "wrong password!!", "203.0.113.10")));
    const statuses = replies.map((r) => r.status);
    assert.equal(statuses.filter((s) => s === 401).length, 5, statuses.join(","));
    assert.equal(statuses.filter((s) => s === 429).length, 35);
    assert.equal(counter.n, 5, "verifications");
    console.log(`      40 parallel guesses: ${counter.n} verifications, ${statuses.filter((s) => s === 429).length} refused before verifying`);
    // The right password from that address waits too ...
    assertProblem(await login(email, PASSWORD, "203.0.113.10"), 429);
    // ... but the owner signing in from elsewhere is not locked out.
    assert.equal((await login(email, PASSWORD, "198.51.100.20")).status, 200);
  });

  it("the per-account backstop stops a guess spread over many addresses, the owner included, at its limit", async () => {
    const { email } = await h.client().signupAndLogin();
    // A success undoes its own reservation only: the backstop counts failures.
    for (const ip of ["192.0.2.1", "192.0.2.2"]) for (let i = 0; i < 5; i++) assertProblem(await login(email, "wrong password!!", ip), 401);
    for (let i = 0; i < 2; i++) assertProblem(await login(email, "wrong password!!", "192.0.2.3"), 401);
    // 12 failures: the account's backstop (LOGIN_MAX_FAILURES_PER_ACCOUNT) is reached from every address.
    const limited = await login(email, PASSWORD, "198.51.100.30");
    assertProblem(limited, 429);
    assert.ok(Number(limited.headers.get("retry-after")) > 60, "the backstop's window is the slower one");
  });

  it("a session past its idle timeout is refused", async () => {
    const c = h.client();
    await c.signupAndLogin();
    assert.equal((await c.call("GET", "/auth/me")).status, 200);
    await sleep(1800);
    assertProblem(await c.call("GET", "/auth/me"), 401);
  });

  it("a session past its absolute lifetime is refused, however active", async () => {
    const c = h.client();
    await c.signupAndLogin();
    const t0 = Date.now();
    while (Date.now() - t0 < 2800) {
      assert.equal((await c.call("GET", "/auth/me")).status, 200, "active within the idle timeout");
      await sleep(400);
    }
    await sleep(Math.max(0, 3200 - (Date.now() - t0)));
    assertProblem(await c.call("GET", "/auth/me"), 401);
  });

  async function jobOf(c: ApiClient): Promise<string> {
    const p = await c.call("POST", "/uploads/presigned-post", { json: { filename: "a.mp4", contentType: "video/mp4" } });
    await postForm(p.body as { url: string; fields: Record<string, string> }, new Uint8Array(10));
    const job = await c.call("POST", "/jobs", { json: { source: { key: String(p.body.key) } } });
    assert.equal(job.status, 201, job.text);
    return String(job.body.id);
  }

  /** Reads an SSE response to its end; resolves with when it ended and what it said. */
  async function readToEnd(res: Response): Promise<{ endedAt: number; text: string }> {
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return { endedAt: Date.now(), text };
      text += decoder.decode(value, { stream: true });
    }
  }

  it("sign-out everywhere ends every session of the user and their open progress streams within one heartbeat", async () => {
    const a = h.client();
    const { email } = await a.signupAndLogin();
    const b = h.client();
    assert.equal((await b.login(email, PASSWORD)).status, 200);
    const other = h.client();
    await other.signupAndLogin();
    const id = await jobOf(b);
    const stream = await fetch(`${h.api.url}/jobs/${id}/events`, { headers: { cookie: b.cookieHeader() } });
    assert.equal(stream.status, 200);
    const ended = readToEnd(stream);
    await sleep(700); // a few heartbeats pass while the session lives: the stream stays open
    const t0 = Date.now();
    assert.equal((await a.call("POST", "/auth/logout-everywhere")).status, 204);
    const { endedAt, text } = await ended;
    console.log(`      stream ended ${endedAt - t0} ms after sign-out everywhere (heartbeat 300 ms)`);
    assert.ok(endedAt - t0 <= 300 + 250, `ended ${endedAt - t0} ms after`);
    assert.match(text, /event: end\ndata: \{"reason":"credential-ended"\}/);
    assert.match(text, /: keep-alive/, "it was kept alive before");
    for (const c of [a, b]) assertProblem(await c.call("GET", "/auth/me"), 401);
    assert.equal((await other.call("GET", "/auth/me")).status, 200, "another user's session lives on");
  });

  it("sign-out everywhere needs a session (401 without one)", async () => {
    assertProblem(await h.client().call("POST", "/auth/logout-everywhere"), 401);
  });
});
