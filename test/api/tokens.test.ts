import assert from "node:assert/strict";
import { MongoClient } from "mongodb";
import { hashSecret } from "../../api/auth/tokens.js";
import { testEnv } from "../env/index.js";
import { assertProblem, postForm, startHarness, type ApiClient, type Harness, type Reply } from "./harness.js";

/** A program's client: no cookie jar, no CSRF token, only the bearer token. */
async function bearer(h: Harness, token: string, method: string, path: string, json?: unknown): Promise<Reply> {
  const res = await fetch(h.api.url + path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(json === undefined ? {} : { "content-type": "application/json" }) },
    body: json === undefined ? undefined : JSON.stringify(json),
  });
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    // not JSON
  }
  return { status: res.status, headers: res.headers, body, text };
}

describe("api: API tokens for programs (Authorization: Bearer)", function () {
  this.timeout(60_000);
  let h: Harness;
  let mongo: MongoClient;
  before(async () => {
    h = await startHarness((c) => {
      c.tokens = { maxRequests: 40, windowSeconds: 60 };
    });
    mongo = await new MongoClient(testEnv().mongo.url).connect();
  });
  after(async () => {
    await h?.close();
    await mongo?.close();
  });

  async function newToken(c: ApiClient, scopes: string[], extra: Record<string, unknown> = {}): Promise<{ id: string; token: string }> {
    const r = await c.call("POST", "/auth/tokens", { json: { name: "ci uploader", scopes, ...extra } });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.headers.get("cache-control"), "no-store");
    return { id: String(r.body.id), token: String(r.body.token) };
  }

  it("a signed-in user creates a token shown once and stored only as a hash; it lists without its secret", async () => {
    const c = h.client();
    const user = await c.signupAndLogin();
    const { id, token } = await newToken(c, ["jobs:read", "jobs:write"], { expiresInDays: 30 });
    assert.match(token, /^tjat_[A-Za-z0-9_-]{43}$/);
    const stored = await mongo.db(h.config.mongo.db).collection<{ _id: string; hash: string; owner: string }>("api_tokens").findOne({ _id: id });
    assert.ok(stored);
    assert.equal(stored.hash, hashSecret(token));
    assert.ok(!JSON.stringify(stored).includes(token.slice(5)), "the secret is nowhere in the record");
    assert.equal(stored.owner, user.id);
    const list = await c.call("GET", "/auth/tokens");
    assert.equal(list.status, 200);
    const items = list.body.items as Record<string, unknown>[];
    assert.deepEqual(items.map((t) => [t.id, t.name, t.scopes]), [[id, "ci uploader", ["jobs:read", "jobs:write"]]]);
    assert.ok(!list.text.includes(token), "never the secret again");
    const expires = Date.parse(String(items[0]!.expiresAt));
    assert.ok(Math.abs(expires - (Date.now() + 30 * 86_400_000)) < 60_000);
    const me = await bearer(h, token, "GET", "/auth/me");
    assert.equal(me.status, 200, me.text);
    assert.deepEqual(me.body.user, { id: user.id, email: user.email });
    assert.deepEqual(me.body.token, { id, scopes: ["jobs:read", "jobs:write"] });
  });

  it("bearer requests need no CSRF token and no cookie: upload, create, list, read, cancel", async () => {
    const c = h.client();
    await c.signupAndLogin();
    const { token } = await newToken(c, ["jobs:read", "jobs:write"]);
    const post = await bearer(h, token, "POST", "/uploads/presigned-post", { filename: "clip.mp4", contentType: "video/mp4" });
    assert.equal(post.status, 201, post.text);
    assert.equal((await postForm(post.body as { url: string; fields: Record<string, string> }, new Uint8Array(100))).status, 204);
    const job = await bearer(h, token, "POST", "/jobs", { source: { key: post.body.key } });
    assert.equal(job.status, 201, job.text);
    const id = String(job.body.id);
    assert.deepEqual(((await bearer(h, token, "GET", "/jobs")).body.items as { id: string }[]).map((j) => j.id), [id]);
    assert.equal((await bearer(h, token, "GET", `/jobs/${id}`)).body.id, id);
    assert.equal((await bearer(h, token, "POST", `/jobs/${id}/cancel`)).status, 202);
  });

  it("scopes: a read-only token reads but cannot upload or create (403 naming the scope); tokens cannot manage tokens", async () => {
    const c = h.client();
    await c.signupAndLogin();
    const { token } = await newToken(c, ["jobs:read"]);
    assert.equal((await bearer(h, token, "GET", "/jobs")).status, 200);
    const refused = await bearer(h, token, "POST", "/uploads/presigned-post", { filename: "clip.mp4", contentType: "video/mp4" });
    assertProblem(refused, 403, "header.authorization");
    assert.match(String(refused.body.detail), /jobs:write/);
    assert.match(refused.headers.get("www-authenticate") ?? "", /error="insufficient_scope"/);
    assertProblem((await bearer(h, token, "POST", "/jobs", { source: { key: "uploads/x/y/z.mp4" } })), 403);
    const write = await newToken(c, ["jobs:write"]);
    assertProblem((await bearer(h, write.token, "GET", "/jobs")), 403, "header.authorization");
    for (const [m, path, json] of [
      ["POST", "/auth/tokens", { name: "x", scopes: ["jobs:read"] }],
      ["GET", "/auth/tokens", undefined],
      ["DELETE", `/auth/tokens/${write.id}`, undefined],
      ["POST", "/auth/logout", undefined],
    ] as const) {
      const r = await bearer(h, token, m, path, json);
      assertProblem(r, 403, "header.authorization");
    }
  });

  it("a revoked token never works again (401 problem+json); an expired one neither; junk is a 401 too", async () => {
    const c = h.client();
    await c.signupAndLogin();
    const { id, token } = await newToken(c, ["jobs:read"]);
    assert.equal((await bearer(h, token, "GET", "/jobs")).status, 200);
    assert.equal((await c.call("DELETE", `/auth/tokens/${id}`)).status, 204);
    const revoked = await bearer(h, token, "GET", "/jobs");
    assertProblem(revoked, 401, "header.authorization");
    assert.match(String(revoked.body.detail), /revoked/);
    assert.match(revoked.headers.get("www-authenticate") ?? "", /error="invalid_token"/);
    assertProblem(await c.call("DELETE", `/auth/tokens/${id}`), 404, "path.id");
    assert.deepEqual((await c.call("GET", "/auth/tokens")).body.items, []);

    const soon = await newToken(c, ["jobs:read"], { expiresInDays: 1 });
    assert.equal((await bearer(h, soon.token, "GET", "/jobs")).status, 200);
    // A day passes: the record's expiry is now behind us.
    await mongo.db(h.config.mongo.db).collection<{ _id: string }>("api_tokens").updateOne({ _id: soon.id }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    const expired = await bearer(h, soon.token, "GET", "/jobs");
    assertProblem(expired, 401, "header.authorization");
    assert.match(String(expired.body.detail), /expired/);

    for (const junk of [`${token}x`, "tjat_" + "A".repeat(43), "not-a-token"]) assertProblem((await bearer(h, junk, "GET", "/jobs")), 401);
    const basic = await fetch(`${h.api.url}/jobs`, { headers: { authorization: "Basic dTpw" } });
    assert.equal(basic.status, 401);
  });

  it("another user's token sees only that user's jobs; a user cannot revoke another's token", async () => {
    const a = h.client();
    await a.signupAndLogin();
    const ta = await newToken(a, ["jobs:read"]);
    const b = h.client();
    await b.signupAndLogin();
    assertProblem(await b.call("DELETE", `/auth/tokens/${ta.id}`), 404, "path.id");
    assert.equal((await bearer(h, ta.token, "GET", "/jobs")).status, 200, "still alive");
  });

  it("bad token requests are 4xx naming the field; only signed-in users create tokens", async () => {
    const c = h.client();
    await c.signupAndLogin();
    assertProblem(await c.call("POST", "/auth/tokens", { json: { name: "x", scopes: ["admin"] } }), 400, "body.scopes.0");
    assertProblem(await c.call("POST", "/auth/tokens", { json: { name: "x", scopes: [] } }), 400, "body.scopes");
    assertProblem(await c.call("POST", "/auth/tokens", { json: { name: "x", scopes: ["jobs:read"], expiresInDays: 0 } }), 400, "body.expiresInDays");
    assertProblem(await c.call("POST", "/auth/tokens", { json: { name: "", scopes: ["jobs:read"] } }), 400, "body.name");
    assertProblem(await c.call("POST", "/auth/tokens", { json: { name: "x", scopes: ["jobs:read"] }, csrf: false }), 403, "header.x-csrf-token");
    assertProblem(await c.call("DELETE", "/auth/tokens/not-a-uuid"), 400, "path.id");
    assertProblem(await h.client().call("POST", "/auth/tokens", { json: { name: "x", scopes: ["jobs:read"] } }), 401);
  });

  it("the login limits do not apply to tokens; each token has a request budget of its own (429 + Retry-After)", async () => {
    const c = h.client();
    const u = await c.signupAndLogin();
    const { token } = await newToken(c, ["jobs:read"]);
    const other = await newToken(c, ["jobs:read"]);
    // Lock the account out of password sign-in.
    for (let i = 0; i < h.config.login.maxFailuresPerSource + 1; i++) await h.client().login(u.email, "wrong password!!");
    assertProblem(await h.client().login(u.email, "correct horse battery"), 429);
    assert.equal((await bearer(h, token, "GET", "/jobs")).status, 200, "a locked password does not lock its tokens");
    // The budget (40 a window here) counts this token's requests, the one above included.
    const statuses: number[] = [];
    for (let i = 0; i < 45; i++) statuses.push((await bearer(h, token, "GET", "/auth/me")).status);
    assert.equal(statuses.filter((s) => s === 200).length, 39, statuses.join(","));
    const limited = await bearer(h, token, "GET", "/jobs");
    assertProblem(limited, 429);
    assert.ok(Number(limited.headers.get("retry-after")) >= 1);
    assert.equal((await bearer(h, other.token, "GET", "/jobs")).status, 200, "another token's budget is its own");
    const metrics = await (await fetch(`${h.api.internalUrl}/metrics`)).text();
    assert.match(metrics, /api_token_rate_limited_total [1-9]/);
  });
});
