import assert from "node:assert/strict";
import { assertProblem, startHarness, type ApiClient, type Harness } from "./harness.js";

interface Case {
  name: string;
  method: string;
  path: string;
  json?: unknown;
  raw?: string;
  headers?: Record<string, string>;
  status: number;
  field?: string;
}

describe("api: malformed input is a 4xx problem, never a 5xx", function () {
  this.timeout(60_000);
  let h: Harness;
  let c: ApiClient;
  let key: string;
  before(async () => {
    h = await startHarness();
    c = h.client();
    const u = await c.signupAndLogin();
    key = `uploads/${u.id}/0a1b/clip.mp4`;
  });
  after(async () => {
    await h?.close();
  });

  const long = "x".repeat(5000);
  const cases = (): Case[] => [
    { name: "body not JSON", method: "POST", path: "/auth/signup", raw: "{nope", headers: { "content-type": "application/json" }, status: 400, field: "body" },
    { name: "empty body", method: "POST", path: "/auth/signup", raw: "", headers: { "content-type": "application/json" }, status: 400, field: "body" },
    { name: "JSON array body", method: "POST", path: "/auth/signup", json: [1, 2], status: 400, field: "body" },
    { name: "JSON null body", method: "POST", path: "/auth/login", json: null, status: 400, field: "body" },
    { name: "form-encoded body", method: "POST", path: "/auth/login", raw: "email=a&password=b", headers: { "content-type": "application/x-www-form-urlencoded" }, status: 415, field: "header.content-type" },
    { name: "body over the limit", method: "POST", path: "/auth/signup", json: { email: "a@b.co", password: "y".repeat(70 * 1024) }, status: 413, field: "body" },
    { name: "email wrong type", method: "POST", path: "/auth/signup", json: { email: 5, password: "long enough pw" }, status: 400, field: "body.email" },
    { name: "email not an email", method: "POST", path: "/auth/signup", json: { email: "nope", password: "long enough pw" }, status: 400, field: "body.email" },
    { name: "email oversize", method: "POST", path: "/auth/signup", json: { email: `${long}@b.co`, password: "long enough pw" }, status: 400, field: "body.email" },
    { name: "password too short", method: "POST", path: "/auth/signup", json: { email: "a@b.co", password: "short" }, status: 400, field: "body.password" },
    { name: "password oversize", method: "POST", path: "/auth/signup", json: { email: "a@b.co", password: long }, status: 400, field: "body.password" },
    { name: "unknown field", method: "POST", path: "/auth/signup", json: { email: "a@b.co", password: "long enough pw", admin: true }, status: 400, field: "body" },
    { name: "prototype pollution key", method: "POST", path: "/auth/login", raw: '{"email":"a@b.co","password":"p","__proto__":{"x":1}}', headers: { "content-type": "application/json" }, status: 400, field: "body" },
    { name: "job: missing source", method: "POST", path: "/jobs", json: {}, status: 400, field: "body.source" },
    { name: "job: key not a string", method: "POST", path: "/jobs", json: { source: { key: 42 } }, status: 400, field: "body.source.key" },
    { name: "job: key of wrong shape", method: "POST", path: "/jobs", json: { source: { key: "../../etc/passwd" } }, status: 400, field: "body.source.key" },
    { name: "job: key oversize", method: "POST", path: "/jobs", json: { source: { key: long } }, status: 400, field: "body.source.key" },
    { name: "job: both preset and renditions", method: "POST", path: "/jobs", json: { source: { key }, ladder: { preset: "mobile", renditions: [{ height: 360 }] } }, status: 400, field: "body.ladder" },
    { name: "job: unknown preset", method: "POST", path: "/jobs", json: { source: { key }, ladder: { preset: "ultra" } }, status: 400, field: "body.ladder.preset" },
    { name: "job: height out of range", method: "POST", path: "/jobs", json: { source: { key }, ladder: { renditions: [{ height: 10000 }] } }, status: 400, field: "body.ladder.renditions.0.height" },
    { name: "job: crf float", method: "POST", path: "/jobs", json: { source: { key }, ladder: { renditions: [{ height: 360, crf: 2.5 }] } }, status: 400, field: "body.ladder.renditions.0.crf" },
    { name: "job: bad format", method: "POST", path: "/jobs", json: { source: { key }, formats: ["avi"] }, status: 400, field: "body.formats.0" },
    { name: "job: priority out of range", method: "POST", path: "/jobs", json: { source: { key }, priority: 51 }, status: 400, field: "body.priority" },
    { name: "job: priority a string", method: "POST", path: "/jobs", json: { source: { key }, priority: "1" }, status: 400, field: "body.priority" },
    { name: "job: output bucket smuggled in", method: "POST", path: "/jobs", json: { source: { key }, output: { bucket: "x", prefix: "y" } }, status: 400, field: "body" },
    { name: "job: owner smuggled in", method: "POST", path: "/jobs", json: { source: { key }, owner: "someone-else" }, status: 400, field: "body" },
    { name: "job: Idempotency-Key oversize", method: "POST", path: "/jobs", json: { source: { key } }, headers: { "idempotency-key": long }, status: 400, field: "header.idempotency-key" },
    { name: "job: upload does not exist", method: "POST", path: "/jobs", json: { source: { key } }, status: 422, field: "body.source.key" },
    { name: "job id with capitals", method: "GET", path: "/jobs/API-1", status: 400, field: "path.id" },
    { name: "job id too long", method: "GET", path: `/jobs/${"a".repeat(64)}`, status: 400, field: "path.id" },
    { name: "job id url-encoded slash", method: "GET", path: "/jobs/a%2Fb", status: 400, field: "path.id" },
    { name: "job id bad percent-encoding", method: "GET", path: "/jobs/%E0%A4%A", status: 400 },
    { name: "list: limit zero", method: "GET", path: "/jobs?limit=0", status: 400, field: "query.limit" },
    { name: "list: limit not a number", method: "GET", path: "/jobs?limit=ten", status: 400, field: "query.limit" },
    { name: "list: unknown phase", method: "GET", path: "/jobs?phase=Done", status: 400, field: "query.phase" },
    { name: "list: unknown query param", method: "GET", path: "/jobs?sort=asc", status: 400, field: "query" },
    { name: "list: garbage cursor", method: "GET", path: "/jobs?cursor=bm90LWEtdG9rZW4", status: 400, field: "query.cursor" },
    { name: "list: cursor with bad characters", method: "GET", path: "/jobs?cursor=%24%24", status: 400, field: "query.cursor" },
    { name: "list: repeated limit", method: "GET", path: "/jobs?limit=1&limit=2", status: 400, field: "query.limit" },
    { name: "multipart: part number zero", method: "POST", path: "/uploads/multipart/parts", json: { key, uploadId: "u", partNumbers: [0] }, status: 400, field: "body.partNumbers.0" },
    { name: "multipart: size negative", method: "POST", path: "/uploads/multipart", json: { filename: "a.mp4", contentType: "video/mp4", size: -1 }, status: 400, field: "body.size" },
    { name: "unknown route", method: "GET", path: "/nope", status: 404 },
    { name: "wrong method", method: "PUT", path: "/jobs", json: {}, status: 405 },
  ];

  it("each case gets its 4xx, a precise field and a request id; zero 5xx", async () => {
    const failures: string[] = [];
    for (const t of cases()) {
      const r = await c.call(t.method, t.path, { ...(t.json !== undefined ? { json: t.json } : {}), ...(t.raw !== undefined ? { raw: t.raw } : {}), headers: t.headers ?? {} });
      try {
        assert.ok(r.status < 500, "5xx");
        assertProblem(r, t.status, t.field);
        if (t.status === 400) assert.ok(typeof r.body.detail === "string" && r.body.detail.length > 0, "has a detail");
      } catch (err) {
        failures.push(`${t.name}: ${(err as Error).message}`);
      }
    }
    assert.deepEqual(failures, []);
  });

  it("a caller-supplied safe X-Request-Id is echoed; an unsafe one is replaced", async () => {
    const mine = await c.call("GET", "/nope", { headers: { "x-request-id": "trace-1234abcd" } });
    assert.equal(mine.headers.get("x-request-id"), "trace-1234abcd");
    assert.equal(mine.body.requestId, "trace-1234abcd");
    const bad = await c.call("GET", "/nope", { headers: { "x-request-id": "<script>" } });
    assert.notEqual(bad.headers.get("x-request-id"), "<script>");
  });
});
