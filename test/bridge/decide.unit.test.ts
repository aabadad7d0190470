import assert from "node:assert/strict";
import { afterFailure, backoffMs, claimedEntryAction, classifyCreateStatus, compareStreamIds, trimBefore } from "../../operator/bridge/index.js";

describe("bridge: decisions", () => {
  const statuses: [status: number | undefined, kind: string][] = [
    [409, "exists"],
    [400, "terminal"],
    [422, "terminal"],
    [404, "transient"],
    [403, "transient"],
    [401, "transient"],
    [429, "transient"],
    [500, "transient"],
    [503, "transient"],
    [undefined, "transient"],
  ];
  for (const [status, kind] of statuses) {
    it(`create status ${String(status)} -> ${kind}`, () => assert.equal(classifyCreateStatus(status), kind));
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
    const { parseReadGroup } = await import("../../operator/bridge/redis-replies.js");
    const entries = [["1-0", ["entry", "{}"]], ["2-0", null]];
    assert.deepEqual(parseReadGroup([["s", entries]]), [["1-0", ["entry", "{}"]], ["2-0", null]]);
    assert.deepEqual(parseReadGroup(["s", entries]), [["1-0", ["entry", "{}"]], ["2-0", null]]);
    assert.deepEqual(parseReadGroup(null), []);
  });
});
