import assert from "node:assert/strict";
import { ApiException } from "@kubernetes/client-node";
import { TerminalError, TransientError } from "../../lib/errors/index.js";
import { mapKubeError } from "../../lib/kube/index.js";

const api = (code: number, reason?: string, headers: Record<string, string> = {}) =>
  new ApiException<unknown>(code, "x", { kind: "Status", reason, message: `server says ${code}` }, headers);

describe("operator/kube error mapping", () => {
  const table: [what: string, err: unknown, kind: typeof TransientError | typeof TerminalError, retryAfterMs?: number][] = [
    ["409 conflict", api(409, "Conflict"), TransientError],
    ["429 with Retry-After", api(429, "TooManyRequests", { "retry-after": "3" }), TransientError, 3000],
    ["500", api(500, "InternalError"), TransientError],
    ["503", api(503, "ServiceUnavailable", { "retry-after": "1" }), TransientError, 1000],
    ["network (fetch failed)", new TypeError("fetch failed", { cause: Object.assign(new Error("connect"), { code: "ECONNREFUSED" }) }), TransientError],
    ["422 invalid", api(422, "Invalid"), TerminalError],
    ["400 bad request", api(400, "BadRequest"), TerminalError],
    ["403 forbidden", api(403, "Forbidden"), TerminalError],
  ];
  for (const [what, err, kind, retryAfter] of table) {
    it(`${what} -> ${kind.name}`, () => {
      const mapped = mapKubeError(err, "op");
      assert.ok(mapped instanceof kind, `${mapped.name}`);
      if (mapped instanceof TransientError) assert.equal(mapped.retryAfterMs, retryAfter);
      assert.ok(mapped.message.startsWith("op: "));
      assert.ok(!mapped.message.includes("Headers"), "never leaks request/response headers");
    });
  }
  it("keeps the server's reason on terminal errors and names the network failure", () => {
    const t = mapKubeError(api(422, "Invalid"), "op");
    assert.ok(t instanceof TerminalError && t.reason === "Invalid");
    assert.match(mapKubeError(new TypeError("fetch failed", { cause: { code: "ECONNRESET" } }), "op").message, /ECONNRESET/);
  });
});
