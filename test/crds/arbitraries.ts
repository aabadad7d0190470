// fast-check arbitraries for TranscodeJob specs, shared by the apiserver agreement test and the unit properties.
import fc from "fast-check";
import { parseSpec, X264_PRESETS } from "../../crds/index.js";

/**
 * Generates specs near every boundary the schema draws (ranges, enums, patterns, lengths, uniqueness, the
 * preset/renditions choice, unknown fields, wrong JSON types). Each field is mostly valid and sometimes not,
 * so a fair share of whole specs is valid and the rest fail for one or a few reasons.
 */
const wrongType = fc.constantFrom<unknown>("7", true, null, [], {}, 1.5);
function mix<T>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 60, arbitrary: good }, { weight: 3, arbitrary: bad }, { weight: 1, arbitrary: wrongType });
}
const pick = <T>(...xs: T[]) => fc.constantFrom(...xs);

const bucket = mix(pick("uploads", "outputs", "out.puts-1", "abc", "a".repeat(63)), pick("ab", "Uploads", "-uploads", "uploads-", "a".repeat(64)));
const key = mix(pick("k", "uploads/alice/u1/in.mov", "k".repeat(1024)), pick("", "k".repeat(1025)));
// "uploads/alice/u1/in.mov" is also a source key: equal prefix and key happen often enough to exercise that rule.
const prefix = mix(pick("outputs/alice/j/", "p", "uploads/alice/u1/in.mov"), pick("", "p".repeat(1025)));
const evenHeight = fc.integer({ min: 72, max: 2160 }).map((h) => h * 2);
const rendition = fc.record(
  {
    height: mix(evenHeight, fc.oneof(pick(100, 142, 143, 145, 4321, 4322, 5000), evenHeight.map((h) => h + 1))),
    videoBitrateKbps: mix(fc.integer({ min: 64, max: 200000 }), pick(0, 63, 200001)),
    crf: mix(fc.integer({ min: 0, max: 51 }), pick(-1, 52)),
  },
  { requiredKeys: ["height"] },
);
const renditions = mix(
  fc.uniqueArray(rendition, { minLength: 1, maxLength: 8, selector: (r) => r.height }),
  fc.oneof(
    fc.constant([]),
    fc.uniqueArray(evenHeight.map((height) => ({ height })), { minLength: 9, maxLength: 10, selector: (r) => r.height }),
    evenHeight.map((height) => [{ height }, { height: 1080 }, { height }]),
  ),
);
const preset = mix(pick("standard", "mobile", "full"), pick("huge", "", "Standard"));
const ladder = mix(
  fc.oneof(fc.record({ preset }), fc.record({ renditions })),
  fc.oneof(fc.constant({}), fc.record({ preset, renditions }), fc.record({ preset, extra: fc.constant(1) })),
);
export const spec = fc
  .record(
    {
      source: mix(fc.record({ bucket, key, versionId: mix(pick("v1", "3HL4kqtJlcpXroDTDmJ"), pick("", "v".repeat(1025))) }, { requiredKeys: ["bucket", "key"] }), fc.record({ bucket })),
      output: mix(fc.record({ bucket, prefix }), fc.record({ prefix })),
      ladder,
      formats: mix(pick(["hls"], ["mp4"], ["hls", "mp4"], ["mp4", "hls"]), pick([], ["webm"], ["hls", "hls"], ["hls", "mp4", "hls"])),
      thumbnails: mix(fc.boolean(), fc.constant("yes")),
      encoding: mix(
        fc.record({ x264Preset: mix(pick(...X264_PRESETS), pick("placebo")), segmentSeconds: mix(fc.integer({ min: 2, max: 10 }), pick(0, 1, 11)) }, { requiredKeys: [] }),
        fc.constant({ x264Preset: "veryfast", crf: 20 }),
      ),
      priority: mix(fc.integer({ min: -50, max: 50 }), pick(-51, 51, 1000)),
      owner: mix(pick("alice", "a-b-1", "x".repeat(63)), pick("Alice", "", "al ice", "x".repeat(64))),
      deleteSourceOnSuccess: mix(fc.boolean(), fc.constant(0)),
      maxAttempts: mix(fc.integer({ min: 1, max: 10 }), pick(0, 11)),
      activeDeadlineSeconds: mix(fc.integer({ min: 60, max: 604800 }), pick(0, 59, 604801)),
      suspend: mix(fc.boolean(), fc.constant("false")),
    },
    { requiredKeys: [] },
  )
  .chain((s) =>
    fc.record({ keepSource: fc.nat(19), keepOutput: fc.nat(19), unknown: fc.nat(29) }).map(({ keepSource, keepOutput, unknown }) => {
      // Mostly keep the two required fields, or nearly every spec fails for their absence alone.
      const out: Record<string, unknown> = { ...s };
      if (keepSource > 0) out.source ??= { bucket: "uploads", key: "uploads/alice/u1/in.mov" };
      if (keepOutput > 0) out.output ??= { bucket: "outputs", prefix: "outputs/alice/j/" };
      if (unknown === 0) out.colour = "blue";
      return out;
    }),
  );

export const validSpec = spec.filter((s) => parseSpec(s).ok);
const SPEC_FIELDS = ["source", "output", "ladder", "formats", "thumbnails", "encoding", "priority", "owner", "deleteSourceOnSuccess", "maxAttempts", "activeDeadlineSeconds", "suspend"];
/** A valid spec and an update of it: a few of its fields taken from a second spec (or dropped if that one lacks them). */
export const update = fc
  .record({
    before: validSpec,
    other: validSpec,
    fields: fc.subarray(SPEC_FIELDS, { maxLength: 3 }),
    mutable: fc.subarray(["priority", "suspend"]),
  })
  .map(({ before, other, fields, mutable }) => {
    const after: Record<string, unknown> = { ...before };
    for (const f of [...fields, ...mutable]) {
      if (f in other) after[f] = other[f];
      else delete after[f];
    }
    return { before, after };
  });
