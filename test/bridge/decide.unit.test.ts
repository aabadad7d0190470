import assert from "node:assert/strict";
import { ApiException } from "@kubernetes/client-node";
import { afterFailure, backoffMs, claimedEntryAction, createFailureKind, compareStreamIds, trimBefore } from "../../bridge/index.js";
import { mapKubeError } from "../../lib/kube/index.js";

describe("bridge: decisions", () => {
  // Through the one apiserver error mapping (lib/kube), as job-creator.ts applies it.
  const statuses: [status: number | undefined, reason: string | undefined, kind: string][] = [
    [409, "AlreadyExists", "exists"],
    [409, "Conflict", "transient"],
    [400, undefined, "terminal"],
    [422, "Invalid", "terminal"],
    [404, undefined, "transient"],
    [403, "Forbidden", "transient"],
    [401, undefined, "transient"],
    [429, undefined, "transient"],
    [500, undefined, "transient"],
    [503, undefined, "transient"],
    [undefined, undefined, "transient"],
  ];
  for (const [status, reason, kind] of statuses) {
    it(`create answered ${String(status)} ${reason ?? ""} -> ${kind}`, () => {
      const err = status === undefined ? new TypeError("fetch failed") : new ApiException(status, "x", reason ? JSON.stringify({ kind: "Status", reason, message: "m" }) : "", {});
      assert.equal(createFailureKind(mapKubeError(err, "create")), kind);
    });
  }

  const failures: [kind: "terminal" | "transient", deliveries: number, max: number, action: string][] = [
    ["terminal", 1, 5, "dead-letter"],
    ["transient", 1, 5, "retry"],
    ["transient", 4, 5, "retry"],
    ["transient", 5, 5, "dead-letter"],
    ["transient", 9, 5, "dead-letter"],
    ["transient", 1, 1, "dead-letter"],
  ];
  for (const [kind, deliveries, max, action] of failures) {
    it(`${kind} failure at delivery ${deliveries}/${max} -> ${action}`, () => assert.equal(afterFailure(kind, deliveries, max), action));
  }

  const claims: [deliveries: number, max: number, action: string][] = [
    [2, 5, "process"],
    [5, 5, "process"],
    [6, 5, "dead-letter"],
  ];
  for (const [deliveries, max, action] of claims) {
    it(`claimed entry at delivery ${deliveries}/${max} -> ${action}`, () => assert.equal(claimedEntryAction(deliveries, max), action));
  }

  it("backs off exponentially up to a cap", () => {
    assert.deepEqual([0, 1, 2, 3, 4, 10, 100].map((n) => backoffMs(n)), [0, 200, 400, 800, 1600, 10_000, 10_000]);
  });

  const ids: [a: string, b: string, sign: number][] = [
    ["9-0", "10-0", -1],
    ["10-0", "9-0", 1],
    ["5-2", "5-10", -1],
    ["5-3", "5-3", 0],
    ["1732492800000-0", "1732492800000-1", -1],
  ];
  for (const [a, b, sign] of ids) {
    it(`compares stream ids ${a} vs ${b}`, () => assert.equal(Math.sign(compareStreamIds(a, b)), sign));
  }

  it("never trims past an undelivered or pending entry", () => {
    assert.equal(trimBefore(100_000, 10_000, "200000-0", undefined), "90000-0");
    assert.equal(trimBefore(100_000, 10_000, "50000-3", undefined), "50000-3");
    assert.equal(trimBefore(100_000, 10_000, "200000-0", "40000-1"), "40000-1");
  });
});

describe("bridge: Redis reply shapes", () => {
  it("reads XREADGROUP replies both wrapped and as ioredis 6's call() unwraps them", async () => {
    const { parseReadGroup } = await import("../../bridge/redis-replies.js");
    const entries = [["1-0", ["entry", "{}"]], ["2-0", null]];
    assert.deepEqual(parseReadGroup([["s", entries]]), [["1-0", ["entry", "{}"]], ["2-0", null]]);
    assert.deepEqual(parseReadGroup(["s", entries]), [["1-0", ["entry", "{}"]], ["2-0", null]]);
    assert.deepEqual(parseReadGroup(null), []);
  });
});
