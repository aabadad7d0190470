import assert from "node:assert/strict";
import { checkSpecUpdate, LADDER_PRESETS, parseSpec, parseStatus, parseTranscodeJob, type TranscodeJobSpec } from "../../crds/index.js";
import { invalidSpecs, readExample, validSpec } from "./examples.js";

function mustParse(input: unknown): TranscodeJobSpec {
  const r = parseSpec(input);
  if (!r.ok) assert.fail(`expected a valid spec, got: ${r.message}`);
  return r.value;
}

describe("crds: parseSpec", () => {
  it("fills in every default of the minimal example", async () => {
    const spec = mustParse((await readExample("minimal")).spec);
    assert.deepEqual(spec, {
      source: { bucket: "uploads", key: "namespaces/media/2f1c7a9e/holiday.mov" },
      output: { bucket: "outputs", prefix: "namespaces/media/holiday-clip/" },
      ladder: { preset: "standard" },
      formats: ["hls", "mp4"],
      thumbnails: true,
      priority: 0,
      deleteSourceOnSuccess: false,
      maxAttempts: 3,
      suspend: false,
    });
  });

  it("keeps every field of the full example as written", async () => {
    const raw = (await readExample("full")).spec;
    assert.deepEqual(mustParse(raw), raw);
  });

  it("defaults the fields inside encoding when encoding is given", () => {
    assert.deepEqual(mustParse({ ...validSpec(), encoding: {} }).encoding, { x264Preset: "faster", segmentSeconds: 4 });
  });

  it("knows the three presets and their heights", () => {
    assert.deepEqual(LADDER_PRESETS, { standard: [360, 720, 1080], mobile: [240, 360, 480], full: [360, 480, 720, 1080, 1440, 2160] });
    for (const preset of Object.keys(LADDER_PRESETS)) mustParse({ ...validSpec(), ladder: { preset } });
  });

  it("accepts the bounds themselves", () => {
    mustParse({ ...validSpec(), priority: 50, maxAttempts: 10, activeDeadlineSeconds: 60, ladder: { renditions: [{ height: 144 }, { height: 4320, crf: 0 }] } });
    mustParse({ ...validSpec(), priority: -50, maxAttempts: 1, ladder: { renditions: [{ height: 720, crf: 51 }] } });
  });

  for (const c of invalidSpecs) {
    it(`rejects ${c.name}, naming ${c.path}`, () => {
      const r = parseSpec(c.spec);
      assert.equal(r.ok, false);
      if (r.ok) return;
      const paths = r.issues.map((i) => i.path);
      assert.ok(paths.includes(c.path), `expected an issue on ${c.path}, got ${r.message}`);
      for (const i of r.issues) assert.match(i.message, /\S/);
    });
  }

  it('formats issues as "path: message" with readable messages', () => {
    const r = parseSpec({ ...validSpec(), ladder: { renditions: [{ height: 720 }, { height: 5000 }] } });
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.equal(r.message, "spec.ladder.renditions[1].height: must be <= 4320");
    const missing = parseSpec({ output: validSpec().output });
    assert.ok(!missing.ok && missing.message === "spec.source: is required", JSON.stringify(missing));
    const unknown = parseSpec({ ...validSpec(), colour: "blue" });
    assert.ok(!unknown.ok && unknown.message === "spec.colour: unknown field", JSON.stringify(unknown));
    const preset = parseSpec({ ...validSpec(), ladder: { preset: "huge" } });
    assert.ok(!preset.ok && preset.message === 'spec.ladder.preset: must be one of: "standard", "mobile", "full"', JSON.stringify(preset));
  });

  it("treats a null field as absent, as the apiserver does, but not a null list item", () => {
    const spec = mustParse({ ...validSpec(), priority: null, owner: null, ladder: null, encoding: { segmentSeconds: null } });
    assert.equal(spec.priority, 0);
    assert.equal("owner" in spec, false);
    assert.deepEqual(spec.ladder, { preset: "standard" });
    assert.deepEqual(spec.encoding, { x264Preset: "faster", segmentSeconds: 4 });
    const r = parseSpec({ ...validSpec(), formats: [null] });
    assert.ok(!r.ok && r.issues[0]?.path === "spec.formats[0]");
    const missing = parseSpec({ ...validSpec(), source: null });
    assert.ok(!missing.ok && missing.message === "spec.source: is required");
  });

  it("never throws, whatever it is given", () => {
    for (const junk of [null, undefined, 42, "spec", [], [validSpec()], { source: null }, { source: [], output: 7 }, Object.create(null)]) {
      const r = parseSpec(junk);
      assert.equal(r.ok, false);
      if (!r.ok) assert.ok(r.issues.length > 0);
    }
  });
});

describe("crds: checkSpecUpdate (the CRD transition rules, for callers that patch specs themselves)", () => {
  const before = { ...validSpec(), owner: "alice", ladder: { renditions: [{ height: 720, crf: 20 }] } };
  const cases: { name: string; after: Record<string, unknown>; paths: string[] }[] = [
    { name: "no change", after: before, paths: [] },
    { name: "priority and suspend change", after: { ...before, priority: 9, suspend: true }, paths: [] },
    { name: "defaults written out", after: { ...before, formats: ["hls", "mp4"], maxAttempts: 3 }, paths: [] },
    { name: "formats reordered (a set)", after: { ...before, formats: ["mp4", "hls"] }, paths: [] },
    { name: "key order differs", after: { ...before, ladder: { renditions: [{ crf: 20, height: 720 }] } }, paths: [] },
    { name: "source changes", after: { ...before, source: { bucket: "uploads", key: "other.mov" } }, paths: ["spec.source"] },
    { name: "source gains a versionId", after: { ...before, source: { ...validSpec().source as object, versionId: "v2" } }, paths: ["spec.source"] },
    { name: "owner removed", after: { ...validSpec(), ladder: before.ladder }, paths: ["spec.owner"] },
    { name: "deadline added and formats changed", after: { ...before, activeDeadlineSeconds: 600, formats: ["mp4"] }, paths: ["spec.activeDeadlineSeconds", "spec.formats"] },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(checkSpecUpdate(before, c.after).map((i) => i.path), c.paths));
  }
});

describe("crds: parseTranscodeJob and parseStatus", () => {
  it("accepts the examples as whole objects", async () => {
    for (const name of ["minimal", "full"] as const) {
      const r = parseTranscodeJob(await readExample(name));
      assert.ok(r.ok, r.ok ? "" : r.message);
    }
  });

  it("rejects an object of another kind, naming the field", () => {
    const r = parseTranscodeJob({ apiVersion: "batch/v1", kind: "Job", metadata: {}, spec: validSpec() });
    assert.ok(!r.ok);
    if (!r.ok) assert.deepEqual(r.issues.map((i) => i.path), ["apiVersion", "kind"]);
  });

  it("accepts a full status and defaults attempts", () => {
    const r = parseStatus({
      phase: "Succeeded",
      conditions: [{ type: "Complete", status: "True", lastTransitionTime: "2026-11-25T00:10:00Z", reason: "Transcoded", message: "3 renditions" }],
      progress: { percent: 100, stage: "done" },
      taskRef: { launcher: "ecs", id: "arn:aws:ecs:eu-west-1:1:task/c/abc", attempt: 1 },
      startedAt: "2026-11-25T00:00:00Z",
      completedAt: "2026-11-25T00:10:00.123+01:00",
      outputs: { masterPlaylist: "o/master.m3u8", renditions: [{ name: "720p", width: 1280, height: 720, videoBitrateKbps: 2800, bandwidth: 3200000, codecs: "avc1.64001f,mp4a.40.2", sizeBytes: 1 }] },
    });
    assert.ok(r.ok, r.ok ? "" : r.message);
    if (r.ok) assert.equal(r.value.attempts, 0);
  });

  it("rejects an unknown phase and a non-CamelCase reason", () => {
    const r = parseStatus({ phase: "Done", reason: "not camel" });
    assert.ok(!r.ok);
    if (!r.ok) assert.deepEqual(r.issues.map((i) => i.path).sort(), ["status.phase", "status.reason"]);
  });
});
