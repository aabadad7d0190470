import assert from "node:assert/strict";
import { formatDuration, jobDuration } from "../../crds/index.js";

describe("crds: formatDuration (kubectl's HumanDuration)", () => {
  const s = 1000;
  const m = 60 * s;
  const h = 60 * m;
  const d = 24 * h;
  const cases: [number, string][] = [
    [-5 * s, "0s"],
    [0, "0s"],
    [999, "0s"],
    [45 * s, "45s"],
    [119 * s, "119s"],
    [2 * m, "2m"],
    [3 * m + 12 * s, "3m12s"],
    [10 * m + 30 * s, "10m"],
    [179 * m, "179m"],
    [3 * h, "3h"],
    [7 * h + 59 * m, "7h59m"],
    [8 * h + 5 * m, "8h"],
    [47 * h, "47h"],
    [2 * d, "2d"],
    [3 * d + 4 * h, "3d4h"],
    [8 * d, "8d"],
    [400 * d, "400d"],
    [731 * d, "2y1d"],
    [9 * 365 * d, "9y"],
  ];
  for (const [ms, text] of cases) it(`${ms} ms -> ${text}`, () => assert.equal(formatDuration(ms), text));

  it("jobDuration measures to completedAt, or to now while running, and is absent before the start", () => {
    const now = new Date("2026-11-25T01:00:00Z");
    assert.equal(jobDuration("2026-11-25T00:00:00Z", "2026-11-25T00:03:12Z", now), "3m12s");
    assert.equal(jobDuration("2026-11-25T00:59:15Z", undefined, now), "45s");
    assert.equal(jobDuration(undefined, undefined, now), undefined);
    assert.equal(jobDuration("garbage", undefined, now), undefined);
  });
});
