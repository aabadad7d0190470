import assert from "node:assert/strict";
import fc from "fast-check";
import { LADDER_PRESETS, Outputs, parseSpec, Progress, X264_PRESETS } from "../../crds/index.js";
import { ladderRungs, LADDER_PRESETS as TASK_PRESETS, parseProgress, PROGRESS_STAGES, taskOutputsSchema, taskSpecSchema, X264_PRESETS as TASK_X264 } from "../../lib/task-contract/index.js";
import { validSpec } from "./arbitraries.js";

// The task contract keeps its own copy of the spec subset (TJ_SPEC); this holds the two together.
describe("crds: every spec the CRD accepts is a valid task spec (TJ_SPEC)", function () {
  this.timeout(30_000);
  it("shares the presets and x264 presets", () => {
    assert.deepEqual(TASK_PRESETS, LADDER_PRESETS);
    assert.deepEqual(TASK_X264, X264_PRESETS);
  });

  it("encodes into taskSpecSchema with the same ladder, formats and flags", () => {
    fc.assert(
      fc.property(validSpec, (raw) => {
        const r = parseSpec(raw);
        if (!r.ok) throw new Error(r.message);
        const spec = r.value;
        const task = taskSpecSchema.safeParse(spec);
        assert.ok(task.success, task.success ? "" : task.error.message);
        const heights = ladderRungs(task.data.ladder).map((x) => x.height);
        const expected = spec.ladder.renditions?.map((x) => x.height) ?? [...LADDER_PRESETS[spec.ladder.preset ?? "standard"]];
        assert.deepEqual(heights, [...expected].sort((a, b) => a - b));
        assert.deepEqual([...task.data.formats].sort(), [...spec.formats].sort());
        assert.equal(task.data.thumbnails, spec.thumbnails);
        assert.equal(task.data.deleteSourceOnSuccess, spec.deleteSourceOnSuccess);
        assert.deepEqual(task.data.encoding, spec.encoding ?? { x264Preset: "faster", segmentSeconds: 4 });
      }),
      { numRuns: 200 },
    );
  });
});

// The status the operator writes from what a task reports: outputs are the CRD's own schema (one source); the
// progress the operator copies is held to the CRD's Progress here.
describe("crds: what a task reports fits the TranscodeJob status", () => {
  it("outputs are status.outputs' own schema", () => {
    assert.equal(taskOutputsSchema, Outputs);
  });
  it("every progress a task may report becomes a valid status.progress", () => {
    fc.assert(
      fc.property(fc.constantFrom(...PROGRESS_STAGES), fc.double({ min: 0, max: 100, noNaN: true }), (stage, percent) => {
        const p = parseProgress({ attempt: "1", percent: String(percent), stage, updatedAt: new Date().toISOString() });
        assert.ok(p);
        assert.ok(Progress.safeParse({ percent: Math.round(p.percent), stage: p.stage }).success);
      }),
    );
  });
});
