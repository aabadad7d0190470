import assert from "node:assert/strict";
import { loadApiConfig } from "../../api/config.js";
import { boundsIssue } from "../../api/jobs/bounds.js";
import type { CreateJobBody } from "../../api/jobs/schemas.js";

const env = { API_SESSION_KEYS: "k".repeat(32), MONGODB_URL: "mongodb://127.0.0.1:1/", REDIS_URL: "redis://127.0.0.1:1", UPLOADS_BUCKET: "up-bucket", OUTPUTS_BUCKET: "out-bucket" };
const limits = loadApiConfig(env).config.jobLimits;
type Body = Parameters<typeof boundsIssue>[0];
const enc = (x264Preset: NonNullable<CreateJobBody["encoding"]>["x264Preset"]) => ({ x264Preset, segmentSeconds: 4 });

describe("api: the bounds of what an API user may choose for a job", () => {
  it("the defaults", () => {
    assert.deepEqual(limits, { maxQueuedPerUser: 20, maxPriority: 0, minCrf: 18, slowestPreset: "medium", maxRenditions: 6, maxHeight: 2160, maxAttempts: 3, maxDeadlineSeconds: 86_400 });
  });

  const rows: [name: string, body: Body, field: string | undefined][] = [
    ["nothing chosen", {}, undefined],
    ["everything at its bound", { priority: 0, ladder: { renditions: [{ height: 2160, crf: 18 }] }, encoding: enc("medium"), maxAttempts: 3, activeDeadlineSeconds: 86_400 }, undefined],
    ["the full preset (2160p)", { ladder: { preset: "full" } }, undefined],
    ["priority 50", { priority: 50 }, "body.priority"],
    ["crf 0 (lossless)", { ladder: { renditions: [{ height: 720 }, { height: 1080, crf: 0 }] } }, "body.ladder.renditions[1].crf"],
    ["veryslow", { encoding: enc("veryslow") }, "body.encoding.x264Preset"],
    ["a rung of 4320", { ladder: { renditions: [{ height: 4320 }] } }, "body.ladder.renditions[0].height"],
    ["8 rungs", { ladder: { renditions: [144, 240, 360, 480, 540, 720, 1080, 1440].map((height) => ({ height })) } }, "body.ladder.renditions"],
    ["10 attempts", { maxAttempts: 10 }, "body.maxAttempts"],
    ["a 7-day deadline", { activeDeadlineSeconds: 604_800 }, "body.activeDeadlineSeconds"],
  ];
  for (const [name, body, field] of rows) {
    it(`${field ? "refuses" : "allows"} ${name}${field ? `, naming ${field}` : ""}`, () => assert.equal(boundsIssue(body, limits)?.path, field));
  }

  it("a lower height bound also judges a preset's rungs; the message names the setting", () => {
    const issue = boundsIssue({ ladder: { preset: "full" } }, { ...limits, maxHeight: 1080 });
    assert.equal(issue?.path, "body.ladder.preset");
    assert.match(issue?.message ?? "", /API_MAX_RENDITION_HEIGHT/);
    assert.equal(boundsIssue({}, { ...limits, maxHeight: 720 })?.path, "body.ladder.preset", "the default preset reaches 1080");
  });

  it("configuration widens them (within the CRD's own limits)", () => {
    const wide = loadApiConfig({ ...env, API_MAX_PRIORITY: "50", API_MIN_CRF: "0", API_SLOWEST_X264_PRESET: "veryslow", API_MAX_ATTEMPTS: "10", API_MAX_DEADLINE_SECONDS: "604800" }).config.jobLimits;
    assert.equal(boundsIssue({ priority: 50, ladder: { renditions: [{ height: 1080, crf: 0 }] }, encoding: enc("veryslow"), maxAttempts: 10, activeDeadlineSeconds: 604_800 }, wide), undefined);
  });
});
