import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { assertProblem, startHarness, type Harness } from "./harness.js";

describe("api: login rate limits in Redis", function () {
  this.timeout(60_000);
  let h: Harness;
  before(async () => {
    h = await startHarness((c) => {
      c.login = { ...c.login, maxFailuresPerSource: 3, maxAttemptsPerIp: 1000, windowSeconds: 2 };
    });
  });
  after(async () => {
    await h?.close();
  });

  it("per account: trips after the failures, refuses even the right password with Retry-After, then recovers", async () => {
    const c = h.client();
    const { email } = await c.signupAndLogin();
    const password = "correct horse battery";
    for (let i = 0; i < 3; i++) assertProblem(await h.client().login(email, "wrong password"), 401);
    const limited = await h.client().login(email, password);
    assertProblem(limited, 429);
    const retry = Number(limited.headers.get("retry-after"));
    assert.ok(retry >= 1 && retry <= 2, `Retry-After ${retry}`);
    // Another account from the same IP is not affected by this account's lock.
    const other = h.client();
    await other.signupAndLogin();
    await sleep(retry * 1000 + 200);
    const ok = await h.client().login(email, password);
    assert.equal(ok.status, 200, ok.text);
  });

  it("a success clears the account's failures", async () => {
    const c = h.client();
    const { email } = await c.signupAndLogin();
    for (let i = 0; i < 2; i++) assertProblem(await h.client().login(email, "wrong password"), 401);
    assert.equal((await h.client().login(email, "correct horse battery")).status, 200);
    for (let i = 0; i < 2; i++) assertProblem(await h.client().login(email, "wrong password"), 401);
    assert.equal((await h.client().login(email, "correct horse battery")).status, 200);
  });

  it("unknown accounts are limited the same way, so probing for addresses gains nothing", async () => {
    const email = "nobody-here@example.com";
    for (let i = 0; i < 3; i++) assertProblem(await h.client().login(email, "whatever"), 401);
    assertProblem(await h.client().login(email, "whatever"), 429);
  });

  it("per IP: attempts across many accounts trip the IP limit", async () => {
    const ip = await startHarness((c) => {
      c.login = { ...c.login, maxFailuresPerSource: 100, maxAttemptsPerIp: 4, windowSeconds: 2 };
    });
    try {
      for (let i = 0; i < 4; i++) assertProblem(await ip.client().login(`spray${i}@example.com`, "guess"), 401);
      const limited = await ip.client().login("spray-last@example.com", "guess");
      assertProblem(limited, 429);
      assert.ok(Number(limited.headers.get("retry-after")) >= 1);
      // Signups hash passwords too, so they spend the same per-IP budget.
      assertProblem(await ip.client().call("POST", "/auth/signup", { json: { email: "new@example.com", password: "long enough pw" } }), 429);
      const metrics = await (await fetch(`${ip.api.internalUrl}/metrics`)).text();
      assert.match(metrics, /api_login_rate_limited_total 2/);
      await sleep(Number(limited.headers.get("retry-after")) * 1000 + 200);
      assertProblem(await ip.client().login("spray-after@example.com", "guess"), 401);
    } finally {
      await ip.close();
    }
  });
});
