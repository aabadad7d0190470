import assert from "node:assert/strict";
import { Validator } from "@seriousme/openapi-schema-validator";
import { createApp, type ApiDeps } from "../../api/index.js";
import { openApiPath } from "../../api/openapi/document.js";
import { createMetrics } from "../../api/http/metrics.js";
import { createLogger } from "../../lib/log.js";
import { loadApiConfig } from "../../api/config.js";

/** Building the route table calls no port; any call would be a bug, so each port here throws. */
function inertDeps(): ApiDeps {
  const never = new Proxy(
    {},
    {
      // "then" must stay undefined or the object would pass for a promise.
      get: (_t, prop) =>
        prop === "then"
          ? undefined
          : () => {
              throw new Error("port called while only building routes");
            },
    },
  );
  const { config } = loadApiConfig({
    API_SESSION_KEYS: "k".repeat(32),
    MONGODB_URL: "mongodb://127.0.0.1:1/",
    REDIS_URL: "redis://127.0.0.1:1",
    UPLOADS_BUCKET: "up-bucket",
    OUTPUTS_BUCKET: "out-bucket",
  });
  return {
    config,
    log: createLogger("test", { level: "silent" }),
    metrics: createMetrics({ defaultMetrics: false }),
    users: never as ApiDeps["users"],
    passwords: { hash: () => Promise.resolve("x"), verify: () => Promise.resolve(false) },
    limiter: never as ApiDeps["limiter"],
    tokens: never as ApiDeps["tokens"],
    tokenLimiter: never as ApiDeps["tokenLimiter"],
    playback: never as ApiDeps["playback"],
    sessionStore: never as ApiDeps["sessionStore"],
    storage: never as ApiDeps["storage"],
    multipartPlans: never as ApiDeps["multipartPlans"],
    jobs: never as ApiDeps["jobs"],
    history: never as ApiDeps["history"],
    progress: never as ApiDeps["progress"],
    readiness: [],
  };
}

describe("api: OpenAPI document", () => {
  const { router, openapi, routes } = createApp(inertDeps());

  it("validates as OpenAPI 3.1", async () => {
    const v = new Validator();
    const res = await v.validate(openapi);
    assert.equal(v.version, "3.1");
    assert.ok(res.valid, JSON.stringify(res.errors, null, 2));
  });

  it("every router layer is in the document and every document operation is a router layer", () => {
    const fromRouter = new Set<string>();
    for (const layer of router.stack) {
      for (const m of layer.methods) {
        if (m === "HEAD") continue; // koa-router adds HEAD to every GET
        fromRouter.add(`${m.toLowerCase()} ${openApiPath(String(layer.path))}`);
      }
    }
    const fromDoc = new Set<string>();
    const paths = openapi.paths as Record<string, Record<string, unknown>>;
    for (const [p, ops] of Object.entries(paths)) for (const m of Object.keys(ops)) fromDoc.add(`${m} ${p}`);
    assert.deepEqual([...fromDoc].sort(), [...fromRouter].sort());
    assert.equal(fromDoc.size, routes.length);
  });

  it("every operation documents its inputs, its success and its errors as problem+json", () => {
    const paths = openapi.paths as Record<string, Record<string, Record<string, unknown>>>;
    for (const r of routes) {
      const op = paths[openApiPath(r.path)]?.[r.method];
      assert.ok(op, `${r.method} ${r.path}`);
      const params = (op.parameters ?? []) as { name: string; in: string }[];
      for (const m of r.path.matchAll(/:([a-z]+)/g)) {
        assert.ok(params.some((p) => p.in === "path" && p.name === m[1]), `${r.path} documents path param ${m[1]}`);
      }
      if (r.body) assert.ok(op.requestBody, `${r.path} documents its body`);
      const responses = op.responses as Record<string, { content?: Record<string, unknown> }>;
      assert.ok(Object.keys(responses).some((s) => s.startsWith("2")), `${r.path} has a 2xx`);
      for (const [status, resp] of Object.entries(responses)) {
        if (Number(status) >= 400) {
          assert.ok(resp.content?.["application/problem+json"], `${r.method} ${r.path} ${status} is problem+json`);
        }
      }
      if (r.auth !== "none" && r.auth !== "link" && r.method !== "get") {
        assert.ok(params.some((p) => p.in === "header" && p.name === "x-csrf-token"), `${r.path} documents the CSRF header`);
      }
      const security = op.security as Record<string, string[]>[];
      if (r.auth === "none") assert.deepEqual(security, [], `${r.path} needs nothing`);
      else if (r.auth === "session") assert.deepEqual(security, [{ session: [] }], `${r.path}: the session only`);
      else if (r.auth === "link") assert.deepEqual(security, [{ playbackToken: [] }], `${r.path}: its link`);
      else assert.deepEqual(security, [{ session: [] }, { bearer: [...r.auth.scopes] }], `${r.method} ${r.path}: the session or a token with its scopes`);
    }
  });

  it("declares the session cookie, API tokens (bearer) and playback links as security schemes; jobs need their scope", () => {
    const schemes = (openapi.components as { securitySchemes: Record<string, { type: string; scheme?: string; in?: string }> }).securitySchemes;
    assert.equal(schemes.session?.in, "cookie");
    assert.deepEqual([schemes.bearer?.type, schemes.bearer?.scheme], ["http", "bearer"]);
    assert.deepEqual([schemes.playbackToken?.type, schemes.playbackToken?.in], ["apiKey", "query"]);
    const paths = openapi.paths as Record<string, Record<string, { security: unknown }>>;
    assert.deepEqual(paths["/jobs"]?.post?.security, [{ session: [] }, { bearer: ["jobs:write"] }]);
    assert.deepEqual(paths["/jobs/{id}"]?.get?.security, [{ session: [] }, { bearer: ["jobs:read"] }]);
    assert.deepEqual(paths["/uploads/presigned-post"]?.post?.security, [{ session: [] }, { bearer: ["jobs:write"] }]);
    assert.deepEqual(paths["/auth/tokens"]?.post?.security, [{ session: [] }], "only a signed-in user makes tokens");
    assert.deepEqual(paths["/jobs/{id}/playback/master.m3u8"]?.get?.security, [{ playbackToken: [] }]);
  });

  it("request bodies forbid unknown fields in the schema too", () => {
    const paths = openapi.paths as Record<string, Record<string, { requestBody?: { content: Record<string, { schema: Record<string, unknown> }> } }>>;
    const body = paths["/jobs"]?.post?.requestBody?.content["application/json"]?.schema;
    assert.equal(body?.additionalProperties, false);
  });
});
